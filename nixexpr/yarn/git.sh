#!/usr/bin/env bash
# lock2nix's git for a berry build: yarn fetches a git dependency by
# "git clone URL DIR" and then "git checkout COMMIT" in DIR, and packs what
# it finds there. The build has no network; Nix has fetched every locked
# commit already (fetchGit), so clone makes the folder and checkout copies
# the fetched files of that commit into it. yarn then packs them and
# checks its zip against the lockfile's checksum, as for any package.
#
# LOCK2NIX_GIT_MAP names a file of "COMMIT STORE-PATH" lines. Any other
# git command fails, saying so.
set -eu
map=${LOCK2NIX_GIT_MAP:?lock2nix: LOCK2NIX_GIT_MAP is not set}
cmd=${1:-}
case $cmd in
  clone)
    # The folder is the last argument (yarn passes options before it).
    dir=${!#}
    mkdir -p "$dir"
    ;;
  checkout)
    commit=${2:-}
    path=""
    while read -r c p; do
      if [ "$c" = "$commit" ]; then
        path=$p
        break
      fi
    done <"$map"
    if [ -z "$path" ]; then
      echo "lock2nix: git checkout $commit: the lockfile locks no git dependency at that commit" >&2
      exit 1
    fi
    # Modes kept (executables stay so), made writable as a checkout is.
    cp -R "$path/." .
    chmod -R u+w .
    ;;
  *)
    echo "lock2nix: the build has no network and no git; yarn ran: git $*" >&2
    exit 1
    ;;
esac
