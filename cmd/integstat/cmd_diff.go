package main

import (
	"context"
	"fmt"
	"io"

	"integstat/load/releases"
)

func init() {
	register(command{
		name:    "diff",
		summary: "what changes between two publications (default: the current release and the newest candidate), from the published figures only",
		run:     runDiff,
	})
}

func runDiff(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("diff", stderr)
	whDir := fs.String("warehouse", "", "warehouse `directory`")
	format := fs.String("format", "text", "`text`, csv (one line per changed cell) or json")
	pos, err := parseWithArgs(fs, args, 2)
	if err != nil {
		return err
	}
	if *whDir == "" {
		return fmt.Errorf("%w: --warehouse is required", errUsage)
	}
	if *format != "text" && *format != "csv" && *format != "json" {
		return fmt.Errorf("%w: --format %q is not text, csv or json", errUsage, *format)
	}
	pos = append(pos, "", "")
	d, err := releases.Between(ctx, *whDir, pos[0], pos[1])
	if err != nil {
		return err
	}
	return d.Write(stdout, *format)
}
