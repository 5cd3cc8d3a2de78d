#!/usr/bin/env bash
# bench/compare.sh [-n RUNS] [LOCK_DIR...] — lock2nix against node2nix 1.11
# and jq (the parse floor), and the cost of evaluating lock2nix's output
# against a baseline that parses the lockfile at evaluation time with
# builtins.fromJSON. Prints a markdown table of medians and peak RSS.
#
# Default lockfiles: the largest of ../shared/corpus/npm. node2nix is
# installed from the npm registry into a temporary folder. Needs go, npm,
# jq, nix-instantiate and GNU time (/usr/bin/time).
set -euo pipefail
runs=5
if [ "${1:-}" = -n ]; then runs=$2; shift 2; fi
repo=$(cd "$(dirname "$0")/.." && pwd)
corpus="$repo/../shared/corpus/npm"
dirs=("$@")
if [ ${#dirs[@]} -eq 0 ]; then
  for d in overleaf__overleaf.2023-12 facebook__create-react-app npm__cli; do
    [ -d "$corpus/$d" ] && dirs+=("$corpus/$d")
  done
fi
[ ${#dirs[@]} -gt 0 ] || { echo "no lockfiles to measure (is ../shared/corpus there?)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$repo" && go build -o "$work/lock2nix" ./cmd/lock2nix)
if (cd "$work" && npm install --silent --no-audit --no-fund --prefix "$work/n2n" node2nix@1.11 >/dev/null 2>&1); then
  node2nix="$work/n2n/node_modules/.bin/node2nix"
else
  node2nix=""
fi

# measure NAME CMD... — runs CMD $runs times; prints "median_s max_rss_mb" or "fails".
measure() {
  local times=() rss=0 i
  for ((i = 0; i < runs; i++)); do
    if ! /usr/bin/time -f '%e %M' -o "$work/time" "$@" >/dev/null 2>"$work/err"; then
      echo "fails"
      return
    fi
    read -r t m < "$work/time"
    times+=("$t")
    [ "$m" -gt "$rss" ] && rss=$m
  done
  local med
  med=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  echo "$med s, $((rss / 1024)) MB"
}

export NIX_CONFIG=$'sandbox = false\nsubstituters ='
echo "| lockfile | entries | lock2nix npm | node2nix 1.11 | jq . (parse floor) | eval lock2nix output | eval fromJSON baseline |"
echo "|---|---|---|---|---|---|---|"
for dir in "${dirs[@]}"; do
  name=$(basename "$dir")
  lock="$dir/package-lock.json"
  entries=$(jq '(.packages // .dependencies) | length' "$lock")
  l2n=$(measure "$work/lock2nix" npm "$dir" -o "$work/out.nix" --registry https://registry.npm.test/ --allow-unpinned)
  jqt=$(measure jq . "$lock")
  n2n="not installed"
  if [ -n "$node2nix" ]; then
    rm -rf "$work/n2n-run" && mkdir "$work/n2n-run" && cp "$dir/package.json" "$lock" "$work/n2n-run/"
    n2n=$(cd "$work/n2n-run" && measure "$node2nix" -l package-lock.json -i package.json -o np.nix -c d.nix -e ne.nix)
    if [ "$n2n" != fails ] && ! grep -q 'sources = {' "$work/n2n-run/np.nix" 2>/dev/null; then
      n2n="$n2n (no packages read)"
    fi
  fi
  stub='{ stdenv = { }; nodejs = { }; fetchurl = a: { inherit (a) url hash; }; fetchGit = a: a; fetchurlUnpinned = url: { inherit url; }; src = "/src"; }'
  ev=$(measure nix-instantiate --eval --strict -E "builtins.length (builtins.attrValues (import $work/out.nix $stub).sources)")
  base=$(measure nix-instantiate --eval --strict -E "
    let
      lock = builtins.fromJSON (builtins.readFile $lock);
      fetchurl = a: { inherit (a) url hash; };
      entries = builtins.attrValues (lock.packages or { });
      tarballs = builtins.filter (e: e ? resolved && e ? integrity) entries;
    in builtins.length (map (e: fetchurl { url = e.resolved; hash = e.integrity; }) tarballs)")
  echo "| $name | $entries | $l2n | $n2n | $jqt | $ev | $base |"
done
echo
echo "$(date -u +%Y-%m-%d), $(nproc) cores, $(uname -m), $runs runs each (median wall time, peak RSS)."
