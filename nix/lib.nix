# Helpers for flake users; see README.md.
{ lock2nix }:
rec {
  # The derivations of an npm data file lock2nix wrote (nodeModules,
  # nodeModulesProd, workspaces, buildPackage, devShell, …) for the
  # project in src, built by the builders of this lock2nix:
  #   lock2nix.lib.npm { inherit pkgs; file = ./package-lock.nix; src = ./.; }
  # A file written with --standalone (or by lock2nix before 0.2) is
  # called as it is. Its devShell gives pkgs.mkShell a hook that puts
  # nodeModules at ./node_modules (links into the store, or with
  # writable = true a copy), made again only when the tree changes, and
  # node_modules/.bin on PATH:
  #   devShells.${system}.default = pkgs.mkShell (npm.devShell { });
  #   devShells.${system}.writable = pkgs.mkShell (npm.devShell { writable = true; } // {
  #     packages = [ pkgs.nodejs pkgs.typescript-language-server ];
  #   });
  # Every other argument (overrides, installScripts, localPaths, …) goes
  # to the builders.
  npm = { pkgs, ... }@args: (import ../. { inherit pkgs; }).npm (removeAttrs args [ "pkgs" ]);

  # The same for a generated yarn file (nodeModules, buildPackage,
  # devShell); it takes yarn (classic) or yarn-berry from pkgs:
  #   lock2nix.lib.yarn { inherit pkgs; file = ./yarn-lock.nix; src = ./.; }
  yarn = { pkgs, ... }@args: (import ../. { inherit pkgs; }).yarn (removeAttrs args [ "pkgs" ]);

  # The same for a pnpm data file (pnpm-lock.nix), or one written with
  # --standalone.
  pnpm = { pkgs, ... }@args: (import ../. { inherit pkgs; }).pnpm (removeAttrs args [ "pkgs" ]);

  # The packages of a dune data file (packagesByName, project) for the
  # project in src, the lock's own compiler built unless compiler (or
  # useNixpkgsOCaml = true) names another; a file written with
  # --standalone is called as it is:
  #   lock2nix.lib.dune { inherit pkgs; file = ./dune-lock.nix; src = ./.; }
  dune = { pkgs, ... }@args: (import ../. { inherit pkgs; }).dune (removeAttrs args [ "pkgs" ]);

  # A check that fails when a generated file is stale relative to its
  # lockfile: add it to your flake's checks.
  #   checks.${system}.lock2nix = lock2nix.lib.check { inherit pkgs; src = ./.; };
  check =
    {
      pkgs,
      src,
      command ? "npm",
      output ?
        {
          npm = "package-lock.nix";
          yarn = "yarn-lock.nix";
          pnpm = "pnpm-lock.nix";
        }
        .${command} or "dune-lock.nix",
      args ? [ ],
    }:
    pkgs.runCommand "lock2nix-check" { nativeBuildInputs = [ (lock2nix pkgs.stdenv.hostPlatform.system) ]; } ''
      cd ${src}
      lock2nix ${command} --check -o ${pkgs.lib.escapeShellArg output} ${pkgs.lib.escapeShellArgs args}
      touch $out
    '';

  # Every project of a repository that `lock2nix generate` wrote files for:
  # packages, devShells, checks and apps (nix/repo.nix, docs/generate.md).
  #   repo = lock2nix.lib.repo { inherit pkgs; src = ./.; };
  repo = import ./repo.nix {
    lib = { inherit npm yarn pnpm dune; };
    inherit lock2nix;
  };
}
