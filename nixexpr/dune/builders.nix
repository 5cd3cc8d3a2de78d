# lock2nix's dune builders. Every generated file embeds this function and
# calls it with the lock directory's data: one derivation per package that
# runs its locked build and install scripts (compiled to bash by lock2nix)
# with its dependencies in the environment dune gives them, then installs
# the package's <name>.install file with opam-installer.
{
  stdenv,
  pkgs,
  opam-installer,
  dune_3,
  ocaml,
  src,
  overrides,
  depexts,
  sources,
  packages,
  root,
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

  isCompiler = name: ocaml != null && elem name root.compilerPackages;

  drv = listToAttrs (
    map (name: {
      inherit name;
      value = if isCompiler name then ocaml else build byName.${name};
    }) (attrNames byName)
  );

  build =
    p:
    let
      o = (overrides.${p.name} or { }) // (overrides.${p.id} or { });
      deps = closure p;
      systemDeps = map (n: depexts.${n} or pkgs.${n} or (throw "lock2nix: ${p.id} needs the system package ${n}; pass it in depexts")) (p.depexts or [ ]);
      # A script specialised for this system when lock2nix made one.
      phase = branches: let b = pick branches; in if b == null then "" else b.scripts.${host.system} or b.script;
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
          dune_3
        ]
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
          dune_run() {
            if [ "$1" = dune ]; then shift; ${dune_3}/bin/dune "$@"; else "$@"; fi
          }
          dune_var() { # PACKAGE VARIABLE DIR: a value from the package's .config file in DIR
            sed -n "s/^ *$2 *: *\"\\{0,1\\}\\([^\"]*\\)\"\\{0,1\\}.*/\\1/p" "$3/$1.config" 2>/dev/null | head -n 1
          }
          dune_undefined() { echo "lock2nix: "${escape p.id}": undefined variable %{$1}" >&2; return 1; }
          dune_substitute() { # IN OUT NAME VERSION: opam's %{name}% and %{version}%
            sed -e "s|%{name}%|$3|g" -e "s|%{version}%|$4|g" -e 's|%{[^}]*}%||g' "$1" > "$2"
          }
          runHook postConfigure
        '';
        buildPhase = ''
          runHook preBuild
          ${phase (p.build or [ ])}
          runHook postBuild
        '';
        installPhase = ''
          runHook preInstall
          mkdir -p "$out"/{bin,sbin,man,lib/toplevel,lib/stublibs,nix-support}
          for d in lib share etc doc; do mkdir -p "$out/$d/"${escape p.name}; done
          ${phase (p.install or [ ])}
          if [ -f ${escape p.name}.install ]; then
            opam-installer --prefix="$out" --name=${escape p.name} ${escape p.name}.install
          fi
          if [ -f ${escape p.name}.config ]; then cp ${escape p.name}.config "$out/nix-support/"; fi
          runHook postInstall
        '';
        dontFixup = true;
      }
      // removeAttrs o [
        "src"
        "nativeBuildInputs"
        "buildInputs"
        "patches"
      ]
    );
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
      dune build --root . -j "$NIX_BUILD_CORES"
      runHook postBuild
    '';
    installPhase = ''
      runHook preInstall
      mkdir -p "$out"
      dune install --root . --prefix "$out"
      runHook postInstall
    '';
  };
in
{
  inherit sources packages project;
  # The package built for this host, by name.
  packagesByName = drv;
}
