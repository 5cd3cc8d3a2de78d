# The pnpm builders' entry: the data file lock2nix pnpm wrote, read by the
# entry every node_modules format shares (../node/entry.nix, which says
# what code holds) and handed to builders.nix. The result is a function
# in callPackage style: pkgs.callPackage (import ./entry.nix code)
# { data = import ./pnpm-lock.nix; src = ./.; }.
code:
code.nodeEntry code {
  name = "pnpm";
  # The schemas these builders read (../schema.nix refuses others).
  # 2: a package's gitDir names the folder of its git checkout that is
  # the package, which builders.nix installs in place of the repository.
  schemas = [
    1
    2
  ];
  builders = code.pnpm;
  layout = code.text.pnpm;
  data = checked: {
    lock = builtins.fromJSON checked.lock;
    regenerate = checked.regenerate or "lock2nix pnpm";
  };
}
