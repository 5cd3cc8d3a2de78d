# lock2nix's node_modules layer in Nix: what any npm-style format (npm,
# pnpm, yarn) needs to build a node_modules tree, whatever decides where
# packages go. A format's builders call it with nixpkgs' parts and
# lock2nix's scripts; it needs only stdenv.mkDerivation, stdenv.hostPlatform
# and nodejs (with python3 and cctools when there), and builtins.
{
  stdenv,
  nodejs,
  python3,
  cctools,
  # Store paths of the programs: modules (modules.js, this layer's), and
  # the text of devshell.sh.
  scripts,
}:
let
  inherit (builtins)
    all
    any
    attrNames
    concatLists
    concatStringsSep
    elem
    filter
    foldl'
    mapAttrs
    removeAttrs
    toJSON
    ;
  host = stdenv.hostPlatform;
  hasPrefix = pre: s: builtins.substring 0 (builtins.stringLength pre) s == pre;

  # npm's names for operating systems, CPUs and C libraries (Node's
  # process.platform and process.arch), as predicates on the platform the
  # packages are built for. pnpm and yarn use the same names.
  platforms = {
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
  # This host's names in each list; the layout programs get them as data.
  hostNames = mapAttrs (_: table: filter (n: table.${n}) (attrNames table)) platforms;

  # npm's rule for one list, as modules.js's allows: some listed name is
  # one of names (or none is listed, or only "any"), and no "!name" is.
  # A host with no name in the field (libc off Linux) is refused by any
  # list, as npm refuses a libc list where it finds no C library.
  allows =
    names: list:
    let
      neg = filter (hasPrefix "!") list;
      pos = filter (x: !hasPrefix "!" x) list;
    in
    list == [ ]
    || names != [ ]
      && (
        list == [ "any" ]
        || (pos == [ ] || any (x: elem x names) pos) && all (x: !elem (builtins.substring 1 (-1) x) names) neg
      );
  # Whether a package with os, cpu and libc lists installs on this host.
  supports =
    p:
    allows hostNames.os (p.os or [ ]) && allows hostNames.cpu (p.cpu or [ ]) && allows hostNames.libc (p.libc or [ ]);

  # What node-gyp needs beyond make and a C++ compiler, put on PATH of
  # every step that runs install scripts, as buildNpmPackage does: the
  # python nixpkgs builds node with (nodejs.python), else python3; on
  # Darwin, cctools (libtool).
  python = nodejs.python or python3;
  gypTools =
    filter (x: x != null) [ python ] ++ (if host.isDarwin && cctools != null then [ cctools ] else [ ]);

  # The folder dir of a package's git checkout src (a record's gitDir:
  # npm's "#COMMIT::path:DIR", pnpm's "path:"), checked name by name
  # against the checkout's files: each must be a folder, and none a
  # symbolic link, whose target (absolute, or up through "..") could lie
  # outside the checkout; lock2nix refused ".", ".." and empty names when
  # it wrote the file. id names the package in the message.
  gitFolder =
    id: src: dir:
    let
      step =
        at: name:
        let
          type = if elem name [ "" "." ".." ] then "not a name" else (builtins.readDir at).${name} or "missing";
          is =
            {
              regular = "a file";
              symlink = "a symbolic link (not followed: it could lead out of the checkout)";
              missing = "missing";
              "not a name" = "not a folder's name";
            }
            .${type} or type;
        in
        if type == "directory" then
          "${at}/${name}"
        else
          throw "lock2nix: ${id} is the folder \"${dir}\" of its git checkout, but there \"${name}\" is ${is}";
    in
    foldl' step "${src}" (filter builtins.isString (builtins.split "/" dir));

  # A package's files as a derivation: src (an archive, a folder, or a git
  # checkout when git) unpacked as npm does, patches applied, bins made
  # executable with their shebangs pointing at this nodejs.
  unpack =
    {
      pname,
      version,
      src,
      git ? false,
      patches ? [ ],
    }:
    stdenv.mkDerivation {
      inherit
        pname
        version
        src
        patches
        ;
      nativeBuildInputs = [ nodejs ];
      dontConfigure = true;
      dontBuild = true;
      dontFixup = true;
      # The files as published: nixpkgs' stdenv would otherwise replace
      # a package's config.sub and config.guess (dontConfigure does not
      # stop that hook).
      dontUpdateAutotoolsGnuConfigScripts = true;
      unpackPhase = ''
        runHook preUnpack
        node ${scripts.modules} unpack "$src" package ${if git then "git" else ""}
        cd package
        runHook postUnpack
      '';
      installPhase = ''
        runHook preInstall
        mkdir -p "$out"
        cp -R . "$out"
        node ${scripts.modules} bins "$out" ${nodejs}/bin/node
        runHook postInstall
      '';
    };

  # A derivation that runs a layout program (npm's layout.js, say) in mode
  # with plan (JSON, passed as a file) and nodejs's folder: the program
  # writes $out. env, nativeBuildInputs and buildInputs come from the
  # packages' overrides.
  runLayout =
    {
      name,
      program,
      mode,
      plan,
      env ? { },
      nativeBuildInputs ? [ ],
      buildInputs ? [ ],
      # Shell lines run first, before anything is laid out.
      check ? "",
    }:
    stdenv.mkDerivation (
      env
      // {
        inherit name buildInputs;
        dontUnpack = true;
        dontConfigure = true;
        dontFixup = true;
        dontUpdateAutotoolsGnuConfigScripts = true;
        # An override's inputs come before node-gyp's tools: the first
        # on PATH wins, so overrides do.
        nativeBuildInputs = [ nodejs ] ++ nativeBuildInputs ++ gypTools;
        passAsFile = [ "plan" ];
        plan = toJSON (plan // { host = hostNames; });
        buildPhase = check + ''
          runHook preBuild
          node ${program} ${mode} "$out" "$planPath" ${nodejs}
          runHook postBuild
        '';
        installPhase = "true";
      }
    );

  # Builds a project: copies src, puts the node_modules tree modules in
  # place, runs the package.json script `script` offline (and with doCheck
  # `checkScript` in the check phase) and installs the result under
  # $out/lib/node_modules/<name>, with its bins in $out/bin.
  buildPackage =
    {
      src,
      script ? "build",
      checkScript ? "test",
      pname,
      version,
      modules,
      ...
    }@args:
    stdenv.mkDerivation (
      removeAttrs args [
        "script"
        "checkScript"
        "modules"
      ]
      // {
        inherit pname version src;
        # As buildNpmPackage: stripping a node_modules tree takes long and
        # gains little. An argument turns it back on.
        dontStrip = args.dontStrip or true;
        # The project's files as npm run build sees them: nixpkgs' stdenv
        # would replace its config.sub and config.guess.
        dontUpdateAutotoolsGnuConfigScripts = args.dontUpdateAutotoolsGnuConfigScripts or true;
        nativeBuildInputs = [ nodejs ] ++ (args.nativeBuildInputs or [ ]);
        configurePhase = ''
          runHook preConfigure
          # Modes kept (bins, native binaries and scripts stay
          # executable), and writable as npm's own tree: builds write there
          # (caches such as node_modules/.cache).
          cp -R ${modules}/. .
          chmod -R u+w .
          export PATH="$PWD/node_modules/.bin:$PATH"
          runHook postConfigure
        '';
        buildPhase = ''
          runHook preBuild
          ${runScript script}
          runHook postBuild
        '';
        # With doCheck, the package.json script checkScript ("test").
        checkPhase =
          args.checkPhase or ''
            runHook preCheck
            ${runScript checkScript}
            runHook postCheck
          '';
        installPhase = ''
          runHook preInstall
          name=$(node ${scripts.modules} name .)
          dest="$out/lib/node_modules/$name"
          mkdir -p "$dest"
          cp -R . "$dest"
          node ${scripts.modules} package "$dest" "$out/bin" ${nodejs}/bin/node
          runHook postInstall
        '';
      }
    );
  # Runs the project's package.json script name, if it has one, as
  # `npm run name` does: with npm when nodejs has it (the pre and post
  # scripts, npm's environment; scripts that call npm find it), else each
  # of prename, name and postname with sh. Offline, with npm's cache and
  # logs in the build's own folder.
  runScript = name: ''
    if [ -n "$(node ${scripts.modules} script . ${shellQuote name})" ]; then
      export npm_config_cache="$TMPDIR/.npm" npm_config_offline=true npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
      if command -v npm >/dev/null; then
        npm run ${shellQuote name}
      else
        for event in ${shellQuote "pre${name}"} ${shellQuote name} ${shellQuote "post${name}"}; do
          cmd=$(node ${scripts.modules} script . "$event")
          if [ -n "$cmd" ]; then npm_lifecycle_event=$event sh -c "$cmd"; fi
        done
      fi
    fi
  '';
  shellQuote = s: "'" + builtins.replaceStrings [ "'" ] [ "'\\''" ] s + "'";

  # Whether the project's files can be read at evaluation: src is a path,
  # or a string of store sources only (a flake's self). A derivation's
  # output (src = fetchFromGitHub { … }) is not: reading it would build it
  # (import from derivation, which nixpkgs and Hydra forbid), so a format
  # that checks the project's files checks them in the build instead.
  readable =
    src:
    src == null
    || builtins.isPath src
    || builtins.all (c: !(c ? outputs || c ? allOutputs)) (builtins.attrValues (builtins.getContext (toString src)));

  # Development shells: pkgs.mkShell (devShell { … }) puts the tree
  # modules at ./node_modules and at each of folders (workspaces'
  # node_modules) when the shell starts, and node_modules/.bin on PATH;
  # devshell.sh says how.
  devShell =
    {
      modules,
      folders ? [ "node_modules" ],
      writable ? false,
    }:
    {
      packages = [ nodejs ];
      shellHook = ''
        ${scripts.devShell}
        lock2nix_node_modules ${if writable then "copy" else "link"} ${shellQuote "${modules}"} ${concatStringsSep " " (map shellQuote folders)}
        unset -f lock2nix_ours lock2nix_links lock2nix_place lock2nix_node_modules
      '';
    };
in
{
  inherit
    platforms
    hostNames
    allows
    supports
    gypTools
    gitFolder
    unpack
    runLayout
    buildPackage
    devShell
    shellQuote
    readable
    ;
}
