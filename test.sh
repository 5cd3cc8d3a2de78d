#!/usr/bin/env bash
# lock2nix's whole test suite: every test with the race detector, then each
# fuzz target for a bounded time (FUZZTIME, default 30s; 0 skips them).
set -euo pipefail
cd "$(dirname "$0")"
unformatted=$(gofmt -l .)
[ -z "$unformatted" ] || { echo "gofmt needed: $unformatted" >&2; exit 1; }
go vet ./...
# The end-to-end builds (a compiler from source among them) outlast go test's
# default 10-minute limit; CI's own limit is what bounds the run.
go test -race -count=1 -timeout 80m ./...
# The JS of the builders, unit by unit, with Node's own test runner.
if command -v node >/dev/null; then
  node --test nixexpr/node/modules_test.js nixexpr/npm/layout_test.js nixexpr/pnpm/layout_test.js e2e/npmcache_test.js
else
  echo "node is not installed: the JS unit tests are skipped" >&2
fi
# The shell files (the dev shell hook, the e2e and bench scripts).
if command -v shellcheck >/dev/null; then
  shellcheck nixexpr/node/devshell.sh nixexpr/dune/helpers.sh nixexpr/yarn/git.sh e2e/*.sh bench/*.sh test.sh .ci/run
else
  echo "shellcheck is not installed (apt-get install shellcheck): shell files not linted" >&2
fi
# The benchmark comparison in its reduced form: one lockfile and one dune
# lock, one run, no targets enforced (see README for the full table).
if [ -d ../shared/corpus/npm/npm__cli ] && command -v nix-instantiate >/dev/null && command -v jq >/dev/null; then
  bench/compare.sh -n 1 ../shared/corpus/npm/npm__cli ../shared/corpus/dune/gridbugs__dune-checked-in-lockdir-experiment
fi
fuzztime=${FUZZTIME:-30s}
[ "$fuzztime" = 0 ] && exit 0
for pkg in $(go list ./...); do
  for target in $(go test -list '^Fuzz' "$pkg" | grep '^Fuzz' || true); do
    echo "fuzzing $pkg $target for $fuzztime"
    # Quiet unless it fails; then its output says what the fuzzer found.
    # Go's fuzzer can end a run with "context deadline exceeded" when its
    # time runs out while it minimises a new input, with nothing failing
    # (no input saved under testdata/fuzz): that is not a failure.
    if ! out=$(go test -run '^$' -fuzz "^$target\$" -fuzztime "$fuzztime" "$pkg" 2>&1); then
      dir=$(go list -f '{{.Dir}}' "$pkg")/testdata/fuzz/$target
      if grep -q 'context deadline exceeded' <<<"$out" && [ -z "$(git status --porcelain -- "$dir" 2>/dev/null)" ]; then
        echo "  (the fuzzer's time ran out while it minimised an input; nothing failed)"
        continue
      fi
      printf '%s\n' "$out" | tail -n 40
      exit 1
    fi
  done
done
echo "fuzz targets: no failures"
