#!/usr/bin/env bash
# bench/npmci-verdicts.sh [-r ROOT] DIR... — compares, for each project
# folder DIR (a package-lock.json or npm-shrinkwrap.json beside a
# package.json), npm's verdict with lock2nix's:
#
#   npm:      npm ci --dry-run --ignore-scripts (builds npm's ideal tree from
#             the lockfile, fetching from the configured registry what it
#             lacks, and stops where the two differ; installs nothing);
#   lock2nix: lock2nix npm DIR -o - --allow-unpinned --root ROOT (its own
#             stops for sources without a hash and paths outside ROOT off).
#
# Prints one line per folder, "npm-verdict lock2nix-verdict DIR" (ok or
# refuse), then the counts, then the first line of each side's message where
# they disagree. ROOT defaults to /. Fixture suites to run it on: npm/cli's
# workspaces/arborist/test/fixtures and snyk/nodejs-lockfile-parser's test/
# (folders found with: find ... -name package-lock.json -not -path
# '*/node_modules/*'), and ../shared/corpus/npm. Needs go and npm, and the
# registry for what a lockfile lacks; npm's cache is used.
set -euo pipefail
root=/
if [ "${1:-}" = -r ]; then
  root=$2
  shift 2
fi
if [ $# -eq 0 ]; then
  echo "usage: $0 [-r ROOT] DIR..." >&2
  exit 2
fi
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$here" && go build -o "$work/lock2nix" ./cmd/lock2nix)

verdict() { if [ "$1" = 0 ]; then echo ok; else echo refuse; fi; }

: >"$work/table"
: >"$work/notes"
for dir in "$@"; do
  rc=0
  (cd "$dir" && timeout 300 npm ci --dry-run --ignore-scripts --no-audit --no-fund --loglevel=error) \
    >/dev/null 2>"$work/npm.err" || rc=$?
  npm=$(verdict "$rc")
  rc=0
  "$work/lock2nix" npm "$dir" -o - --allow-unpinned --root "$root" >/dev/null 2>"$work/l2n.err" || rc=$?
  l2n=$(verdict "$rc")
  echo "$npm $l2n $dir" | tee -a "$work/table"
  if [ "$npm" != "$l2n" ]; then
    {
      echo "$dir"
      echo "  npm:      $(grep -v 'npm warn' "$work/npm.err" | grep -m1 -E 'Missing:|Invalid:|error code' || true)"
      echo "  lock2nix: $(grep -v ': warning: ' "$work/l2n.err" | head -1 | cut -c1-300)"
    } >>"$work/notes"
  fi
done
echo
echo "npm lock2nix count"
cut -d' ' -f1,2 "$work/table" | sort | uniq -c | awk '{ print $2, $3, $1 }'
if [ -s "$work/notes" ]; then
  echo
  echo "disagreements:"
  cat "$work/notes"
fi
