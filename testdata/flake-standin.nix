# A stand-in for the nixpkgs flake input, for evaluating lock2nix's
# flake.nix in tests: the few lib functions and packages the flake uses,
# with buildGoModule, mkShell and runCommand returning their arguments so
# the test can check them.
let
  lib = {
    genAttrs = names: f: builtins.listToAttrs (map (name: { inherit name; value = f name; }) names);
    cleanSource = src: src;
    licenses.mit = "mit";
    escapeShellArg = s: "'" + builtins.replaceStrings [ "'" ] [ "'\\''" ] s + "'";
    escapeShellArgs = args: builtins.concatStringsSep " " (map lib.escapeShellArg args);
  };
  pkgsFor =
    system:
    let
      pkgs = {
        inherit lib;
        stdenv.hostPlatform.system = system;
        callPackage = fn: args: let f = import fn; in f (builtins.intersectAttrs (builtins.functionArgs f) pkgs // args);
        buildGoModule = args: args // { type = "derivation"; outPath = "/nix/store/lock2nix-${args.version}"; kind = "buildGoModule"; };
        mkShell = args: args // { kind = "mkShell"; };
        runCommand = name: env: script: { inherit name env script; kind = "runCommand"; };
        go = "go";
        nodejs = "nodejs";
        nix = "nix";
        nixfmt-rfc-style = "nixfmt-rfc-style";
      };
    in
    pkgs;
in
{
  inherit lib;
  legacyPackages = lib.genAttrs [ "x86_64-linux" "aarch64-linux" "x86_64-darwin" "aarch64-darwin" ] pkgsFor;
}
