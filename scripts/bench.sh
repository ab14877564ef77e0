#!/usr/bin/env bash
# Runs the pipeline at each scale given (default: 1 10): generates the demo
# registers, then ingests them, and prints rows, seconds, rows/s and peak
# memory of each stage as the binary measures them. Scale 100 writes about
# 130 GB: give it the disk before you ask for it.
#
# Then ingest against DuckDB's one-liner at each scale of INGEST_SCALES
# (default: 1 10; 100 needs about 45 GB free): the newest NIR delivery of
# scale 1 (or the one in INTEGSTAT_BENCH_DELIVERY), copied to that scale by scripts/scaledelivery (fresh identity
# numbers per copy), is ingested by BenchmarkIngestNIR, and DuckDB's
# one-liner runs on its timer.csv (BenchmarkDuckDBOneLiner). It prints
# timer.csv rows/s of both, their ratio, the whole delivery's rows/s and the
# ingest's peak RSS.
set -euo pipefail
bin=${BIN:-bin/integstat}
scales=${*:-1 10}
[ "$scales" = "-" ] && scales="" # "-": only the ingest against the one-liner
ingest_scales=${INGEST_SCALES:-1 10}
work=$(mktemp -d "${TMPDIR:-/tmp}/integstat-bench-XXXXXX")
trap 'rm -rf "$work"' EXIT
printf '%-6s %-9s %14s %10s %12s %10s\n' scale stage rows seconds rows/s peak_MiB
row() { # scale stage rows rows/s MiB
  printf '%-6s %-9s %14s %10s %12s %10s\n' "$1" "$2" "$3" "$(awk -v r="$3" -v s="$4" 'BEGIN{printf "%.1f", r/s}')" "$4" "$5"
}
generate() { # scale
  "$bin" generate --out "$work/s$1" --scale "$1" --seed 1 2>/dev/null
}
for s in $scales; do
  out=$(generate "$s")
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
  if [ "$s" != 1 ]; then rm -rf "${work:?}/s$s"; fi
done

# Ingest of one NIR delivery at growing scale against DuckDB's one-liner.
nir=${INTEGSTAT_BENCH_DELIVERY:-}
if [ -z "$nir" ]; then
  [ -d "$work/s1" ] || generate 1 >/dev/null
  nir=$(ls -d "$work/s1"/inbox/nir/*/ | sort | tail -n 1)
  nir=${nir%/}
fi
values() { # benchmark name, metric, output: the metric of every round
  awk -v b="$1" -v m="$2" '$1 ~ "^"b {for(i=1;i<=NF;i++) if($i==m) print $(i-1)}' <<<"$3"
}
metric() { # benchmark name, metric, output: the median over the rounds
  values "$@" | sort -g | awk '{v[NR]=$1} END {print (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'
}
# peakRSS-MiB is the process's peak so far: the largest over the rounds.
# Rounds of each benchmark at each scale (ROUNDS, default 3; 1 at scale
# 100): a shared machine's speed varies by 10 % from minute to minute, so
# the medians are compared, each benchmark's rounds run one after another.
rounds() { if [ "$1" -ge 100 ]; then echo "${ROUNDS:-1}"; else echo "${ROUNDS:-3}"; fi; }
echo
printf '%-6s %12s %14s %14s %8s %14s %10s %10s\n' scale timer_rows timer_rows/s duckdb_rows/s ratio all_rows/s timer_cpu_s peak_MiB
for n in $ingest_scales; do
  dir=$nir
  if [ "$n" != 1 ]; then
    dir="$work/x$n/nir/$(basename "$nir")"
    go run ./scripts/scaledelivery -from "$nir" -to "$dir" -copies "$n" >/dev/null
  fi
  rows=$(awk -F'"rows": ' '/timer.csv/ {getline; split($2, a, ","); print a[1]}' "$dir/manifest.json")
  bench=$(INTEGSTAT_BENCH_DELIVERY="$dir" go test ./pipeline -run '^$' -bench 'IngestNIR|DuckDBOneLiner' -benchtime 1x -count "$(rounds "$n")" -timeout 6h 2>/dev/null)
  ours=$(metric BenchmarkIngestNIR timer-rows/s "$bench")
  duck=$(metric BenchmarkDuckDBOneLiner rows/s "$bench")
  printf '%-6s %12s %14.0f %14.0f %8.2f %14.0f %10.2f %10.0f\n' "$n" "$rows" "$ours" "$duck" \
    "$(awk -v a="$ours" -v b="$duck" 'BEGIN{print a/b}')" \
    "$(metric BenchmarkIngestNIR rows/s "$bench")" "$(metric BenchmarkIngestNIR timer-cpu-s "$bench")" \
    "$(values BenchmarkIngestNIR peakRSS-MiB "$bench" | sort -g | tail -n 1)"
  rm -rf "${work:?}/x$n"
done
echo "medians of the rounds; ratio: our timer.csv rows/s over DuckDB's one-liner's; 1 or more meets the target"
