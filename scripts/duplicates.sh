#!/bin/sh
# Runs `duplicates` on this tree as its README says it reads code, with
# import lines passed over. Its pattern knows a Go import declaration
# (`import "fmt"`) but not the lines of a grouped block (`import ( ... )`),
# which it compares as code. This copies the files git tracks (and the
# untracked ones it does not ignore) and writes each grouped block as single
# declarations, the same program, before calling it. Flags go to duplicates.
set -e
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git ls-files -co --exclude-standard -z | tar --null -T - -cf - 2>/dev/null | tar -xf - -C "$tmp"
find "$tmp" -name '*.go' | while read -r f; do
	awk '
		/^import \($/ { block = 1; next }
		block && /^\)$/ { block = 0; next }
		block { sub(/^[ \t]+/, ""); print ($0 == "" ? "" : "import " $0); next }
		{ print }' "$f" >"$f.tmp" && mv "$f.tmp" "$f"
done
cd "$tmp" && git init -q && git add -A && duplicates "$@"
