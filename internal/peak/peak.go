// Package peak reports the peak resident memory of the running process,
// for the figures the benchmarks print.
package peak

import "syscall"

// RSS returns the process's peak resident set size in bytes, or 0 where
// the system does not say.
func RSS() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Maxrss * 1024 // Linux reports kilobytes
}

// MiB formats bytes as mebibytes.
func MiB(b int64) float64 { return float64(b) / (1 << 20) }
