# The check every format's entry makes of its data file: written by
# lock2nix for this format, in a schema these builders read. A file of a
# newer lock2nix is refused with what to update, not misread.
{
  format,
  schemas,
}:
data:
let
  newest = builtins.foldl' (a: b: if b > a then b else a) 0 schemas;
in
if !(builtins.isAttrs data && data ? schema) then
  throw "lock2nix: the ${format} data file is not one lock2nix wrote (no schema); regenerate it with: lock2nix ${format}"
else if (data.format or null) != format then
  throw "lock2nix: this is a ${toString (data.format or "unknown")} data file, not ${format}'s: build it with lock2nix.lib.${toString (data.format or "…")}"
else if !builtins.elem data.schema schemas then
  throw "lock2nix: the ${format} data file has schema ${toString data.schema}, and these builders read schema ${toString newest}${
    if builtins.isInt data.schema && data.schema > newest then
      ": update lock2nix (the flake input, overlay or source you import its builders from) to one that reads schema ${toString data.schema}"
    else
      ": regenerate the file with this lock2nix (lock2nix ${format})"
  }"
else
  data
