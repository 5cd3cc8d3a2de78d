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
[ $# -eq 1 ] || { echo "usage: $0 PROJECT_DIR" >&2; exit 2; }
proj=$(cd "$1" && pwd)
repo=$(cd "$(dirname "$0")/.." && pwd)
name=$(basename "$proj")
work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
export NIX_CONFIG=$'sandbox = false\nsubstituters ='
LOCK2NIX_HOST_NODE_VERSION=$(node --version | sed 's/^v//')
export LOCK2NIX_HOST_NODE_VERSION

reg=$(npm config get registry 2>/dev/null)
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

(cd "$repo" && go build -o "$work/lock2nix" ./cmd/lock2nix)
# LOCK2NIX_FLAGS adds flags, e.g. --allow-unpinned for lockfiles without integrity.
# shellcheck disable=SC2086
"$work/lock2nix" pnpm "$proj" -o "$work/lock.nix" --registry "$reg" --replace-registry-host registry.npm.test ${LOCK2NIX_FLAGS:-}
# shellcheck disable=SC2086
"$work/lock2nix" pnpm "$proj" -o "$work/standalone.nix" --standalone --registry "$reg" --replace-registry-host registry.npm.test ${LOCK2NIX_FLAGS:-}

overrides="{ }"
[ -f "$proj/overrides.nix" ] && overrides="import $proj/overrides.nix { inherit pkgs; }"
# tree FILE INSTALL_SCRIPTS: the expression of FILE's nodeModules, built
# by this repository's builders.
tree() {
  echo "let pkgs = import $repo/testdata/nixpkgs-standin { };
    in ((import $repo { inherit pkgs; }).pnpm {
      file = $1;
      src = /. + \"$proj\";
      installScripts = $2;
      overrides = $overrides;
    }).nodeModules"
}
build() { # build INSTALL_SCRIPTS; the builders' log goes to $work/build.log
  nix-build --no-out-link --quiet 2>"$work/build.log" -E "$(tree "$work/lock.nix" "$1")" || {
    tail -n 40 "$work/build.log" >&2
    echo "e2e/pnpm.sh: $name: FAIL: nix-build (install scripts: $1)" >&2
    return 1
  }
}
# The data file and the --standalone file give the same derivations.
for scripts in false true; do
  if ! data=$(nix-instantiate --quiet -E "$(tree "$work/lock.nix" $scripts)" 2>"$work/build.log") ||
    ! standalone=$(nix-instantiate --quiet -E "$(tree "$work/standalone.nix" $scripts)" 2>>"$work/build.log"); then
    tail -n 40 "$work/build.log" >&2
    echo "e2e/pnpm.sh: $name: FAIL: nix-instantiate (install scripts: $scripts)" >&2
    exit 1
  fi
  if [ "$data" != "$standalone" ]; then
    echo "e2e/pnpm.sh: $name: FAIL: the --standalone file gives $standalone, the data file $data (install scripts: $scripts)" >&2
    exit 1
  fi
done
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

# Every path with a node_modules component, links shown with their target;
# a link that leads out of the tree is shown as such.
listing() {
  local root
  root=$(realpath -m -s "$1")
  (cd "$1" && find . \( -path ./node_modules/.modules.yaml -o -path ./node_modules/.pnpm/lock.yaml -o -name '.pnpm-workspace-state*.json' \) -prune -o -print) |
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
listing "$pnpmdir" > "$work/pnpm.list"
listing "$nixtree" > "$work/nix.list"
if ! diff -u --label "pnpm install" --label "lock2nix" "$work/pnpm.list" "$work/nix.list" > "$work/diff"; then
  head -n 200 "$work/diff"
  echo "e2e/pnpm.sh: $name: FAIL: node_modules differs from pnpm install --frozen-lockfile ($(grep -c '^[-+]\.' "$work/diff") paths)"
  exit 1
fi
paths=$(wc -l < "$work/nix.list")

scripted=$(build true)
rundir=$(copy "$work/run")
cp -R "$scripted/." "$rundir/"
chmod -R u+w "$work/run"
broken=$(cd "$rundir" && find . -path '*/node_modules/*' -xtype l)
if [ -n "$broken" ]; then
  echo "$broken"
  echo "e2e/pnpm.sh: $name: FAIL: links that lead nowhere"
  exit 1
fi
load() { # load DIR NAME: require the package from DIR, or import it
  (cd "$1" && node -e '
    const name = process.argv[1];
    try { require(name); } catch (e) {
      if (e.code !== "ERR_REQUIRE_ESM" && e.code !== "ERR_PACKAGE_PATH_NOT_EXPORTED") throw e;
      import(name).catch((err) => { console.error(err); process.exit(1); });
    }' "$2") >"$work/load.log" 2>&1
}
required=0
skipped=()
importers=$(cd "$proj" && find . -name node_modules -prune -o -name package.json -print | sed 's|/package.json$||' | sort)
for imp in $importers; do
  for dep in $(node -e '
    const pj = require(process.argv[1]);
    console.log(Object.keys(Object.assign({}, pj.dependencies, pj.devDependencies)).join("\n"));
  ' "$proj/$imp/package.json"); do
    manifest="$rundir/$imp/node_modules/$dep/package.json"
    [ -f "$manifest" ] || continue
    node -e 'const m = require(process.argv[1]); process.exit(m.main || m.exports ? 0 : 1)' "$manifest" || continue
    if ! load "$pnpmdir/$imp" "$dep"; then
      skipped+=("$imp:$dep")
      continue
    fi
    if ! load "$rundir/$imp" "$dep"; then
      cat "$work/load.log"
      echo "e2e/pnpm.sh: $name: FAIL: $dep loads in $imp from pnpm's tree but not from lock2nix's"
      exit 1
    fi
    required=$((required + 1))
  done
done
[ ${#skipped[@]} -eq 0 ] || echo "e2e/pnpm.sh: $name: not loadable from pnpm's tree either, skipped: ${skipped[*]}"
echo "e2e/pnpm.sh: $name: OK: $paths node_modules paths equal to pnpm install --frozen-lockfile; $required top-level dependencies load"
