#!/usr/bin/env bash
# bench/build.sh [-n RUNS] PROJECT_DIR... — how long users wait in
# `nix-build` for node_modules, against `npm ci`, on one machine:
#
#   npm ci:      `npm ci --offline` with a warm cache, install scripts on;
#   cold:        lock2nix's nodeModules (install scripts on) with every
#                tarball already in the store and nothing else built (the
#                tree and every package's own derivation deleted first);
#   incremental: the same after one pure-JS package's version is bumped in
#                the lock (its tarball fetched beforehand), everything else
#                built;
#
# each with the number of install scripts that ran (lock2nix's build log;
# npm's with --foreground-scripts), and the bytes each adds: npm ci's
# node_modules (du -sb) against the store paths nodeModules added (its
# closure minus nodejs, the host tools and the tarballs).
#
# The three take turns run after run, so that the machine's drifting load
# falls on all of them alike; medians are printed, with the load average.
# Nix runs without a sandbox, without substituters, through the nixpkgs
# stand-in, with max-jobs = auto (NixOS's default).
#
# The bumped package is `ms` (BUMP=name selects another; it must have a
# single placement at node_modules/NAME and no install script): its
# version moves to the one before (or after) it on the registry.
# Needs go, npm, node, jq, nix-build and nix-store.
set -euo pipefail
runs=3
if [ "${1:-}" = -n ]; then runs=$2; shift 2; fi
[ $# -gt 0 ] || { echo "usage: $0 [-n RUNS] PROJECT_DIR..." >&2; exit 2; }
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
chmod 755 "$work"
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
export NIX_CONFIG=$'sandbox = false\nsubstituters =\nmax-jobs = auto'
LOCK2NIX_HOST_NODE_VERSION=$(node --version | sed 's/^v//')
export LOCK2NIX_HOST_NODE_VERSION
reg=$(npm config get registry)
(cd "$repo" && go build -o "$work/lock2nix" ./cmd/lock2nix)
bump=${BUMP:-ms}

# tree_expr LOCK_NIX SRC: nodeModules with install scripts on, built by
# the repository's builders.
tree_expr() {
  echo "let pkgs = import $repo/testdata/nixpkgs-standin { };
    in ((import $repo { inherit pkgs; }).npm { file = $1; src = /. + \"$2\"; }).nodeModules"
}
# built DRV: the outputs of DRV's closure that a build of nodeModules makes
# (not the tarballs, nodejs or the host's tools), for deleting them.
built() {
  nix-store -qR "$1" | grep '\.drv$' | grep -v -e '\.tgz\.drv$' -e '-nodejs-host\.drv$' -e '-python3-host\.drv$' \
    -e '-stdenv-host-tools\.drv$' | xargs -r nix-store -q --outputs
}
# forget PATH...: deletes those of PATHs that are in the store.
forget() {
  local p live=()
  for p in "$@"; do [ -e "$p" ] && live+=("$p"); done
  [ ${#live[@]} -eq 0 ] || nix-store --delete "${live[@]}" >"$work/delete.log" 2>&1 || {
    cat "$work/delete.log" >&2
    return 1
  }
}
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# timed VAR CMD...: runs CMD, appends its wall seconds to the array VAR.
timed() {
  local -n acc=$1
  shift
  local t0=$EPOCHREALTIME
  "$@"
  acc+=("$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN {printf "%.1f", b - a}')")
}
loads=()

echo "| project | packages | npm ci --offline | lock2nix cold | ÷ npm | lock2nix incremental | ÷ npm | scripts run: npm / cold / incremental | npm node_modules | store added | ÷ npm |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
for dir in "$@"; do
  name=$(basename "$dir")
  proj=$work/$name
  mkdir -p "$proj/a" "$proj/b" "$proj/npm"
  cp "$dir/package.json" "$dir/package-lock.json" "$proj/a/"
  cp "$dir/package.json" "$dir/package-lock.json" "$proj/npm/"
  pkgs=$(jq '[.packages | keys[] | select(. != "")] | length' "$dir/package-lock.json")
  # The bumped lock: the package's version moves one step on the registry.
  from=$(jq -r --arg p "node_modules/$bump" '.packages[$p].version' "$dir/package-lock.json")
  to=$(npm view "$bump" versions --json | jq -r --arg v "$from" 'index($v) as $i | if $i > 0 then .[$i - 1] else .[$i + 1] end')
  integrity=$(npm view "$bump@$to" dist.integrity)
  jq --arg p "node_modules/$bump" --arg v "$to" --arg i "$integrity" '.packages[$p] |= (.version = $v
      | .resolved = (.resolved | sub("-[^-]*\\.tgz$"; "-" + $v + ".tgz")) | .integrity = $i)' \
    "$dir/package-lock.json" > "$proj/b/package-lock.json"
  cp "$dir/package.json" "$proj/b/"
  for v in a b; do
    "$work/lock2nix" npm "$proj/$v" -o "$proj/$v.nix" --registry "$reg" --replace-registry-host registry.npm.test --allow-out-of-sync 2>"$proj/gen.log" || { cat "$proj/gen.log" >&2; exit 1; }
    # Every tarball in the store beforehand.
    nix-build --no-out-link --quiet -E "(import $repo { pkgs = import $repo/testdata/nixpkgs-standin { }; }).npm { file = $proj/$v.nix; src = /. + \"$proj/$v\"; }" \
      -A sources >/dev/null
  done
  drv_a=$(nix-instantiate --quiet -E "$(tree_expr "$proj/a.nix" "$proj/a")" 2>/dev/null)
  drv_b=$(nix-instantiate --quiet -E "$(tree_expr "$proj/b.nix" "$proj/b")" 2>/dev/null)
  mapfile -t outs_a < <(built "$drv_a")
  tree_b=$(nix-store -q --outputs "$drv_b")
  # npm's cache warm.
  (cd "$proj/npm" && npm ci --no-audit --no-fund --replace-registry-host=registry.npm.test >/dev/null 2>&1)
  t_npm=() t_cold=() t_inc=()
  for ((i = 0; i < runs; i++)); do
    loads+=("$(cut -d' ' -f1 /proc/loadavg)")
    rm -rf "$proj/npm/node_modules"
    timed t_npm sh -c "cd '$proj/npm' && npm ci --offline --foreground-scripts --no-audit --no-fund \
      --replace-registry-host=registry.npm.test > '$proj/npm.log' 2>&1"
    forget "$tree_b"
    forget "${outs_a[@]}"
    timed t_cold nix-build --no-out-link "$drv_a" >/dev/null 2>"$proj/cold.log"
    timed t_inc nix-build --no-out-link "$drv_b" >/dev/null 2>"$proj/inc.log"
  done
  # npm prints "> name@version event", then "> the command".
  s_npm=$(grep -cE '^> [^ ]+@[^ ]+ (preinstall|install|postinstall)$' "$proj/npm.log" || true)
  s_cold=$(grep -c '^lock2nix: .*: running ' "$proj/cold.log" || true)
  s_inc=$(grep -c '^lock2nix: .*: running ' "$proj/inc.log" || true)
  b_npm=$(du -sb "$proj/npm/node_modules" | cut -f1)
  b_nix=$(du -scb "${outs_a[@]}" | tail -n 1 | cut -f1)
  m_npm=$(median "${t_npm[@]}") m_cold=$(median "${t_cold[@]}") m_inc=$(median "${t_inc[@]}")
  mb() { awk -v b="$1" 'BEGIN {printf "%.1f", b / 1e6}'; }
  ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
  echo "| $name | $pkgs | ${m_npm} s | ${m_cold} s | $(ratio "$m_cold" "$m_npm") | ${m_inc} s ($bump $from → $to) | $(ratio "$m_inc" "$m_npm") | $s_npm / $s_cold / $s_inc | $(mb "$b_npm") MB | $(mb "$b_nix") MB | $(ratio "$b_nix" "$b_npm") |"
  forget "$tree_b"
done
echo
echo "$(date -u +%Y-%m-%d), $(nproc) cores, $(uname -m), $runs runs each (median wall time); load average (1 min) at each run's start: ${loads[*]}."
