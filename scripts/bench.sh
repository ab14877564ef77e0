#!/usr/bin/env bash
# Runs the pipeline at each scale given (default: 1 10): generates the demo
# registers, then ingests them, and prints rows, seconds, rows/s and peak
# memory of each stage as the binary measures them. Scale 100 writes about
# 130 GB: give it the disk before you ask for it.
set -euo pipefail
bin=${BIN:-bin/integstat}
scales=${*:-1 10}
work=$(mktemp -d "${TMPDIR:-/tmp}/integstat-bench-XXXXXX")
trap 'rm -rf "$work"' EXIT
printf '%-6s %-9s %14s %10s %12s %10s\n' scale stage rows seconds rows/s peak_MiB
row() { # scale stage rows rows/s MiB
  printf '%-6s %-9s %14s %10s %12s %10s\n' "$1" "$2" "$3" "$(awk -v r="$3" -v s="$4" 'BEGIN{printf "%.1f", r/s}')" "$4" "$5"
}
for s in $scales; do
  out=$("$bin" generate --out "$work/s$s" --scale "$s" --seed 1 2>/dev/null)
  line=$(grep -E '^[0-9]+ rows, ' <<<"$out")
  row "$s" generate "$(awk '{print $1}' <<<"$line")" "$(awk '{print $3}' <<<"$line")" \
      "$(sed -E 's/.*peak memory ([0-9]+) MiB.*/\1/' <<<"$line")"
  wh="$work/s$s/warehouse"
  mkdir -p "$wh/restricted" && chmod 700 "$wh/restricted"
  "$bin" keygen "$wh/restricted/key" >/dev/null
  out=$("$bin" ingest --inbox "$work/s$s/inbox" --warehouse "$wh" --key-file "$wh/restricted/key" --allow-synthetic-ids 2>/dev/null || true)
  line=$(grep -E 'rows read' <<<"$out")
  row "$s" ingest "$(awk '{print $2}' <<<"$line")" "$(sed -E 's/.*\(([0-9]+) rows\/s\).*/\1/' <<<"$line")" \
      "$(sed -E 's/.*peak memory ([0-9]+) MiB.*/\1/' <<<"$line")"
  # The newest NIR delivery against DuckDB's one-liner on its timer.csv.
  nir=$(ls -d "$work/s$s"/inbox/nir/*/ | sort | tail -n 1)
  bench=$(INTEGSTAT_BENCH_DELIVERY="${nir%/}" go test ./pipeline -run '^$' -bench 'IngestNIR|DuckDBOneLiner' -benchtime 1x 2>/dev/null)
  ours=$(awk '/BenchmarkIngestNIR/ {for(i=1;i<=NF;i++) if($i=="rows/s") print $(i-1)}' <<<"$bench")
  duck=$(awk '/BenchmarkDuckDBOneLiner/ {for(i=1;i<=NF;i++) if($i=="rows/s") print $(i-1)}' <<<"$bench")
  mib=$(awk '/BenchmarkIngestNIR/ {for(i=1;i<=NF;i++) if($i=="peakRSS-MiB") print $(i-1)}' <<<"$bench")
  printf '%-6s %-9s %14s %10s %12.0f %10s\n' "$s" "ingest-1" "$(basename "$nir")" "" "$ours" "$mib"
  printf '%-6s %-9s %14s %10s %12.0f %10s\n' "$s" "duckdb-1" "timer.csv" "" "$duck" ""
  awk -v a="$ours" -v b="$duck" 'BEGIN{printf "       ingest / DuckDB one-liner: %.2f (1 or more meets the target)\n", a/b}'
  rm -rf "${work:?}/s$s"
done
