# The entry every node_modules format's builders share: checks a data
# file's schema, makes its sources fetchers, sets up the node_modules
# layer (modules.nix) and calls the format's builders.nix with them and
# the format's own data. code holds lock2nix's parts (the repository's
# files, or their copies in a --standalone file):
#   { sources, local, schema, node, nodeEntry, <format>: functions
#     (../sources.nix, ../local.nix, ../schema.nix, modules.nix, this file,
#     the format's builders.nix);
#     text: { modules, <format>, devShell }: modules.js, the format's
#     layout.js, devshell.sh }
# format: { name, schemas (those its builders read), builders, layout
# (the layout program's text), data (checked data → the builders' own
# arguments) }. The result is a function in callPackage style:
# pkgs.callPackage (code.nodeEntry code format) { data = …; src = ./.; }.
code: format:
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
  # nixpkgs' fetchzip, for GitHub archives (sources.nix).
  fetchzip ? null,
  ...
}:
let
  checked = code.schema {
    format = format.name;
    inherit (format) schemas;
  } data;
  fetch = code.sources {
    inherit
      fetchurl
      fetchGit
      fetchurlUnpinned
      fetchzip
      ;
  };
  # A layout program may require the layer beside it; in the store, each
  # is a file of its own.
  modulesJS = builtins.toFile "lock2nix-modules.js" code.text.modules;
  layoutJS = builtins.toFile "lock2nix-${format.name}.js" (
    builtins.replaceStrings [ ''require("../node/modules.js")'' ] [ ''require("${modulesJS}")'' ] format.layout
  );
  node = code.node {
    inherit stdenv nodejs python3 cctools;
    scripts = {
      modules = modulesJS;
      devShell = code.text.devShell;
    };
  };
in
format.builders (
  {
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
    local =
      if checked ? rootUp then
        code.local {
          inherit src localRoot localPaths;
          inherit (checked) rootUp;
        }
      else
        null;
  }
  // format.data checked
)
