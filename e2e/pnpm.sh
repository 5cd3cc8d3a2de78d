#!/usr/bin/env bash
# e2e/pnpm.sh PROJECT_DIR — prove that the Nix lock2nix generates for a
# pnpm project builds the node_modules tree pnpm builds.
#
#  1. generates the data file (and a --standalone file, which must give the
#     same derivations) with the registry npm is configured with;
#  2. builds nodeModules (install scripts off) with nix-build and this
#     repository's builders, through the nixpkgs stand-in in testdata/: Nix
#     fetches and hash-checks every tarball;
#  3. runs pnpm install --frozen-lockfile --ignore-scripts on a copy of the
#     project and compares the paths under every node_modules folder of both
#     trees (links compared by target; pnpm's own state files, .modules.yaml,
#     .pnpm/lock.yaml and .pnpm-workspace-state*.json, left out), printing any
#     difference;
#  4. builds nodeModules again with install scripts on (and the project's
#     overrides.nix, if it has one) and loads with node (require, or import
#     for ES modules) each top-level dependency of every importer that has a
#     main or exports entry and loads from pnpm's tree;
#  5. exits 0 only when all of that holds, printing one summary line.
#
# pnpm: $PNPM when set, else $PNPM_VERSION, else the version the project's
# packageManager field names (pnpm 11 and later need node 22: on an older
# node, 10.34.9 stands in), else 8.15.9 for a 6.x lockfile and 10.34.9 for
# 9.0; installed once with npm into ~/.cache/lock2nix-e2e. Needs: go, npm, node, nix-build
# (Debian's nix-bin). Runs Nix without a sandbox and without binary caches.
set -euo pipefail
format=pnpm
# shellcheck source=e2e/lib.sh
. "$(dirname "$0")/lib.sh" "$@"

if [ -z "${PNPM:-}" ]; then
  version=${PNPM_VERSION:-$(node -e '
    const fs = require("fs"), [dir, node] = process.argv.slice(1);
    const pm = String(JSON.parse(fs.readFileSync(dir + "/package.json", "utf8")).packageManager || "");
    let v = /^pnpm@(\d+\.\d+\.\d+[^+]*)/.exec(pm);
    if (v && !(Number(v[1].split(".")[0]) >= 11 && Number(node.split(".")[0].slice(1)) < 22)) console.log(v[1]);
    else console.log(/^lockfileVersion: .?6/m.test(fs.readFileSync(dir + "/pnpm-lock.yaml", "utf8")) ? "8.15.9" : "10.34.9");
  ' "$proj" "$(node --version)")}
  cache=${XDG_CACHE_HOME:-$HOME/.cache}/lock2nix-e2e/pnpm-$version
  if [ ! -x "$cache/node_modules/.bin/pnpm" ]; then
    npm install --prefix "$cache" "pnpm@$version" --no-audit --no-fund --loglevel=error >/dev/null
  fi
  PNPM=$cache/node_modules/.bin/pnpm
fi

generate
same_derivations
nixtree=$(build false)

copy() { # copy DEST: the project into DEST, without node_modules
  mkdir -p "$1"
  cp -R "$proj/." "$1/"
  find "$1" -name node_modules -prune -exec rm -rf {} +
  echo "$1"
}
pnpmdir=$(copy "$work/pnpm")
# shellcheck disable=SC2086
(cd "$pnpmdir" && "$PNPM" install --frozen-lockfile --ignore-scripts --registry="$reg" \
  --store-dir="${PNPM_STORE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/lock2nix-e2e/pnpm-store}" \
  --reporter=silent ${PNPM_FLAGS:-} >/dev/null)

# pnpm's own state files left out.
listed=(\( -path ./node_modules/.modules.yaml -o -path ./node_modules/.pnpm/lock.yaml -o -name '.pnpm-workspace-state*.json' \) -prune -o -print)
listing "$pnpmdir" "${listed[@]}" > "$work/pnpm.list"
listing "$nixtree" "${listed[@]}" > "$work/nix.list"
compare "$work/pnpm.list" "$work/nix.list" "pnpm install --frozen-lockfile"
paths=$(wc -l < "$work/nix.list")

scripted=$(build true)
rundir=$(copy "$work/run")
cp -R "$scripted/." "$rundir/"
chmod -R u+w "$work/run"
no_broken_links "$rundir"
required=0
skipped=()
importers=$(cd "$proj" && find . -name node_modules -prune -o -name package.json -print | sed 's|/package.json$||' | sort)
for imp in $importers; do
  for dep in $(top_deps "$proj/$imp/package.json"); do
    loadable "$rundir/$imp/node_modules/$dep/package.json" || continue
    if ! load "$pnpmdir/$imp" "$dep"; then
      skipped+=("$imp:$dep")
      continue
    fi
    if ! load "$rundir/$imp" "$dep"; then
      cat "$work/load.log"
      fail "$dep loads in $imp from pnpm's tree but not from lock2nix's"
    fi
    required=$((required + 1))
  done
done
[ ${#skipped[@]} -eq 0 ] || echo "e2e/pnpm.sh: $name: not loadable from pnpm's tree either, skipped: ${skipped[*]}"
echo "e2e/pnpm.sh: $name: OK: $paths node_modules paths equal to pnpm install --frozen-lockfile; $required top-level dependencies load"
