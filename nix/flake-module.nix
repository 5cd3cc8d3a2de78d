# The flake-parts module (flakeModules.default): a thin layer over
# lib.repo. In a flake built with flake-parts:
#
#   imports = [ inputs.lock2nix.flakeModules.default ];
#   perSystem = { ... }: { lock2nix.src = ./.; };
#
# gives every project's packages, a dev shell each, checks (the generated
# files are current, and every project builds) and apps.codegen, which
# runs lock2nix generate (docs/generate.md).
{ repo }:
{ lib, flake-parts-lib, ... }:
{
  options.perSystem = flake-parts-lib.mkPerSystemOption (
    { config, pkgs, ... }:
    let
      cfg = config.lock2nix;
    in
    {
      options.lock2nix = {
        src = lib.mkOption {
          type = lib.types.nullOr lib.types.path;
          default = null;
          description = "The repository's root, where lock2nix generate runs (usually ./.); null exposes nothing.";
        };
        settings = lib.mkOption {
          type = lib.types.attrsOf lib.types.attrs;
          default = { };
          description = "By project name: args for its generated file, and build for npm's buildPackage.";
        };
        exclude = lib.mkOption {
          type = lib.types.listOf lib.types.str;
          default = [ ];
          description = "Project names to expose nothing for.";
        };
        app = lib.mkOption {
          type = lib.types.str;
          default = "codegen";
          description = "The name of the app that regenerates every file (nix run .#codegen).";
        };
      };
      config = lib.mkIf (cfg.src != null) (
        let
          r = repo {
            inherit pkgs;
            inherit (cfg) src settings exclude;
          };
        in
        {
          inherit (r) packages devShells checks;
          apps.${cfg.app} = r.apps.codegen;
        }
      );
    }
  );
}
