# lock2nix's pnpm builders: entry.nix calls them with a data file's
# contents (the fetched sources and the lock as JSON). They lay
# node_modules out as pnpm does with layout.js, on the node_modules layer
# every npm-style format shares (../node/modules.nix: the layout
# derivation, buildPackage, the dev shell hook).
{
  stdenv,
  nodejs,
  node,
  src,
  overrides,
  installScripts,
  layoutScript,
  sources,
  lock,
  # Resolves a path of the project (file: folders, patches); given only
  # when the lock has them.
  local ? null,
  # The command that writes the data file again.
  regenerate,
}:
let
  inherit (builtins)
    attrNames
    concatLists
    filter
    foldl'
    listToAttrs
    mapAttrs
    removeAttrs
    ;
  root = lock.root;

  # Each package's files: its fetcher's result (a folder of it for a
  # gitDir), or the project's folder or archive at path.
  packages = mapAttrs (
    id: p:
    p
    // {
      # A git source's gitDir is the folder of the checkout that is the
      # package (pnpm's "path:").
      src =
        if p ? path then
          localCopy p.path
        else if p ? gitDir then
          node.gitFolder id sources.${p.src} p.gitDir
        else
          sources.${p.src};
    }
  ) lock.packages;

  # A path of the project in the store, under a name the store accepts
  # ("cac@6.7.14.patch" would not be), without the node_modules and .git
  # folders a developer may have in it.
  localCopy =
    path:
    builtins.path {
      path = local path;
      name = "local-" + builtins.replaceStrings [ "@" "/" ] [ "-" "-" ] (baseNameOf path);
      filter = p: type: !(type == "directory" && builtins.elem (baseNameOf p) [ "node_modules" ".git" ]);
    };

  # A snapshot's patch file, from the project: lock2nix checked it against
  # pnpm-lock.yaml's hash at generation and recorded its sha256, which the
  # project's file must still have, or the build would apply a patch
  # nothing checked. Compared when the tree is evaluated when src can be
  # read there: a path, or a string of store sources only (a flake's
  # self). A derivation's output (src = fetchFromGitHub { … }) is compared
  # in the build, before the layout applies it (patchCheck): reading it at
  # evaluation would build it (import from derivation, which nixpkgs and
  # Hydra forbid).
  readable = node.readable src;
  patchChanged =
    patch:
    "lock2nix: src's ${patch} changed since the pnpm data file was generated (the build applies what src holds, lock2nix checked what it held then against pnpm-lock.yaml); regenerate the data file in the project with: ${regenerate}";
  patchFile =
    s:
    if !(s ? patchSha256) then
      throw "lock2nix: the pnpm data file records no hash of the patch ${s.patch} (an older lock2nix wrote it); regenerate it in the project with: ${regenerate}"
    else if !readable then
      "${local s.patch}"
    else if builtins.hashFile "sha256" (local s.patch) != s.patchSha256 then
      throw (patchChanged s.patch)
    else
      localCopy s.patch;
  # The data file's names and hashes are quoted for the shell as any
  # untrusted text.
  esc = node.shellQuote;
  patchCheck = builtins.concatStringsSep "" (
    map (
      s:
      let
        file = esc (patchFile s);
      in
      ''
        { [ -f ${file} ] && [ "$(sha256sum < ${file} | cut -d' ' -f1)" = ${esc s.patchSha256} ]; } || { echo ${esc (patchChanged s.patch)} >&2; exit 1; }
      ''
    ) (filter (s: s ? patch) (builtins.attrValues lock.snapshots))
  );

  # A package's overrides, by name and then by id (name@version).
  overrideFor = id: (overrides.${packages.${id}.name} or { }) // (overrides.${id} or { });

  # The layout program's plan: the lock with the store paths of every
  # package's files and patches, the host, and what to include.
  planFor =
    {
      importers,
      dev,
      scripts,
    }:
    {
      inherit importers scripts;
      include = {
        inherit dev;
        optional = true;
      };
      snapshots = mapAttrs (
        _: s: s // (if s ? patch then { patch = "${patchFile s}"; } else { })
      ) lock.snapshots;
      packages = mapAttrs (_: p: {
        inherit (p) name version kind;
        src = "${p.src}";
        os = p.os or [ ];
        cpu = p.cpu or [ ];
        libc = p.libc or [ ];
        hasBin = p.hasBin or false;
        build = p.build or false;
      }) packages;
      settings = lock.settings;
      allowBuild = lock.settings.allowBuild;
      denyBuild = lock.settings.denyBuild;
    };

  # A node_modules tree as pnpm lays it out for the importers given: the
  # virtual store in node_modules/.pnpm, each importer's node_modules
  # (at its path), bins, and install scripts when scripts is true.
  tree =
    {
      name,
      importers ? lock.importers,
      dev ? true,
      scripts ? installScripts,
    }:
    let
      ids = attrNames packages;
      extra = attr: concatLists (map (id: (overrideFor id).${attr} or [ ]) ids);
      env = foldl' (acc: id: acc // ((overrideFor id).env or { })) { } ids;
    in
    node.runLayout {
      inherit name env;
      check = if readable then "" else patchCheck;
      program = layoutScript;
      mode = "tree";
      nativeBuildInputs = extra "nativeBuildInputs";
      buildInputs = extra "buildInputs";
      plan = planFor {
        inherit importers dev scripts;
      };
    };

  nodeModules = tree { name = "${root.pname}-node-modules"; };
  nodeModulesProd = tree {
    name = "${root.pname}-node-modules-prod";
    dev = false;
  };

  # The importers a project links (link: dependencies on other workspace
  # projects), transitively, itself included: their node_modules are laid
  # out too, so that what they require resolves from their folders.
  linkedImporters =
    path:
    map (x: x.key) (
      builtins.genericClosure {
        startSet = [ { key = path; } ];
        operator =
          x:
          map (ref: { key = builtins.substring 5 (-1) ref; }) (
            filter (ref: builtins.substring 0 5 ref == "link:" && lock.importers ? ${builtins.substring 5 (-1) ref}) (
              builtins.attrValues lock.importers.${x.key}.deps
            )
          );
      }
    );

  # Each workspace project on its own, as pnpm install --filter
  # "<project>..." lays it out: the virtual store at the root, the
  # project's node_modules at its path, and the node_modules of the
  # projects it links; nothing of the others. With node-linker=hoisted
  # pnpm installs every project whatever the filter: the whole tree.
  hoisted = (lock.settings.nodeLinker or "isolated") == "hoisted";
  workspaces = listToAttrs (
    map (path: {
      name = lock.importers.${path}.name or path;
      value = {
        nodeModules = tree {
          name = "${lock.importers.${path}.pname}-node-modules";
          importers =
            if hoisted then
              lock.importers
            else
              listToAttrs (
                map (p: {
                  name = p;
                  value = lock.importers.${p};
                }) (linkedImporters path)
              );
        };
      };
    }) (filter (p: p != ".") (attrNames lock.importers))
  );

  # Builds the project, or with dir a workspace project of it: the
  # node_modules layer's buildPackage (src with the tree in place, one
  # package.json script run offline as npm run does, the result under
  # $out/lib/node_modules/<name>), its script run in dir.
  buildPackage =
    {
      src ? srcArg,
      dir ? ".",
      pname ? root.pname,
      version ? root.drvVersion,
      modules ? nodeModules,
      ...
    }@args:
    node.buildPackage (
      removeAttrs args [ "dir" ]
      // {
        inherit src pname version modules;
        preBuild = (if dir == "." then "" else "cd ${dir}\n") + (args.preBuild or "");
      }
    );
  srcArg = src;

  # Development shells: pkgs.mkShell (devShell { }) puts the tree at
  # ./node_modules and at each workspace project's node_modules when the
  # shell starts (links into the store, or with writable = true a copy),
  # and node_modules/.bin on PATH, with the node_modules layer's hook.
  devShell =
    {
      writable ? false,
      modules ? nodeModules,
    }:
    node.devShell {
      inherit modules writable;
      folders = [ "node_modules" ] ++ map (ws: "${ws}/node_modules") root.workspaces;
    };
in
{
  inherit
    sources
    packages
    root
    nodeModules
    nodeModulesProd
    workspaces
    buildPackage
    devShell
    ;
}
