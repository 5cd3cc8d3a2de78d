# The npm builders' entry: the data file lock2nix npm wrote, read by the
# entry every node_modules format shares (../node/entry.nix, which says
# what code holds) and handed to builders.nix. The result is a function
# in callPackage style: pkgs.callPackage (import ./entry.nix code)
# { data = import ./package-lock.nix; src = ./.; }.
code:
code.nodeEntry code {
  name = "npm";
  # The schemas these builders read (../schema.nix refuses others).
  schemas = [ 1 ];
  builders = code.npm;
  layout = code.text.npm;
  data = checked: {
    records = builtins.fromJSON checked.records;
    inherit (checked) root;
    platformsFromManifests = checked.platformsFromManifests or false;
  };
}
