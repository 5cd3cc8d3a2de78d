# lock2nix built from this repository with nixpkgs' buildGoModule.
{ lib, buildGoModule }:
buildGoModule {
  pname = "lock2nix";
  version = "0.2.0";
  src = lib.cleanSource ../.;
  # NAR hash of `go mod vendor`; TestVendorHash in nix/nix_test.go recomputes it and
  # fails when go.mod or go.sum change without it.
  vendorHash = "sha256-z/NHvnrrX5mIXaD3eFBE8Nxb8OG6R8qJyQiX7v3pj3Y=";
  subPackages = [ "cmd/lock2nix" ];
  # A static binary: without the dynamic loader and libc to map, it starts
  # in 8 ms instead of 11 (pflag pulls in net, which links libc by default).
  env.CGO_ENABLED = 0;
  # The tests need Nix, npm and the network; they run in CI instead.
  doCheck = false;
  meta = {
    description = "Turn lockfiles (package-lock.json, dune.lock) into Nix";
    mainProgram = "lock2nix";
    license = lib.licenses.mit;
  };
}
