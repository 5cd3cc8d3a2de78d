# lock2nix's dune builders. entry.nix calls this function with a data
# file's packages (their sources fetched or resolved), root and helpers:
# one derivation per package that runs its locked build and install
# scripts (compiled to bash by lock2nix) with its dependencies in the
# environment dune gives them, then installs the package's <name>.install
# file with opam-installer.
{
  stdenv,
  pkgs,
  opam-installer,
  dune_3,
  compiler,
  useNixpkgsOCaml,
  src,
  overrides,
  depexts,
  # The fetched sources, by name.
  sources,
  # The packages by ID, as the data file holds them but src, extra and
  # files: store paths.
  packages,
  # The project: { name; pname; compiler; }.
  root,
  # The shell functions of helpers.sh, by name: a package's derivation
  # holds those its scripts call.
  helpers ? { },
}:
let
  inherit (builtins)
    all
    any
    attrNames
    attrValues
    concatLists
    concatStringsSep
    elem
    filter
    genericClosure
    head
    listToAttrs
    map
    ;
  host = stdenv.hostPlatform;
  # The host as dune's solver sees it.
  hostEnv = {
    arch =
      if host.isx86_64 then
        "x86_64"
      else if host.isAarch64 then
        "arm64"
      else if host.isi686 or false then
        "x86_32"
      else
        "unknown";
    os =
      if host.isLinux then
        "linux"
      else if host.isDarwin then
        "macos"
      else
        "unknown";
    os_distribution = if host.isLinux then "nixos" else "homebrew";
    os_family = if host.isLinux then "nixos" else "homebrew";
  };
  matches = env: all (var: (hostEnv.${var} or null) == env.${var}) (attrNames env);
  onHost = platforms: platforms == null || any matches platforms;
  pick = branches: let ok = filter (b: onHost (b.platforms or null)) branches; in if ok == [ ] then null else head ok;

  # One package per name on this host: the version enabled here.
  byName = listToAttrs (
    map (id: {
      name = packages.${id}.name;
      value = packages.${id} // { inherit id; };
    }) (filter (id: onHost (packages.${id}.enabledOn or null)) (attrNames packages))
  );
  depNames =
    p:
    filter (n: n != "dune" && byName ? ${n}) (
      map (d: if builtins.isString d then d else d.name) (
        filter (d: builtins.isString d || onHost d.platforms && !(any matches (d.unless or [ ]))) (p.deps or [ ])
      )
    );
  # The transitive dependencies of a package, nearest first.
  closure =
    p:
    map (x: x.key) (
      genericClosure {
        startSet = map (key: { inherit key; }) (depNames p);
        operator = x: map (key: { inherit key; }) (depNames byName.${x.key});
      }
    );

  # The variable that holds a dependency's path in build scripts; lock2nix
  # names it the same way when it compiles the scripts.
  shellName = n: "dep_" + builtins.substring 0 12 (builtins.hashString "sha256" n);

  # The lock's compiler is built from its source unless the caller asks
  # for another by a name callPackage does not fill.
  givenCompiler = if compiler != null then compiler else if useNixpkgsOCaml then pkgs.ocaml else null;
  isCompiler = name: givenCompiler != null && elem name compilerPackages;
  # The packages a given compiler replaces.
  compilerPackages = [
    "ocaml"
    "ocaml-base-compiler"
    "ocaml-compiler"
    "ocaml-variants"
    "ocaml-system"
  ];

  drv = listToAttrs (
    map (name: {
      inherit name;
      value = if isCompiler name then givenCompilerWithConfig else build byName.${name};
    }) (attrNames byName)
  );

  # A given compiler with the ocaml.config file the lock's ocaml package
  # would have written (opam's gen_ocaml_config), which %{pkg:ocaml:native}
  # and friends read. preinstalled is false, as for a compiler the lock
  # builds, so that packages build the same way in both modes.
  givenCompilerWithConfig = stdenv.mkDerivation {
    pname = "ocaml-given";
    version = givenCompiler.version or "0";
    dontUnpack = true;
    nativeBuildInputs = [ givenCompiler ];
    installPhase = ''
      mkdir -p "$out/nix-support"
      for d in bin lib share man include; do
        if [ -e ${givenCompiler}/$d ]; then ln -s ${givenCompiler}/$d "$out/$d"; fi
      done
      bin=${givenCompiler}/bin
      [ -x "$bin/ocamlc" ] || { echo "lock2nix: the given compiler ${givenCompiler} has no bin/ocamlc" >&2; exit 1; }
      where=$("$bin/ocamlc" -where)
      version=$("$bin/ocamlc" -version)
      native=false; [ -x "$bin/ocamlopt" ] && native=true
      tools=false; [ -x "$bin/ocamlc.opt" ] && tools=true
      dynlink=false
      if [ -f "$where/dynlink.cmxa" ] || [ -f "$where/dynlink/dynlink.cmxa" ]; then dynlink=true; fi
      stubs=
      if [ -f "$where/ld.conf" ]; then stubs=$(paste -s -d : "$where/ld.conf"); fi
      {
        echo 'opam-version: "2.0"'
        echo 'variables {'
        echo "  native: $native"
        echo "  native-tools: $tools"
        echo "  native-dynlink: $dynlink"
        echo "  stubsdir: \"$stubs\""
        echo "  preinstalled: false"
        echo "  compiler: \"$version\""
        echo '}'
      } > "$out/nix-support/ocaml.config"
    '';
    dontFixup = true;
  };

  build =
    p:
    let
      o = (overrides.${p.name} or { }) // (overrides.${p.id} or { });
      deps = closure p;
      systemDeps = map (n: depexts.${n} or pkgs.${n} or (throw "lock2nix: ${p.id} needs the system package ${n}; pass it in depexts")) (p.depexts or [ ]);
      # A script specialised for this system when lock2nix made one.
      phase = branches: let b = pick branches; in if b == null then "" else b.scripts.${host.system} or b.script;
      buildScript = phase (p.build or [ ]);
      installScript = phase (p.install or [ ]);
      envSetup = concatStringsSep "\n" (
        map (
          n:
          let
            d = drv.${n};
          in
          ''
            export ${shellName n}=${d}
            export PATH="${d}/bin''${PATH:+:$PATH}"
            export OCAMLPATH="${d}/lib''${OCAMLPATH:+:$OCAMLPATH}"
            export CAML_LD_LIBRARY_PATH="${d}/lib/stublibs''${CAML_LD_LIBRARY_PATH:+:$CAML_LD_LIBRARY_PATH}"
            export OCAMLTOP_INCLUDE_PATH="${d}/lib/toplevel''${OCAMLTOP_INCLUDE_PATH:+:$OCAMLTOP_INCLUDE_PATH}"
          ''
          + (byName.${n}.exportedEnvs.${host.system} or byName.${n}.exportedEnv or "")
        ) (builtins.foldl' (acc: x: [ x ] ++ acc) [ ] deps)
      );
      # Only what a package's scripts use goes into its derivation, so that
      # a change to one helper rebuilds only the packages that call it (the
      # compiler, which uses none, takes ten minutes to build).
      scripts = buildScript + installScript + envSetup;
      uses = word: builtins.replaceStrings [ word ] [ "" ] scripts != scripts;
      usesDune = elem "dune" (map (d: if builtins.isString d then d else d.name) (p.deps or [ ])) || uses "'dune'";
      # The helpers the scripts call, and those these call.
      helperText =
        let
          step = text: concatStringsSep "" (map (h: if builtins.replaceStrings [ h ] [ "" ] text != text then helpers.${h} else "") (attrNames helpers));
        in
        step (scripts + step (scripts + step scripts));
      # Packages built with a compiler of the lock may try to install into
      # its library folder (findlib's topfind): that folder is read-only,
      # so they install into their own.
      afterCompiler = any (n: elem n compilerPackages) deps;
      extra = p.extra or { };
    in
    stdenv.mkDerivation (
      {
        pname = p.pname or p.name;
        version = p.drvVersion or p.version;
        src = o.src or p.src or null;
        dontUnpack = (o.src or p.src or null) == null;
        nativeBuildInputs = [
          opam-installer
        ]
        ++ (if usesDune then [ dune_3 ] else [ ])
        ++ map (n: drv.${n}) deps
        ++ systemDeps
        # stdenv unpacks tarballs; zip archives need unzip.
        ++ (if builtins.match ".*\\.zip" (toString (p.src or "")) != null then [ pkgs.unzip ] else [ ])
        ++ (o.nativeBuildInputs or [ ]);
        buildInputs = o.buildInputs or [ ];
        patches = o.patches or [ ];
        dune_os = hostEnv.os;
        dune_arch = hostEnv.arch;
        dune_os_distribution = hostEnv.os_distribution;
        dune_os_family = hostEnv.os_family;
        unpackPhase = ''
          runHook preUnpack
          mkdir source
          if [ -d "$src" ]; then
            cp -R --no-preserve=mode "$src/." source
          else
            mkdir unpacked
            case "$src" in
              *.zip) unzip -q "$src" -d unpacked ;;
              *) tar -xf "$src" -C unpacked --no-same-owner --delay-directory-restore ;;
            esac
            # dune uses the one top-level folder of an archive as the root.
            if [ "$(ls -A unpacked | wc -l)" = 1 ] && [ -d "unpacked/$(ls -A unpacked)" ]; then
              cp -R "unpacked/$(ls -A unpacked)/." source
            else
              cp -R unpacked/. source
            fi
          fi
          cd source
          runHook postUnpack
        '';
        configurePhase = ''
          runHook preConfigure
          ${if dontUnpackOf p o then "mkdir -p source && cd source" else ""}
          ${if p ? files then "cp -R --no-preserve=mode ${p.files}/. ." else ""}
          ${concatStringsSep "\n" (
            map (path: "mkdir -p \"$(dirname ${escape path})\" && rm -rf ${escape path} && cp ${extra.${path}} ${escape path}") (attrNames extra)
          )}
          ${envSetup}
          export OPAM_SWITCH_PREFIX="$out" OPAM_PACKAGE_NAME=${escape p.name} OPAM_PACKAGE_VERSION=${escape p.version}
          export OCAMLFIND_DESTDIR="$out/lib" dune_build="$PWD"
          ${
            if usesDune then
              ''
                dune_run() {
                  if [ "$1" = dune ]; then shift; ${dune_3}/bin/dune "$@"; else "$@"; fi
                }
              ''
            else
              ''
                dune_run() { "$@"; }
              ''
          }${helperText}
          runHook postConfigure
        '';
        buildPhase = ''
          runHook preBuild
          ${buildScript}
          runHook postBuild
        '';
        installPhase = ''
          runHook preInstall
          mkdir -p "$out"/{bin,sbin,man,lib/toplevel,lib/stublibs,nix-support}
          for d in lib share etc doc; do mkdir -p "$out/$d/"${escape p.name}; done
          ${if afterCompiler then intoOwnOutput else ""}${installScript}
          if [ -f ${escape p.name}.install ]; then
            opam-installer --prefix="$out" --name=${escape p.name} ${escape p.name}.install
          fi
          if [ -f ${escape p.name}.config ]; then cp ${escape p.name}.config "$out/nix-support/"; fi
          runHook postInstall
        '';
        dontFixup = true;
        # dune builds a package's sources as they are: nixpkgs' hook that
        # replaces config.sub and config.guess does not run.
        dontUpdateAutotoolsGnuConfigScripts = true;
      }
      // removeAttrs o [
        "src"
        "nativeBuildInputs"
        "buildInputs"
        "patches"
      ]
    );
  # findlib's Makefile installs its topfind script into the compiler's
  # library folder (OCAML_CORE_STDLIB); make takes a variable given in
  # MAKEFLAGS over the Makefile's, so it goes to this package's
  # lib/toplevel, which OCAMLTOP_INCLUDE_PATH lists for the toplevel.
  intoOwnOutput = ''
    if [ -f Makefile.config ] && grep -q '^OCAML_CORE_STDLIB=' Makefile.config; then
      export MAKEFLAGS="''${MAKEFLAGS:+$MAKEFLAGS }OCAML_CORE_STDLIB=$out/lib/toplevel"
    fi
  '';
  dontUnpackOf = p: o: (o.src or p.src or null) == null;
  escape = s: "'" + builtins.replaceStrings [ "'" ] [ "'\\''" ] s + "'";

  # The project itself, built with dune and every locked package at hand.
  project = stdenv.mkDerivation {
    pname = root.pname;
    version = "dev";
    inherit src;
    nativeBuildInputs = [ dune_3 ] ++ attrValues drv;
    buildPhase = ''
      runHook preBuild
      export OCAMLPATH="${concatStringsSep ":" (map (d: "${d}/lib") (attrValues drv))}"
      # dune 3 builds the lock itself when it finds the lock directory;
      # here every locked package is already built.
      dune_flags=()
      if dune build --help=plain 2>/dev/null | grep -q -e --ignore-lock-dir; then dune_flags+=(--ignore-lock-dir); fi
      dune build --root . "''${dune_flags[@]}" -j "$NIX_BUILD_CORES"
      runHook postBuild
    '';
    installPhase = ''
      runHook preInstall
      mkdir -p "$out"
      dune install --root . "''${dune_flags[@]}" --prefix "$out"
      runHook postInstall
    '';
  };
in
{
  inherit sources packages project;
  # The package built for this host, by name.
  packagesByName = drv;
}
