#!/usr/bin/env bash
# Times the mart build at each scale given (default: 1 10): generates the
# demo registers, ingests every delivery but the newest NIR one, builds
# every data state and publishes (the full build), then ingests the newest
# NIR delivery and builds again (the incremental build: one new state).
# Prints seconds and peak memory of each build as integstat run reports
# them. Scale 100 needs about 130 GB of disk for the registers.
set -euo pipefail
bin=${BIN:-bin/integstat}
scales=${*:-1 10}
work=$(mktemp -d "${TMPDIR:-/tmp}/integstat-bench-marts-XXXXXX")
trap 'rm -rf "$work"' EXIT
# cpu_s is the build's user + system CPU time (GNU time), a fairer measure
# than seconds when other jobs share the cores; "-" without /usr/bin/time.
printf '%-6s %-12s %8s %10s %10s %8s %10s\n' scale build states figures seconds cpu_s peak_MiB
for s in $scales; do
  "$bin" generate --out "$work/s$s" --scale "$s" --seed 1 >/dev/null 2>&1
  inbox=$work/s$s/inbox wh=$work/s$s/warehouse
  newest=$(ls -d "$inbox"/nir/*/ | sort | tail -n 1)
  mkdir -p "$work/s$s/later/nir" "$wh/restricted" && chmod 700 "$wh/restricted"
  mv "$newest" "$work/s$s/later/nir/"
  "$bin" keygen "$wh/restricted/key" >/dev/null
  "$bin" ingest --inbox "$inbox" --warehouse "$wh" --key-file "$wh/restricted/key" --allow-synthetic-ids >/dev/null 2>&1 || true
  for build in full incremental; do
    if [ "$build" = incremental ]; then
      "$bin" ingest --inbox "$work/s$s/later" --warehouse "$wh" --key-file "$wh/restricted/key" --allow-synthetic-ids >/dev/null 2>&1
    fi
    timed=()
    if [ -x /usr/bin/time ]; then timed=(/usr/bin/time -o "$work/cpu" -f '%U %S'); fi
    out=$("${timed[@]}" "$bin" run --warehouse "$wh" 2>/dev/null) || { printf '%s\n' "$out" >&2; echo "bench-marts: scale $s $build: the build failed" >&2; exit 1; }
    # The build's summary: "run: candidate ID (OUTCOME, data to DATE): N
    # figures, N data states computed, N data tests passed (build S s)".
    line=$(grep -E '^run: candidate' <<<"$out") || { printf '%s\n' "$out" >&2; echo "bench-marts: scale $s $build: no build summary" >&2; exit 1; }
    states=$(sed -E 's/.* ([0-9]+) data states computed.*/\1/' <<<"$line")
    figures=$(sed -E 's/.*: ([0-9]+) figures,.*/\1/' <<<"$line")
    secs=$(sed -E 's/.*\(build ([0-9.]+) s\).*/\1/' <<<"$line")
    mib=$(grep -E '^run: marts in' <<<"$out" | sed -E 's/.*peak memory ([0-9]+) MiB.*/\1/')
    cpu=-
    if [ -s "$work/cpu" ]; then cpu=$(awk 'END { printf "%.1f", $1 + $2 }' "$work/cpu"); fi
    printf '%-6s %-12s %8s %10s %10s %8s %10s\n' "$s" "$build" "$states" "$figures" "$secs" "$cpu" "$mib"
  done
  rm -rf "${work:?}/s$s"
done
