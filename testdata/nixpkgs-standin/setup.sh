# The stand-in stdenv's builder: runs nixpkgs' phases in order with the
# host's tools. Phases and hooks given as attributes replace the defaults,
# and dont<Phase> skips one (doCheck runs the check phase), as in nixpkgs.
set -eo pipefail
# The inputs' bin folders, in order, before the host's tools: as in
# nixpkgs, the first input that has a program wins.
PATH=
for i in $standinInputs; do
  [ -d "$i/bin" ] && PATH="$PATH$i/bin:"
done
export PATH="$PATH$standinHostPath"
export HOME="$TMPDIR" NIX_BUILD_CORES="${NIX_BUILD_CORES:-1}"
cd "$TMPDIR"

runHook() {
  local hook="$1"
  if [ -n "${!hook:-}" ]; then eval "${!hook}"; fi
  # nixpkgs' stdenv runs its no-broken-symlinks hook among the postFixup
  # hooks: a build whose output holds a dangling or reflexive symlink
  # fails, unless dontCheckForBrokenSymlinks is set.
  if [ "$hook" = postFixup ] && [ -z "${dontCheckForBrokenSymlinks:-}" ]; then noBrokenSymlinks "$out"; fi
}

# noBrokenSymlinks DIR fails when a symlink under DIR points to itself
# (after making a relative target absolute, without following links) or
# to nothing.
noBrokenSymlinks() {
  local path target bad=0
  [ -e "$1" ] || return 0
  while IFS= read -r -d '' path; do
    target=$(readlink "$path")
    [[ $target == /* ]] || target=$(realpath --no-symlinks --canonicalize-missing "$(dirname "$path")/$target")
    if [ "$path" = "$target" ]; then
      echo "stand-in stdenv: the symlink $path is reflexive" >&2
      bad=$((bad + 1))
    elif [ ! -e "$target" ]; then
      echo "stand-in stdenv: the symlink $path points to a missing target $target" >&2
      bad=$((bad + 1))
    fi
  done < <(find "$1" -type l -print0)
  if [ "$bad" -gt 0 ]; then
    echo "stand-in stdenv: found $bad broken symlinks" >&2
    exit 1
  fi
}

defaultUnpackPhase() {
  runHook preUnpack
  if [ -d "$src" ]; then
    # As nixpkgs: modes kept, sources made writable.
    cp -R --preserve=mode "$src" source
    chmod -R u+w source
  else
    mkdir source
    tar -xf "$src" -C source --strip-components=1
  fi
  cd source
  runHook postUnpack
}

defaultPatchPhase() {
  runHook prePatch
  for p in $patches; do patch -p1 < "$p"; done
  runHook postPatch
}

# nixpkgs' stdenv runs its update-autotools-gnu-config-scripts hook as a
# phase of its own after the patch phase, dontConfigure or not: every
# config.sub and config.guess below the current folder is overwritten
# with gnu-config's, unless dontUpdateAutotoolsGnuConfigScripts is set.
# The stand-in writes files of its own instead, which tests tell apart.
updateAutotoolsGnuConfigScriptsPhase() {
  if [ -n "${dontUpdateAutotoolsGnuConfigScripts:-}" ]; then return; fi
  local script f
  for script in config.sub config.guess; do
    while IFS= read -r -d '' f; do
      echo "stand-in stdenv: overwriting $f, as nixpkgs' gnu-config hook does"
      printf '#!/bin/sh\n# lock2nix nixpkgs stand-in: %s\nexit 1\n' "$script" >"$f"
    done < <(find . -name "$script" -print0)
  done
}

defaultConfigurePhase() { runHook preConfigure; runHook postConfigure; }
defaultBuildPhase() { runHook preBuild; runHook postBuild; }
defaultCheckPhase() { runHook preCheck; runHook postCheck; }
defaultInstallPhase() { runHook preInstall; runHook postInstall; }
defaultFixupPhase() { runHook preFixup; runHook postFixup; }

for phase in unpack patch updateAutotoolsGnuConfigScripts configure build check install fixup; do
  if [ "$phase" = updateAutotoolsGnuConfigScripts ]; then
    updateAutotoolsGnuConfigScriptsPhase
    continue
  fi
  # As nixpkgs: the check phase runs only with doCheck.
  if [ "$phase" = check ] && [ -z "${doCheck:-}" ]; then continue; fi
  upper="$(tr a-z A-Z <<< "${phase:0:1}")${phase:1}"
  dont="dont$upper"
  if [ -n "${!dont:-}" ]; then continue; fi
  custom="${phase}Phase"
  if [ -n "${!custom:-}" ]; then
    eval "${!custom}"
  else
    "default${upper}Phase"
  fi
done
