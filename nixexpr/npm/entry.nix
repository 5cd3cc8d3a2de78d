# The npm builders' entry: reads the data file lock2nix npm wrote and
# hands its data to builders.nix. code holds lock2nix's parts (the
# repository's files, or their copies in a --standalone file):
#   { sources, local, schema, node, npm: functions (../sources.nix, ../local.nix, ../schema.nix,
#     ../node/modules.nix, builders.nix);
#     text: { modules, npm, devShell }: modules.js, layout.js, devshell.sh }
# The result is a function in callPackage style: pkgs.callPackage
# (import ./entry.nix code) { data = import ./package-lock.nix; src = ./.; }.
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
  # node-gyp's tools, as buildNpmPackage gives them: nodejs.python, else
  # this python3; cctools on Darwin.
  python3 ? null,
  cctools ? null,
  fetchGit ? builtins.fetchGit,
  fetchurlUnpinned ? builtins.fetchurl,
  ...
}:
let
  # The schemas these builders read (../schema.nix refuses others).
  checked = code.schema {
    format = "npm";
    schemas = [ 1 ];
  } data;
  fetch = code.sources { inherit fetchurl fetchGit fetchurlUnpinned; };
  # layout.js requires the node_modules layer beside it; in the store,
  # each is a file of its own.
  modulesJS = builtins.toFile "lock2nix-modules.js" code.text.modules;
  layoutJS = builtins.toFile "lock2nix-npm.js" (
    builtins.replaceStrings [ ''require("../node/modules.js")'' ] [ ''require("${modulesJS}")'' ] code.text.npm
  );
  node = code.node {
    inherit stdenv nodejs python3 cctools;
    scripts = {
      modules = modulesJS;
      devShell = code.text.devShell;
    };
  };
in
code.npm {
  inherit
    stdenv
    nodejs
    src
    overrides
    installScripts
    node
    ;
  layoutScript = layoutJS;
  sources = builtins.mapAttrs (_: fetch) checked.sources;
  records = builtins.fromJSON checked.records;
  inherit (checked) root;
  platformsFromManifests = checked.platformsFromManifests or false;
  local =
    if checked ? rootUp then
      code.local {
        inherit src localRoot localPaths;
        inherit (checked) rootUp;
      }
    else
      null;
}
