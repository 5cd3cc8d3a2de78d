# lock2nix's yarn builders. Every generated file embeds this function and
# calls it with the lockfile's data: it is written once, reviewed here, and
# never generated. node_modules (or Plug'n'Play's .pnp.cjs and cache) is
# made by yarn itself, run offline over the fetched packages, so the tree
# is yarn's own:
# - yarn 1 ("classic") reads the tarballs from an offline mirror, a folder
#   of links named as yarn names mirror files, and installs with
#   --frozen-lockfile --offline;
# - berry fetches from a registry served on 127.0.0.1 for the length of
#   the build (server.js): every tarball is a fixed-output fetch, and yarn
#   makes its cache zips from them as it does from any registry, checking
#   each against the lockfile's checksum; it installs with --immutable.
# It needs only stdenv.mkDerivation, nodejs and yarn (classic) or
# yarn-berry from nixpkgs, and builtins.
{
  stdenv,
  nodejs,
  yarn,
  src,
  overrides,
  installScripts,
  serverScript,
  gitScript,
  sources,
  records,
  root,
  format,
}:
let
  inherit (builtins)
    attrNames
    concatStringsSep
    filter
    mapAttrs
    toJSON
    ;
  # The package records with src filled in: the source the record names,
  # or the package's own.
  packages = mapAttrs (id: r: r // { src = sources.${r.src or id} or null; }) records;
  ids = attrNames packages;
  fetched = filter (id: packages.${id}.src != null) ids;

  # classic: the offline mirror's links, one line each: "<file> <store path>".
  mirrorList = concatStringsSep "\n" (
    map (id: "${packages.${id}.mirror} ${packages.${id}.src}") (filter (id: packages.${id} ? mirror) fetched)
  );
  # berry: the registry's paths, "<path>": "<store path>", for the packages
  # whose conditions (os, cpu, libc) this system meets: yarn fetches no
  # other, so neither does Nix.
  host = stdenv.hostPlatform;
  hostOS =
    if host.isLinux then
      "linux"
    else if host.isDarwin then
      "darwin"
    else
      "unknown";
  hostCPU =
    if host.isx86_64 then
      "x64"
    else if host.isAarch64 then
      "arm64"
    else if host.isi686 then
      "ia32"
    else
      "unknown";
  hostLibc = if !host.isLinux then "unknown" else if host.isMusl then "musl" else "glibc";
  # A list allows the value it names, or everything but the values it
  # names with "!".
  allows =
    list: v:
    list == [ ]
    || builtins.elem v list
    || (builtins.all (x: builtins.substring 0 1 x == "!") list && !builtins.elem "!${v}" list);
  meets = r: allows (r.os or [ ]) hostOS && allows (r.cpu or [ ]) hostCPU && allows (r.libc or [ ]) hostLibc;
  registryMap = toJSON (
    builtins.listToAttrs (
      map (id: {
        name = packages.${id}.path;
        value = "${packages.${id}.src}";
      }) (filter (id: packages.${id} ? path && meets packages.${id}) fetched)
    )
  );

  # berry: the git dependencies' commits and fetched sources, "<commit>
  # <store path>" a line, for the build's git (git.sh).
  gitMap = concatStringsSep "\n" (
    map (id: "${packages.${id}.commit} ${packages.${id}.src}") (filter (id: packages.${id} ? commit) fetched)
  );

  # The project's files yarn reads, without any node_modules or build
  # output already there.
  copyProject = ''
    cp -R --no-preserve=mode ${src}/. project
    cd project
    find . -name node_modules -prune -exec rm -rf {} +
    rm -rf .pnp.cjs .pnp.loader.mjs .pnp.js .yarn/unplugged .yarn/install-state.gz .yarn-state.yml
  '';

  # What the output keeps: every node_modules folder (root and
  # workspaces), or for Plug'n'Play the loader files and .yarn.
  collect = ''
    mkdir -p $out
    find . -path ./.yarn -prune -o -name node_modules -prune -print | while IFS= read -r d; do
      mkdir -p "$out/$(dirname "$d")"
      cp -R "$d" "$out/$d"
    done
    for f in .pnp.cjs .pnp.loader.mjs .pnp.js .yarn/cache .yarn/unplugged .yarn/install-state.gz; do
      if [ -e "$f" ]; then mkdir -p "$out/$(dirname "$f")"; cp -R "$f" "$out/$f"; fi
    done
  '';

  classicInstall = scripts: ''
    mkdir -p $TMPDIR/mirror $TMPDIR/home
    while read -r file path; do
      [ -n "$file" ] || continue
      if [ -d "$path" ]; then
        # A git source: yarn's mirror holds it as git archive writes it,
        # an uncompressed tar with the files at the top, writable (yarn
        # extracts into folders as it finds them).
        tar -cf "$TMPDIR/mirror/$file" -C "$path" --mode=u+w --owner=0 --group=0 --numeric-owner --sort=name .
      else
        ln -s "$path" "$TMPDIR/mirror/$file"
      fi
    done < "$mirrorListPath"
    export HOME=$TMPDIR/home YARN_CACHE_FOLDER=$TMPDIR/yarn-cache
    printf 'yarn-offline-mirror "%s"\n' "$TMPDIR/mirror" > "$HOME/.yarnrc"
    yarn install --frozen-lockfile --offline --non-interactive --no-progress \
      ${if scripts then "" else "--ignore-scripts"} --cache-folder "$YARN_CACHE_FOLDER"
  '';

  berryInstall = scripts: ''
    export HOME=$TMPDIR/home
    mkdir -p "$HOME"
    node ${serverScript} "$registryMapPath" "$TMPDIR/port" &
    server=$!
    for _ in $(seq 100); do [ -s "$TMPDIR/port" ] && break; sleep 0.1; done
    [ -s "$TMPDIR/port" ] || { echo "lock2nix: the build's registry did not start" >&2; kill $server; exit 1; }
    export YARN_NPM_REGISTRY_SERVER="http://127.0.0.1:$(cat "$TMPDIR/port")"
    export YARN_UNSAFE_HTTP_WHITELIST=127.0.0.1
    export YARN_ENABLE_GLOBAL_CACHE=false YARN_ENABLE_TELEMETRY=0 YARN_ENABLE_PROGRESS_BARS=false
    export YARN_ENABLE_INLINE_BUILDS=true YARN_ENABLE_SCRIPTS=${if scripts then "true" else "false"}
    export YARN_GLOBAL_FOLDER=$TMPDIR/yarn-global
    # yarn clones git dependencies: the build's git hands it the fetched
    # commits (git.sh).
    mkdir -p "$TMPDIR/git-bin"
    printf '#!%s\nexec %s %s "$@"\n' "$(command -v bash)" "$(command -v bash)" ${gitScript} > "$TMPDIR/git-bin/git"
    chmod +x "$TMPDIR/git-bin/git"
    export PATH="$TMPDIR/git-bin:$PATH" LOCK2NIX_GIT_MAP="$gitMapPath"
    # The server is stopped when yarn fails too: left running, it would
    # hold the build's log open, and Nix would wait for it for ever. (No
    # EXIT trap: stdenv's own is there.)
    status=0
    yarn install --immutable || status=$?
    kill $server
    [ $status -eq 0 ] || exit $status
  '';

  tree =
    name: scripts:
    stdenv.mkDerivation (
      {
        inherit name;
        nativeBuildInputs = [
          nodejs
          yarn
        ];
        mirrorList = mirrorList + "\n";
        inherit registryMap;
        gitMap = gitMap + "\n";
        passAsFile = [
          "mirrorList"
          "registryMap"
          "gitMap"
        ];
        # Workspace links point into the project, outside the output.
        dontCheckForBrokenSymlinks = true;
        dontUnpack = true;
        buildPhase = copyProject + (if format == "berry" then berryInstall scripts else classicInstall scripts);
        installPhase = collect;
      }
      // overrides
    );

  nodeModules = tree "${root.pname}-node-modules" installScripts;
in
{
  inherit
    sources
    packages
    root
    nodeModules
    ;
  # The project built with its node_modules: buildPackage { script = "build"; }.
  buildPackage =
    {
      script ? null,
      modules ? nodeModules,
      ...
    }@args:
    stdenv.mkDerivation (
      {
        pname = root.pname;
        version = root.drvVersion;
        inherit src;
        nativeBuildInputs = [
          nodejs
          yarn
        ];
        # Modes kept (bins stay executable), made writable.
        configurePhase = ''
          cp -R ${modules}/. .
          chmod -R u+w .
        '';
        buildPhase = if script == null then "true" else "yarn run ${script}";
        installPhase = ''
          mkdir -p $out
          cp -R . $out
        '';
      }
      // removeAttrs args [
        "script"
        "modules"
      ]
    );
  # pkgs.mkShell (devShell { }): node, yarn, and the project's installed
  # files from Nix, in the project (run the shell from its root). Each
  # node_modules folder is made anew (marked as lock2nix's; a folder of
  # the user's is left alone) with links to the store's packages and
  # yarn's own relative links (workspaces, .bin) as they are, so that
  # those still lead into the project. For Plug'n'Play, .yarn/cache and
  # .yarn/unplugged are linked, and .pnp.cjs and .pnp.loader.mjs copied
  # (they locate the project by their own path).
  devShell =
    {
      modules ? nodeModules,
    }:
    {
      packages = [
        nodejs
        yarn
      ];
      shellHook = ''
        lock2nixFill() { # lock2nixFill FROM TO: TO's entries for FROM's
          local e name
          for e in "$1"/* "$1"/.[!.]*; do
            [ -e "$e" ] || [ -L "$e" ] || continue
            name=''${e##*/}
            if [ -L "$e" ]; then
              cp -P "$e" "$2/$name"
            elif [ -d "$e" ] && [[ $name == @* ]]; then
              mkdir -p "$2/$name"
              lock2nixFill "$e" "$2/$name"
            else
              ln -s "$e" "$2/$name"
            fi
          done
        }
        for d in $(cd ${modules} && find . -path ./.yarn -prune -o -name node_modules -prune -print); do
          if [ -L "$d" ] || [ -e "$d/.lock2nix-devshell" ]; then
            rm -rf "$d"
          fi
          if [ ! -e "$d" ]; then
            mkdir -p "$d"
            lock2nixFill "${modules}/$d" "$d"
            touch "$d/.lock2nix-devshell"
          fi
        done
        for d in .yarn/cache .yarn/unplugged; do
          if [ -e "${modules}/$d" ] && { [ ! -e "$d" ] || [ -L "$d" ]; }; then
            mkdir -p .yarn
            ln -sfn "${modules}/$d" "$d"
          fi
        done
        for f in .pnp.cjs .pnp.loader.mjs; do
          if [ -e "${modules}/$f" ]; then
            rm -f "$f"
            cp "${modules}/$f" "$f"
            chmod u+w "$f"
          fi
        done
      '';
    };
}
