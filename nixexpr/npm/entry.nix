# The npm builders' entry: the data file lock2nix npm wrote, read by the
# entry every node_modules format shares (../node/entry.nix, which says
# what code holds) and handed to builders.nix. The result is a function
# in callPackage style: pkgs.callPackage (import ./entry.nix code)
# { data = import ./package-lock.nix; src = ./.; }.
code:
code.nodeEntry code {
  name = "npm";
  # The schemas these builders read (../schema.nix refuses others).
  # 2: sources may be GitHub archives fetched unpacked ({ url; hash;
  # unpack; }, fetchzip: ../sources.nix), which builders.nix uses as git
  # checkouts.
  # 3: a record's gitDir names the folder of its git checkout that is the
  # package, which builders.nix installs in place of the whole repository.
  schemas = [
    1
    2
    3
  ];
  builders = code.npm;
  layout = code.text.npm;
  data =
    checked:
    let
      records = builtins.fromJSON checked.records;
    in
    {
      inherit records;
      inherit (checked) root;
      # Files written before lock2nix said so (schema 1 all the same): a
      # lockfile whose records name no platform at all (v1's) is read from
      # each package's package.json, as the builders always did then.
      platformsFromManifests =
        checked.platformsFromManifests
          or (!builtins.any (r: r ? os || r ? cpu || r ? libc) (builtins.attrValues records));
    };
}
