package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"integstat/transform/pseudo"
)

func init() {
	register(command{
		name:    "keygen",
		summary: "make a new pseudonymisation key file (never overwrites one)",
		run:     runKeygen,
	})
}

// runKeygen writes a new key file at the one argument and prints the key's
// public ID, never the key.
func runKeygen(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("keygen", stderr)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: integstat keygen FILE")
		fmt.Fprintln(fs.Output(), "\nWrites a new random key to FILE (mode 0600; FILE must not exist) and prints its key id.")
		fmt.Fprintln(fs.Output(), "Give it to other commands with --key-file FILE or "+pseudo.KeyFileEnv+"; see docs/keys.md.")
	}
	// FILE is the last argument; whatever precedes it must be flags.
	var path string
	if n := len(args); n > 0 && !strings.HasPrefix(args[n-1], "-") {
		path, args = args[n-1], args[:n-1]
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if path == "" {
		return fmt.Errorf("%w: give the key file to write: integstat keygen FILE", errUsage)
	}
	k, err := pseudo.GenerateKeyFile(path)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote key id %s to %s\n", k.ID(), path)
	return nil
}
