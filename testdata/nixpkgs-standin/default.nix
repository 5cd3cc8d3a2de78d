# A stand-in for nixpkgs, for lock2nix's build tests only. nixpkgs cannot be
# fetched on the test machines, so this gives the few attributes generated
# files use, with the same interfaces, built from the host's tools:
# stdenv.mkDerivation (phases run by setup.sh with the host's coreutils,
# tar, gcc, …), fetchurl (Nix's own <nix/fetchurl.nix>, which checks the
# hash like nixpkgs' fetchurl), fetchzip (a recursive fixed-output fetch of
# an archive's files, as nixpkgs'), nodejs (the host's node), a small lib
# and callPackage. It is not a general nixpkgs replacement.
{
  system ? builtins.currentSystem,
  # dune's source archive (a path), for a current dune_3 built from it;
  # without it dune_3 is the host's dune (Debian's is 2.9, too old for
  # most real packages).
  duneSrc ? null,
}:
let
  inherit (builtins) concatStringsSep filter hasAttr head intersectAttrs functionArgs split;
  parts = split "-" system;
  arch = head parts;
  os = builtins.elemAt parts 2;

  hostPlatform = {
    inherit system;
    isLinux = os == "linux";
    isDarwin = os == "darwin";
    isWindows = false;
    isx86_64 = arch == "x86_64";
    isAarch64 = arch == "aarch64";
    isi686 = arch == "i686";
    isMusl = false;
  };

  # What nixpkgs' stdenv puts on PATH (coreutils, findutils, diffutils,
  # sed, grep, gawk, tar, gzip, bzip2, xz, make, bash, patch, gcc), taken
  # from the host. Anything else, python3 included, must come from a
  # build's inputs, as in nixpkgs.
  stdenvTools = derivation {
    name = "stdenv-host-tools";
    inherit system;
    builder = "/bin/sh";
    args = [
      "-c"
      ''
        /bin/mkdir -p $out/bin
        for t in ${concatStringsSep " " toolNames}; do
          for d in /usr/bin /bin /usr/sbin /sbin; do
            if [ -x "$d/$t" ]; then /bin/ln -s "$d/$t" "$out/bin/$t"; break; fi
          done
        done
      ''
    ];
  };
  toolNames = [
    "sh" "bash" "env" "cat" "cp" "mv" "rm" "ln" "ls" "mkdir" "rmdir" "chmod" "chown" "touch" "dirname" "basename"
    "realpath" "readlink" "head" "tail" "wc" "sort" "uniq" "tr" "cut" "tee" "date" "sleep" "true" "false" "test" "expr"
    "printf" "echo" "pwd" "uname" "id" "install" "stat" "mktemp" "od" "seq" "nproc" "comm" "join" "paste" "sha256sum"
    "find" "xargs" "diff" "cmp" "sed" "grep" "egrep" "awk" "gawk" "tar" "gzip" "gunzip" "bzip2" "xz" "make" "patch"
    "gcc" "g++" "cc" "c++" "cpp" "ld" "as" "ar" "ranlib" "strip" "nm" "objcopy" "objdump"
  ]
  # Debian's OCaml calls the assembler and C compiler by their triplet names.
  ++ builtins.concatMap (t: [ "${t}-as" "${t}-gcc" "${t}-g++" "${t}-ld" "${t}-ar" "${t}-ranlib" "${t}-nm" "${t}-strip" ]) [ "x86_64-linux-gnu" "aarch64-linux-gnu" ];
  hostPath = "${stdenvTools}/bin";

  mkDerivation =
    attrs:
    let
      name = attrs.name or "${attrs.pname}-${attrs.version}";
      inputs = (attrs.nativeBuildInputs or [ ]) ++ (attrs.buildInputs or [ ]);
      clean = removeAttrs attrs [
        "nativeBuildInputs"
        "buildInputs"
        "env"
        "meta"
        "passthru"
      ];
    in
    derivation (
      clean
      // (attrs.env or { })
      // {
        inherit name system;
        builder = "/bin/bash";
        args = [ ./setup.sh ];
        standinInputs = inputs;
        standinHostPath = hostPath;
        patches = attrs.patches or [ ];
      }
    )
    // (attrs.passthru or { });

  fetchurl =
    {
      url,
      hash ? "",
      sha256 ? "",
      name ? baseNameOf url,
      ...
    }:
    import <nix/fetchurl.nix> { inherit url hash sha256 name; };

  # nixpkgs' fetchzip: a fixed-output derivation, outputHashMode
  # "recursive", whose output is the archive's files, its one top folder
  # stripped (stripRoot), named "source" by default, checked against the
  # hash of those files (NAR), not of the download. The tests put that
  # output in the store beforehand (nix-store --add-fixed --recursive
  # sha256 DIR, DIR named as the fetch is), so this builder never runs
  # there; elsewhere it downloads with the host's curl, when it has one,
  # and unpacks with its tar (which reads the compression from the bytes:
  # extension, nixpkgs' hint for its unpacker, is taken and not needed).
  fetchzip =
    {
      url,
      hash,
      name ? "source",
      stripRoot ? true,
      extension ? null,
      ...
    }:
    derivation {
      inherit name system url;
      stripRoot = if stripRoot then "1" else "";
      builder = "/bin/sh";
      args = [
        "-c"
        ''
          set -e
          export PATH=/usr/bin:/bin
          if ! command -v curl >/dev/null; then
            echo "nixpkgs stand-in: fetchzip needs curl to fetch $url" >&2
            exit 1
          fi
          curl --fail --silent --show-error --location --output "$TMPDIR/download" "$url"
          mkdir "$TMPDIR/unpack"
          tar -xf "$TMPDIR/download" -C "$TMPDIR/unpack" --no-same-owner
          chmod -R u+w "$TMPDIR/unpack"
          if [ -z "$stripRoot" ]; then
            mv "$TMPDIR/unpack" "$out"
          elif [ "$(ls -A "$TMPDIR/unpack" | wc -l)" != 1 ] || [ ! -d "$TMPDIR/unpack/$(ls -A "$TMPDIR/unpack")" ]; then
            echo "nixpkgs stand-in: fetchzip: $url holds more than one top folder" >&2
            exit 1
          else
            mv "$TMPDIR/unpack/$(ls -A "$TMPDIR/unpack")" "$out"
          fi
          chmod 755 "$out"
        ''
      ];
      outputHashMode = "recursive";
      outputHashAlgo = "";
      outputHash = hash;
      impureEnvVars = [
        "http_proxy"
        "https_proxy"
        "all_proxy"
        "no_proxy"
      ];
    };

  # The host's python3, for builds that list it as an input (node-gyp).
  python3 = derivation {
    name = "python3-host";
    inherit system;
    builder = "/bin/sh";
    args = [
      "-c"
      "/bin/mkdir -p $out/bin && /bin/ln -s /usr/bin/python3 $out/bin/python3 && /bin/ln -s /usr/bin/python3 $out/bin/python"
    ];
  };

  # Host programs wrapped as packages: dune, opam-installer, and the host's
  # OCaml compiler as the "ocaml" a user may pass for the compiler.
  hostTool =
    name: tools:
    derivation {
      inherit name system;
      builder = "/bin/sh";
      args = [
        "-c"
        ("/bin/mkdir -p $out/bin $out/lib && " + concatStringsSep " && " (map (t: "/bin/ln -s /usr/bin/${t} $out/bin/${t}") tools))
      ];
    };
  dune_3 =
    if duneSrc == null then
      hostTool "dune-host" [ "dune" ]
    else
      # dune bootstraps with any OCaml from 4.08 on, here the host's:
      # boot/bootstrap.ml compiles dune's sources into _boot/dune.exe, a
      # complete dune, which is what this package gives.
      mkDerivation {
        pname = "dune";
        version = "3";
        src = duneSrc;
        nativeBuildInputs = [ ocaml ];
        buildPhase = "ocaml boot/bootstrap.ml -j $NIX_BUILD_CORES";
        installPhase = "mkdir -p $out/bin && cp _boot/dune.exe $out/bin/dune";
        dontUpdateAutotoolsGnuConfigScripts = true;
      };
  opam-installer = hostTool "opam-installer-host" [ "opam-installer" ];
  ocaml = hostTool "ocaml-host" [ "ocaml" "ocamlc" "ocamlopt" "ocamlc.opt" "ocamlopt.opt" "ocamldep" "ocamllex" "ocamlyacc" "ocamlmklib" "ocamlrun" ];

  # Its version, as nixpkgs' nodejs.version, comes from the environment
  # (the tests set it from `node --version`); empty when unset.
  nodejs = derivation {
    name = "nodejs-host";
    inherit system;
    builder = "/bin/sh";
    args = [
      "-c"
      ''
        export PATH=/usr/bin:/bin
        mkdir -p $out/bin $out/lib/node_modules
        ln -s /usr/bin/node $out/bin/node
        [ -d /usr/include/node ] && { mkdir -p $out/include; ln -s /usr/include/node $out/include/node; }
        [ -d /usr/lib/node_modules/npm ] && ln -s /usr/lib/node_modules/npm $out/lib/node_modules/npm && ln -s $out/lib/node_modules/npm/bin/npm-cli.js $out/bin/npm
        true
      ''
    ];
  }
  // {
    version = builtins.getEnv "LOCK2NIX_HOST_NODE_VERSION";
    # As nixpkgs' nodejs.python: the python node was built with, which
    # node-gyp runs.
    python = python3;
  };

  # yarn 1 and berry: a copy of the folder of an npm install of "yarn" or
  # "@yarnpkg/cli-dist" that the tests name in $LOCK2NIX_HOST_YARN or
  # $LOCK2NIX_HOST_YARN_BERRY, with its bin/yarn.js as bin/yarn. Builds
  # that need one fail when it is unset.
  hostYarn =
    name: var:
    let
      dir = builtins.getEnv var;
    in
    derivation {
      inherit name system;
      builder = "/bin/sh";
      args = [
        "-c"
        ''
          export PATH=/usr/bin:/bin
          [ -n "${dir}" ] || { echo "nixpkgs stand-in: set ${var} to an npm install of ${name}" >&2; exit 1; }
          mkdir -p $out/bin
          cp -R "${dir}" $out/lib
          ln -s ../lib/bin/yarn.js $out/bin/yarn
        ''
      ];
    };
  yarn = hostYarn "yarn-host" "LOCK2NIX_HOST_YARN";
  yarn-berry = hostYarn "yarn-berry-host" "LOCK2NIX_HOST_YARN_BERRY";

  lib = {
    escapeShellArg = s: "'" + builtins.replaceStrings [ "'" ] [ "'\\''" ] (toString s) + "'";
    filterAttrs =
      pred: set:
      builtins.listToAttrs (
        map (n: {
          name = n;
          value = set.${n};
        }) (filter (n: pred n set.${n}) (builtins.attrNames set))
      );
  };

  # nixpkgs' trivial builders, as far as lib.repo uses them: runCommand runs
  # its script as the build; writeShellScriptBin writes an executable
  # script; mkShell's derivation records the shell's hook (nixpkgs' fails
  # to build; nix develop reads its attributes).
  runCommand =
    name: env: script:
    mkDerivation (
      env
      // {
        inherit name;
        dontUnpack = true;
        buildPhase = script;
      }
    );
  writeShellScriptBin =
    name: text:
    runCommand name {
      inherit text;
      passAsFile = [ "text" ];
    } ''mkdir -p $out/bin && { echo "#!/bin/bash"; cat "$textPath"; } > $out/bin/${name} && chmod +x $out/bin/${name}'';
  mkShell =
    attrs:
    mkDerivation (
      removeAttrs attrs [ "packages" "inputsFrom" ]
      // {
        name = attrs.name or "nix-shell";
        nativeBuildInputs = (attrs.packages or [ ]) ++ (attrs.nativeBuildInputs or [ ]);
        dontUnpack = true;
        buildPhase = ''printf '%s\n' "$shellHook" > $out'';
      }
    )
    // {
      shellHook = attrs.shellHook or "";
      packages = attrs.packages or [ ];
    };

  pkgs = {
    inherit lib fetchurl fetchzip nodejs python3 dune_3 opam-installer ocaml runCommand writeShellScriptBin mkShell yarn yarn-berry;
    stdenv = {
      inherit mkDerivation hostPlatform;
    };
    inherit pkgs;
    callPackage = fn: args: let f = if builtins.isFunction fn then fn else import fn; in f (intersectAttrs (functionArgs f) pkgs // args);
  };
in
pkgs
