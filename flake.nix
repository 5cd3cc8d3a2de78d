{
  description = "lock2nix: turn lockfiles into Nix";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs =
    { self, nixpkgs }:
    let
      systems = [
        "x86_64-linux"
        "aarch64-linux"
        "x86_64-darwin"
        "aarch64-darwin"
      ];
      forAllSystems = f: nixpkgs.lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});
    in
    {
      packages = forAllSystems (pkgs: {
        default = pkgs.callPackage ./nix/package.nix { };
        lock2nix = self.packages.${pkgs.stdenv.hostPlatform.system}.default;
      });

      apps = forAllSystems (pkgs: {
        default = {
          type = "app";
          program = "${self.packages.${pkgs.stdenv.hostPlatform.system}.default}/bin/lock2nix";
        };
      });

      # pkgs.lock2nix, and the builders: pkgs.lock2nixNpm { file = ./package-lock.nix; src = ./.; },
      # pkgs.lock2nixDune { file = ./dune-lock.nix; src = ./.; }, …
      overlays.default =
        final: prev:
        let
          builders = import ./. { pkgs = final; };
        in
        {
          lock2nix = final.callPackage ./nix/package.nix { };
          lock2nixNpm = builders.npm;
          lock2nixDune = builders.dune;
          lock2nixPnpm = builders.pnpm;
        };

      devShells = forAllSystems (pkgs: {
        default = pkgs.mkShell {
          packages = [
            pkgs.go
            pkgs.nodejs
            pkgs.nix
            pkgs.nixfmt-rfc-style
          ];
        };
      });

      formatter = forAllSystems (pkgs: pkgs.nixfmt-rfc-style);

      lib = import ./nix/lib.nix { lock2nix = system: self.packages.${system}.default; };

      # flake-parts' interface: imports = [ lock2nix.flakeModules.default ];
      flakeModules.default = import ./nix/flake-module.nix { inherit (self.lib) repo; };
    };
}
