package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"integstat/transform/pseudo"
)

func TestKeygen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "integstat.key")
	code, out, errOut := runArgs("keygen", path)
	if code != 0 {
		t.Fatalf("keygen exited %d: %s", code, errOut)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %04o, want 0600", st.Mode().Perm())
	}
	k, err := pseudo.LoadKey(path)
	if err != nil {
		t.Fatalf("the written key does not load: %v", err)
	}
	if !strings.Contains(out, k.ID()) || !strings.Contains(out, path) {
		t.Errorf("output %q should name the key id %s and the file", out, k.ID())
	}
	content, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	hexKey := strings.TrimSpace(string(content[bytes.IndexByte(content, '\n')+1:]))
	if len(hexKey) < 64 || strings.Contains(out+errOut, hexKey[:16]) {
		t.Errorf("keygen printed the key (or the file is not header and hex)")
	}

	// A second run must not overwrite the key.
	if code, _, errOut := runArgs("keygen", path); code != 1 || !strings.Contains(errOut, "already exists") {
		t.Errorf("keygen over an existing file: exit %d, stderr %q; want exit 1 saying the file already exists", code, errOut)
	}
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(after, content) {
		t.Errorf("keygen changed an existing key file")
	}
}

func TestKeygenUsage(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no file", []string{"keygen"}, 2, "give the key file"},
		{"two files", []string{"keygen", filepath.Join(dir, "a"), filepath.Join(dir, "b")}, 2, "unexpected argument"},
		{"unknown flag", []string{"keygen", "-x", filepath.Join(dir, "c")}, 2, "flag provided but not defined"},
		{"help", []string{"help", "keygen"}, 0, "Usage: integstat keygen FILE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runArgs(tt.args...)
			if code != tt.code || !strings.Contains(stdout+stderr, tt.want) {
				t.Errorf("exit %d, output %q; want exit %d and %q", code, stdout+stderr, tt.code, tt.want)
			}
		})
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a refused keygen wrote %d files", len(entries))
	}
}
