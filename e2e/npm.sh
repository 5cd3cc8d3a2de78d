#!/usr/bin/env bash
# e2e/npm.sh PROJECT_DIR — prove that the Nix lock2nix generates for a
# project builds the node_modules tree npm ci builds.
#
#  1. generates the Nix with the registry npm is configured with;
#  2. builds nodeModules (install scripts off) with nix-build, through the
#     nixpkgs stand-in in testdata/: Nix fetches and hash-checks every tarball;
#  3. runs npm ci --ignore-scripts on a copy of the project and compares the
#     paths under every node_modules folder of both trees (links compared by
#     target; .package-lock.json left out), printing any difference;
#  4. builds nodeModules again with install scripts on (and the project's
#     overrides.nix, if it has one) and requires each top-level dependency
#     that has a main or exports entry with node;
#  5. exits 0 only when all of that holds, printing one summary line.
#
# Needs: go, npm, node, nix-build (Debian's nix-bin). Runs Nix without a
# sandbox and without binary caches.
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 PROJECT_DIR" >&2; exit 2; }
proj=$(cd "$1" && pwd)
repo=$(cd "$(dirname "$0")/.." && pwd)
name=$(basename "$proj")
work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
export NIX_CONFIG=$'sandbox = false\nsubstituters ='

reg=$(npm config get registry 2>/dev/null)
(cd "$repo" && go build -o "$work/lock2nix" ./cmd/lock2nix)
"$work/lock2nix" npm "$proj" -o "$work/lock.nix" --registry "$reg" --replace-registry-host registry.npm.test

overrides="{ }"
[ -f "$proj/overrides.nix" ] && overrides="import $proj/overrides.nix { inherit pkgs; }"
build() { # build INSTALL_SCRIPTS; the builders' log goes to $work/build.log
  nix-build --no-out-link --quiet 2>"$work/build.log" -E "
    let pkgs = import $repo/testdata/nixpkgs-standin { };
    in (pkgs.callPackage $work/lock.nix {
      src = /. + \"$proj\";
      installScripts = $1;
      overrides = $overrides;
    }).nodeModules" || {
    tail -n 40 "$work/build.log" >&2
    echo "e2e/npm.sh: $name: FAIL: nix-build (install scripts: $1)" >&2
    return 1
  }
}
nixtree=$(build false)

mkdir "$work/npm"
cp -R "$proj/." "$work/npm/"
(cd "$work/npm" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error \
  --replace-registry-host=registry.npm.test >/dev/null)

# Every path with a node_modules component, links shown with their target.
listing() {
  (cd "$1" && find . -name .package-lock.json -prune -o -print) |
    grep -E '/node_modules(/|$)' | sort | while IFS= read -r p; do
      if [ -L "$1/$p" ]; then printf '%s -> %s\n' "$p" "$(readlink "$1/$p")"; else printf '%s\n' "$p"; fi
    done
}
listing "$work/npm" > "$work/npm.list"
listing "$nixtree" > "$work/nix.list"
if ! diff -u --label "npm ci" --label "lock2nix" "$work/npm.list" "$work/nix.list" > "$work/diff"; then
  cat "$work/diff"
  echo "e2e/npm.sh: $name: FAIL: node_modules differs from npm ci ($(grep -c '^[-+]\.' "$work/diff") paths)"
  exit 1
fi
paths=$(wc -l < "$work/nix.list")

scripted=$(build true)
mkdir "$work/run"
cp -R "$proj/." "$work/run/"
cp -R "$scripted/." "$work/run/"
chmod -R u+w "$work/run"
required=0
for dep in $(node -e '
  const pj = require(process.argv[1]);
  console.log(Object.keys(Object.assign({}, pj.dependencies, pj.devDependencies)).join("\n"));
' "$proj/package.json"); do
  manifest="$work/run/node_modules/$dep/package.json"
  [ -f "$manifest" ] || continue
  node -e 'const m = require(process.argv[1]); process.exit(m.main || m.exports ? 0 : 1)' "$manifest" || continue
  if ! (cd "$work/run" && node -e 'require(process.argv[1])' "$dep"); then
    echo "e2e/npm.sh: $name: FAIL: require('$dep') failed"
    exit 1
  fi
  required=$((required + 1))
done
echo "e2e/npm.sh: $name: OK: $paths node_modules paths equal to npm ci; $required top-level dependencies load"
