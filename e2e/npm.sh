#!/usr/bin/env bash
# e2e/npm.sh PROJECT_DIR — prove that the Nix lock2nix generates for a
# project builds the node_modules tree npm ci builds.
#
#  1. generates the Nix with the registry npm is configured with: the data
#     file (the default) and, beside it, the --standalone file;
#  2. builds nodeModules (install scripts off) with nix-build from the data
#     file and the builders of this repository (default.nix, as
#     lock2nix.lib.npm does), through the nixpkgs stand-in in testdata/:
#     Nix fetches and hash-checks every tarball; the --standalone file must
#     give the same derivations (so the same build);
#  3. runs npm ci --ignore-scripts on a copy of the project and compares the
#     paths under every node_modules folder of both trees (links compared by
#     target, files by whether they are executable; .package-lock.json left
#     out), printing any difference;
#  4. builds nodeModules again with install scripts on (and the project's
#     overrides.nix, if it has one) and loads with node (require, or import
#     for ES modules) each top-level dependency that has a main or exports
#     entry and loads from npm ci's tree;
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
# The stand-in's nodejs.version: npm checks optional packages' engines.node
# against it, and so do the builders.
LOCK2NIX_HOST_NODE_VERSION=$(node --version | sed 's/^v//')
export LOCK2NIX_HOST_NODE_VERSION

reg=$(npm config get registry 2>/dev/null)
(cd "$repo" && go build -o "$work/lock2nix" ./cmd/lock2nix)
# LOCK2NIX_FLAGS adds flags, e.g. --allow-unpinned for lockfiles without integrity.
# shellcheck disable=SC2086
"$work/lock2nix" npm "$proj" -o "$work/lock.nix" --registry "$reg" --replace-registry-host registry.npm.test ${LOCK2NIX_FLAGS:-}
# shellcheck disable=SC2086
"$work/lock2nix" npm "$proj" -o "$work/standalone.nix" --standalone --registry "$reg" --replace-registry-host registry.npm.test ${LOCK2NIX_FLAGS:-}

overrides="{ }"
[ -f "$proj/overrides.nix" ] && overrides="import $proj/overrides.nix { inherit pkgs; }"
# tree FILE INSTALL_SCRIPTS: the expression of FILE's nodeModules, built
# by this repository's builders.
tree() {
  echo "let pkgs = import $repo/testdata/nixpkgs-standin { };
    in ((import $repo { inherit pkgs; }).npm {
      file = $1;
      src = /. + \"$proj\";
      installScripts = $2;
      overrides = $overrides;
    }).nodeModules"
}
build() { # build INSTALL_SCRIPTS; the builders' log goes to $work/build.log
  nix-build --no-out-link --quiet 2>"$work/build.log" -E "$(tree "$work/lock.nix" "$1")" || {
    tail -n 40 "$work/build.log" >&2
    echo "e2e/npm.sh: $name: FAIL: nix-build (install scripts: $1)" >&2
    return 1
  }
}
for scripts in false true; do
  if ! data=$(nix-instantiate --quiet -E "$(tree "$work/lock.nix" $scripts)" 2>"$work/build.log") ||
    ! standalone=$(nix-instantiate --quiet -E "$(tree "$work/standalone.nix" $scripts)" 2>>"$work/build.log"); then
    tail -n 40 "$work/build.log" >&2
    echo "e2e/npm.sh: $name: FAIL: nix-instantiate (install scripts: $scripts)" >&2
    exit 1
  fi
  if [ "$data" != "$standalone" ]; then
    echo "e2e/npm.sh: $name: FAIL: the --standalone file gives $standalone, the data file $data (install scripts: $scripts)" >&2
    exit 1
  fi
done
nixtree=$(build false)

lockjson=$proj/package-lock.json
[ -f "$proj/npm-shrinkwrap.json" ] && lockjson=$proj/npm-shrinkwrap.json
# The folder to copy: the project, or, when its lockfile links folders
# beside it (file:../lib), the ancestor that holds them all, so that npm ci
# sees them too. up is how many levels the links climb.
up=$(node -e '
  const l = require(process.argv[1]);
  const paths = Object.keys(l.packages || {}).concat(Object.values(l.packages || {}).map((e) => e.resolved || ""));
  const walk = (deps) => { for (const d of Object.values(deps || {})) { paths.push(String(d.version || "").replace(/^file:/, "")); walk(d.dependencies); } };
  walk(l.dependencies);
  let up = 0;
  for (const p of paths) { const m = /^((\.\.\/)+|\.\.$)/.exec(p); if (m) up = Math.max(up, (m[0].match(/\.\./g) || []).length); }
  console.log(up);
' "$lockjson")
top=$proj rel=.
for _ in $(seq "$up"); do rel=$(basename "$top")/$rel; top=$(dirname "$top"); done
# copy DEST: the project, and the folders it links, into DEST; prints
# where the project is there.
copy() {
  mkdir -p "$1"
  cp -R "$top/." "$1/"
  echo "$1/$rel"
}
npmdir=$(copy "$work/npm")
# NPM_CI_FLAGS adds flags to npm ci, e.g. --legacy-peer-deps for projects
# whose own .npmrc sets it.
# shellcheck disable=SC2086
(cd "$npmdir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error \
  --replace-registry-host=registry.npm.test ${NPM_CI_FLAGS:-} >/dev/null)

# Every path with a node_modules component, executable files marked as
# such, links shown with their target;
# a link that leads out of the tree (npm: to ../../lib; lock2nix: to the
# folder's own store path) is shown as such.
listing() {
  local root
  root=$(realpath -m -s "$1")
  (cd "$1" && find . -name .package-lock.json -prune -o -type f -perm /111 -printf '%p (executable)\n' -o -print) |
    { grep -E '/node_modules(/|$)' || true; } | sort | while IFS= read -r p; do
      if [ -L "$1/$p" ]; then
        t=$(readlink "$1/$p")
        case $(cd "$(dirname "$1/$p")" && realpath -m -s "$t") in
        "$root" | "$root"/*) printf '%s -> %s\n' "$p" "$t" ;;
        *) printf '%s -> (a folder outside the project)\n' "$p" ;;
        esac
      else printf '%s\n' "$p"; fi
    done
}
listing "$npmdir" > "$work/npm.list"
listing "$nixtree" > "$work/nix.list"
if ! diff -u --label "npm ci" --label "lock2nix" "$work/npm.list" "$work/nix.list" > "$work/diff"; then
  cat "$work/diff"
  echo "e2e/npm.sh: $name: FAIL: node_modules differs from npm ci ($(grep -c '^[-+]\.' "$work/diff") paths)"
  exit 1
fi
paths=$(wc -l < "$work/nix.list")

scripted=$(build true)
rundir=$(copy "$work/run")
cp -R "$scripted/." "$rundir/"
chmod -R u+w "$work/run"
# Every link of the tree resolves once it sits in the project.
broken=$(cd "$rundir" && find . -path '*/node_modules/*' -xtype l)
if [ -n "$broken" ]; then
  echo "$broken"
  echo "e2e/npm.sh: $name: FAIL: links that lead nowhere"
  exit 1
fi
# load DIR NAME: require the package from DIR, or import it when it is an
# ES module only.
load() {
  (cd "$1" && node -e '
    const name = process.argv[1];
    try { require(name); } catch (e) {
      if (e.code !== "ERR_REQUIRE_ESM" && e.code !== "ERR_PACKAGE_PATH_NOT_EXPORTED") throw e;
      import(name).catch((err) => { console.error(err); process.exit(1); });
    }' "$2") >"$work/load.log" 2>&1
}
required=0
skipped=()
for dep in $(node -e '
  const pj = require(process.argv[1]);
  console.log(Object.keys(Object.assign({}, pj.dependencies, pj.devDependencies)).join("\n"));
' "$proj/package.json"); do
  manifest="$rundir/node_modules/$dep/package.json"
  [ -f "$manifest" ] || continue
  node -e 'const m = require(process.argv[1]); process.exit(m.main || m.exports ? 0 : 1)' "$manifest" || continue
  # A package that does not load in npm's own tree either (it needs a host
  # such as VS Code, or is broken) proves nothing here, unless it loads from
  # lock2nix's: a folder outside the project whose own dependencies npm ci
  # leaves out (it installs nothing below a linked folder outside the
  # project) while lock2nix lays them out.
  if ! load "$npmdir" "$dep"; then
    if load "$rundir" "$dep"; then
      echo "e2e/npm.sh: $name: $dep loads from lock2nix's tree; npm ci's tree cannot load it"
      required=$((required + 1))
    else
      skipped+=("$dep")
    fi
    continue
  fi
  if ! load "$rundir" "$dep"; then
    cat "$work/load.log"
    echo "e2e/npm.sh: $name: FAIL: $dep loads from npm ci's tree but not from lock2nix's"
    exit 1
  fi
  required=$((required + 1))
done
[ ${#skipped[@]} -eq 0 ] || echo "e2e/npm.sh: $name: not loadable from npm ci's tree either, skipped: ${skipped[*]}"
echo "e2e/npm.sh: $name: OK: $paths node_modules paths equal to npm ci; $required top-level dependencies load"
