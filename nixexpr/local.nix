# lock2nix's resolver of a project's local paths (npm's file: folders,
# dune's copied sources): returns the function that turns a path relative
# to the project into a path Nix can read, from localPaths when the user
# maps it there, else against src, stopping at evaluation on one that
# leads outside the boundary (localRoot, by default src/rootUp) and on a
# folder beside the project that src does not reach (a flake's self may
# hold the project alone). rootUp, the way from src up to the boundary, is
# written by lock2nix, never by a lockfile.
#
# Paths are compared normalised: a store path string such as a flake's
# self is not normalised by "+", so "…-source/../x" would pass a plain
# prefix test. toString does not copy a path into the store.
{
  src,
  localRoot,
  localPaths,
  rootUp,
}:
path:
let
  norm = x: toString (/. + builtins.unsafeDiscardStringContext (toString x));
  boundary =
    if localRoot != null then
      localRoot
    else if rootUp == "" then
      src
    else
      src + "/${rootUp}";
  p = src + "/${path}";
  within =
    root: x:
    x == root || builtins.substring 0 (builtins.stringLength root + 1) x == root + "/" || root == "/";
  # The store object src lies in, when src is in the store (a flake's
  # self, builtins.path, a filtered source): the way up to the boundary
  # stops there. Above it lies the rest of the machine (rootUp "../../.."
  # from /nix/store/…-app is "/"), not the repository lock2nix checked.
  storeRest = builtins.substring (builtins.stringLength builtins.storeDir + 1) (-1) (norm src);
  srcTop =
    if src != null && within builtins.storeDir (norm src) && storeRest != "" then
      "${builtins.storeDir}/${builtins.head (builtins.split "/" storeRest)}"
    else
      null;
  clamped = localRoot == null && srcTop != null && !(within srcTop (norm boundary));
  r = if clamped then srcTop else norm boundary;
  s = norm p;
  # The first symbolic link on the way from the root to the path, or null.
  # Nix follows links among a path's parents, and a link added after the
  # file was generated could lead anywhere; a path in the store needs no
  # look (its links were copied as links, and leave the store only in
  # impure evaluation).
  below = builtins.filter (c: builtins.isString c && c != "") (
    builtins.split "/" (builtins.substring (builtins.stringLength r) (-1) s)
  );
  link =
    (builtins.foldl'
      (
        acc: c:
        if acc.found != null || acc.dir == null then
          acc
        else
          let
            type = (builtins.readDir acc.dir).${c} or null;
          in
          if type == "symlink" then
            acc // { found = "${toString acc.dir}/${c}"; }
          else if type == "directory" then
            acc // { dir = acc.dir + "/${c}"; }
          else
            acc // { dir = null; }
      )
      {
        dir = /. + r;
        found = null;
      }
      below
    ).found;
in
if localPaths ? ${path} then
  localPaths.${path}
else if src == null then
  throw "lock2nix: this lockfile has local dependencies (${path}); pass src, the project folder"
else if clamped && !(within r s) then
  throw "lock2nix: the local package ${path}, beside the project, is not in reach of src (${srcTop} does not hold it); pass a src that holds it, or localPaths.\"${path}\" = <its folder>;"
else if !(within r s) then
  throw "lock2nix: the local path ${path} leads to ${s}, outside the root ${r}; pass localRoot, a folder that holds it"
else if builtins.substring 0 (builtins.stringLength builtins.storeDir + 1) s != builtins.storeDir + "/" && link != null then
  throw "lock2nix: the local path ${path} goes through the symbolic link ${link}, which Nix would follow wherever it leads; regenerate the file (lock2nix checks where links lead) or use localPaths.\"${path}\""
else if (path == ".." || builtins.substring 0 3 path == "../") && !builtins.pathExists p then
  throw "lock2nix: the local package ${path}, beside the project, is not in reach of src (no ${s}); pass a src that holds it, or localPaths.\"${path}\" = <its folder>;"
else
  p
