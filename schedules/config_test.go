package schedules_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"integstat/load/warehouse"
	"integstat/schedules"
	"integstat/transform/pseudo"
)

// TestIngestConfigErrors runs real ingest jobs on a daemon started without
// what they need, or with an interpreter database URL that does not parse:
// each fails as not configured (ErrConfig), once, without retries, and the
// ledger's detail never repeats the URL's password.
func TestIngestConfigErrors(t *testing.T) {
	key, err := pseudo.GenerateKeyFile(filepath.Join(t.TempDir(), "key"))
	if err != nil {
		t.Fatal(err)
	}
	const password = "hemmelig-passord"
	cases := []struct {
		name   string
		source string
		env    schedules.Env
	}{
		{"no key", "nir", schedules.Env{Inbox: t.TempDir()}},
		{"no inbox", "nir", schedules.Env{Key: key}},
		{"no database", "tolk-db", schedules.Env{Key: key}},
		{"database URL does not parse", "tolk-db", schedules.Env{Key: key, TolkDSN: "postgres://tolk:" + password + "@db:notaport/tolk"}},
		{"key=value string does not parse", "tolk-db", schedules.Env{Key: key, TolkDSN: "host=db password=" + password + " port=x"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := schedules.Parse("test.conf", strings.NewReader("[j]\nkind = ingest\nat = @yearly\nretries = 3\nsource = "+c.source+"\n"))
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			d := schedules.New(s, schedules.Options{Warehouse: dir, Env: c.env, Log: quiet(nil),
				Sleep: func(context.Context, time.Duration) error { t.Error("a configuration error was retried"); return nil }})
			rec, err := d.RunOnce(context.Background(), "j", false)
			if !errors.Is(err, schedules.ErrConfig) {
				t.Fatalf("err = %v, want ErrConfig", err)
			}
			rs := runs(t, dir)
			if rec.Outcome != warehouse.JobFailed || rec.Attempts != 1 || len(rs) != 1 || rs[0].Outcome != warehouse.JobFailed {
				t.Errorf("outcome %s after %d attempts, ledger %+v; want one failed attempt", rec.Outcome, rec.Attempts, rs)
			}
			if strings.Contains(err.Error(), password) || len(rs) == 1 && strings.Contains(rs[0].Detail, password) {
				t.Errorf("the error repeats the password: %v", err)
			}
		})
	}
}
