package tolkdb

import (
	"errors"
	"net/url"
	"os"
	"regexp"
	"strings"
)

// EnvDSN is the environment variable DSNFromEnv reads the register's
// connection string from, so the password need not sit in a config file.
const EnvDSN = "INTEGSTAT_TOLK_DSN"

// DSNFromEnv returns the connection string in $INTEGSTAT_TOLK_DSN, or an
// error naming the variable when it is unset or empty.
func DSNFromEnv() (string, error) {
	dsn := strings.TrimSpace(os.Getenv(EnvDSN))
	if dsn == "" {
		return "", errors.New("tolkdb: " + EnvDSN + " is not set")
	}
	return dsn, nil
}

// redacted replaces a password in RedactDSN's output.
const redacted = "xxxxx"

// kvPassword matches a password in the key=value form: a quoted value (with
// backslash escapes) or everything up to the next space.
var kvPassword = regexp.MustCompile(`(?i)(\bpassword\s*=\s*)('(?:[^'\\]|\\.)*'?|[^\s]*)`)

// RedactDSN returns dsn with any password replaced by "xxxxx", for logs. It
// handles the URL form (postgres://user:pw@host/db and ?password=) and the
// key=value form (password=pw or password='p w'), and also strings too
// malformed to parse, so a typo in the config never leaks the password.
func RedactDSN(dsn string) string {
	lower := strings.ToLower(dsn)
	if !strings.HasPrefix(lower, "postgres://") && !strings.HasPrefix(lower, "postgresql://") {
		return kvPassword.ReplaceAllString(dsn, "${1}"+redacted)
	}
	if u, err := url.Parse(dsn); err == nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), redacted)
		}
		if q := u.Query(); q.Has("password") {
			q.Set("password", redacted)
			u.RawQuery = q.Encode()
		}
		return u.String()
	}
	// Unparsable URL: cut the password out of the userinfo by hand (it ends
	// at the last '@' before the path), then out of the query.
	scheme, rest, _ := strings.Cut(dsn, "://")
	authority, tail := rest, ""
	if i := strings.IndexAny(rest, "/?"); i >= 0 {
		authority, tail = rest[:i], rest[i:]
	}
	if at := strings.LastIndex(authority, "@"); at >= 0 {
		if user, _, ok := strings.Cut(authority[:at], ":"); ok {
			authority = user + ":" + redacted + authority[at:]
		}
	}
	return scheme + "://" + authority + queryPassword.ReplaceAllString(tail, "${1}"+redacted)
}

// queryPassword matches a password parameter in a URL's query.
var queryPassword = regexp.MustCompile(`(?i)([?&]password=)[^&#]*`)
