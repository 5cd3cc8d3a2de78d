# The yarn builders' entry: the data file lock2nix yarn wrote, read by the
# entry every node_modules format shares (../node/entry.nix, which says
# what code holds: here also yarn's builders.nix, and text.yarnServer and
# text.yarnGit, server.js and git.sh) and handed to builders.nix. yarn has
# no layout program: yarn itself lays the tree out in the build, so this
# entry adds what the shared one does not take, the yarn to run: nixpkgs'
# yarn for yarn 1's locks, yarn-berry for berry's. The result is a
# function in callPackage style: pkgs.callPackage (import ./entry.nix
# code) { data = import ./yarn-lock.nix; src = ./.; }.
code:
{
  yarn ? null,
  yarn-berry ? null,
  # The shared entry's arguments, named here so that callPackage passes
  # them (it fills only the arguments a function names).
  data,
  stdenv,
  fetchurl,
  nodejs,
  src ? null,
  overrides ? { },
  installScripts ? true,
  fetchGit ? builtins.fetchGit,
  fetchurlUnpinned ? builtins.fetchurl,
  fetchzip ? null,
  ...
}@args:
code.nodeEntry code {
  name = "yarn";
  # The schemas these builders read (../schema.nix refuses others).
  # 2: sources may be GitHub archives fetched unpacked ({ url; hash;
  # unpack; }, fetchzip: ../sources.nix), which builders.nix uses as git
  # checkouts.
  schemas = [
    1
    2
  ];
  layout = "";
  builders =
    b:
    let
      berry = b.format == "berry";
      package = if berry then yarn-berry else yarn;
    in
    if package == null then
      throw "lock2nix: this ${b.format} yarn.lock needs ${
        if berry then "yarn-berry" else "yarn"
      } from nixpkgs (pass it as an argument)"
    else
      code.yarn (
        removeAttrs b [
          "layoutScript"
          "local"
        ]
        // {
          yarn = package;
          serverScript = builtins.toFile "lock2nix-yarn-registry.js" code.text.yarnServer;
          gitScript = builtins.toFile "lock2nix-yarn-git.sh" code.text.yarnGit;
        }
      );
  data = checked: {
    format = checked.lockFormat;
    records = builtins.fromJSON checked.packages;
    inherit (checked) root;
    # null in a file of a lock2nix that recorded none: builders.nix
    # refuses it.
    projectFiles = checked.projectFiles or null;
    regenerate = checked.regenerate or "lock2nix yarn";
  };
} (removeAttrs args [ "yarn" "yarn-berry" ])
