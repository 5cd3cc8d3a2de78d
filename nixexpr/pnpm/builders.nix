# lock2nix's pnpm builders. Every generated file embeds this function and
# calls it with the lock's data: it is written once, reviewed here, and
# never generated. It needs only stdenv.mkDerivation, stdenv.hostPlatform
# and nodejs from nixpkgs, and builtins.
{
  stdenv,
  nodejs,
  python3,
  src,
  overrides,
  installScripts,
  layoutScript,
  sources,
  lock,
  # Resolves a path of the project (file: folders, patches); given only
  # when the lock has them.
  local ? null,
}:
let
  inherit (builtins)
    attrNames
    concatLists
    concatStringsSep
    filter
    foldl'
    listToAttrs
    mapAttrs
    removeAttrs
    toJSON
    ;
  root = lock.root;

  # Each package's files: its fetcher's result, or the project's folder
  # or archive at path.
  packages = mapAttrs (
    id: p:
    p
    // {
      src = if p ? path then localCopy p.path else sources.${p.src};
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

  host = stdenv.hostPlatform;
  # npm's names for operating systems, CPUs and C libraries (Node's
  # process.platform and process.arch), which pnpm's os, cpu and libc
  # fields use.
  hostNames = mapAttrs (_: table: filter (n: table.${n}) (attrNames table)) {
    os = {
      linux = host.isLinux;
      darwin = host.isDarwin;
      win32 = host.isWindows;
      freebsd = host.isFreeBSD or false;
      openbsd = host.isOpenBSD or false;
      netbsd = host.isNetBSD or false;
      android = host.isAndroid or false;
    };
    cpu = {
      x64 = host.isx86_64;
      ia32 = host.isi686 or false;
      arm64 = host.isAarch64;
      arm = host.isAarch32 or false;
      ppc64 = host.isPower64 or false;
      s390x = host.isS390x or false;
      riscv64 = host.isRiscV64 or false;
      loong64 = host.isLoongArch64 or false;
    };
    libc = {
      glibc = host.isLinux && !(host.isMusl or false);
      musl = host.isMusl or false;
    };
  };

  # node-gyp's python, as buildNpmPackage gives it.
  python = nodejs.python or python3;
  gypTools = filter (x: x != null) [ python ];

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
        _: s: s // (if s ? patch then { patch = "${localCopy s.patch}"; } else { })
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
      host = hostNames;
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
    stdenv.mkDerivation (
      env
      // {
        inherit name;
        dontUnpack = true;
        dontConfigure = true;
        dontFixup = true;
        nativeBuildInputs = [ nodejs ] ++ extra "nativeBuildInputs" ++ gypTools;
        buildInputs = extra "buildInputs";
        passAsFile = [ "plan" ];
        plan = toJSON (planFor {
          inherit importers dev scripts;
        });
        buildPhase = ''
          runHook preBuild
          export HOME="$TMPDIR"
          gyp=${nodejs}/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js
          if [ -f "$gyp" ]; then
            mkdir -p "$TMPDIR/gyp"
            printf '#!/bin/sh\nexec node %s "$@"\n' "$gyp" > "$TMPDIR/gyp/node-gyp"
            chmod +x "$TMPDIR/gyp/node-gyp"
            export LOCK2NIX_NODE_GYP="$TMPDIR/gyp"
          fi
          node ${layoutScript} tree "$out" "$planPath"
          runHook postBuild
        '';
        installPhase = "true";
      }
    );

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
  # projects it links; nothing of the others.
  workspaces = listToAttrs (
    map (path: {
      name = lock.importers.${path}.name or path;
      value = {
        nodeModules = tree {
          name = "${lock.importers.${path}.pname}-node-modules";
          importers = listToAttrs (
            map (p: {
              name = p;
              value = lock.importers.${p};
            }) (linkedImporters path)
          );
        };
      };
    }) (filter (p: p != ".") (attrNames lock.importers))
  );

  # Builds the project (or a workspace project of it): copies src, puts
  # the node_modules tree in place, runs one package.json script offline
  # in the project's folder (dir, "." for the root), and installs the
  # result under $out/lib/node_modules/<name>.
  buildPackage =
    {
      src ? srcArg,
      script ? "build",
      dir ? ".",
      pname ? root.pname,
      version ? root.drvVersion,
      modules ? nodeModules,
      ...
    }@args:
    stdenv.mkDerivation (
      removeAttrs args [
        "script"
        "modules"
        "dir"
      ]
      // {
        inherit pname version src;
        dontStrip = args.dontStrip or true;
        nativeBuildInputs = [ nodejs ] ++ (args.nativeBuildInputs or [ ]);
        configurePhase = ''
          runHook preConfigure
          cp -R --no-preserve=mode ${modules}/. .
          find . -path '*/node_modules/.bin/*' -type f -exec chmod +x {} +
          export PATH="$PWD/${dir}/node_modules/.bin:$PWD/node_modules/.bin:$PATH"
          runHook postConfigure
        '';
        buildPhase = ''
          runHook preBuild
          cd ${dir}
          cmd=$(node -e 'const s = (require("./package.json").scripts || {})[process.argv[1]]; process.stdout.write(s || "")' ${script})
          if [ -n "$cmd" ]; then
            npm_lifecycle_event=${script} sh -c "$cmd"
          fi
          runHook postBuild
        '';
        installPhase = ''
          runHook preInstall
          name=$(node -p 'require("./package.json").name')
          dest="$out/lib/node_modules/$name"
          mkdir -p "$dest"
          cp -R . "$dest"
          runHook postInstall
        '';
      }
    );
  srcArg = src;

  # Development shells: pkgs.mkShell (devShell { }) copies the tree into
  # the project (node_modules, and each workspace project's) when the
  # shell starts, and puts node_modules/.bin on PATH. The copy records the
  # tree it came from in node_modules/.lock2nix-tree and is made again only
  # when that changes; a node_modules that pnpm made is left alone.
  devShell =
    {
      modules ? nodeModules,
    }:
    let
      quote = s: "'" + builtins.replaceStrings [ "'" ] [ "'\\''" ] s + "'";
      folders = [ "node_modules" ] ++ map (ws: "${ws}/node_modules") root.workspaces;
    in
    {
      packages = [ nodejs ];
      shellHook = ''
        lock2nix_place() {
          local tree=$1 dest=$2 cur=
          [ -e "$tree/$dest" ] || return 0
          if [ -f "$dest/.lock2nix-tree" ]; then
            read -r cur <"$dest/.lock2nix-tree"
            [ "$cur" = "$tree" ] && return 0
          elif [ -e "$dest" ]; then
            echo "lock2nix: $PWD/$dest was not made by lock2nix (pnpm's?); leaving it alone" >&2
            return 0
          fi
          rm -rf "$dest.lock2nix-new" && cp -R "$tree/$dest" "$dest.lock2nix-new" && chmod -R u+w "$dest.lock2nix-new" &&
            printf '%s\n' "$tree" >"$dest.lock2nix-new/.lock2nix-tree" && rm -rf "$dest" && mv "$dest.lock2nix-new" "$dest"
        }
        if [ -f package.json ]; then
          for d in ${concatStringsSep " " (map quote folders)}; do lock2nix_place ${quote "${modules}"} "$d"; done
          export PATH="$PWD/node_modules/.bin:$PATH"
        fi
        unset -f lock2nix_place
      '';
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
