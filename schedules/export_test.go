package schedules

import "github.com/robfig/cron/v3"

// Schedule returns when the job runs (nil for a job started only by its
// dependencies): the cron expression in Europe/Oslo, adjusted so that a
// job at a wall-clock time runs once on the nights the clocks change.
func (j *Job) Schedule() cron.Schedule { return j.schedule }
