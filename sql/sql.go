// Package sql holds the SQL of the marts as files, embedded in the binary:
// the models (one query per file, dbt style: staging, per-source
// intermediate and indicator models, and the marts), the data tests in
// tests/, and the seeds in seeds/ (the indicator catalogue). Package load
// parses and orders the models; package marts builds them. See README.md.
package sql

import "embed"

// Files is the tree of model, test and seed files.
//
//go:embed staging bosetting nir tolk marts tests seeds
var Files embed.FS
