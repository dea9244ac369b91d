#!/bin/sh
# Writes the commit the build is made from, for "popfetch --version": commit=<id>, with
# "-dirty" when the work tree differs from it. Outside a git work tree, or without git,
# it removes any stale file and writes nothing; it never fails the build.
# Usage: commit-id.sh PROJECT_DIR OUTPUT_FILE
dir=$1
out=$2
rm -f "$out"
commit=$(git -C "$dir" rev-parse --short=12 HEAD 2>/dev/null) || exit 0
[ -n "$commit" ] || exit 0
# Only a work tree of this project counts, not a repository that merely contains it.
top=$(git -C "$dir" rev-parse --show-toplevel 2>/dev/null) || exit 0
[ "$(cd "$top" && pwd -P)" = "$(cd "$dir" && pwd -P)" ] || exit 0
if ! git -C "$dir" diff --quiet HEAD -- 2>/dev/null; then
  commit="$commit-dirty"
fi
mkdir -p "$(dirname "$out")"
printf 'commit=%s\n' "$commit" > "$out"
exit 0
