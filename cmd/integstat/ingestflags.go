package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"

	"integstat/extract/tolkdb"
	"integstat/load/warehouse"
	"integstat/pipeline"
	"integstat/pipeline/config"
	"integstat/transform/pseudo"
)

// ingestFlags are the flags of the commands that ingest: where deliveries
// come from, the key, and whether synthetic numbers are accepted.
type ingestFlags struct {
	config              *string
	inbox, keyFile, dsn *string
	synthetic, full     *bool
}

func addIngestFlags(fs *flag.FlagSet) ingestFlags {
	return ingestFlags{
		config:    fs.String("config", "", "configuration `file` of key = value lines for these flags (docs/configuration.md); flags win"),
		inbox:     fs.String("inbox", "", "inbox `directory` of deliveries (<inbox>/<source>/<delivery_id>/)"),
		keyFile:   fs.String("key-file", "", "pseudonymisation key `file` (or set "+pseudo.KeyFileEnv+"); make one with integstat keygen"),
		synthetic: fs.Bool("allow-synthetic-ids", false, "accept synthetic identity numbers (month + 80): for demo and test data only"),
		dsn:       fs.String("tolk-dsn", "", "also read the interpreter register from this PostgreSQL `DSN` (or set "+tolkdb.EnvDSN+")"),
		full:      fs.Bool("tolk-full", false, "read the whole interpreter register, not only the changes since the last read"),
	}
}

// any reports whether there is anything to ingest; it takes the DSN from
// the environment when the flag is not given.
func (f ingestFlags) any() bool {
	if *f.dsn == "" {
		*f.dsn, _ = tolkdb.DSNFromEnv()
	}
	return *f.inbox != "" || *f.dsn != ""
}

// options describes what the flags ask to ingest into wh: the key (from
// --key-file or the environment), the inbox, and a read of the interpreter
// register when a DSN is given.
func (f ingestFlags) options(wh *warehouse.Warehouse, log *slog.Logger) (pipeline.RunOptions, string, error) {
	key, err := loadKey(*f.keyFile)
	if err != nil {
		return pipeline.RunOptions{}, "", err
	}
	return pipeline.RunOptions{
		Ingest:  pipeline.IngestOptions{Inbox: *f.inbox, Warehouse: wh, Key: key, AllowSynthetic: *f.synthetic, Log: log},
		TolkDSN: *f.dsn, TolkFull: *f.full,
	}, key.ID(), nil
}

// loadKey loads the key named by a --key-file flag's value, or by the
// environment when it is empty; no key named is a usage error.
func loadKey(flag string) (*pseudo.Key, error) {
	path, err := pseudo.KeyFile(flag)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errUsage, err)
	}
	return pseudo.LoadKey(path)
}

// applyConfig sets the flags of fs that the command line left unset from
// the configuration file at path (package config); a setting the command
// has no flag for is an error naming its line.
func applyConfig(fs *flag.FlagSet, path string) error {
	if path == "" {
		return nil
	}
	settings, err := config.Read(path, func(k string) bool { return k != "config" && fs.Lookup(k) != nil })
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	for _, s := range settings {
		if given[s.Key] {
			continue
		}
		if err := fs.Set(s.Key, s.Value); err != nil {
			return fmt.Errorf("%w: %s:%d: %s: %v", errUsage, path, s.Line, s.Key, err)
		}
	}
	return nil
}

// openLocked takes the warehouse lock for job (waiting for it with wait)
// and opens the warehouse; close releases both. Every command that changes
// a warehouse goes through it, so it never runs beside another.
func openLocked(ctx context.Context, dir, job string, wait bool) (wh *warehouse.Warehouse, close func(), err error) {
	unlock, err := warehouse.Lock(ctx, dir, warehouse.LockOptions{Job: job, Wait: wait})
	if err != nil {
		return nil, nil, err
	}
	if wh, err = warehouse.Open(ctx, dir); err != nil {
		unlock()
		return nil, nil, err
	}
	return wh, func() { wh.Close(); unlock() }, nil
}
