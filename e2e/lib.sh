# shellcheck shell=bash
# e2e/lib.sh — what e2e/npm.sh and e2e/pnpm.sh share: the project and a
# scratch folder, generating both file forms, building a tree through the
# nixpkgs stand-in, listing and comparing node_modules trees, loading
# packages. Sourced after `set -euo pipefail`; the script sets `format`
# (npm, pnpm: the lock2nix command and the builders' attribute) first.

: "${format:?e2e/lib.sh: the script sets format before sourcing it}"
[ $# -eq 1 ] || { echo "usage: $0 PROJECT_DIR" >&2; exit 2; }
proj=$(cd "$1" && pwd)
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
name=$(basename "$proj")
work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
export NIX_CONFIG=$'sandbox = false\nsubstituters ='
# The stand-in's nodejs.version: npm checks optional packages' engines.node
# against it, and so do the builders.
LOCK2NIX_HOST_NODE_VERSION=$(node --version | sed 's/^v//')
export LOCK2NIX_HOST_NODE_VERSION
reg=$(npm config get registry 2>/dev/null)

# fail MESSAGE: the summary line of a failed run.
fail() {
  echo "e2e/$format.sh: $name: FAIL: $*" >&2
  exit 1
}

# generate: the data file ($work/lock.nix) and the --standalone file
# ($work/standalone.nix), with the registry npm is configured with.
# LOCK2NIX_FLAGS adds flags, e.g. --allow-unpinned for lockfiles without
# integrity.
generate() {
  (cd "$repo" && go build -o "$work/lock2nix" ./cmd/lock2nix)
  local form
  for form in lock standalone; do
    # shellcheck disable=SC2046,SC2086
    "$work/lock2nix" "$format" "$proj" -o "$work/$form.nix" $([ $form = standalone ] && echo --standalone) \
      --registry "$reg" --replace-registry-host registry.npm.test ${LOCK2NIX_FLAGS:-}
  done
}

overrides="{ }"
[ -f "$proj/overrides.nix" ] && overrides="import $proj/overrides.nix { inherit pkgs; }"

# tree FILE INSTALL_SCRIPTS: the expression of FILE's nodeModules, built
# by this repository's builders (default.nix, as lock2nix.lib does).
tree() {
  echo "let pkgs = import $repo/testdata/nixpkgs-standin { };
    in ((import $repo { inherit pkgs; }).$format {
      file = $1;
      src = /. + \"$proj\";
      installScripts = $2;
      overrides = $overrides;
    }).nodeModules"
}

# build INSTALL_SCRIPTS: builds the data file's tree, prints its path; the
# builders' log goes to $work/build.log.
build() {
  nix-build --no-out-link --quiet 2>"$work/build.log" -E "$(tree "$work/lock.nix" "$1")" || {
    tail -n 40 "$work/build.log" >&2
    fail "nix-build (install scripts: $1)"
  }
}

# same_derivations: the data file and the --standalone file give the same
# derivations (so the same build), scripts on and off.
same_derivations() {
  local scripts data standalone
  for scripts in false true; do
    if ! data=$(nix-instantiate --quiet -E "$(tree "$work/lock.nix" $scripts)" 2>"$work/build.log") ||
      ! standalone=$(nix-instantiate --quiet -E "$(tree "$work/standalone.nix" $scripts)" 2>>"$work/build.log"); then
      tail -n 40 "$work/build.log" >&2
      fail "nix-instantiate (install scripts: $scripts)"
    fi
    [ "$data" = "$standalone" ] ||
      fail "the --standalone file gives $standalone, the data file $data (install scripts: $scripts)"
  done
}

# listing DIR FIND_EXPRESSION...: every path with a node_modules component
# that the find expression (run in DIR, its own -print or -printf
# included) prints, sorted, links shown with their target; a link that
# leads out of the tree (npm: to ../../lib; lock2nix: to the folder's own
# store path) is shown as such.
listing() {
  local dir=$1 root p t
  shift
  root=$(realpath -m -s "$dir")
  (cd "$dir" && find . "$@") |
    { grep -E '/node_modules(/|$)' || true; } | sort | while IFS= read -r p; do
      if [ -L "$dir/$p" ]; then
        t=$(readlink "$dir/$p")
        case $(cd "$(dirname "$dir/$p")" && realpath -m -s "$t") in
        "$root" | "$root"/*) printf '%s -> %s\n' "$p" "$t" ;;
        *) printf '%s -> (a folder outside the project)\n' "$p" ;;
        esac
      else printf '%s\n' "$p"; fi
    done
}

# compare THEIRS OURS LABEL: the two listings are equal, or the difference
# (its first 200 lines) and the failure.
compare() {
  if ! diff -u --label "$3" --label "lock2nix" "$1" "$2" >"$work/diff"; then
    head -n 200 "$work/diff"
    fail "node_modules differs from $3 ($(grep -c '^[-+]\.' "$work/diff") paths)"
  fi
}

# no_broken_links DIR: every link of the tree resolves once it sits in the
# project.
no_broken_links() {
  local broken
  broken=$(cd "$1" && find . -path '*/node_modules/*' -xtype l)
  if [ -n "$broken" ]; then
    echo "$broken"
    fail "links that lead nowhere"
  fi
}

# load DIR NAME: require the package from DIR, or import it when it is an
# ES module only; node's output goes to $work/load.log.
load() {
  (cd "$1" && node -e '
    const name = process.argv[1];
    try { require(name); } catch (e) {
      if (e.code !== "ERR_REQUIRE_ESM" && e.code !== "ERR_PACKAGE_PATH_NOT_EXPORTED") throw e;
      import(name).catch((err) => { console.error(err); process.exit(1); });
    }' "$2") >"$work/load.log" 2>&1
}

# loadable MANIFEST: the package.json exists and names a main or exports
# entry.
loadable() {
  [ -f "$1" ] && node -e 'const m = require(process.argv[1]); process.exit(m.main || m.exports ? 0 : 1)' "$1"
}

# top_deps PACKAGE_JSON: the names of its dependencies and devDependencies.
top_deps() {
  node -e '
    const pj = require(process.argv[1]);
    console.log(Object.keys(Object.assign({}, pj.dependencies, pj.devDependencies)).join("\n"));
  ' "$1"
}
