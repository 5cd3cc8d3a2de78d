# A stand-in for nixpkgs, for lock2nix's build tests only. nixpkgs cannot be
# fetched on the test machines, so this gives the few attributes generated
# files use, with the same interfaces, built from the host's tools:
# stdenv.mkDerivation (phases run by setup.sh with the host's coreutils,
# tar, gcc, …), fetchurl (Nix's own <nix/fetchurl.nix>, which checks the
# hash like nixpkgs' fetchurl), nodejs (the host's node), a small lib and
# callPackage. It is not a general nixpkgs replacement.
{
  system ? builtins.currentSystem,
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

  # The host's tool folders; a build sees these and its inputs' bin/.
  hostPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

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
        [ -d /usr/lib/node_modules/npm ] && ln -s /usr/lib/node_modules/npm $out/lib/node_modules/npm
        true
      ''
    ];
  };

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

  pkgs = {
    inherit lib fetchurl nodejs;
    stdenv = {
      inherit mkDerivation hostPlatform;
    };
    callPackage = fn: args: let f = if builtins.isFunction fn then fn else import fn; in f (intersectAttrs (functionArgs f) pkgs // args);
  };
in
pkgs
