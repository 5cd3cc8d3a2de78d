# The yarn builders' entry: reads the data file lock2nix yarn wrote and
# hands its data to builders.nix. code holds lock2nix's parts (the
# repository's files, or their copies in a --standalone file):
#   { sources, schema, node, yarn: functions (../sources.nix,
#     ../schema.nix, ../node/modules.nix, builders.nix);
#     text: { modules, devShell, yarnServer, yarnGit }: ../node/modules.js,
#     ../node/devshell.sh, server.js, git.sh }
# The result is a function in callPackage style: pkgs.callPackage
# (import ./entry.nix code) { data = import ./yarn-lock.nix; src = ./.; }.
# It takes yarn (yarn 1, for classic locks) or yarn-berry (berry locks)
# from nixpkgs.
code:
{
  data,
  stdenv,
  fetchurl,
  nodejs,
  yarn ? null,
  yarn-berry ? null,
  src ? null,
  overrides ? { },
  installScripts ? true,
  fetchGit ? builtins.fetchGit,
  fetchurlUnpinned ? builtins.fetchurl,
  ...
}:
let
  # The schemas these builders read (../schema.nix refuses others).
  checked = code.schema {
    format = "yarn";
    schemas = [ 1 ];
  } data;
  fetch = code.sources { inherit fetchurl fetchGit fetchurlUnpinned; };
  berry = checked.lockFormat == "berry";
  yarnPackage = if berry then yarn-berry else yarn;
  # The node_modules layer every npm-style format shares: here the host's
  # platform rule (berry's conditions) and the dev shell's hook; yarn
  # itself lays the tree out.
  node = code.node {
    inherit stdenv nodejs;
    python3 = null;
    cctools = null;
    scripts = {
      modules = builtins.toFile "lock2nix-modules.js" code.text.modules;
      devShell = code.text.devShell;
    };
  };
in
if yarnPackage == null then
  throw "lock2nix: this ${checked.lockFormat} yarn.lock needs ${
    if berry then "yarn-berry" else "yarn"
  } from nixpkgs (pass it as an argument)"
else
  code.yarn {
    inherit
      stdenv
      nodejs
      src
      overrides
      installScripts
      node
      ;
    yarn = yarnPackage;
    format = checked.lockFormat;
    serverScript = builtins.toFile "lock2nix-yarn-registry.js" code.text.yarnServer;
    gitScript = builtins.toFile "lock2nix-yarn-git.sh" code.text.yarnGit;
    sources = builtins.mapAttrs (_: fetch) checked.sources;
    records = builtins.fromJSON checked.packages;
    inherit (checked) root;
  }
