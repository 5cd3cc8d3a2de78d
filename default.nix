# lock2nix's builders for users without flakes:
#   lock2nix = import lock2nixSrc { inherit pkgs; };
#   npm = lock2nix.npm { file = ./package-lock.nix; src = ./.; };
# The flake's lib and overlay give the same (nix/lib.nix).
{
  pkgs ? import <nixpkgs> { },
}:
let
  # lock2nix's parts, as each ecosystem's entry takes them.
  code = {
    sources = import ./nixexpr/sources.nix;
    local = import ./nixexpr/local.nix;
    schema = import ./nixexpr/schema.nix;
    node = import ./nixexpr/node/modules.nix;
    nodeEntry = import ./nixexpr/node/entry.nix;
    npm = import ./nixexpr/npm/builders.nix;
    pnpm = import ./nixexpr/pnpm/builders.nix;
    dune = import ./nixexpr/dune/builders.nix;
    text = {
      modules = builtins.readFile ./nixexpr/node/modules.js;
      npm = builtins.readFile ./nixexpr/npm/layout.js;
      pnpm = builtins.readFile ./nixexpr/pnpm/layout.js;
      devShell = builtins.readFile ./nixexpr/node/devshell.sh;
      duneHelpers = builtins.readFile ./nixexpr/dune/helpers.sh;
    };
  };
  # A file lock2nix wrote: data (the default), or a function in
  # callPackage style (--standalone, and files of lock2nix before 0.2).
  load =
    entry:
    {
      file,
      ...
    }@args:
    let
      # A path, or what importing one gave.
      data = if builtins.isFunction file || builtins.isAttrs file then file else import file;
      rest = removeAttrs args [ "file" ];
    in
    if builtins.isFunction data then
      pkgs.callPackage file rest
    else
      pkgs.callPackage (entry code) (rest // { inherit data; });
in
{
  # The derivations of a generated npm file (nodeModules, nodeModulesProd,
  # workspaces, buildPackage, devShell, …) for the project in src. Every
  # argument but file goes to the builders (src, overrides,
  # installScripts, localPaths, …).
  npm = load (import ./nixexpr/npm/entry.nix);

  # The same for a generated yarn file (it holds its builders, which run
  # yarn itself; it takes yarn or yarn-berry from pkgs).
  yarn = { file, ... }@args: pkgs.callPackage file (removeAttrs args [ "file" ]);

  # The same for a pnpm data file (pnpm-lock.nix).
  pnpm = load (import ./nixexpr/pnpm/entry.nix);

  # The packages of a dune data file (packagesByName, project, sources)
  # for the project in src; the lock's own compiler is built unless
  # compiler (a derivation) or useNixpkgsOCaml = true asks for another.
  # Every argument but file goes to the builders (src, overrides,
  # depexts, localPaths, …).
  dune = load (import ./nixexpr/dune/entry.nix);

  # lock2nix itself.
  lock2nix = pkgs.callPackage ./nix/package.nix { };
}
