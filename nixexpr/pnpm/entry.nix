# The pnpm builders' entry: reads the data file lock2nix pnpm wrote and
# hands its data to builders.nix. code holds lock2nix's parts (the
# repository's files, or their copies in a --standalone file):
#   { sources, local, schema, node, pnpm: functions (../sources.nix, ../local.nix, ../schema.nix,
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
  # The schemas these builders read (../schema.nix refuses others).
  checked = code.schema {
    format = "pnpm";
    schemas = [ 1 ];
  } data;
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
