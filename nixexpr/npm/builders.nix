# lock2nix's npm builders. Every generated file embeds this function and
# calls it with the lockfile's data: it is written once, reviewed here, and
# never generated. It needs only stdenv.mkDerivation, stdenv.hostPlatform
# and nodejs from nixpkgs (with python3 and cctools when there), and
# builtins.
{
  stdenv,
  nodejs,
  python3,
  cctools,
  src,
  overrides,
  installScripts,
  layoutScript,
  sources,
  records,
  root,
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
    concatStringsSep
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
    toJSON
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

  host = stdenv.hostPlatform;
  # npm's names for operating systems, CPUs and C libraries (Node's
  # process.platform and process.arch), as predicates on the platform the
  # packages are built for.
  npmOS = {
    linux = host.isLinux;
    darwin = host.isDarwin;
    win32 = host.isWindows;
    freebsd = host.isFreeBSD or false;
    openbsd = host.isOpenBSD or false;
    netbsd = host.isNetBSD or false;
    android = host.isAndroid or false;
  };
  npmCPU = {
    x64 = host.isx86_64;
    ia32 = host.isi686 or false;
    arm64 = host.isAarch64;
    arm = host.isAarch32 or false;
    ppc64 = host.isPower64 or false;
    s390x = host.isS390x or false;
    riscv64 = host.isRiscV64 or false;
    loong64 = host.isLoongArch64 or false;
  };
  npmLibc = {
    glibc = host.isLinux && !(host.isMusl or false);
    musl = host.isMusl or false;
  };
  # npm's rule: some listed name matches (or none is listed), and no
  # "!name" matches.
  allows =
    table: list:
    let
      neg = filter (hasPrefix "!") list;
      pos = filter (x: !hasPrefix "!" x) list;
    in
    (pos == [ ] || any (x: table.${x} or false) pos)
    && all (x: !(table.${dropPrefix "!" x} or false)) neg;
  supported =
    p: allows npmOS (p.os or [ ]) && allows npmCPU (p.cpu or [ ]) && allows npmLibc (p.libc or [ ]);

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

  # What node-gyp needs beyond make and a C++ compiler, put on PATH of
  # every step that runs install scripts, as buildNpmPackage does: the
  # python nixpkgs builds node with (nodejs.python), else python3; on
  # Darwin, cctools (libtool).
  python = nodejs.python or python3;
  gypTools =
    filter (x: x != null) [ python ] ++ (if host.isDarwin && cctools != null then [ cctools ] else [ ]);

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

  # One derivation per package: its archive unpacked as npm unpacks it (the
  # top folder stripped, whatever its name), permissions normalised, bins
  # executable with their shebangs pointing at this nodejs.
  unpacked = mapAttrs (
    id: p:
    let
      o = overrideFor id;
    in
    stdenv.mkDerivation {
      pname = p.pname;
      version = p.drvVersion;
      src = o.src or p.src;
      patches = o.patches or [ ];
      nativeBuildInputs = [ nodejs ];
      dontConfigure = true;
      dontBuild = true;
      dontFixup = true;
      # The files as published: nixpkgs' stdenv would otherwise replace
      # a package's config.sub and config.guess (dontConfigure does not
      # stop that hook).
      dontUpdateAutotoolsGnuConfigScripts = true;
      unpackPhase = ''
        runHook preUnpack
        if [ -d "$src" ] && [ ${if p.source == "git" then "1" else "0"} = 1 ]; then
          # npm packs a git dependency before installing it: only the files
          # its "files" and .npmignore allow. Scripts (prepare) are not
          # run: that needs its dev dependencies and the network.
          cp -R "$src/." checkout
          chmod -R u+w checkout
          export HOME="$TMPDIR" npm_config_cache="$TMPDIR/npm-cache"
          (cd checkout && npm pack --ignore-scripts --offline --silent --pack-destination "$TMPDIR" > "$TMPDIR/packed")
          mkdir package
          tar -xf "$TMPDIR/$(tail -n 1 "$TMPDIR/packed")" -C package --strip-components=1 --no-same-owner --no-same-permissions --delay-directory-restore
        elif [ -d "$src" ]; then
          cp -R "$src/." package
          chmod -R u+w package
          rm -rf package/.git
        else
          mkdir package
          tar -xf "$src" -C package --strip-components=1 --no-same-owner --no-same-permissions --delay-directory-restore
          chmod -R u+rwX package
          # As npm extracts archives: links are left out, and a .gitignore
          # becomes the .npmignore (or goes, when there is one).
          find package -type l -delete
          find package -type f -name .gitignore | while IFS= read -r f; do
            if [ -e "$(dirname "$f")/.npmignore" ]; then rm "$f"; else mv "$f" "$(dirname "$f")/.npmignore"; fi
          done
        fi
        cd package
        runHook postUnpack
      '';
      installPhase = ''
        runHook preInstall
        chmod -R u+rwX,go+rX,go-w .
        mkdir -p "$out"
        cp -R . "$out"
        node ${layoutScript} bins "$out" ${nodejs}/bin/node
        runHook postInstall
      '';
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
  wanted = pl: supported packages.${pl.id} && (!(elem "optional" pl.flags) || runsHere packages.${pl.id});
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

  # A derivation that runs the layout script: mode "tree" lays out $out,
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
      env = foldl' (acc: pl: acc // ((overrideFor pl.id).env or { })) { } pls;
    in
    stdenv.mkDerivation (
      env
      // {
        inherit name;
        dontUnpack = true;
        dontConfigure = true;
        dontFixup = true;
        dontUpdateAutotoolsGnuConfigScripts = true;
        # An override's inputs come before node-gyp's tools: the first
        # on PATH wins, so overrides do.
        nativeBuildInputs = [ nodejs ] ++ extra "nativeBuildInputs" ++ gypTools;
        buildInputs = extra "buildInputs";
        passAsFile = [ "plan" ];
        plan = toJSON (plan // { host = npmHost; });
        buildPhase = ''
          runHook preBuild
          node ${layoutScript} ${mode} "$out" "$planPath" ${nodejs}
          runHook postBuild
        '';
        installPhase = "true";
      }
    );

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
      };
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
      };
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
  # This host's names in npm's os, cpu and libc lists.
  npmHost = mapAttrs (_: table: filter (n: table.${n}) (attrNames table)) {
    os = npmOS;
    cpu = npmCPU;
    libc = npmLibc;
  };

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
    {
      src ? srcArg,
      script ? "build",
      checkScript ? "test",
      pname ? root.pname,
      version ? root.drvVersion,
      modules ? nodeModules,
      ...
    }@args:
    stdenv.mkDerivation (
      removeAttrs args [
        "script"
        "checkScript"
        "modules"
      ]
      // {
        inherit pname version src;
        # As buildNpmPackage: stripping a node_modules tree takes long and
        # gains little. An argument turns it back on.
        dontStrip = args.dontStrip or true;
        # The project's files as npm run build sees them: nixpkgs' stdenv
        # would replace its config.sub and config.guess.
        dontUpdateAutotoolsGnuConfigScripts = args.dontUpdateAutotoolsGnuConfigScripts or true;
        nativeBuildInputs = [ nodejs ] ++ (args.nativeBuildInputs or [ ]);
        configurePhase = ''
          runHook preConfigure
          # Modes kept (bins, native binaries and scripts stay
          # executable), and writable as npm's own tree: builds write there
          # (caches such as node_modules/.cache).
          cp -R ${modules}/. .
          chmod -R u+w .
          export PATH="$PWD/node_modules/.bin:$PATH"
          runHook postConfigure
        '';
        buildPhase = ''
          runHook preBuild
          ${runScript script}
          runHook postBuild
        '';
        # With doCheck, the package.json script checkScript ("test").
        checkPhase =
          args.checkPhase or ''
            runHook preCheck
            ${runScript checkScript}
            runHook postCheck
          '';
        installPhase = ''
          runHook preInstall
          name=$(node -p 'require("./package.json").name')
          dest="$out/lib/node_modules/$name"
          mkdir -p "$dest" "$out/bin"
          cp -R . "$dest"
          node ${layoutScript} bins "$dest" ${nodejs}/bin/node
          node -e '
            const fs = require("fs"), path = require("path");
            const [dest, bin] = process.argv.slice(1);
            const pj = require(path.join(dest, "package.json"));
            let bins = pj.bin || {};
            if (typeof bins === "string") bins = { [pj.name.split("/").pop()]: bins };
            for (const n of Object.keys(bins)) {
              const target = path.resolve(dest, bins[n]);
              if (fs.existsSync(target)) fs.symlinkSync(target, path.join(bin, path.basename(n)));
            }
          ' "$dest" "$out/bin"
          runHook postInstall
        '';
      }
    );
  srcArg = src;
  # Runs the project's package.json script name, if it has one, as
  # `npm run name` does: with npm when nodejs has it (the pre and post
  # scripts, npm's environment; scripts that call npm find it), else each
  # of prename, name and postname with sh. Offline, with npm's cache and
  # logs in the build's own folder.
  runScript = name: ''
    if node -e 'process.exit((require("./package.json").scripts || {})[process.argv[1]] ? 0 : 1)' ${shellQuote name}; then
      export npm_config_cache="$TMPDIR/.npm" npm_config_offline=true npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
      if command -v npm >/dev/null; then
        npm run ${shellQuote name}
      else
        for event in ${shellQuote "pre${name}"} ${shellQuote name} ${shellQuote "post${name}"}; do
          cmd=$(node -e 'process.stdout.write((require("./package.json").scripts || {})[process.argv[1]] || "")' "$event")
          if [ -n "$cmd" ]; then npm_lifecycle_event=$event sh -c "$cmd"; fi
        done
      fi
    fi
  '';
  shellQuote = s: "'" + builtins.replaceStrings [ "'" ] [ "'\\''" ] s + "'";

  # Development shells: pkgs.mkShell (devShell { }) puts the tree at
  # ./node_modules (and at each workspace's node_modules) when the shell
  # starts, and node_modules/.bin on PATH. The hook works in the current
  # folder, which must hold package.json. Read-only (the default), each
  # node_modules is a folder of links: one into the store per package, and
  # the tree's own links (workspaces, .bin) as they are, so that they lead
  # to the project's folders and not into the store. writable = true copies
  # the tree instead, for tools that write into packages. Each folder
  # records the mode and the tree it came from in .lock2nix-tree and is
  # made again only when they change. The hook replaces only what is its
  # own: a folder holding .lock2nix-tree, or a link into the store; a
  # node_modules that npm made is left alone with a message. Each new
  # folder is made beside its place and renamed into it, so shells that
  # start at once never see a part; one that finds the same already in
  # place, or loses the race to put it there, discards its own.
  devShell =
    {
      writable ? false,
      modules ? nodeModules,
    }:
    let
      quote = s: "'" + builtins.replaceStrings [ "'" ] [ "'\\''" ] s + "'";
      folders = [ "node_modules" ] ++ map (ws: "${ws}/node_modules") root.workspaces;
    in
    {
      packages = [ nodejs ];
      shellHook = ''
        lock2nix_ours() {
          if [ -L "$1" ]; then
            case "$(readlink "$1")" in "''${2%/*}"/*) return 0 ;; esac
            return 1
          fi
          [ -d "$1" ] && [ -f "$1/.lock2nix-tree" ]
        }
        lock2nix_links() {
          local from=$1 to=$2 e name
          local -a pkgs=() links=()
          mkdir "$to" || return 1
          for e in "$from"/* "$from"/.[!.]*; do
            if [ ! -e "$e" ] && [ ! -L "$e" ]; then continue; fi
            name=''${e##*/}
            if [ -L "$e" ]; then
              links+=("$e")
            elif [ "$name" = .bin ]; then
              cp -R "$e" "$to/.bin" && chmod u+w "$to/.bin" || return 1
            elif [ "''${name#@}" != "$name" ] && [ -d "$e" ]; then
              lock2nix_links "$e" "$to/$name" || return 1
            else
              pkgs+=("$e")
            fi
          done
          if [ ''${#pkgs[@]} -gt 0 ]; then ln -s "''${pkgs[@]}" "$to/" || return 1; fi
          if [ ''${#links[@]} -gt 0 ]; then cp -P "''${links[@]}" "$to/" || return 1; fi
        }
        lock2nix_place() {
          local mode=$1 tree=$2 dest=$3 want=$2/$3 cur= new= old=
          if [ ! -e "$want" ]; then
            if lock2nix_ours "$dest" "$tree"; then rm -rf "$dest"; fi
            return 0
          fi
          if [ ! -L "$dest" ] && [ -f "$dest/.lock2nix-tree" ]; then
            read -r cur <"$dest/.lock2nix-tree"
            if [ "$cur" = "$mode $want" ]; then return 0; fi
          fi
          if { [ -e "$dest" ] || [ -L "$dest" ]; } && ! lock2nix_ours "$dest" "$tree"; then
            echo "lock2nix: $PWD/$dest was not made by lock2nix (npm's?); leaving it alone. Remove it to use the Nix-built tree." >&2
            return 0
          fi
          new=$dest.lock2nix-new.$$.$RANDOM
          if [ "$mode" = copy ]; then
            echo "lock2nix: copying $want to $PWD/$dest" >&2
            cp -R "$want" "$new" && chmod -R u+w "$new"
          else
            lock2nix_links "$want" "$new"
          fi
          if [ $? -ne 0 ] || ! printf '%s %s\n' "$mode" "$want" >"$new/.lock2nix-tree"; then
            rm -rf "$new"
            return 1
          fi
          # Another shell may have put the same in place meanwhile.
          if [ ! -L "$dest" ] && [ -f "$dest/.lock2nix-tree" ]; then
            read -r cur <"$dest/.lock2nix-tree"
            if [ "$cur" = "$mode $want" ]; then
              rm -rf "$new"
              return 0
            fi
          fi
          if [ -e "$dest" ] || [ -L "$dest" ]; then
            old=$dest.lock2nix-old.$$.$RANDOM
            mv -T "$dest" "$old" 2>/dev/null || old=
          fi
          # Fails only when another shell has just put its own in place.
          mv -T "$new" "$dest" 2>/dev/null || rm -rf "$new"
          if [ -n "$old" ]; then rm -rf "$old"; fi
        }
        lock2nix_node_modules() {
          local mode=$1 tree=$2 dest
          shift 2
          if [ ! -f package.json ]; then
            echo "lock2nix: no package.json in $PWD; enter the shell in the project's folder to get node_modules" >&2
            return 0
          fi
          for dest in "$@"; do
            if [ "$dest" = node_modules ] || [ -d "''${dest%/node_modules}" ]; then
              lock2nix_place "$mode" "$tree" "$dest"
            fi
          done
          case ":$PATH:" in
            *":$PWD/node_modules/.bin:"*) ;;
            *) export PATH="$PWD/node_modules/.bin:$PATH" ;;
          esac
        }
        lock2nix_node_modules ${if writable then "copy" else "link"} ${quote "${modules}"} ${concatStringsSep " " (map quote folders)}
        unset -f lock2nix_ours lock2nix_links lock2nix_place lock2nix_node_modules
      '';
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
}
