# shellcheck shell=bash
# The shell functions lock2nix's compiled build scripts call. Each block
# starts with a "lock2nix helper: NAME" line; a package's derivation holds
# the blocks its scripts use (and those these use), so that changing one
# helper rebuilds only the packages that call it. Messages name the
# package ($OPAM_PACKAGE_NAME.$OPAM_PACKAGE_VERSION, exported by the
# builders), the action (ACTION arguments: file:line:col and the action's
# name) and the variable.

# lock2nix helper: dune_fail
# dune_fail MESSAGE: stops the build with MESSAGE, even from inside a
# command substitution, whose failure bash would otherwise ignore in a
# test: the builder's shell ($$, whatever the subshell) gets SIGUSR1 and
# exits 1 once the command running ends.
trap 'exit 1' USR1
dune_fail() {
  echo "lock2nix: $OPAM_PACKAGE_NAME.$OPAM_PACKAGE_VERSION: $1" >&2
  kill -s USR1 $$
  exit 1
}

# lock2nix helper: dune_config
# dune_config PACKAGE VARIABLE DIR prints VARIABLE's value in the opam
# .config file DIR/PACKAGE.config (a "name: value" line of its variables
# section; a quoted string is unquoted); status 2 when the file does not
# exist, 1 when it has no such variable.
dune_config() {
  local line v
  [ -f "$3/$1.config" ] || return 2
  while IFS= read -r line || [ -n "$line" ]; do
    if [[ $line =~ ^[[:space:]]*([A-Za-z0-9_+-]+)[[:space:]]*:[[:space:]]*(.*[^[:space:]])[[:space:]]*$ ]] && [ "${BASH_REMATCH[1]}" = "$2" ]; then
      v=${BASH_REMATCH[2]}
      if [[ $v == \"*\" ]]; then
        v=${v:1:${#v}-2}
        v=${v//\\\"/\"}
        v=${v//\\\\/\\}
      fi
      printf %s "$v"
      return 0
    fi
  done <"$3/$1.config"
  return 1
}

# lock2nix helper: dune_var
# dune_var PACKAGE VARIABLE DIR ACTION prints %{pkg:PACKAGE:VARIABLE} from
# PACKAGE's .config file in DIR, or stops the build: dune fails on an
# undefined variable.
dune_var() {
  local status=0
  dune_config "$1" "$2" "$3" || status=$?
  case $status in
    0) ;;
    2) dune_fail "$4: %{pkg:$1:$2} is undefined: $1 installed no $1.config ($3/$1.config does not exist)" ;;
    *) dune_fail "$4: %{pkg:$1:$2} is undefined: $3/$1.config has no variable $2" ;;
  esac
}

# lock2nix helper: dune_undefined
# dune_undefined VARIABLE ACTION stops the build: the action uses a
# variable that is undefined for this package.
dune_undefined() {
  dune_fail "$2: %{$1} is undefined"
}

# lock2nix helper: dune_opam_var
# dune_opam_self NAME VERSION DEV and dune_opam_dep NAME VERSION DEV ROOT
# record, before a substitute, the packages whose variables it reads: the
# package itself, then each package of its dependency closure on this
# platform, with its output ROOT (lock2nix's compiler writes these lines
# from the lock's data). dune_opam_var VARIABLE (dune's name of the
# variable, as dune_substitute asks) prints the value the package's
# actions get for it, as lock2nix's compiler decides those
# (TestOpamVarContract ties the two), a package's other variables read
# from its .config file at build time; status 1 for a variable undefined
# here.
dune_opam_self() {
  dune_opam_pkgs=("$1" "$2" "$3" "$out")
}
dune_opam_dep() {
  dune_opam_pkgs+=("$1" "$2" "$3" "$4")
}
# shellcheck disable=SC2154 # dune_build and dune_os…: the builders' variables
dune_opam_var() {
  local v=$1 pkg var i root
  case $v in
    prefix) printf %s "$out" ;;
    build) printf %s "$dune_build" ;;
    jobs) printf %s "$NIX_BUILD_CORES" ;;
    make) printf make ;;
    switch) printf dune ;;
    user | group) printf nixbld ;;
    os) printf %s "$dune_os" ;;
    arch) printf %s "$dune_arch" ;;
    os_family) printf %s "$dune_os_family" ;;
    os_distribution) printf %s "$dune_os_distribution" ;;
    os_version) printf %s "${dune_os_version-}" ;;
    sys_ocaml_version) printf %s "${dune_sys_ocaml_version-}" ;;
    lib | libexec) printf %s "$out/lib" ;;
    bin | sbin | share | etc | doc | man) printf %s "$out/$v" ;;
    toplevel) printf %s "$out/lib/toplevel" ;;
    stublibs) printf %s "$out/lib/stublibs" ;;
    pkg-self:* | pkg:*:*)
      if [[ $v == pkg-self:* ]]; then
        pkg=${dune_opam_pkgs[0]} var=${v#pkg-self:}
      else
        var=${v#pkg:}
        pkg=${var%%:*} var=${var#*:}
      fi
      for ((i = 0; i < ${#dune_opam_pkgs[@]}; i += 4)); do
        [ "${dune_opam_pkgs[i]}" = "$pkg" ] && break
      done
      if [ "$i" -ge "${#dune_opam_pkgs[@]}" ]; then
        # Not in the closure: only installed is defined, and false.
        [[ $v == pkg:*:installed ]] && printf false && return 0
        return 1
      fi
      root=${dune_opam_pkgs[i + 3]}
      case $var in
        name) printf %s "$pkg" ;;
        version) printf %s "${dune_opam_pkgs[i + 1]}" ;;
        dev) printf %s "${dune_opam_pkgs[i + 2]}" ;;
        installed) printf true ;;
        enable) printf enable ;;
        pinned) printf false ;;
        lib | libexec) printf %s "$root/lib/$pkg" ;;
        share | etc | doc) printf %s "$root/$var/$pkg" ;;
        bin | sbin | man) printf %s "$root/$var" ;;
        toplevel) printf %s "$root/lib/toplevel" ;;
        stublibs) printf %s "$root/lib/stublibs" ;;
        *)
          if [ "$i" = 0 ]; then
            dune_config "$pkg" "$var" "$dune_build"
          else
            dune_config "$pkg" "$var" "$root/nix-support"
          fi
          ;;
      esac
      ;;
    *) return 1 ;;
  esac
}

# lock2nix helper: dune_substitute
# dune_substitute IN OUT ACTION writes IN to OUT with opam's variables
# expanded as dune's substitute does (opam's OpamFilter.expand_string, line
# by line): "%%" is "%"; "%{VAR}%" is a variable, "%{PKG:VAR}%" a
# package's, "%{_:VAR}%" this package's, "%{P1+P2:VAR}%" true when it is
# true for all; "%{...:VAR?A:B}%" is A when the variable is true, else B;
# "%{PKG:enable}%" is "enable" or "disable"; an undefined variable is ""
# (with a note on standard error); an unclosed "%{" stays as it is. The
# values come from dune_opam_var VARIABLE (dune's name of the variable),
# over the packages the compiled script names with dune_opam_self and
# dune_opam_dep.
dune_substitute() {
  local line
  [ -f "$1" ] || dune_fail "$3: the file to substitute, $1, does not exist"
  {
    while IFS= read -r line || [ -n "$line" ]; do
      dune_subst_line "${line%$'\r'}" "$3"
      printf '%s\n' "$dune_subst_out"
    done <"$1"
  } >"$2" || dune_fail "$3: cannot write $2"
}

# dune_subst_line LINE ACTION sets dune_subst_out to LINE expanded.
dune_subst_line() {
  local s=$1 o='' pre i n closed
  while :; do
    pre=${s%%%*}
    if [ "$pre" = "$s" ]; then
      o+=$s
      break
    fi
    o+=$pre
    s=${s:${#pre}}
    if [[ $s == %%* ]]; then
      o+=%
      s=${s:2}
      continue
    fi
    if [[ $s != %\{* ]]; then
      o+=%
      s=${s:1}
      continue
    fi
    # The name runs to the first "}%"; a "}" followed by anything else
    # takes that character along, as opam's pattern does.
    i=2 n=${#s} closed=''
    while [ "$i" -lt "$n" ]; do
      if [ "${s:i:1}" = '}' ]; then
        if [ "${s:i+1:1}" = % ]; then
          closed=1
          break
        fi
        i=$((i + 2))
      else
        i=$((i + 1))
      fi
    done
    if [ -z "$closed" ]; then
      o+=$s
      break
    fi
    dune_subst_ident "${s:2:i-2}" "$2"
    o+=$dune_subst_value
    s=${s:i+2}
  done
  dune_subst_out=$o
}

# dune_subst_ident IDENT ACTION sets dune_subst_value to the value of
# opam's variable expression IDENT ("pkgs:var?then:else").
dune_subst_ident() {
  local s=$1 pkgs='' var conv='' then_='' else_='' p v b acc=true
  local -a names=()
  if [[ $s != *:* ]]; then
    var=$s
  else
    p=${s%:*}
    var=${s##*:}
    if [[ $p == *\?* ]]; then
      conv=1 then_=${p##*\?} else_=$var
      p=${p%\?*}
      if [[ $p == *:* ]]; then
        pkgs=${p%:*} var=${p##*:}
      else
        var=$p
      fi
    else
      pkgs=$p
    fi
  fi
  # opam drops the empty names of "a++b" or ":var".
  IFS=+ read -r -a names <<<"$pkgs"
  for p in "${!names[@]}"; do
    [ -n "${names[p]}" ] || unset 'names[p]'
  done
  names=("${names[@]}")
  if [ "${#names[@]}" -gt 0 ] && [ "$var" = enable ] && [ -z "$conv" ]; then
    var=installed conv=1 then_=enable else_=disable
  fi
  if [ "${#names[@]}" -le 1 ]; then
    if [ "${#names[@]}" = 0 ]; then
      case $var in
        name | version) v=pkg-self:$var ;;
        os-version | os-distribution | os-family | sys-ocaml-version) v=${var//-/_} ;;
        *) v=$var ;;
      esac
    elif [ "${names[0]}" = _ ]; then
      v=pkg-self:$var
    else
      v=pkg:${names[0]}:$var
    fi
    if b=$(dune_opam_var "$v"); then
      acc=$b
    else
      acc=''
      [ -n "$conv" ] || echo "lock2nix: $OPAM_PACKAGE_NAME.$OPAM_PACKAGE_VERSION: $2: %{$1}% is undefined; it is replaced by \"\", as dune does" >&2
    fi
    if [ -n "$conv" ]; then
      if [ "$acc" = true ]; then acc=$then_; else acc=$else_; fi
    fi
    dune_subst_value=$acc
    return
  fi
  # Several packages: the first false decides; otherwise the last one's
  # value, when it is true or false.
  for p in "${names[@]}"; do
    if [ "$p" = _ ]; then v=pkg-self:$var; else v=pkg:$p:$var; fi
    b=$(dune_opam_var "$v") || b=''
    case $b in
      false)
        acc=false
        break
        ;;
      true) acc=true ;;
      *) acc='' ;;
    esac
  done
  if [ -n "$conv" ]; then
    if [ "$acc" = true ]; then acc=$then_; else acc=$else_; fi
  fi
  dune_subst_value=$acc
}
