package tolkdb

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"
)

// secret is the password planted in DSNs; it must never be shown.
const secret = "S3cret:Pw"

func TestRedactDSN(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"postgres://tolk:S3cretPw@db.example:5432/register?sslmode=require",
			"postgres://tolk:xxxxx@db.example:5432/register?sslmode=require"},
		{"postgresql://tolk@db.example/register?password=S3cretPw&sslmode=disable",
			"postgresql://tolk@db.example/register?password=xxxxx&sslmode=disable"},
		{"postgres://db.example/register", "postgres://db.example/register"},
		// Unparsable as a URL: bad port, several hosts, '@' in the password.
		{"postgres://tolk:S3cretPw@db.example:notaport/register", "postgres://tolk:xxxxx@db.example:notaport/register"},
		{"postgres://tolk:S3cretPw@h1:5432,h2:5432/register?password=S3cretPw",
			"postgres://tolk:xxxxx@h1:5432,h2:5432/register?password=xxxxx"},
		{"postgres://tolk:S3c@retPw@db.example:x/register", "postgres://tolk:xxxxx@db.example:x/register"},
		{"host=db.example user=tolk password=S3cretPw dbname=register",
			"host=db.example user=tolk password=xxxxx dbname=register"},
		{"host=db.example password = 'S3cret Pw\\' x' dbname=register",
			"host=db.example password = xxxxx dbname=register"},
		{"host=db.example PASSWORD=S3cretPw", "host=db.example PASSWORD=xxxxx"},
		{"host=db.example dbname=register", "host=db.example dbname=register"},
	} {
		if got := RedactDSN(c.in); got != c.want {
			t.Errorf("RedactDSN(%q)\n = %q\nwant %q", c.in, got, c.want)
		}
	}
}

func TestDSNFromEnv(t *testing.T) {
	t.Setenv(EnvDSN, "")
	if _, err := DSNFromEnv(); err == nil || !strings.Contains(err.Error(), EnvDSN) {
		t.Errorf("unset: err = %v, want one naming %s", err, EnvDSN)
	}
	t.Setenv(EnvDSN, " host=db.example dbname=register\n")
	if got, err := DSNFromEnv(); err != nil || got != "host=db.example dbname=register" {
		t.Errorf("DSNFromEnv() = %q, %v", got, err)
	}
}

// TestPasswordNeverShown reads with a DSN holding a password, in both
// forms, from a server that accepts it and from a closed port, and checks
// that neither the log nor the error shows it; nor does New's error for a
// DSN that does not parse.
func TestPasswordNeverShown(t *testing.T) {
	t.Parallel()
	dsn, _ := register(t)
	host, port, _ := net.SplitHostPort(strings.Split(strings.TrimPrefix(dsn, "postgres://postgres@"), "/")[0])
	_, closed, _ := net.SplitHostPort(closedAddr(t))
	escaped := strings.ReplaceAll(secret, ":", "%3A")
	for _, c := range []struct {
		name, dsn string
		fail      bool
	}{
		{"url", "postgres://postgres:" + escaped + "@" + host + ":" + port + "/test?sslmode=disable", false},
		{"key=value", "host=" + host + " port=" + port + " user=postgres password='" + secret + "' dbname=test sslmode=disable", false},
		{"url closed port", "postgres://postgres:" + escaped + "@" + host + ":" + closed + "/test?connect_timeout=2", true},
		{"key=value closed port", "host=" + host + " port=" + closed + " user=postgres password=" + secret + " dbname=test", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, log := newSource(t, c.dsn, Options{Retries: 2})
			_, err := s.Read(context.Background(), time.Time{})
			if (err != nil) != c.fail {
				t.Fatalf("err = %v, want failure %v", err, c.fail)
			}
			if !strings.Contains(log.String(), host) {
				t.Errorf("the log does not say which database:\n%s", log.String())
			}
			for _, shown := range []string{log.String(), errText(err)} {
				if strings.Contains(shown, secret) || strings.Contains(shown, escaped) {
					t.Errorf("the password is shown: %s", shown)
				}
			}
		})
	}
	for _, bad := range []string{
		"postgres://tolk:" + secret + "@db.example:notaport/register",
		"host=db.example password=" + secret + " port=notaport",
		"host=db.example password='" + secret,
	} {
		if _, err := New(bad, Options{}); err == nil || strings.Contains(err.Error(), secret) {
			t.Errorf("New of an unparsable DSN: err = %v, want an error without the password", err)
		}
	}
}

// errText is err's message, or "" for nil.
func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
