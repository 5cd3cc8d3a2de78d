# The dune builders' entry: reads the data file lock2nix dune wrote and
# hands its data to builders.nix. code holds lock2nix's parts (the
# repository's files, or their copies in a --standalone file):
#   { sources, local, schema, dune: functions (../sources.nix, ../local.nix,
#     ../schema.nix, builders.nix);
#     text: { duneHelpers }: helpers.sh }
# The result is a function in callPackage style: pkgs.callPackage
# (import ./entry.nix code) { data = import ./dune-lock.nix; src = ./.; }.
# Its arguments are those the builders document (README, docs/dune.md):
# compiler and useNixpkgsOCaml are names callPackage does not fill, so
# the lock's own compiler is built unless one is asked for.
code:
{
  data,
  stdenv,
  fetchurl,
  opam-installer,
  dune_3,
  pkgs,
  compiler ? null,
  useNixpkgsOCaml ? false,
  src ? null,
  localRoot ? null,
  localPaths ? { },
  overrides ? { },
  depexts ? { },
  fetchGit ? builtins.fetchGit,
  fetchurlUnpinned ? builtins.fetchurl,
  ...
}:
let
  inherit (builtins)
    elemAt
    filter
    genList
    length
    listToAttrs
    mapAttrs
    stringLength
    substring
    ;
  # The schemas these builders read (../schema.nix refuses others).
  checked = code.schema {
    format = "dune";
    schemas = [ 1 ];
  } data;
  fetch = code.sources { inherit fetchurl fetchGit fetchurlUnpinned; };
  sources = mapAttrs (_: fetch) checked.sources;
  local =
    if checked ? rootUp then
      code.local {
        inherit src localRoot localPaths;
        inherit (checked) rootUp;
      }
    else
      path: throw "lock2nix: the dune data file names the path ${path} but no rootUp; regenerate it with: lock2nix dune";
  # A reference of the data: { source = NAME; } or { path = PATH; }.
  resolve = r: if r == null then null else if r ? source then sources.${r.source} else local r.path;
  packages = mapAttrs (
    _: p:
    p
    // (if p ? src then { src = resolve p.src; } else { })
    // (if p ? extra then { extra = mapAttrs (_: resolve) p.extra; } else { })
    // (if p ? files then { files = resolve p.files; } else { })
  ) checked.packages;

  # helpers.sh's blocks by the name of the function each defines: a block
  # runs from its "# lock2nix helper: NAME" line to the next one, its
  # trailing empty lines dropped. The builders put into a package's
  # derivation the blocks its scripts call.
  helpers =
    let
      mark = "# lock2nix helper: ";
      lines = filter builtins.isString (builtins.split "\n" code.text.duneHelpers);
      n = length lines;
      marks = filter (i: i > 0 && substring 0 (stringLength mark) (elemAt lines i) == mark) (genList (i: i) n);
      block =
        k:
        let
          start = elemAt marks k;
          end = if k + 1 < length marks then elemAt marks (k + 1) else n;
          # The lines up to the last that is not empty.
          last =
            let
              go = e: if e > start + 1 && elemAt lines (e - 1) == "" then go (e - 1) else e;
            in
            go end;
        in
        {
          name = substring (stringLength mark) (-1) (elemAt lines start);
          value = builtins.concatStringsSep "\n" (genList (j: elemAt lines (start + 1 + j)) (last - start - 1)) + "\n";
        };
    in
    listToAttrs (genList block (length marks));
in
code.dune {
  inherit
    stdenv
    pkgs
    opam-installer
    dune_3
    compiler
    useNixpkgsOCaml
    src
    overrides
    depexts
    sources
    packages
    helpers
    ;
  inherit (checked) root;
}
