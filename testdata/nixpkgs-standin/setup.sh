# The stand-in stdenv's builder: runs nixpkgs' phases in order with the
# host's tools. Phases and hooks given as attributes replace the defaults,
# and dont<Phase> skips one, as in nixpkgs.
set -eo pipefail
PATH="$standinHostPath"
for i in $standinInputs; do
  [ -d "$i/bin" ] && PATH="$i/bin:$PATH"
done
export PATH
export HOME="$TMPDIR" NIX_BUILD_CORES="${NIX_BUILD_CORES:-1}"
cd "$TMPDIR"

runHook() {
  local hook="$1"
  if [ -n "${!hook:-}" ]; then eval "${!hook}"; fi
}

defaultUnpackPhase() {
  runHook preUnpack
  if [ -d "$src" ]; then
    cp -R --no-preserve=mode "$src" source
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

defaultConfigurePhase() { runHook preConfigure; runHook postConfigure; }
defaultBuildPhase() { runHook preBuild; runHook postBuild; }
defaultInstallPhase() { runHook preInstall; runHook postInstall; }
defaultFixupPhase() { runHook preFixup; runHook postFixup; }

for phase in unpack patch configure build install fixup; do
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
