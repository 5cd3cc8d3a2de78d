# The pnpm builders' entry: reads the data file lock2nix pnpm wrote and
# hands its data to builders.nix. code holds lock2nix's parts (the
# repository's files, or their copies in a --standalone file):
#   { sources, local, node, pnpm: functions (../sources.nix, ../local.nix,
#     ../node/modules.nix, builders.nix);
#     text: { modules, pnpm, devShell }: ../node/modules.js, layout.js,
#     ../node/devshell.sh }
# The result is a function in callPackage style: pkgs.callPackage
# (import ./entry.nix code) { data = import ./pnpm-lock.nix; src = ./.; }.
code:
{
  data,
  stdenv,
  fetchurl,
  nodejs,
  src ? null,
  localRoot ? null,
  localPaths ? { },
  overrides ? { },
  installScripts ? true,
  # node-gyp's python, as buildNpmPackage gives it: nodejs.python, else
  # this python3.
  python3 ? null,
  cctools ? null,
  fetchGit ? builtins.fetchGit,
  fetchurlUnpinned ? builtins.fetchurl,
  ...
}:
let
  # The schemas these builders read. A data file says which it follows;
  # one written by a newer lock2nix is refused, not misread.
  schemas = [ 1 ];
  newest = builtins.foldl' (a: b: if b > a then b else a) 0 schemas;
  checked =
    if !(builtins.isAttrs data && data ? schema) then
      throw "lock2nix: the pnpm data file is not one lock2nix wrote (no schema); regenerate it with: lock2nix pnpm"
    else if (data.format or null) != "pnpm" then
      throw "lock2nix: this is a ${toString (data.format or "unknown")} data file, not pnpm's: build it with lock2nix.lib.${toString (data.format or "…")}"
    else if !builtins.elem data.schema schemas then
      throw "lock2nix: the pnpm data file has schema ${toString data.schema}, and these builders read schema ${toString newest}${
        if builtins.isInt data.schema && data.schema > newest then
          ": update lock2nix (the flake input, overlay or source you import its builders from) to one that reads schema ${toString data.schema}"
        else
          ": regenerate the file with this lock2nix (lock2nix pnpm)"
      }"
    else
      data;
  fetch = code.sources { inherit fetchurl fetchGit fetchurlUnpinned; };
  # The node_modules layer every npm-style format shares: the layout
  # derivation, buildPackage and the dev shell hook.
  node = code.node {
    inherit stdenv nodejs python3 cctools;
    scripts = {
      modules = builtins.toFile "lock2nix-modules.js" code.text.modules;
      devShell = code.text.devShell;
    };
  };
in
code.pnpm {
  inherit
    stdenv
    nodejs
    src
    overrides
    installScripts
    node
    ;
  layoutScript = builtins.toFile "lock2nix-pnpm.js" code.text.pnpm;
  sources = builtins.mapAttrs (_: fetch) checked.sources;
  lock = builtins.fromJSON checked.lock;
  local =
    if checked ? rootUp then
      code.local {
        inherit src localRoot localPaths;
        inherit (checked) rootUp;
      }
    else
      null;
}
