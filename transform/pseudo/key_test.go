package pseudo

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// testSecret is key material for tests: 32 distinct bytes.
var testSecret = []byte("0123456789abcdefghijklmnopqrstuv")

// writeFile writes data to a new file name in a temporary directory with the
// given mode (set after creation, so the umask cannot change it).
func writeFile(t *testing.T, name string, data []byte, mode os.FileMode) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
	return path
}

// checkPrivate fails the test unless path has mode 0600.
func checkPrivate(t *testing.T, path string) {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("%s has mode %04o, want 0600", filepath.Base(path), st.Mode().Perm())
	}
}

// testKey loads testSecret from a private raw key file.
func testKey(t *testing.T) *Key {
	t.Helper()
	k, err := LoadKey(writeFile(t, "raw.key", testSecret, 0o600))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestLoadKey(t *testing.T) {
	hexKey := hex.EncodeToString(testSecret)
	tests := []struct {
		name    string
		content []byte // nil: no file at all
		mode    os.FileMode
		wantErr []string // substrings of the error besides the path; nil: success
	}{
		{"header and hex", []byte(keyFileHeader + "\n" + hexKey + "\n"), 0o600, nil},
		{"header and hex, no final newline", []byte(keyFileHeader + "\n" + hexKey), 0o400, nil},
		{"raw bytes", testSecret, 0o600, nil},
		{"readable by others", testSecret, 0o644, []string{"mode 0644", "chmod 600"}},
		{"readable by group", testSecret, 0o640, []string{"mode 0640"}},
		{"writable by others", testSecret, 0o602, []string{"mode 0602"}},
		{"raw too short", testSecret[:31], 0o600, []string{"31 bytes", "at least 32"}},
		{"hex too short", []byte(keyFileHeader + "\n" + hexKey[:62] + "\n"), 0o600, []string{"31 bytes"}},
		{"hex not hex", []byte(keyFileHeader + "\n" + strings.Repeat("zz", 32) + "\n"), 0o600, []string{"not a hex key"}},
		{"one byte repeated", bytes.Repeat([]byte{7}, 64), 0o600, []string{"repeated"}},
		{"too large", bytes.Repeat(testSecret, 200), 0o600, []string{"larger than"}},
		{"empty", []byte{}, 0o600, []string{"0 bytes"}},
		{"missing", nil, 0, []string{"does not exist"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "missing.key")
			if tt.content != nil {
				path = writeFile(t, "test.key", tt.content, tt.mode)
			}
			k, err := LoadKey(path)
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("LoadKey: %v", err)
				}
				if k.ID() != testKey(t).ID() {
					t.Errorf("ID = %s, want the ID of the same secret loaded raw, %s", k.ID(), testKey(t).ID())
				}
				return
			}
			if err == nil {
				t.Fatalf("LoadKey succeeded, want an error")
			}
			msg := err.Error()
			for _, want := range append(tt.wantErr, path) {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not contain %q", msg, want)
				}
			}
			if strings.Contains(msg, hexKey[:16]) || strings.Contains(msg, string(testSecret[:16])) {
				t.Errorf("error %q shows key material", msg)
			}
		})
	}
}

func TestLoadKeyRefusesDirectory(t *testing.T) {
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	_, err := LoadKey(dir)
	if err == nil || !strings.Contains(err.Error(), "is a directory") || !strings.Contains(err.Error(), dir) {
		t.Fatalf("LoadKey(directory) = %v, want an error naming it a directory", err)
	}
}

func TestGenerateKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new.key")
	k, err := GenerateKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	checkPrivate(t, path)
	content, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	header, hexLine, ok := strings.Cut(strings.TrimSuffix(string(content), "\n"), "\n")
	if !ok || header != keyFileHeader || len(hexLine) != 2*MinKeyBytes {
		t.Fatalf("content is not the header and %d hex digits", 2*MinKeyBytes)
	}
	loaded, err := LoadKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if loaded.ID() != k.ID() || loaded.Pseudonym(KindPerson, "x") != k.Pseudonym(KindPerson, "x") {
		t.Errorf("the loaded key differs from the generated one")
	}

	other, err := GenerateKeyFile(filepath.Join(t.TempDir(), "other.key"))
	if err != nil {
		t.Fatal(err)
	}
	if other.ID() == k.ID() {
		t.Errorf("two generated keys have the same ID %s", k.ID())
	}

	if _, err := GenerateKeyFile(path); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("second GenerateKeyFile = %v, want an 'already exists' error", err)
	}
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(after, content) {
		t.Errorf("GenerateKeyFile changed an existing key file")
	}
}

// TestKeyNeverPrinted formats a key every way a program might by mistake and
// scans the output for the secret in any common encoding.
func TestKeyNeverPrinted(t *testing.T) {
	k := testKey(t)
	forms := map[string]string{
		"raw":     string(testSecret),
		"hex":     hex.EncodeToString(testSecret),
		"HEX":     strings.ToUpper(hex.EncodeToString(testSecret)),
		"base64":  base64.StdEncoding.EncodeToString(testSecret),
		"decimal": strings.Trim(fmt.Sprint(testSecret), "[]"),
	}
	type holder struct {
		Exported *Key
		Value    Key
		hidden   Key
	}
	h := holder{Exported: k, Value: *k, hidden: *k}
	var outputs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%o", "%b"} {
		for name, arg := range map[string]any{"pointer": k, "value": *k, "struct": h, "pointer to struct": &h} {
			outputs = append(outputs, name+" "+verb+": "+fmt.Sprintf(verb, arg))
		}
	}
	outputs = append(outputs, fmt.Sprint(k), fmt.Sprintln(*k), k.String(), k.GoString())
	for _, v := range []any{k, *k, h, &h, map[string]any{"k": k}} {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("json.Marshal: %v", err)
		}
		outputs = append(outputs, "json: "+string(b))
	}
	var logs bytes.Buffer
	slog.New(slog.NewTextHandler(&logs, nil)).Info("text", "key", k, "value", *k, "holder", h)
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("json", "key", k, "value", *k, "holder", h)
	outputs = append(outputs, logs.String())

	for _, out := range outputs {
		for form, secret := range forms {
			if strings.Contains(out, secret) {
				t.Errorf("output shows the key (%s): %s", form, out)
			}
		}
	}
	if !strings.Contains(fmt.Sprint(k), k.ID()) || !strings.Contains(logs.String(), k.ID()) {
		t.Errorf("fmt and slog output should show the key ID %s", k.ID())
	}
}

func TestPseudonym(t *testing.T) {
	k := testKey(t)
	again := testKey(t)
	p := k.Pseudonym(KindPerson, "01017012345")
	if got := again.Pseudonym(KindPerson, "01017012345"); got != p {
		t.Errorf("the same key gives %s and %s for one value", p, got)
	}
	// The construction is documented so that it can be reproduced elsewhere:
	// HMAC-SHA256(key, kind 0x00 value), 20 bytes in lower-case base32.
	mac := hmac.New(sha256.New, testSecret)
	mac.Write([]byte("person\x0001017012345"))
	if want := pseudonymEncoding.EncodeToString(mac.Sum(nil)[:20]); p != want {
		t.Errorf("Pseudonym = %s, want the documented HMAC %s", p, want)
	}

	seen := map[string]string{}
	for _, c := range []struct{ kind, value string }{
		{KindPerson, "01017012345"}, {"tolk", "01017012345"}, {KindFamily, "01017012345"},
		{KindPerson, "01017012346"}, {"ab", "c"}, {"a", "bc"}, {"a", "b\x00c"}, {"a\u00e5", ""},
	} {
		got := k.Pseudonym(c.kind, c.value)
		if len(got) != 32 || strings.Trim(got, "abcdefghijklmnopqrstuvwxyz234567") != "" {
			t.Errorf("Pseudonym(%q, %q) = %q, want 32 lower-case base32 characters", c.kind, c.value, got)
		}
		if prev, dup := seen[got]; dup {
			t.Errorf("Pseudonym(%q, %q) equals the pseudonym of %s", c.kind, c.value, prev)
		}
		seen[got] = c.kind + "/" + c.value
	}

	other := k.Derive("other")
	if other.Pseudonym(KindPerson, "01017012345") == p {
		t.Errorf("another key gives the same pseudonym")
	}
}

func TestPseudonymRejectsBadKind(t *testing.T) {
	k := testKey(t)
	for _, kind := range []string{"", "per\x00son"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Pseudonym(%q, ...) did not panic", kind)
				}
			}()
			k.Pseudonym(kind, "x")
		}()
	}
}

func TestDeriveIsUnlinkable(t *testing.T) {
	master := testKey(t)
	a, b := master.Derive("project/A"), master.Derive("project/B")
	if master.Derive("project/A").ID() != a.ID() {
		t.Errorf("Derive is not stable for one purpose")
	}
	ids := map[string]bool{master.ID(): true, a.ID(): true, b.ID(): true}
	if len(ids) != 3 {
		t.Fatalf("master and derived keys share IDs: %v", ids)
	}
	seen := map[string]string{}
	for i := range 1000 {
		value := fmt.Sprintf("%011d", i)
		for name, k := range map[string]*Key{"master": master, "A": a, "B": b} {
			p := k.Pseudonym(KindPerson, value)
			if prev, dup := seen[p]; dup {
				t.Fatalf("pseudonym of %s under %s also appears as %s", value, name, prev)
			}
			seen[p] = name + " " + value
		}
	}
}

func TestKeyFile(t *testing.T) {
	t.Setenv(KeyFileEnv, "")
	if _, err := KeyFile(""); err == nil || !strings.Contains(err.Error(), "--key-file") || !strings.Contains(err.Error(), KeyFileEnv) {
		t.Errorf("KeyFile with nothing set = %v, want an error naming --key-file and %s", err, KeyFileEnv)
	}
	t.Setenv(KeyFileEnv, "/env.key")
	for flag, want := range map[string]string{"": "/env.key", "/flag.key": "/flag.key"} {
		if got, err := KeyFile(flag); err != nil || got != want {
			t.Errorf("KeyFile(%q) = %q, %v; want %q", flag, got, err, want)
		}
	}
}

func BenchmarkPseudonym(b *testing.B) {
	k := newKey(testSecret)
	b.ReportAllocs()
	for b.Loop() {
		k.Pseudonym(KindPerson, "01017012345")
	}
}

func BenchmarkPseudonymParallel(b *testing.B) {
	k := newKey(testSecret)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			k.Pseudonym(KindPerson, "01017012345")
		}
	})
}
