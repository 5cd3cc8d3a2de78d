# lock2nix.lib.repo: every project of a repository whose files
# `lock2nix generate` wrote, as the packages, dev shells, checks and the app
# a flake exposes. See docs/generate.md.
#
#   repo = lock2nix.lib.repo { inherit pkgs; src = ./.; };
#   packages.${system} = repo.packages;    # web, web-node-modules, ocaml, ocaml-<package>, …
#   devShells.${system} = repo.devShells;  # one per project
#   checks.${system} = repo.checks;        # lock2nix-generated, and every project's build
#   apps.${system} = repo.apps;            # codegen: lock2nix generate at the flake's folder
{ lib, lock2nix }:
{
  pkgs,
  # The repository's root (the folder `lock2nix generate` ran in): a path,
  # or a flake's self.
  src,
  # By project name: `args` for its generated file (overrides, …) and, for
  # npm, yarn and pnpm, `build` for its buildPackage (script, …).
  settings ? { },
  # Project names to leave out.
  exclude ? [ ],
  lock2nixPackage ? lock2nix pkgs.stdenv.hostPlatform.system,
}:
let
  root = if builtins.isAttrs src then src.outPath else src;
  inherit (builtins)
    attrNames
    attrValues
    concatLists
    concatMap
    concatStringsSep
    elem
    filter
    length
    listToAttrs
    readDir
    replaceStrings
    ;

  # A node_modules format's entry (npm, yarn, pnpm expose alike): its
  # builders (lib.<format>) over the file output, the project built with
  # its build script, its tree, and a dev shell.
  nodeModulesFormat = output: builders: {
    inherit output;
    expose =
      { name, file, src, args, build }:
      let
        nix = builders ({ inherit pkgs file src; } // args);
      in
      {
        inherit nix;
        main = nix.buildPackage build;
        packages = {
          ${name} = nix.buildPackage build;
          "${name}-node-modules" = nix.nodeModules;
        };
        devShell = pkgs.mkShell (nix.devShell { });
      };
  };

  # One entry a format: the file `lock2nix generate` writes for a project,
  # and what a project of it exposes. cmd/lock2nix lists the same formats
  # (TestRepoFormats keeps both in step).
  formats = {
    npm = nodeModulesFormat "package-lock.nix" lib.npm;
    yarn = nodeModulesFormat "yarn-lock.nix" lib.yarn;
    pnpm = nodeModulesFormat "pnpm-lock.nix" lib.pnpm;
    dune = {
      output = "dune-lock.nix";
      expose =
        { name, file, src, args, ... }:
        let
          nix = lib.dune ({ inherit pkgs file src; } // args);
          locked = nix.packagesByName;
        in
        {
          inherit nix;
          main = nix.project;
          packages = {
            ${name} = nix.project;
          }
          // listToAttrs (
            map (p: {
              name = "${name}-${p}";
              value = locked.${p};
            }) (attrNames locked)
          );
          devShell = pkgs.mkShell {
            packages = [ pkgs.dune_3 ] ++ attrValues locked;
            shellHook = ''
              export OCAMLPATH=${concatStringsSep ":" (map (d: "${d}/lib") (attrValues locked))}''${OCAMLPATH:+:$OCAMLPATH}
            '';
          };
        };
    };
  };

  # Folders never walked, as lock2nix generate skips them.
  skipped = [
    ".git"
    "node_modules"
    "_build"
    "_opam"
  ];

  # Every generated file below the root: { dir = "web"; format = "npm"; }, dir
  # "." for the root; folders by name, depth first.
  found =
    let
      walk =
        dir:
        let
          entries = readDir (if dir == "." then root else root + "/${dir}");
          here = filter (f: entries.${formats.${f}.output} or "" == "regular") (attrNames formats);
          sub = filter (n: entries.${n} == "directory" && !elem n skipped) (attrNames entries);
        in
        map (format: { inherit dir format; }) here
        ++ concatMap (n: walk (if dir == "." then n else "${dir}/${n}")) sub;
    in
    walk ".";

  # A project's name: its folder with "-" for "/" ("root" for the root),
  # and its format after it when the folder holds more than one.
  nameOf =
    p:
    let
      base = if p.dir == "." then "root" else replaceStrings [ "/" ] [ "-" ] p.dir;
      several = length (filter (q: q.dir == p.dir) found) > 1;
    in
    if several then "${base}-${p.format}" else base;

  # Names are made from folders, so two folders can get the same one
  # (a/b and a-b; a folder named root): each must be one project's alone.
  folderOf = dir: if dir == "." then "the root" else dir;
  unique =
    what: es:
    let
      clashes = filter (g: length g > 1) (attrValues (builtins.groupBy (e: e.name) es));
      c = builtins.head clashes;
      a = builtins.elemAt c 0;
      b = builtins.elemAt c 1;
    in
    if clashes == [ ] then
      es
    else
      throw "lock2nix: ${what} ${a.name} comes from both ${folderOf a.dir} and ${folderOf b.dir}; rename one of the folders, or leave one out with exclude";

  projects = listToAttrs (
    unique "the project name" (
      filter (e: !elem e.name exclude) (
        map (
          p:
          let
            name = nameOf p;
            dir = if p.dir == "." then root else root + "/${p.dir}";
            s = settings.${name} or { };
          in
          {
            inherit name;
            inherit (p) dir;
            value =
              {
                inherit (p) dir format;
                file = dir + "/${formats.${p.format}.output}";
              }
              // formats.${p.format}.expose {
                inherit name;
                file = dir + "/${formats.${p.format}.output}";
                src = dir;
                args = s.args or { };
                build = s.build or { };
              };
          }
        ) found
      )
    )
  );

  each = f: concatLists (map (name: f name projects.${name}) (attrNames projects));
  merge = sets: builtins.foldl' (a: b: a // b) { } sets;

  # Fails when a generated file is stale, or a lockfile has none: what
  # `lock2nix generate --check` says, offline.
  generated = pkgs.runCommand "lock2nix-generated" { nativeBuildInputs = [ lock2nixPackage ]; } ''
    cd ${root}
    lock2nix generate --check --quiet
    touch $out
  '';

  # `nix run .#codegen`: lock2nix generate in the nearest folder up from
  # the current one that holds flake.nix (the current one if none does);
  # its arguments go to lock2nix generate (--check, --prefetch, …).
  codegen = pkgs.writeShellScriptBin "lock2nix-codegen" ''
    dir=$PWD
    while [ "$dir" != / ] && [ ! -e "$dir/flake.nix" ]; do dir=$(dirname "$dir"); done
    [ -e "$dir/flake.nix" ] || dir=$PWD
    cd "$dir" || exit
    exec ${lock2nixPackage}/bin/lock2nix generate "$@"
  '';
in
{
  inherit projects;
  # The file each format's projects get, by format (a test compares it
  # with cmd/lock2nix's formats).
  outputs = builtins.mapAttrs (_: f: f.output) formats;
  packages =
    let
      all = each (name: p: map (n: { name = n; dir = folders.${name}; }) (attrNames p.packages));
      folders = listToAttrs (map (p: { name = nameOf p; value = p.dir; }) found);
    in
    builtins.seq (unique "the package" all) (merge (each (_: p: [ p.packages ])));
  devShells = listToAttrs (each (name: p: [ { inherit name; value = p.devShell; } ]));
  checks = {
    lock2nix-generated = generated;
  }
  // listToAttrs (each (name: p: [ { inherit name; value = p.main; } ]));
  apps.codegen = {
    type = "app";
    program = "${codegen}/bin/lock2nix-codegen";
  };
}
