# lock2nix's npm builders: lay the packages of a lockfile out as npm ci
# does. entry.nix calls this function with the data of a file lock2nix npm
# wrote (sources, records, root) and the node_modules layer
# (../node/modules.nix), which does what is not npm's own: unpacking,
# running the layout program, buildPackage, the dev shell. It needs only
# stdenv.mkDerivation and nodejs from nixpkgs, and builtins.
{
  stdenv,
  nodejs,
  src,
  overrides,
  installScripts,
  # The node_modules layer, and the npm layout program (layout.js).
  node,
  layoutScript,
  sources,
  records,
  root,
  # The lockfile records no platforms (npm's v1): the layout program reads
  # each optional package's own package.json instead.
  platformsFromManifests ? false,
  # Resolves a path of the project, for local packages; given only when
  # the lockfile has them.
  local ? null,
}:
let
  inherit (builtins)
    all
    any
    attrNames
    concatLists
    elem
    elemAt
    filter
    foldl'
    hasAttr
    listToAttrs
    mapAttrs
    removeAttrs
    split
    stringLength
    substring
    ;
  # The package records with what the generator left out filled in: name
  # and version from the ID "name@version", pname from the name, the
  # source kind "tarball", and src: the project's folder at path for local
  # packages, else the source the record names or the package's own.
  packages = mapAttrs (
    id: r:
    let
      parts = builtins.match "(.+)@([^@]*)" id;
      name = r.name or (elemAt parts 0);
      version = r.version or (elemAt parts 1);
    in
    {
      inherit name version;
      pname = builtins.replaceStrings [ "/" ] [ "-" ] (dropPrefix "@" name);
      drvVersion = version;
      source = "tarball";
    }
    // r
    // {
      src = if r ? path then local r.path else sources.${r.src or id} or null;
    }
  ) records;

  hasPrefix = pre: s: substring 0 (stringLength pre) s == pre;
  dropPrefix = pre: s: if hasPrefix pre s then substring (stringLength pre) (-1) s else s;

  # npm skips an optional package whose engines.node the running node does
  # not satisfy. The generator decodes the range into alternatives of
  # comparisons ("<23.0.0"); nodejs.version is the node that runs here
  # (without one, nothing is skipped).
  nodeVersion = if (nodejs.version or "") == "" then null else nodejs.version;
  passes =
    c:
    let
      m = builtins.match "(<=|>=|<|>|=)(.*)" c;
      op = elemAt m 0;
      r = builtins.compareVersions nodeVersion (elemAt m 1);
    in
    if op == "<" then
      r < 0
    else if op == "<=" then
      r <= 0
    else if op == ">" then
      r > 0
    else if op == ">=" then
      r >= 0
    else
      r == 0;
  runsHere = p: nodeVersion == null || !(p ? engines.node) || any (all passes) p.engines.node;

  # The bins of a project folder whose targets exist, as npm links only
  # those: read from the folder, whatever src is (a path, a store path,
  # a flake's self, a filtered source), without building anything.
  existingBins =
    p:
    listToAttrs (
      map (n: {
        name = n;
        value = p.bins.${n};
      }) (filter (n: builtins.pathExists (local p.path + "/${p.bins.${n}}")) (attrNames p.bins))
    );

  # A package's overrides, by name and then by id (name@version).
  overrideFor = id: (overrides.${packages.${id}.name} or { }) // (overrides.${id} or { });

  fetched = removeAttrs packages (
    filter (id: !(elem packages.${id}.source [
      "tarball"
      "git"
      "directory"
      "local-tarball"
    ])) (attrNames packages)
  );

  # One derivation per package: its source unpacked as npm unpacks it,
  # for the sources the layout program does not unpack itself.
  unpacked = mapAttrs (
    id: p:
    let
      o = overrideFor id;
    in
    node.unpack {
      inherit (p) pname;
      version = p.drvVersion;
      # A GitHub archive is fetched unpacked (fetchzip): what a git
      # checkout holds, which npm packs alike. A record's gitDir is the
      # folder of the checkout that is the package (npm's
      # "#COMMIT::path:DIR"); an override's src is the package's folder.
      src = o.src or (if p ? gitDir then node.gitFolder id p.src p.gitDir else p.src);
      git = p.source == "git";
      patches = o.patches or [ ];
    }
  ) fetched;

  # Every placement of every package: { path, id, flags }.
  placements = concatLists (
    map (
      id:
      map (path: {
        inherit path id;
        flags = packages.${id}.installs.${path};
      }) (attrNames (packages.${id}.installs or { }))
    ) (attrNames packages)
  );

  # The install paths that enclose path: "a/node_modules/b/node_modules/c"
  # → [ "a" "a/node_modules/b" ].
  enclosing =
    path:
    let
      parts = filter builtins.isString (split "/node_modules/" path);
      step = acc: part: {
        prefix = if acc.prefix == null then part else acc.prefix + "/node_modules/" + part;
        out = if acc.prefix == null then [ ] else acc.out ++ [ acc.prefix ];
      };
    in
    (foldl' step {
      prefix = null;
      out = [ ];
    } parts).out;

  # The placements pred keeps, without those inside a dropped one.
  keep =
    pred:
    let
      dropped = listToAttrs (
        map (pl: {
          name = pl.path;
          value = true;
        }) (filter (pl: !pred pl) placements)
      );
    in
    filter (pl: !hasAttr pl.path dropped && !any (a: hasAttr a dropped) (enclosing pl.path)) placements;
  wanted = pl: node.supports packages.${pl.id} && (!(elem "optional" pl.flags) || runsHere packages.${pl.id});
  prod = pl: wanted pl && !(elem "dev" pl.flags || elem "devOptional" pl.flags);

  # How a tree gets a package's files: from its archive, which the layout
  # script unpacks itself (most packages: no derivation of their own), or
  # from a folder a derivation made: `installed` for a package whose
  # install scripts run, `unpacked` for other sources and for packages
  # whose override patches or replaces the source.
  fromArchive =
    id:
    let
      p = packages.${id};
      o = overrideFor id;
    in
    elem p.source [
      "tarball"
      "local-tarball"
    ]
    && p.src != null
    && !(o ? src)
    && (o.patches or [ ]) == [ ];
  runsScripts =
    pl:
    !(elem "bundled" pl.flags) && packages.${pl.id}.source != "link" && (overrideFor pl.id).installScripts or true;
  # The placements whose install scripts run in a derivation of their own,
  # so that a change elsewhere in the lockfile does not run them again.
  # Packages the lockfile does not mark (v1 lockfiles mark none) run theirs
  # in the tree.
  ownDrv = pl: installScripts && runsScripts pl && packages.${pl.id}.hasInstallScript or false;

  # The layout script's entry for a placement; at: the tree's placements
  # by path; own: whether packages with install scripts come from their
  # own derivation.
  entry =
    at: own: pl:
    let
      p = packages.${pl.id};
    in
    if elem "bundled" pl.flags then
      {
        inherit (pl) path;
        kind = "bundled";
      }
    else if p.source == "link" then
      {
        inherit (pl) path;
        kind = "link";
        # A folder outside the project is a store path of its own;
        # others are folders of the project, linked relatively.
        from = if outside p.path then "${localPackages.${pl.id}}" else p.path;
        bins = if p ? bins then existingBins p else null;
      }
      // optionalInfo pl
    else
      {
        inherit (pl) path;
        kind = "place";
      }
      // (
        if own && ownDrv pl then
          { from = "${installed at pl}"; }
        else if fromArchive pl.id then
          { tarball = "${p.src}"; }
        else
          { from = "${unpacked.${pl.id}}"; }
      )
      // optionalInfo pl;
  # What the layout script needs to leave out, at build time, an optional
  # package whose own package.json excludes this host (v1 lockfiles do not
  # record os, cpu and libc) and the optional packages only it needed.
  optionalInfo = pl: {
    optional = elem "optional" pl.flags || elem "devOptional" pl.flags;
    deps = runtimeDeps packages.${pl.id};
  };
  depth = path: builtins.length (split "/node_modules/" path);
  # Install scripts run deepest packages first, as npm ci does.
  scriptOrder = pls: map (pl: pl.path) (
    builtins.sort (a: b: depth a.path > depth b.path || (depth a.path == depth b.path && a.path < b.path)) pls
  );
  # When two packages at the top level offer the same bin, npm links the
  # project's own dependency's.
  direct = root.deps.prod or [ ] ++ root.deps.dev or [ ] ++ root.deps.optional or [ ];
  byPathOf =
    pls:
    listToAttrs (
      map (pl: {
        name = pl.path;
        value = pl;
      }) pls
    );

  # Only when set, so that the plans of v2 and v3 lockfiles, and with them
  # their derivations, stay as they were.
  manifestRule = if platformsFromManifests then { platformsFromManifests = true; } else { };

  # A derivation that runs the layout program: mode "tree" lays out $out,
  # "installed" makes one package's folder. The overrides of the packages
  # in pls give its inputs and environment.
  layoutDrv =
    {
      name,
      mode,
      pls,
      plan,
    }:
    let
      extra = attr: concatLists (map (pl: (overrideFor pl.id).${attr} or [ ]) pls);
    in
    node.runLayout {
      inherit name mode plan;
      program = layoutScript;
      env = foldl' (acc: pl: acc // ((overrideFor pl.id).env or { })) { } pls;
      nativeBuildInputs = extra "nativeBuildInputs";
      buildInputs = extra "buildInputs";
    };

  # The placements pl needs at run time in the tree at: itself and its
  # dependencies as Node resolves them from its folder, transitively;
  # linked folders are left out.
  closureOf =
    at: pl:
    let
      lookup =
        dir: name:
        let
          found = filter (c: hasAttr c at) (candidates dir name);
        in
        if found == [ ] then [ ] else [ (builtins.head found) ];
    in
    filter (q: packages.${q.id}.source != "link") (
      map (item: at.${item.key}) (
        builtins.genericClosure {
          startSet = [ { key = pl.path; } ];
          operator =
            item:
            let
              q = packages.${at.${item.key}.id};
            in
            if q.source == "link" then
              [ ]
            else
              map (key: { inherit key; }) (concatLists (map (lookup item.key) (runtimeDeps q)));
        }
      )
    );

  # The package placed at pl after its install scripts ran, in a tree of
  # its runtime closure laid out at the same paths as in the tree at (so
  # that Node finds the same packages): only a change to the package or to
  # that closure builds it again. A package of the closure with install
  # scripts comes from its own derivation, as npm runs its scripts first;
  # when pl is in that package's closure too (a cycle), its scripts run
  # here instead. The result holds the package's folder without the
  # packages placed below it.
  installed =
    at: pl:
    let
      p = packages.${pl.id};
      closure = closureOf at pl;
      prebuilt = q: q.path != pl.path && ownDrv q && !any (r: r.path == pl.path) (closureOf at q);
    in
    layoutDrv {
      name = "${p.pname}-${p.drvVersion}";
      mode = "installed";
      pls = closure;
      plan = {
        # pl itself is kept whatever its flags: the tree decides that.
        layout = map (
          q: entry at (prebuilt q) q // (if q.path == pl.path then { optional = false; } else { })
        ) closure;
        direct = filter (n: any (q: q.path == "node_modules/${n}") closure) direct;
        scripts = scriptOrder (filter (q: runsScripts q && !prebuilt q) closure);
        run = true;
        roots = [ ];
        target = pl.path;
      }
      // manifestRule;
    };

  # A node_modules tree: every kept placement unpacked, copied or linked
  # (workspaces and file: folders), bins linked into each .bin folder,
  # then the install scripts that no derivation of their own ran,
  # deepest packages first, as npm ci does.
  tree =
    name: pls:
    let
      at = byPathOf pls;
    in
    layoutDrv {
      inherit name pls;
      mode = "tree";
      plan = {
        layout = map (entry at true) pls;
        inherit direct;
        scripts = scriptOrder (filter (pl: runsScripts pl && !ownDrv pl) pls);
        run = installScripts;
        # The folders whose dependencies npm installs: the project's
        # (every kind) and each linked folder's.
        roots = map (p: {
          dir = p.path or "";
          deps = depNames p;
        }) ([ root ] ++ map (id: packages.${id}) (filter (id: !outside packages.${id}.path) folders));
      }
      // manifestRule;
    };

  # npm drops an optional package it cannot install, and with it the
  # optional packages that only it needed: an optional placement stays only
  # when the project, a workspace or a kept package still reaches it.
  pruneOptional =
    pls:
    let
      at = listToAttrs (
        map (pl: {
          name = pl.path;
          value = pl;
        }) pls
      );
      lookup =
        dir: name:
        let
          found = filter (c: hasAttr c at) (if dir == "" then [ "node_modules/${name}" ] else candidates dir name);
        in
        if found == [ ] then [ ] else [ (builtins.head found) ];
      optional = pl: elem "optional" pl.flags || elem "devOptional" pl.flags;
      start =
        map (pl: pl.path) (filter (pl: !optional pl) pls)
        ++ concatLists (map (lookup "") (depNames root))
        ++ concatLists (map (id: concatLists (map (lookup packages.${id}.path) (depNames packages.${id}))) folders);
      reached = builtins.genericClosure {
        startSet = map (key: { inherit key; }) start;
        operator =
          item:
          let
            pl = at.${item.key};
            p = packages.${pl.id};
            dir = if p.source == "link" then p.path else pl.path;
          in
          map (key: { inherit key; }) (concatLists (map (lookup dir) (runtimeDeps p)));
      };
      reachedSet = listToAttrs (
        map (r: {
          name = r.key;
          value = true;
        }) reached
      );
    in
    filter (pl: !optional pl || hasAttr pl.path reachedSet) pls;

  depNames = p: concatLists (map (k: p.deps.${k} or [ ]) [ "prod" "dev" "optional" "peer" "peerOptional" ]);
  folders = filter (id: packages.${id}.source == "link") (attrNames packages);
  # Folders outside the project: file: dependencies such as "../lib".
  outside = path: path == ".." || hasPrefix "../" path;
  below = dir: pls: filter (pl: hasPrefix (dir + "/node_modules/") pl.path) pls;
  inProject = pls: filter (pl: !outside pl.path) pls;

  # Each folder outside the project is a derivation: its files (from src,
  # inside the root local paths must stay in), with its own dependencies
  # laid out in its node_modules (the lockfile's "../lib/node_modules/…"
  # keys, taken relative to it: a tree of its own), then its own install
  # scripts, as npm runs a linked folder's. Node, resolving from the
  # folder's real path, finds its dependencies there, as in the folder on
  # disk. The project's tree links to it.
  localPackages = listToAttrs (
    map (
      id:
      let
        folder = packages.${id};
        prefix = folder.path + "/";
        pls = map (pl: pl // { path = substring (stringLength prefix) (-1) pl.path; }) (
          below folder.path (pruneOptional (keep wanted))
        );
        at = byPathOf pls;
        own = installScripts && (folder.hasInstallScript or false) && (overrideFor id).installScripts or true;
      in
      {
        name = id;
        value = layoutDrv {
          name = "${folder.pname}-local";
          mode = "tree";
          inherit pls;
          plan = {
            layout = map (entry at true) pls;
            direct = [ ];
            scripts = scriptOrder (filter (pl: runsScripts pl && !ownDrv pl) pls) ++ (if own then [ "" ] else [ ]);
            run = installScripts;
            roots = [
              {
                dir = "";
                deps = depNames folder;
              }
            ];
            base = folderFiles folder;
          };
        };
      }
    ) (filter (id: outside packages.${id}.path) folders)
  );
  # The folder's files, without the node_modules and .git folders a
  # developer may have there (at any depth, as npm packs a folder): the
  # lockfile says what its node_modules holds.
  folderFiles =
    p:
    builtins.path {
      path = local p.path;
      name = "${p.pname}-source";
      filter = path: type: !(type == "directory" && elem (baseNameOf path) [ "node_modules" ".git" ]);
    };

  nodeModules = tree "${root.pname}-node-modules" (inProject (pruneOptional (keep wanted)));

  # Node's lookup from a package's folder: its own node_modules, then each
  # enclosing one, then the project's.
  candidates =
    dir: name:
    [ "${dir}/node_modules/${name}" ]
    ++ map (e: "${e}/node_modules/${name}") (foldl' (acc: e: [ e ] ++ acc) [ ] (enclosing dir))
    ++ [ "node_modules/${name}" ];
  byPath = listToAttrs (
    map (pl: {
      name = pl.path;
      value = pl;
    }) (keep wanted)
  );
  resolve =
    dir: name:
    let
      found = filter (c: hasAttr c byPath) (candidates dir name);
    in
    if found == [ ] then [ ] else [ (builtins.head found) ];
  realDir = path: let p = packages.${byPath.${path}.id}; in if p.source == "link" then p.path else path;
  runtimeDeps = p: concatLists (map (k: p.deps.${k} or [ ]) [ "prod" "optional" "peer" "peerOptional" ]);
  # The placements a workspace needs: what its dependencies (dev ones
  # included) resolve to from its folder, and so on transitively.
  workspaceClosure =
    id:
    let
      p = packages.${id};
      direct = concatLists (map (n: resolve p.path n) (runtimeDeps p ++ p.deps.dev or [ ]));
      closure = builtins.genericClosure {
        startSet = map (key: { inherit key; }) direct;
        operator =
          item:
          map (key: { inherit key; }) (
            concatLists (map (n: resolve (realDir item.key) n) (runtimeDeps packages.${byPath.${item.key}.id}))
          );
      };
    in
    map (item: byPath.${item.key}) closure;
  workspaceIds = filter (id: packages.${id}.source == "link" && elem packages.${id}.path root.workspaces) (attrNames packages);
  workspaces = listToAttrs (
    map (id: {
      name = packages.${id}.name;
      value = {
        nodeModules = tree "${packages.${id}.pname}-node-modules" (workspaceClosure id);
      };
    }) workspaceIds
  );
  nodeModulesProd = tree "${root.pname}-node-modules-prod" (inProject (pruneOptional (keep prod)));

  # Builds the project (or a workspace of it): copies src, puts the
  # node_modules tree in place, runs one package.json script offline and
  # installs the result under $out/lib/node_modules/<name>, with its bins
  # in $out/bin.
  buildPackage =
    args:
    node.buildPackage (
      {
        src = srcArg;
        pname = root.pname;
        version = root.drvVersion;
        modules = nodeModules;
      }
      // args
    );
  srcArg = src;

  # Development shells: pkgs.mkShell (devShell { }) puts the tree at
  # ./node_modules (and at each workspace's node_modules) when the shell
  # starts, and node_modules/.bin on PATH (../node/devshell.sh). writable
  # = true copies the tree instead of linking into the store.
  devShell =
    {
      writable ? false,
      modules ? nodeModules,
    }:
    node.devShell {
      inherit writable modules;
      folders = [ "node_modules" ] ++ map (ws: "${ws}/node_modules") root.workspaces;
    };
in
{
  inherit
    sources
    packages
    root
    unpacked
    nodeModules
    nodeModulesProd
    workspaces
    buildPackage
    devShell
    ;
  # What lock2nix's contract tests compare with layout.js (Node's lookup,
  # which Nix needs for the derivations' inputs and the program for
  # the platform check of v1 lockfiles).
  contract = { inherit candidates; };
}
