#!/usr/bin/env bash
# Runs the demo-register generator at each scale given (default: 1 10) and
# prints rows, rows/s and peak memory as the binary measures them. Scale 100
# writes about 130 GB: give it the disk before you ask for it.
set -euo pipefail
bin=${BIN:-bin/integstat}
scales=${*:-1 10}
work=$(mktemp -d "${TMPDIR:-/tmp}/integstat-bench-XXXXXX")
trap 'rm -rf "$work"' EXIT
printf '%-6s %14s %12s %12s %10s\n' scale rows seconds rows/s peak_MiB
for s in $scales; do
  out=$("$bin" generate --out "$work/s$s" --scale "$s" --seed 1 2>/dev/null)
  line=$(grep -E '^[0-9]+ rows, ' <<<"$out")
  rows=$(awk '{print $1}' <<<"$line")
  rps=$(awk '{print $3}' <<<"$line")
  mib=$(sed -E 's/.*peak memory ([0-9]+) MiB.*/\1/' <<<"$line")
  secs=$(awk -v r="$rows" -v s="$rps" 'BEGIN{printf "%.1f", r/s}')
  printf '%-6s %14s %12s %12s %10s\n' "$s" "$rows" "$secs" "$rps" "$mib"
  rm -rf "$work/s$s"
done
