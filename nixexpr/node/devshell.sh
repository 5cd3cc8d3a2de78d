# lock2nix's development shell hook for node_modules trees, sourced by
# the shellHook of devShell (nixexpr/node/modules.nix), which then runs
#   lock2nix_node_modules MODE TREE FOLDER...
# in the project's folder: MODE is "link" or "copy", TREE the built tree
# (a store path holding node_modules and workspaces' node_modules), each
# FOLDER a node_modules to put in place (node_modules, ws/node_modules).
#
# Read-only ("link"), each node_modules is a folder of links: one into the
# store per package, and the tree's own links (workspaces, .bin) as they
# are, so that they lead to the project's folders and not into the store.
# "copy" copies the tree instead, for tools that write into packages. Each
# folder records the mode and the tree it came from in .lock2nix-tree and
# is made again only when they change. The hook replaces only what is its
# own: a folder holding .lock2nix-tree, or a link into the store; a
# node_modules that npm made is left alone with a message. Each new folder
# is made beside its place and renamed into it, so shells that start at
# once never see a part; one that finds the same already in place, or
# loses the race to put it there, discards its own.
# shellcheck shell=bash

lock2nix_ours() {
  if [ -L "$1" ]; then
    case "$(readlink "$1")" in "${2%/*}"/*) return 0 ;; esac
    return 1
  fi
  [ -d "$1" ] && [ -f "$1/.lock2nix-tree" ]
}
lock2nix_links() {
  local from=$1 to=$2 e name
  local -a pkgs=() links=()
  mkdir "$to" || return 1
  for e in "$from"/* "$from"/.[!.]*; do
    if [ ! -e "$e" ] && [ ! -L "$e" ]; then continue; fi
    name=${e##*/}
    if [ -L "$e" ]; then
      links+=("$e")
    elif [ "$name" = .bin ]; then
      cp -R "$e" "$to/.bin" && chmod u+w "$to/.bin" || return 1
    elif [ "${name#@}" != "$name" ] && [ -d "$e" ]; then
      lock2nix_links "$e" "$to/$name" || return 1
    else
      pkgs+=("$e")
    fi
  done
  if [ ${#pkgs[@]} -gt 0 ]; then ln -s "${pkgs[@]}" "$to/" || return 1; fi
  if [ ${#links[@]} -gt 0 ]; then cp -P "${links[@]}" "$to/" || return 1; fi
}
lock2nix_place() {
  local mode=$1 tree=$2 dest=$3 want=$2/$3 cur='' new='' old='' made=0
  if [ ! -e "$want" ]; then
    if lock2nix_ours "$dest" "$tree"; then rm -rf "$dest"; fi
    return 0
  fi
  if [ ! -L "$dest" ] && [ -f "$dest/.lock2nix-tree" ]; then
    read -r cur <"$dest/.lock2nix-tree"
    if [ "$cur" = "$mode $want" ]; then return 0; fi
  fi
  if { [ -e "$dest" ] || [ -L "$dest" ]; } && ! lock2nix_ours "$dest" "$tree"; then
    echo "lock2nix: $PWD/$dest was not made by lock2nix (npm's?); leaving it alone. Remove it to use the Nix-built tree." >&2
    return 0
  fi
  new=$dest.lock2nix-new.$$.$RANDOM
  if [ "$mode" = copy ]; then
    echo "lock2nix: copying $want to $PWD/$dest" >&2
    cp -R "$want" "$new" && chmod -R u+w "$new" && made=1
  else
    lock2nix_links "$want" "$new" && made=1
  fi
  if [ "$made" -ne 1 ] || ! printf '%s %s\n' "$mode" "$want" >"$new/.lock2nix-tree"; then
    rm -rf "$new"
    return 1
  fi
  # Another shell may have put the same in place meanwhile.
  if [ ! -L "$dest" ] && [ -f "$dest/.lock2nix-tree" ]; then
    read -r cur <"$dest/.lock2nix-tree"
    if [ "$cur" = "$mode $want" ]; then
      rm -rf "$new"
      return 0
    fi
  fi
  if [ -e "$dest" ] || [ -L "$dest" ]; then
    old=$dest.lock2nix-old.$$.$RANDOM
    mv -T "$dest" "$old" 2>/dev/null || old=
  fi
  # Fails only when another shell has just put its own in place.
  mv -T "$new" "$dest" 2>/dev/null || rm -rf "$new"
  if [ -n "$old" ]; then rm -rf "$old"; fi
}
lock2nix_node_modules() {
  local mode=$1 tree=$2 dest
  shift 2
  if [ ! -f package.json ]; then
    echo "lock2nix: no package.json in $PWD; enter the shell in the project's folder to get node_modules" >&2
    return 0
  fi
  for dest in "$@"; do
    if [ "$dest" = node_modules ] || [ -d "${dest%/node_modules}" ]; then
      lock2nix_place "$mode" "$tree" "$dest"
    fi
  done
  case ":$PATH:" in
    *":$PWD/node_modules/.bin:"*) ;;
    *) export PATH="$PWD/node_modules/.bin:$PATH" ;;
  esac
}
