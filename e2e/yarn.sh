#!/usr/bin/env bash
# e2e/yarn.sh PROJECT_DIR — prove that the Nix lock2nix generates for a
# yarn project (yarn.lock from yarn 1 or berry) builds the tree yarn builds.
#
#  1. generates the Nix with the registry npm is configured with (resolved
#     URLs on registry.npm.test, as testdata's lockfiles have them, move
#     there); berry lockfiles, which hold no tarball hashes, are prefetched
#     into a pins file in a temporary copy (the project's own pins file, if
#     any, is kept and completed);
#  2. builds nodeModules (install scripts off) with nix-build from the data
#     file and this repository's builders (default.nix, as lock2nix.lib.yarn
#     does; the --standalone file must give the same derivations), through
#     the nixpkgs stand-in in testdata/, with yarn installed from the registry
#     by npm (yarn@1.22.22 for classic; for berry the version package.json's
#     packageManager names, else 4.9.1): Nix fetches and hash-checks every
#     tarball, and yarn runs offline;
#  3. runs yarn's own offline install (scripts off) on a copy of the
#     project: an online install on a scratch copy fills a cache first (the
#     offline mirror for classic, .yarn/cache for berry), then the compared
#     install runs without the network (classic: --frozen-lockfile
#     --offline over that mirror; berry: --immutable --immutable-cache with
#     enableNetwork false); compares every path under every
#     node_modules folder of both trees (links by target, files by their
#     sha256); for Plug'n'Play,
#     .pnp.cjs and the list of files in .yarn/cache and .yarn/unplugged;
#     then likewise nodeModulesProd against yarn's offline production
#     install (classic --production; berry workspaces focus --all
#     --production);
#  4. builds again with install scripts on and loads with node (require,
#     or import for ES modules; through .pnp.cjs for Plug'n'Play) each
#     top-level dependency that loads from yarn's own tree, from that tree
#     and from devShell's (its hook run in a fresh copy of the project);
#     with E2E_BUILD=1, builds buildPackage { script = "build"; } when the
#     project has a build script;
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
LOCK2NIX_HOST_NODE_VERSION=$(node --version | sed 's/^v//')
export LOCK2NIX_HOST_NODE_VERSION
fail() { echo "e2e/yarn.sh: $name: FAIL: $*"; exit 1; }

reg=$(npm config get registry 2>/dev/null)
reg=${reg%/}/
if grep -q '^__metadata:' "$proj/yarn.lock"; then format=berry; else format=classic; fi

# yarn itself, installed once per version into a folder kept between runs
# (the stand-in copies it into the store; a stable folder keeps that copy,
# and every build on it, cached).
tools=${TMPDIR:-/tmp}/lock2nix-e2e-yarn
if [ $format = classic ]; then
  pkg=yarn@1.22.22
else
  v=$(node -e 'const m = /^yarn@(\d[^+]*)/.exec(require(process.argv[1]).packageManager || ""); console.log(m ? m[1] : "")' "$proj/package.json")
  pkg=@yarnpkg/cli-dist@${v:-4.9.1}
fi
yarndir=$tools/$pkg/node_modules/${pkg%@*}
if [ ! -f "$yarndir/bin/yarn.js" ]; then
  mkdir -p "$tools/$pkg"
  npm install --prefix "$tools/$pkg" "$pkg" --no-audit --no-fund --loglevel=error >/dev/null
fi
if [ $format = classic ]; then export LOCK2NIX_HOST_YARN=$yarndir; else export LOCK2NIX_HOST_YARN_BERRY=$yarndir; fi
yarn() { node "$yarndir/bin/yarn.js" "$@"; }

(cd "$repo" && go build -o "$work/lock2nix" ./cmd/lock2nix)
gen=$work/gen
mkdir -p "$gen"
cp -R "$proj/." "$gen/"
chmod -R u+w "$gen"
flags=(--registry "$reg")
[ $format = classic ] && flags+=(--replace-registry-host registry.npm.test)
# (A pins file the project has, say with GitHub archives' hashes, is kept:
# --prefetch fetches only what it lacks.)
if [ $format = berry ]; then
  "$work/lock2nix" yarn "$gen" "${flags[@]}" --prefetch -o "$work/lock.nix" >/dev/null 2>"$work/prefetch.log" ||
    { cat "$work/prefetch.log" >&2; fail "lock2nix yarn --prefetch"; }
fi
# LOCK2NIX_FLAGS adds flags, e.g. --allow-unpinned.
# shellcheck disable=SC2086
"$work/lock2nix" yarn "$gen" "${flags[@]}" -o "$work/lock.nix" ${LOCK2NIX_FLAGS:-} || fail "lock2nix yarn"
# shellcheck disable=SC2086
"$work/lock2nix" yarn "$gen" "${flags[@]}" -o "$work/standalone.nix" --standalone ${LOCK2NIX_FLAGS:-} || fail "lock2nix yarn --standalone"

# project FILE: the expression of FILE's derivations for the project, by
# this repository's builders (default.nix, as lock2nix.lib.yarn gives
# them), with ARGS (Nix bindings) beside.
project() {
  echo "let pkgs = import $repo/testdata/nixpkgs-standin { };
    in ((import $repo { inherit pkgs; }).yarn {
      file = $1;
      src = /. + \"$proj\";
      $2
    })"
}
# The --standalone file gives the same derivations as the data file.
for scripts in false true; do
  if ! data=$(nix-instantiate --quiet -E "$(project "$work/lock.nix" "installScripts = $scripts;").nodeModules" 2>"$work/build.log") ||
    ! standalone=$(nix-instantiate --quiet -E "$(project "$work/standalone.nix" "installScripts = $scripts;").nodeModules" 2>>"$work/build.log"); then
    tail -n 40 "$work/build.log" >&2
    fail "nix-instantiate (install scripts: $scripts)"
  fi
  [ "$data" = "$standalone" ] || fail "the --standalone file gives $standalone, the data file $data (install scripts: $scripts)"
done

build() { # build INSTALL_SCRIPTS; the log goes to $work/build.log
  nix-build --no-out-link --quiet 2>"$work/build.log" -E "$(project "$work/lock.nix" "installScripts = $1;").nodeModules" || {
    tail -n 40 "$work/build.log" >&2
    fail "nix-build (install scripts: $1)" >&2
  }
}
nixtree=$(build false)

# yarn's own offline install, on a copy whose lockfile names the real
# registry: first an online install on a scratch copy fills a cache (the
# offline mirror for classic, .yarn/cache for berry); then the compared
# install runs on a fresh copy with the network off (classic: --offline
# over that mirror and an empty cache; berry: the filled .yarn/cache and
# enableNetwork false).
own=$work/own
fill=$work/fill
for d in "$fill" "$own"; do
  mkdir -p "$d"
  cp -R "$proj/." "$d/"
  chmod -R u+w "$d"
  rm -f "$d/lock2nix-pins.toml"
  rm -rf "$d/node_modules" "$d/.yarn/cache" "$d/.yarn/unplugged" "$d/.pnp.cjs" "$d/.pnp.loader.mjs" "$d/.yarn/install-state.gz"
done
if [ $format = classic ]; then
  for d in "$fill" "$own"; do sed -i "s#https://registry.npm.test/#$reg#g" "$d/yarn.lock"; done
  mkdir -p "$work/home"
  printf 'yarn-offline-mirror "%s"\n' "$work/mirror" >"$work/home/.yarnrc"
  # classic_own: fill the mirror online, then yarn's own offline install.
  classic_own() {
    rm -rf "$work/mirror" "$work/yarn-fill-cache" "$work/yarn-cache" "$fill/node_modules" "$own/node_modules"
    (cd "$fill" && HOME=$work/home yarn install --frozen-lockfile --ignore-scripts --non-interactive --no-progress \
      --cache-folder "$work/yarn-fill-cache" >"$work/fill.log" 2>&1) || { cat "$work/fill.log"; fail "yarn install --frozen-lockfile (filling the offline mirror)"; }
    (cd "$own" && HOME=$work/home yarn install --frozen-lockfile --offline --ignore-scripts --non-interactive --no-progress \
      --cache-folder "$work/yarn-cache" >"$work/own.log" 2>&1) || { cat "$work/own.log"; fail "yarn install --frozen-lockfile --offline"; }
  }
  # hollow: the package folders of yarn's tree without a package.json.
  # yarn 1 once (on CI, not reproduced since) installed a git
  # dependency from the mirror as an empty folder, exit 0; no package
  # yarn installs lacks package.json, so such a tree is yarn's fault,
  # not an answer to compare with: install again once (a folder without
  # package.json that yarn makes every time, a test fixture inside a
  # package say, is then compared as any other).
  hollow() {
    find "$own" -type d -regextype posix-extended -regex '.*/node_modules/(@[^/]+/)?[^@./][^/]*' |
      while read -r d; do [ -f "$d/package.json" ] || echo "${d#"$own"/}"; done
  }
  classic_own
  if [ -n "$(hollow)" ]; then
    echo "e2e/yarn.sh: $name: yarn's own install left folders without package.json: $(hollow | tr '\n' ' ')(mirror: $(find "$work/mirror" -type f -printf '%f %s bytes, ')); installing again; yarn's log:"
    sed 's/^/  /' "$work/own.log"
    classic_own
  fi
  # yarn's bookkeeping repeats the lockfile's URLs, which this copy moved
  # to the real registry: back to what the project's lockfile says.
  if grep -q 'https://registry.npm.test/' "$proj/yarn.lock"; then
    find "$own" -name .yarn-integrity -path '*/node_modules/*' -exec sed -i "s#$reg#https://registry.npm.test/#g" {} +
  fi
else
  berry() { # berry DIR NETWORK ARGS…
    local dir=$1 net=$2
    shift 2
    (cd "$dir" && HOME=$work/home YARN_NPM_REGISTRY_SERVER=${reg%/} YARN_ENABLE_SCRIPTS=false YARN_ENABLE_GLOBAL_CACHE=false \
      YARN_ENABLE_TELEMETRY=0 YARN_ENABLE_NETWORK=$net YARN_GLOBAL_FOLDER=$work/yarn-global-$net yarn "$@")
  }
  berry "$fill" 1 install --immutable >"$work/fill.log" 2>&1 || { cat "$work/fill.log"; fail "yarn install --immutable (filling the cache)"; }
  mkdir -p "$own/.yarn"
  cp -R "$fill/.yarn/cache" "$own/.yarn/cache"
  berry "$own" 0 install --immutable --immutable-cache >"$work/own.log" 2>&1 ||
    { cat "$work/own.log"; fail "yarn install --immutable, offline"; }
fi

# Every path with a node_modules component, links shown with their target
# and files with their sha256 (so that a patch yarn applies is seen); for
# Plug'n'Play, the files yarn keeps in .yarn/cache and .yarn/unplugged.
listing() {
  (
    cd "$1"
    keep() { grep -E '^\./(.*/)?node_modules(/| |$)|^\./\.yarn/(cache|unplugged)/|^\./\.pnp\.' || true; }
    find . -path ./.yarn/install-state.gz -prune -o -type d -print | keep
    find . -type l -printf '%p -> %l\n' | keep
    find . -path ./.yarn/install-state.gz -prune -o -type f -print0 | xargs -0 -r sha256sum |
      sed -E 's/^([0-9a-f]{16})[0-9a-f]*  (.*)$/\2 \1/' | keep
  ) | LC_ALL=C sort
}
listing "$own" >"$work/own.list"
listing "$nixtree" >"$work/nix.list"
if ! diff -u --label "yarn" --label "lock2nix" "$work/own.list" "$work/nix.list" >"$work/diff"; then
  head -n 60 "$work/diff"
  fail "the tree differs from yarn's ($(grep -c '^[-+]\.' "$work/diff") paths)"
fi
pnp=""
if [ -f "$own/.pnp.cjs" ]; then
  pnp=" and .pnp.cjs"
  cmp -s "$own/.pnp.cjs" "$nixtree/.pnp.cjs" || { diff -u "$own/.pnp.cjs" "$nixtree/.pnp.cjs" | head -n 40; fail ".pnp.cjs differs from yarn's"; }
fi
paths=$(wc -l <"$work/nix.list")

# The tree without devDependencies (nodeModulesProd), against yarn's own
# offline production install on a fresh copy (classic: --production over
# the offline mirror; berry: workspaces focus --all --production over the
# filled cache, the network off).
prod=$work/prod
mkdir -p "$prod"
cp -R "$own/." "$prod/"
rm -rf "$prod/node_modules" "$prod/.pnp.cjs" "$prod/.pnp.loader.mjs" "$prod/.yarn/unplugged" "$prod/.yarn/install-state.gz"
find "$prod" -name node_modules -prune -exec rm -rf {} +
if [ $format = classic ]; then
  (cd "$prod" && HOME=$work/home yarn install --frozen-lockfile --offline --production --ignore-scripts --non-interactive --no-progress \
    --cache-folder "$work/yarn-prod-cache" >"$work/prod.log" 2>&1) || { cat "$work/prod.log"; fail "yarn install --production --offline"; }
  if grep -q 'https://registry.npm.test/' "$proj/yarn.lock"; then
    find "$prod" -name .yarn-integrity -path '*/node_modules/*' -exec sed -i "s#$reg#https://registry.npm.test/#g" {} +
  fi
else
  berry "$prod" 0 workspaces focus --all --production >"$work/prod.log" 2>&1 ||
    { cat "$work/prod.log"; fail "yarn workspaces focus --all --production, offline"; }
fi
if ! prodtree=$(nix-build --no-out-link --quiet 2>"$work/build.log" -E "$(project "$work/lock.nix" "installScripts = false;").nodeModulesProd"); then
  tail -n 40 "$work/build.log" >&2
  fail "nix-build nodeModulesProd"
fi
# yarn's focus keeps the zips already in the cache that it no longer
# needs (the copy's cache came from a full install), so .yarn/cache is
# compared apart: each of Nix's zips must be yarn's.
listing "$prod" | grep -v '^\./\.yarn/cache/' >"$work/prod-own.list" || true
listing "$prodtree" | grep -v '^\./\.yarn/cache/' >"$work/prod-nix.list" || true
listing "$prodtree" | grep '^\./\.yarn/cache/.' >"$work/prod-nix-cache.list" || true
listing "$prod" | grep '^\./\.yarn/cache/.' >"$work/prod-own-cache.list" || true
missing=$(LC_ALL=C comm -23 "$work/prod-nix-cache.list" "$work/prod-own-cache.list")
[ -z "$missing" ] || fail "nodeModulesProd's cache holds what yarn's does not: $missing"
if ! diff -u --label "yarn --production" --label "lock2nix nodeModulesProd" "$work/prod-own.list" "$work/prod-nix.list" >"$work/diff"; then
  head -n 60 "$work/diff"
  fail "the production tree differs from yarn's ($(grep -c '^[-+]\.' "$work/diff") paths)"
fi
if [ -f "$prod/.pnp.cjs" ]; then
  cmp -s "$prod/.pnp.cjs" "$prodtree/.pnp.cjs" || fail "the production .pnp.cjs differs from yarn's"
fi
prodpaths=$(wc -l <"$work/prod-nix.list")

scripted=$(build true)
run=$work/run
mkdir -p "$run"
cp -R "$proj/." "$run/"
cp -R "$scripted/." "$run/"
chmod -R u+w "$run"
load() { # load DIR NAME
  local req=()
  [ -f "$1/.pnp.cjs" ] && req=(-r "$1/.pnp.cjs")
  (cd "$1" && node "${req[@]}" -e '
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
  if ! load "$own" "$dep"; then
    skipped+=("$dep")
    continue
  fi
  load "$run" "$dep" || { cat "$work/load.log"; fail "$dep loads from yarn's tree but not from lock2nix's"; }
  required=$((required + 1))
done
# devShell's hook, run in a fresh copy of the project, gives the same
# dependencies.
shell=$work/shell
mkdir -p "$shell"
cp -R "$proj/." "$shell/"
chmod -R u+w "$shell"
nix-instantiate --eval --strict --json 2>"$work/build.log" -E "($(project "$work/lock.nix" "").devShell { }).shellHook" |
  node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(0, "utf8")))' >"$work/hook.sh" ||
  { cat "$work/build.log"; fail "devShell's shellHook"; }
(cd "$shell" && bash -e "$work/hook.sh") || fail "devShell's shellHook did not run"
for dep in $(node -e '
  const pj = require(process.argv[1]);
  console.log(Object.keys(Object.assign({}, pj.dependencies, pj.devDependencies)).join("\n"));
' "$proj/package.json"); do
  case " ${skipped[*]} " in *" $dep "*) continue ;; esac
  load "$shell" "$dep" || { cat "$work/load.log"; fail "$dep does not load in devShell's tree"; }
done

[ ${#skipped[@]} -eq 0 ] || echo "e2e/yarn.sh: $name: not loadable from yarn's tree either, skipped: ${skipped[*]}"

# With E2E_BUILD=1 (TestYarn sets it for testdata's projects), a project
# with a build script is built with buildPackage, over the tree just
# checked. Off by default: a project's own build may need what a copy of
# its lockfile and manifests lacks (the corpus holds no sources).
built=""
if [ "${E2E_BUILD:-}" = 1 ] && node -e 'process.exit(require(process.argv[1]).scripts?.build ? 0 : 1)' "$proj/package.json"; then
  nix-build --no-out-link --quiet 2>"$work/build.log" -E "$(project "$work/lock.nix" "").buildPackage { script = \"build\"; }" >"$work/package" || {
    tail -n 40 "$work/build.log" >&2
    fail "buildPackage { script = \"build\"; }"
  }
  built="; buildPackage ran its build script"
fi
echo "e2e/yarn.sh: $name: OK ($format): $paths paths$pnp equal to yarn's, $prodpaths without devDependencies; $required top-level dependencies load, also in devShell$built"
