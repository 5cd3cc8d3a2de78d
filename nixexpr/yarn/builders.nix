# lock2nix's yarn builders, called by entry.nix with a data file's
# contents. node_modules (or Plug'n'Play's .pnp.cjs and cache) is made by
# yarn itself, run offline over the fetched packages, so the tree is
# yarn's own:
# - yarn 1 ("classic") reads the tarballs from an offline mirror, a folder
#   of links named as yarn names mirror files, and installs with
#   --frozen-lockfile --offline;
# - berry fetches from a registry served on 127.0.0.1 for the length of
#   the build (server.js): every tarball is a fixed-output fetch, and yarn
#   makes its cache zips from them as it does from any registry, checking
#   each against the lockfile's checksum; it installs with --immutable.
#   Its git dependencies are cloned through the build's git (git.sh),
#   which hands yarn the fetched commits.
# It needs only stdenv.mkDerivation, nodejs and yarn (classic) or
# yarn-berry from nixpkgs, lock2nix's node_modules layer (node: the
# platform rule, a GitHub archive's unpacking, the dev shell's hook), and
# builtins.
{
  stdenv,
  nodejs,
  yarn,
  node,
  src,
  overrides,
  installScripts,
  serverScript,
  gitScript,
  sources,
  records,
  root,
  format,
  # The project's files yarn reads in the build, as lock2nix read them:
  # { "<path>" = "<sha256 in hex>" or null (absent); }, and the command
  # that writes the data file again.
  projectFiles,
  regenerate,
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
  # whose conditions (os, cpu, libc) this system meets, by npm's rule,
  # which yarn follows: yarn fetches no other, so neither does Nix.
  meets = node.supports;
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

  # yarn reads the project's own yarn.lock, package.json files and
  # settings in the build, not the data file: those must be the files
  # lock2nix checked (the boundary, the sources and their hashes), or yarn
  # would install what lock2nix never saw. Compared when a tree is
  # evaluated, before anything is built, when src can be read there: a
  # path, or a string of store sources only (a flake's self). A
  # derivation's output (src = fetchFromGitHub { … }) is compared in the
  # build, before yarn runs (buildCheck): reading it at evaluation would
  # build it (import from derivation, which nixpkgs and Hydra forbid).
  readable = node.readable src;
  differs =
    path:
    let
      # A path is read where it is (the store copy an evaluation that
      # writes nothing would only name).
      file = if builtins.isPath src then src + "/${path}" else "${src}/${path}";
      want = projectFiles.${path};
    in
    if want == null then builtins.pathExists file else !(builtins.pathExists file) || builtins.hashFile "sha256" file != want;
  # The message, from the changed files' names (a short list when a
  # change touches many workspaces: buildCheck shortens it the same way).
  changedBefore = "lock2nix: src's ";
  changedAfter = " changed since the yarn data file was generated (yarn reads what src holds in the build, lock2nix checked what it held then); regenerate the data file in the project with: ${regenerate}";
  changed = named: changedBefore + named + changedAfter;
  projectChecked =
    let
      bad = filter differs (attrNames projectFiles);
      n = builtins.length bad;
      named =
        if n > 4 then
          concatStringsSep ", " (builtins.genList (builtins.elemAt bad) 3) + " and ${toString (n - 3)} more files"
        else
          concatStringsSep ", " bad;
    in
    if projectFiles == null then
      throw "lock2nix: the yarn data file records no hashes of the project's files (an older lock2nix wrote it); regenerate it in the project with: ${regenerate}"
    else if !readable then
      true
    else if bad != [ ] then
      throw (changed named)
    else
      true;
  # The data file's names and hashes are quoted for the shell as any
  # untrusted text. An absent file must not exist, not even as a dangling
  # link.
  esc = node.shellQuote;
  buildCheck = ''
    bad=()
    differs() {
      if [ -z "$2" ]; then [ -e "$1" ] || [ -L "$1" ]
      else [ ! -f "$1" ] || [ "$(sha256sum < "$1" | cut -d' ' -f1)" != "$2" ]; fi
    }
  ''
  + concatStringsSep "" (
    map (
      p: "differs ${esc "${src}/${p}"} ${esc (if projectFiles.${p} == null then "" else projectFiles.${p})} && bad+=(${esc p})\n"
    ) (attrNames projectFiles)
  )
  + ''
    if [ ''${#bad[@]} -gt 4 ]; then
      named="''${bad[0]}, ''${bad[1]}, ''${bad[2]} and $((''${#bad[@]} - 3)) more files"
    elif [ ''${#bad[@]} -gt 0 ]; then
      named=$(printf ', %s' "''${bad[@]}")
      named=''${named:2}
    fi
    if [ ''${#bad[@]} -gt 0 ]; then
      echo ${esc changedBefore}"$named"${esc changedAfter} >&2
      exit 1
    fi
  '';

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

  classicInstall = scripts: production: ''
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
      ${if scripts then "" else "--ignore-scripts"}${if production then " --production" else ""} --cache-folder "$YARN_CACHE_FOLDER"
  '';

  berryInstall = scripts: production: ''
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
    ${
      if production then
        # Without devDependencies, as yarn's own way to that tree does (it
        # keeps the lockfile as it is).
        "yarn workspaces focus --all --production || status=$?"
      else
        "yarn install --immutable || status=$?"
    }
    kill $server
    [ $status -eq 0 ] || exit $status
  '';

  tree =
    name: scripts: production:
    builtins.seq projectChecked (
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
          buildPhase =
            (if readable then "" else buildCheck)
            + copyProject
            + (if format == "berry" then berryInstall else classicInstall) scripts production;
          installPhase = collect;
        }
        // overrides
      )
    );

  nodeModules = tree "${root.pname}-node-modules" installScripts false;
  # The tree without devDependencies: yarn install --production (classic),
  # yarn workspaces focus --all --production (berry; yarn 4, or yarn 3
  # with the workspace-tools plugin).
  nodeModulesProd = tree "${root.pname}-node-modules-prod" installScripts true;
in
{
  inherit
    sources
    packages
    root
    nodeModules
    nodeModulesProd
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
  # node_modules folder (the root's, the workspaces') is put in place by
  # the node_modules layer's hook (../node/devshell.sh): a folder of links
  # into the store, with yarn's own relative links (workspaces, .bin) kept
  # as they are, so that those still lead into the project; writable =
  # true copies instead. For Plug'n'Play, .yarn/cache and .yarn/unplugged
  # are linked, and .pnp.cjs and .pnp.loader.mjs copied (they locate the
  # project by their own path).
  devShell =
    {
      modules ? nodeModules,
      writable ? false,
    }:
    let
      shell = node.devShell {
        inherit modules writable;
        folders = [ "node_modules" ] ++ map (w: "${w}/node_modules") root.workspaces;
      };
    in
    shell
    // {
      packages = shell.packages ++ [ yarn ];
      shellHook = shell.shellHook + ''
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
