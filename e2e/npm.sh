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
format=npm
# shellcheck source=e2e/lib.sh
. "$(dirname "$0")/lib.sh" "$@"

generate
same_derivations
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

# Executable files marked as such; .package-lock.json, npm's own state,
# left out.
listed=(-name .package-lock.json -prune -o -type f -perm /111 -printf '%p (executable)\n' -o -print)
listing "$npmdir" "${listed[@]}" > "$work/npm.list"
listing "$nixtree" "${listed[@]}" > "$work/nix.list"
compare "$work/npm.list" "$work/nix.list" "npm ci"
paths=$(wc -l < "$work/nix.list")

scripted=$(build true)
rundir=$(copy "$work/run")
cp -R "$scripted/." "$rundir/"
chmod -R u+w "$work/run"
no_broken_links "$rundir"
required=0
skipped=()
for dep in $(top_deps "$proj/package.json"); do
  loadable "$rundir/node_modules/$dep/package.json" || continue
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
    fail "$dep loads from npm ci's tree but not from lock2nix's"
  fi
  required=$((required + 1))
done
[ ${#skipped[@]} -eq 0 ] || echo "e2e/npm.sh: $name: not loadable from npm ci's tree either, skipped: ${skipped[*]}"
echo "e2e/npm.sh: $name: OK: $paths node_modules paths equal to npm ci; $required top-level dependencies load"
