// lock2nix's pnpm layout program, run by the builders with nodejs:
//   node lock2nix-pnpm.js tree OUT PLAN [NODEDIR]
// lays out OUT as pnpm install --frozen-lockfile does with node-linker
// isolated: every package in the virtual store at
// node_modules/.pnpm/<dir>/node_modules/<name>, its dependencies linked
// beside it, each importer's dependencies linked into its node_modules,
// the hoisted links (node_modules/.pnpm/node_modules, and the root's for
// public-hoist-pattern), bins as shell shims, then (when the plan says)
// install scripts, dependencies first. With the plan's settings.nodeLinker
// "hoisted" it lays out pnpm's hoisted tree instead (see hoistedTree).
//
// PLAN is JSON: { importers: { path: { deps: { alias: ref }, kinds: {
//   alias: "prod"|"dev"|"optional" } } }, snapshots: { dir: { name, pkg,
//   deps: { alias: ref }, optionalDeps: [alias], optional } }, packages: {
//   id: { src, kind, os, cpu, libc, hasBin, build, patch } }, settings: {
//   hoistPattern, publicHoistPattern, hoistWorkspacePackages, names: {
//   importerPath: name }, nodeLinker }, include: { dev, optional },
//   host: { os, cpu, libc }, scripts: bool, allowBuild: [name] | null,
//   denyBuild: [name] }.
// A ref is a snapshot's dir, or "link:<project path>".
"use strict";
const fs = require("fs");
const path = require("path");
const cp = require("child_process");

// allows is npm's platform rule: some listed name is the host's (or none
// is listed), and no "!name" is.
function allows(names, list) {
  if (!Array.isArray(list) || list.length === 0) return true;
  const pos = list.filter((x) => !x.startsWith("!"));
  return (pos.length === 0 || pos.some((x) => x === "any" || names.includes(x))) && !list.some((x) => x.startsWith("!") && names.includes(x.slice(1)));
}

// matcher is pnpm's pattern matcher: "*" matches anything, "!x" excludes.
function matcher(patterns) {
  const re = (p) => new RegExp("^" + p.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*") + "$");
  const inc = patterns.filter((p) => !p.startsWith("!")).map(re);
  const exc = patterns.filter((p) => p.startsWith("!")).map((p) => re(p.slice(1)));
  if (patterns.length === 0) return () => false;
  return (s) => (inc.length === 0 || inc.some((r) => r.test(s))) && !exc.some((r) => r.test(s));
}

// select decides which snapshots are installed: those the included
// importers' dependencies reach, without the optional packages not meant
// for this host (skipped) and what only they reach.
function select(plan) {
  const host = plan.host;
  const skipped = new Set();
  const fits = (dir) => {
    const s = plan.snapshots[dir];
    const p = plan.packages[s.pkg] || {};
    return allows(host.os, p.os) && allows(host.cpu, p.cpu) && allows(host.libc, p.libc);
  };
  const installed = new Set();
  const queue = [];
  const visit = (ref, optional) => {
    if (!ref || ref.startsWith("link:") || installed.has(ref)) return;
    if (!plan.snapshots[ref]) return;
    if (!fits(ref) && (optional || plan.snapshots[ref].optional)) {
      skipped.add(ref);
      return;
    }
    installed.add(ref);
    queue.push(ref);
  };
  for (const imp of Object.keys(plan.importers)) {
    const i = plan.importers[imp];
    for (const [alias, ref] of Object.entries(i.deps)) {
      const kind = i.kinds[alias];
      if (kind === "dev" && !plan.include.dev) continue;
      if (kind === "optional" && !plan.include.optional) continue;
      visit(ref, kind === "optional");
    }
  }
  while (queue.length > 0) {
    const s = plan.snapshots[queue.pop()];
    for (const [alias, ref] of Object.entries(s.deps)) {
      const opt = (s.optionalDeps || []).includes(alias);
      if (opt && !plan.include.optional) continue;
      visit(ref, opt);
    }
  }
  for (const d of installed) skipped.delete(d);
  return { installed, skipped };
}

// byName compares strings as pnpm's lexCompare does (code units).
const byName = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

// depEntries lists a snapshot's dependencies in pnpm's order: its
// dependencies, then its optional ones, each sorted as the lock sorts
// them (Nix's attribute sets keep no order, so the order is made again).
function depEntries(s) {
  const opt = new Set(s.optionalDeps || []);
  const e = Object.entries(s.deps);
  return e.filter(([a]) => !opt.has(a)).sort((x, y) => byName(x[0], y[0])).concat(e.filter(([a]) => opt.has(a)).sort((x, y) => byName(x[0], y[0])));
}

// importerEntries lists an importer's dependencies in pnpm's order:
// dependencies, devDependencies, optionalDependencies, each sorted.
function importerEntries(i) {
  const rank = { prod: 0, dev: 1, optional: 2 };
  return Object.entries(i.deps).sort((x, y) => (rank[i.kinds[x[0]]] || 0) - (rank[i.kinds[y[0]]] || 0) || byName(x[0], y[0]));
}

// children are the dependencies of a snapshot that are installed.
function children(plan, sel, s) {
  const out = {};
  for (const [alias, ref] of depEntries(s)) {
    if (ref.startsWith("link:") || sel.installed.has(ref)) out[alias] = ref;
  }
  return out;
}

// hoist computes pnpm's hoisted links: { private: { alias: target },
// public: { alias: target } }, a target being a snapshot dir or
// "link:<path>". It follows pnpm's graph walk (node order and depth as
// pnpm assigns them) so that the same alias wins.
function hoist(plan, sel) {
  const s = plan.settings;
  const pub = matcher(s.publicHoistPattern || []);
  const priv = matcher(s.hoistPattern || []);
  const type = (alias) => (pub(alias) ? "public" : priv(alias) ? "private" : false);
  const directDeps = [];
  const rootDirect = new Set();
  const start = [];
  for (const imp of Object.keys(plan.importers).sort(byName)) {
    const i = plan.importers[imp];
    for (const [alias, ref] of importerEntries(i)) {
      if (!sel.installed.has(ref) || !included(plan, i, alias)) continue;
      directDeps.push({ alias, ref });
      start.push(ref);
      if (imp === ".") rootDirect.add(alias.toLowerCase());
    }
  }
  // The graph walk: each step's nodes first, then their children's steps,
  // depth-first, as pnpm's graphWalker and getDependencies order them.
  const visited = new Set();
  const nodes = [];
  const step = (ids) => {
    const deps = [];
    for (const id of ids) {
      if (visited.has(id)) continue;
      visited.add(id);
      deps.push(id);
    }
    return deps;
  };
  const walk = (depth, deps) => {
    const next = [];
    for (const id of deps) {
      nodes.push({ id, depth, children: children(plan, sel, plan.snapshots[id]) });
      next.push(step(Object.values(children(plan, sel, plan.snapshots[id])).filter((r) => !r.startsWith("link:"))));
    }
    for (const n of next) walk(depth + 1, n);
  };
  walk(0, step(start));
  // The root node: the workspace projects by name, then the importers'
  // direct dependencies (the first importer to name an alias wins).
  const projects = {};
  if (s.hoistWorkspacePackages) {
    for (const [imp, name] of Object.entries(s.names || {})) {
      if (imp !== "." && name && plan.importers[imp]) projects[name] = "link:" + imp;
    }
  }
  const firstDirect = {};
  for (const { alias, ref } of directDeps) if (!(alias in firstDirect)) firstDirect[alias] = ref;
  const rootChildren = Object.assign(projects, firstDirect);
  nodes.unshift({ id: "", depth: -1, children: rootChildren });
  // By depth, then by dependency path (pnpm's node id), not by folder.
  const keyOf = (id) => (id && plan.snapshots[id].key) || id;
  nodes.sort((a, b) => a.depth - b.depth || byName(keyOf(a.id), keyOf(b.id)));
  const taken = new Set(rootDirect);
  const out = { private: {}, public: {} };
  for (const n of nodes) {
    for (const [alias, ref] of Object.entries(n.children)) {
      const t = type(alias);
      if (!t) continue;
      const norm = alias.toLowerCase();
      if (taken.has(norm)) continue;
      if (ref.startsWith("link:")) {
        // A workspace project: linked, but its alias stays free (pnpm
        // finds no package of its graph for it); the project wins.
        if (!(alias in out[t]) || !out[t][alias].startsWith("link:")) out[t][alias] = ref;
        continue;
      }
      taken.add(norm);
      if (!(alias in out[t]) || !out[t][alias].startsWith("link:")) out[t][alias] = ref;
    }
  }
  return out;
}

function included(plan, imp, alias) {
  const kind = imp.kinds[alias];
  return !((kind === "dev" && !plan.include.dev) || (kind === "optional" && !plan.include.optional));
}

// storeDir is where a snapshot's package sits, relative to the tree.
function storeDir(plan, dir) {
  return "node_modules/.pnpm/" + dir + "/node_modules/" + plan.snapshots[dir].name;
}

// targetOf is where a ref leads, relative to the tree.
function targetOf(plan, ref) {
  return ref.startsWith("link:") ? ref.slice(5) : storeDir(plan, ref);
}

// link makes at (relative to out) a relative link to target (relative to
// out), refusing anything that would leave the tree.
function link(out, at, target) {
  const dest = inside(out, at);
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  const rel = path.relative(path.dirname(dest), path.join(out, target));
  try {
    fs.unlinkSync(dest);
  } catch (e) {}
  fs.symlinkSync(rel, dest);
}

// inside resolves rel (relative to out, or absolute) for writing, and
// refuses what would leave out: by its path, or through a link on the way
// (the deepest folder above it that exists must really lie in out). Its
// last name is not followed: the callers replace it. Every path the
// program writes, changes or runs in goes through it, whatever the plan
// says: the plan comes from an untrusted lock.
function inside(out, rel) {
  const p = path.resolve(out, rel);
  if (!within(out, p)) throw outsideError(rel);
  if (p === out || !fs.existsSync(out)) return p;
  let d = path.dirname(p);
  if (checked.has(d)) return p;
  while (d !== out && !exists(d)) d = path.dirname(d);
  let real;
  try {
    real = fs.realpathSync.native(d);
  } catch (e) {
    throw outsideError(rel); // a dangling link
  }
  if (!within(realOf(out), real)) throw outsideError(rel);
  // A real folder stays one: the program replaces only links and files.
  if (d === path.dirname(p) && fs.lstatSync(d).isDirectory()) checked.add(d);
  return p;
}

// checked holds the folders inside found really in their tree.
const checked = new Set();

// realOf is out's real path, once per tree (a path the program makes
// never moves).
const reals = new Map();
function realOf(out) {
  if (!reals.has(out)) reals.set(out, fs.realpathSync.native(out));
  return reals.get(out);
}

// insideReal is inside for a file changed through its links (chmod
// follows them): where it really is must lie in out. It returns that.
function insideReal(out, p) {
  let real;
  try {
    real = fs.realpathSync.native(p);
  } catch (e) {
    throw outsideError(p);
  }
  if (!within(realOf(out), real)) throw outsideError(p);
  return real;
}

function within(dir, p) {
  return p === dir || p.startsWith(dir + path.sep);
}

function exists(p) {
  try {
    fs.lstatSync(p);
    return true;
  } catch (e) {
    return false;
  }
}

function outsideError(rel) {
  return new Error("lock2nix: " + rel + " lies outside the tree");
}

// extract unpacks a package archive into dest, its top folder stripped
// whatever its name, as pnpm does; links and special files are left out.
function extract(tgz, dest) {
  fs.mkdirSync(dest, { recursive: true });
  cp.execFileSync("tar", ["-xzf", tgz, "-C", dest, "--strip-components=1", "--no-same-owner", "--no-same-permissions", "--exclude=*/.git"], { stdio: "inherit" });
  cp.execFileSync("find", [dest, "-type", "l", "-delete"]);
  cp.execFileSync("chmod", ["-R", "u+rwX,go+rX,go-w", dest]);
}

// copyDir copies a folder's files (a file: dependency, a git checkout),
// without its node_modules and .git.
function copyDir(from, dest) {
  fs.mkdirSync(dest, { recursive: true });
  for (const e of fs.readdirSync(from)) {
    if (e === "node_modules" || e === ".git") continue;
    cp.execFileSync("cp", ["-R", "--no-preserve=mode", path.join(from, e), dest]);
  }
  cp.execFileSync("chmod", ["-R", "u+rwX,go+rX,go-w", dest]);
}

// packed copies what npm would pack of a git checkout (its "files",
// .npmignore): pnpm installs a git dependency as packed. Its prepare
// script is not run.
function packed(from, dest) {
  fs.mkdirSync(dest, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(process.env.TMPDIR || "/tmp", "pack"));
  const env = Object.assign({}, process.env, { HOME: tmp, npm_config_cache: path.join(tmp, "cache") });
  const out = cp.execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts", "--offline", "--silent"], { cwd: from, env });
  for (const f of JSON.parse(out.toString())[0].files) {
    const to = inside(dest, f.path);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.copyFileSync(path.join(from, f.path), to);
    fs.chmodSync(to, f.mode & 0o111 ? 0o755 : 0o644);
  }
}

// binsOf reads a package's executables as pnpm does: "bin" (a string
// names one after the package), else every file of directories.bin.
function binsOf(dir) {
  let pj;
  try {
    pj = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
  } catch (e) {
    return [];
  }
  let bin = pj.bin;
  if (typeof bin === "string") {
    const name = String(pj.name || "").split("/").pop();
    bin = name ? { [name]: bin } : {};
  } else if (!bin && pj.directories && typeof pj.directories.bin === "string") {
    bin = {};
    const d = path.join(dir, pj.directories.bin);
    try {
      for (const f of fs.readdirSync(d)) bin[f] = path.join(pj.directories.bin, f);
    } catch (e) {}
  }
  const out = [];
  for (const [raw, target] of Object.entries(bin && typeof bin === "object" ? bin : {})) {
    const name = path.basename(String(raw).replace(/^@[^/]+\//, ""));
    if (!name || name === "." || name === ".." || typeof target !== "string") continue;
    const abs = path.resolve(dir, target);
    if (!abs.startsWith(dir + path.sep) || !fs.existsSync(abs)) continue;
    out.push([name, abs]);
  }
  return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

// shim writes an executable at binDir/name that runs target, relative to
// the shim's own folder (so the tree works wherever it is copied), with
// the interpreter its #! line names (node for most).
function shim(out, binDir, name, target) {
  const at = inside(binDir, name);
  binFolder(out, binDir);
  fs.chmodSync(insideReal(out, target), 0o755);
  let prog = "";
  try {
    const head = fs.readFileSync(target, "latin1").slice(0, 200);
    const m = /^#!\s*(?:\S*\/)?(?:env\s+(?:-S\s+)?)?(\S+)/.exec(head);
    prog = m ? m[1] : /\.(c|m)?js$/.test(target) ? "node" : "";
  } catch (e) {}
  const rel = path.relative(binDir, target);
  const run = prog ? 'exec "' + prog + '" "$basedir/' + rel + '" "$@"' : 'exec "$basedir/' + rel + '" "$@"';
  const text = '#!/bin/sh\nbasedir=$(dirname "$(echo "$0" | sed -e \'s,\\\\,/,g\')")\n' + run + "\n";
  try {
    fs.unlinkSync(at);
  } catch (e) {}
  fs.writeFileSync(at, text, { mode: 0o755 });
}

// binFolder makes a .bin folder (checked by inside) and refuses it when it
// is a link out of the tree: a dependency aliased .bin may have put one
// there.
function binFolder(out, binDir) {
  fs.mkdirSync(binDir, { recursive: true });
  insideReal(out, binDir);
}

// linkBinsOf writes into binDir (relative to out) the shims of the
// packages' bins.
function linkBinsOf(out, binRel, pkgDirs) {
  const binDir = inside(out, binRel);
  for (const dir of pkgDirs) for (const [name, target] of binsOf(dir)) shim(out, binDir, name, target);
}

// canBuild is pnpm 10's allowBuild: dangerouslyAllowAllBuilds or no list
// (null) allows all; neverBuiltDependencies names packages never built;
// onlyBuiltDependencies allows a package by name or name@version when its
// version is a semver one, else only by its full id ("x@file:deps/x").
function canBuild(plan, s) {
  const p = plan.packages[s.pkg] || {};
  if ((plan.denyBuild || []).includes(s.name)) return false;
  if (plan.allowBuild === null || plan.allowBuild === undefined) return true;
  if (plan.allowBuild.includes(s.pkg)) return true;
  const semver = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/.test(String(p.version || ""));
  return semver && (plan.allowBuild.includes(s.name) || plan.allowBuild.includes(s.name + "@" + p.version));
}

// scriptsOf returns a package's install scripts as pnpm runs them:
// preinstall, install (node-gyp rebuild when there is a binding.gyp and
// neither install nor preinstall), postinstall.
function scriptsOf(dir) {
  let pj;
  try {
    pj = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
  } catch (e) {
    return [];
  }
  const s = pj.scripts || {};
  const out = [];
  if (s.preinstall) out.push(["preinstall", s.preinstall, pj]);
  if (s.install) out.push(["install", s.install, pj]);
  else if (!s.preinstall && fs.existsSync(path.join(dir, "binding.gyp"))) out.push(["install", "node-gyp rebuild", pj]);
  if (s.postinstall) out.push(["postinstall", s.postinstall, pj]);
  return out;
}

// requiresBuild is pnpm's: the lock says so (6.x), or the package has
// install scripts, a binding.gyp or a .hooks folder.
function requiresBuild(plan, s, dir) {
  return Boolean((plan.packages[s.pkg] || {}).build) || scriptsOf(dir).length > 0 || fs.existsSync(path.join(dir, ".hooks"));
}

// buildOrder lists the snapshots to build, each after its dependencies
// (a cycle is broken where it closes).
function buildOrder(plan, sel, dirs) {
  const order = [];
  const state = new Map();
  const visit = (d) => {
    if (state.has(d)) return;
    state.set(d, 1);
    for (const ref of Object.values(children(plan, sel, plan.snapshots[d]))) if (!ref.startsWith("link:")) visit(ref);
    state.set(d, 2);
    order.push(d);
  };
  for (const d of [...dirs].sort()) visit(d);
  return order;
}

function runScripts(out, plan, sel) {
  const nodeGyp = process.env.LOCK2NIX_NODE_GYP || "";
  for (const d of buildOrder(plan, sel, sel.installed)) {
    const s = plan.snapshots[d];
    if (!canBuild(plan, s)) continue;
    const dir = inside(out, storeDir(plan, d));
    const scripts = scriptsOf(dir);
    if (scripts.length === 0) continue;
    const bins = [path.join(dir, "node_modules", ".bin"), path.join(out, "node_modules", ".pnpm", "node_modules", ".bin"), path.join(out, "node_modules", ".bin")];
    if (nodeGyp) bins.push(nodeGyp);
    for (const [event, cmd, pj] of scripts) {
      const env = Object.assign({}, process.env, {
        PATH: bins.join(":") + ":" + process.env.PATH,
        npm_lifecycle_event: event,
        npm_package_name: String(pj.name || ""),
        npm_package_version: String(pj.version || ""),
        npm_node_execpath: process.execPath,
        INIT_CWD: out,
      });
      console.error("lock2nix: " + s.name + ": running " + event + ": " + cmd);
      cp.execFileSync("sh", ["-c", cmd], { cwd: dir, stdio: "inherit", env });
    }
  }
}

// tree lays out out as the plan says.
function tree(out, plan) {
  if (plan.settings && plan.settings.nodeLinker === "hoisted") return hoistedTree(out, plan);
  process.umask(0o022);
  fs.mkdirSync(out, { recursive: true });
  const sel = select(plan);
  const dirs = [...sel.installed].sort();
  // The packages' files.
  for (const d of dirs) {
    const s = plan.snapshots[d];
    const p = plan.packages[s.pkg];
    const dest = inside(out, storeDir(plan, d));
    if (p.kind === "tarball" || p.kind === "local-tarball") extract(p.src, dest);
    else if (p.kind === "git") packed(p.src, dest);
    else copyDir(p.src, dest);
    if (s.patch) cp.execFileSync("patch", ["-p1", "-s", "-d", dest, "-i", s.patch], { stdio: "inherit" });
  }
  // Each package's dependencies beside it.
  for (const d of dirs) {
    const s = plan.snapshots[d];
    for (const [alias, ref] of Object.entries(children(plan, sel, s))) {
      if (alias === s.name) continue;
      link(out, "node_modules/.pnpm/" + d + "/node_modules/" + alias, targetOf(plan, ref));
    }
  }
  // Each importer's dependencies.
  for (const [imp, i] of Object.entries(plan.importers)) {
    const nm = imp === "." ? "node_modules" : imp + "/node_modules";
    for (const [alias, ref] of Object.entries(i.deps)) {
      if (!included(plan, i, alias)) continue;
      if (!ref.startsWith("link:") && !sel.installed.has(ref)) continue;
      link(out, nm + "/" + alias, targetOf(plan, ref));
    }
  }
  // Hoisting.
  const h = hoist(plan, sel);
  for (const [alias, ref] of Object.entries(h.private)) link(out, "node_modules/.pnpm/node_modules/" + alias, targetOf(plan, ref));
  for (const [alias, ref] of Object.entries(h.public)) {
    if (fs.existsSync(path.join(out, "node_modules", alias)) || isLink(path.join(out, "node_modules", alias))) continue;
    link(out, "node_modules/" + alias, targetOf(plan, ref));
  }
  // Bins: each package's own and its dependencies' beside it, the hoisted
  // packages', each importer's dependencies'.
  const hasBin = (ref) => !ref.startsWith("link:") && (plan.packages[plan.snapshots[ref].pkg] || {}).hasBin;
  for (const d of dirs) {
    const s = plan.snapshots[d];
    const withBins = Object.values(children(plan, sel, s)).filter(hasBin);
    // pnpm's build step links a package's own bins beside its
    // dependencies' too, for the packages it builds (install scripts, or
    // a patch); with scripts off it takes that step only when the lock
    // has patches.
    if ((plan.scripts || plan.settings.patched) && (s.patch || requiresBuild(plan, s, path.join(out, storeDir(plan, d))))) withBins.push(d);
    if (withBins.length === 0) continue;
    linkBinsOf(
      out,
      storeDir(plan, d) + "/node_modules/.bin",
      withBins.map((r) => path.join(out, storeDir(plan, r)))
    );
  }
  linkBinsOf(
    out,
    "node_modules/.pnpm/node_modules/.bin",
    Object.values(h.private).filter(hasBin).map((r) => path.join(out, storeDir(plan, r)))
  );
  for (const [imp, i] of Object.entries(plan.importers)) {
    const nm = imp === "." ? "node_modules" : imp + "/node_modules";
    const refs = Object.entries(i.deps).filter(([alias, ref]) => included(plan, i, alias) && (ref.startsWith("link:") || sel.installed.has(ref))).map(([, ref]) => ref);
    if (imp === ".") refs.push(...Object.values(h.public));
    // A linked project's files are not in this tree: its bins are linked
    // where the project sits once the tree is put in place.
    const dirsWithBins = refs.filter((r) => !r.startsWith("link:") && hasBin(r)).map((r) => path.join(out, storeDir(plan, r)));
    linkBinsOf(out, nm + "/.bin", dirsWithBins);
    for (const r of refs.filter((r) => r.startsWith("link:"))) linkProjectBins(out, inside(out, nm + "/.bin"), r.slice(5), plan);
  }
  if (plan.scripts) runScripts(out, plan, sel);
  return sel;
}

// linkProjectBins links the bins of a workspace project (the lock's data
// names them: the project's files are not in the tree) as shims that reach
// it relatively, run with node.
function linkProjectBins(out, binDir, proj, plan) {
  const imp = plan.importers[proj];
  if (!imp || !imp.bins) return;
  for (const [name, rel] of Object.entries(imp.bins).sort()) {
    const at = inside(binDir, name);
    binFolder(out, binDir);
    const relFromBin = path.relative(binDir, path.join(out, proj, rel));
    const text = '#!/bin/sh\nbasedir=$(dirname "$(echo "$0" | sed -e \'s,\\\\,/,g\')")\nexec node "$basedir/' + relFromBin + '" "$@"\n';
    fs.writeFileSync(at, text, { mode: 0o755 });
  }
}

function isLink(p) {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch (e) {
    return false;
  }
}

// ---- node-linker=hoisted ----
//
// pnpm's hoisted linker lays packages out as npm and yarn's node-modules
// linker do: real folders, each as high in the tree as it can go. pnpm
// computes that tree with yarn's node-modules hoister over a tree built
// from the lock (its "real hoist"); what follows is that computation,
// written from its rules, so that every package lands where pnpm puts it:
//
// - the input tree: a root (the "." importer) whose children are its
//   dependencies, then one child per other importer (a workspace node,
//   never hoisted, under the name encodeURIComponent(path)); each package
//   node is one alias of one snapshot, shared wherever that alias and
//   snapshot meet; two nodes are the same package (ident) when their
//   name@version is, whatever their peers or source (see packageId);
// - rounds of hoisting until nothing moves: for each node on the way down
//   from the root (a path without repeats), the dependencies below it move
//   up to it when the name is free there and on the way, the version is
//   the one preferred for that name (the most depended-upon), and peers
//   stay satisfied; moving a node out of a shared subtree copies
//   ("decouples") the subtree first;
// - the result, read from the root: every node a folder at
//   <parent>/node_modules/<alias>, the importers' nodes at their paths.

// hoistInput builds the hoister's input tree from the plan, as pnpm does
// from its lockfile: node { name, identName, reference, deps: Set,
// peers: Set, workspace }.
function hoistInput(plan) {
  const memo = new Map();
  const refOf = new Map(); // packageId → the first dependency path met
  const keyOf = (dir) => plan.snapshots[dir].key || dir;
  // pnpm gives the hoister a package's peers only without
  // autoInstallPeers, which lock2nix refuses with this linker: none.
  const peersOf = () => new Set();
  // from is the folder the entries' links are relative to: the
  // importer's, or the lock's for a package's.
  const nodesOf = (entries, from) => {
    const out = new Set();
    for (const [alias, ref] of entries) {
      const n = nodeOf(alias, ref, from);
      if (n) out.add(n);
    }
    return out;
  };
  const nodeOf = (alias, ref, from) => {
    if (ref.startsWith("link:")) {
      // pnpm gives the hoister a link's reference as the lock writes it,
      // relative to its importer: link:../a from p/b and link:../../a
      // from p/x/d are two packages to it (which counts who needs what).
      const reference = "link:" + path.posix.relative(from, ref.slice(5));
      const linkKey = alias + ":" + reference;
      if (!memo.has(linkKey)) memo.set(linkKey, { name: alias, identName: alias, reference, deps: new Set(), peers: new Set(), workspace: false });
      return memo.get(linkKey);
    }
    const memoKey = alias + ":" + ref;
    if (memo.has(memoKey)) return memo.get(memoKey);
    let n;
    const s = plan.snapshots[ref];
    if (!s) return null;
    const id = packageId(plan, s);
    if (!refOf.has(id)) refOf.set(id, keyOf(ref));
    n = { name: alias, identName: s.name, reference: refOf.get(id), deps: new Set(), peers: peersOf(s), workspace: false };
    memo.set(memoKey, n);
    n.deps = nodesOf(depEntries(s), ".");
    return n;
  };
  const entriesOf = (i) => importerEntries(i).filter(([alias]) => included(plan, i, alias));
  const root = { name: ".", identName: ".", reference: "", peers: new Set(), workspace: true, deps: new Set() };
  if (plan.importers["."]) root.deps = nodesOf(entriesOf(plan.importers["."]), ".");
  for (const id of Object.keys(plan.importers).sort(byName)) {
    if (id === ".") continue;
    const name = encodeURIComponent(id);
    root.deps.add({ name, identName: name, reference: "workspace:" + id, peers: new Set(), workspace: true, deps: nodesOf(entriesOf(plan.importers[id]), id) });
  }
  return root;
}

// packageId is what pnpm's hoister input knows a package by: name@version
// (the lock's version field, or the key's), whatever its source: two
// commits of one git repository with one version are one package, and the
// first met is installed wherever either goes. A version that is not
// semver (a file: folder's key without a version field) keeps the
// package's own id.
function packageId(plan, s) {
  const p = plan.packages[s.pkg] || {};
  const v = String(p.version || "");
  return /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/.test(v) ? (p.name || s.name) + "@" + v : s.pkg;
}

// identOf is what makes two nodes the same package: name@reference, the
// reference's part after a "#" when it has one.
function identOf(identName, reference) {
  const hash = reference.indexOf("#");
  return identName + "@" + (hash >= 0 ? reference.slice(hash + 1) : reference);
}

// workTree copies the input into the hoister's working nodes: deps (where
// each child is now), orig (the dependencies as locked), hoisted (the
// dependencies moved up from here), decoupled (false while the node is
// shared by several parents).
function workTree(input) {
  const make = (n, border) => ({
    name: n.name,
    refs: new Set([n.reference]),
    locator: n.identName + "@" + n.reference,
    ident: identOf(n.identName, n.reference),
    deps: new Map(),
    orig: new Map(),
    hoisted: new Map(),
    peers: new Set(n.peers),
    decoupled: true,
    border,
    workspace: n.workspace,
  });
  const root = make(input, true);
  const made = new Map([[input, root]]);
  const couple = (w, seen) => {
    if (seen.has(w)) return;
    seen.add(w);
    w.decoupled = false;
    for (const d of w.deps.values()) if (!w.peers.has(d.name)) couple(d, seen);
  };
  const add = (n, parent) => {
    let w = made.get(n);
    const shared = Boolean(w);
    if (!w) {
      w = make(n, false);
      made.set(n, w);
    }
    parent.deps.set(n.name, w);
    parent.orig.set(n.name, w);
    if (shared) couple(w, new Set());
    else for (const d of n.deps) add(d, w);
  };
  for (const d of input.deps) add(d, root);
  return root;
}

// regularDeps lists a node's dependencies that are not its peers, each
// after the peers it needs that the node provides.
function regularDeps(node) {
  const out = new Set();
  const add = (dep, seen) => {
    if (seen.has(dep)) return;
    seen.add(dep);
    for (const p of dep.peers) {
      if (node.peers.has(p)) continue;
      const pd = node.deps.get(p);
      if (pd && !out.has(pd)) add(pd, seen);
    }
    out.add(dep);
  };
  for (const d of node.deps.values()) if (!node.peers.has(d.name)) add(d, new Set());
  return out;
}

// decouple gives parent its own copy of a shared node, before anything
// below it moves.
function decouple(parent, node) {
  if (node.decoupled) return node;
  const copy = Object.assign({}, node, {
    refs: new Set(node.refs),
    deps: new Map(node.deps),
    orig: new Map(node.orig),
    hoisted: new Map(node.hoisted),
    peers: new Set(node.peers),
    decoupled: true,
  });
  const self = copy.deps.get(copy.name);
  if (self && self.ident === copy.ident) copy.deps.set(copy.name, copy);
  parent.deps.set(copy.name, copy);
  return copy;
}

// preferences ranks, for each name below root, its versions: the one more
// packages depend on first (peer dependents count too); ties keep the
// order they were met in.
function preferences(root) {
  const entries = new Map();
  const entry = (n) => {
    const k = n.name + "@" + n.ident;
    if (!entries.has(k)) entries.set(k, { name: n.name, ident: n.ident, users: new Set(), peerUsers: new Set() });
    return entries.get(k);
  };
  const seen = new Set([root]);
  const dependOn = (user, n) => {
    const first = !seen.has(n);
    entry(n).users.add(user.ident);
    if (!first) return;
    seen.add(n);
    for (const d of n.deps.values()) {
      const e = entry(d);
      if (n.peers.has(d.name)) e.peerUsers.add(n.ident);
      else dependOn(n, d);
    }
  };
  for (const d of root.deps.values()) if (!root.peers.has(d.name)) dependOn(root, d);
  const ranked = [...entries.values()].sort((a, b) => b.users.size + b.peerUsers.size - (a.users.size + a.peerUsers.size));
  const byName = new Map([[root.name, [root.ident]]]);
  for (const d of root.deps.values()) if (!root.peers.has(d.name)) byName.set(d.name, [d.ident]);
  for (const e of ranked) {
    if (root.peers.has(e.name)) continue;
    if (!byName.has(e.name)) byName.set(e.name, []);
    const list = byName.get(e.name);
    if (!list.includes(e.ident)) list.push(e.ident);
  }
  return byName;
}

// usedNames maps the names already taken below the last node of path (by
// what was hoisted into the nodes under it) to the node taking each. The
// first round reads them directly; later rounds look each up along the
// path, ignoring names a node's own dependencies hide.
function usedNames(path, firstRound) {
  const root = path[path.length - 1];
  const used = new Map();
  const seen = new Set();
  const visit = (n, hidden) => {
    if (seen.has(n)) return;
    seen.add(n);
    for (const h of n.hoisted.values()) {
      if (firstRound) used.set(h.name, h);
      else if (!hidden.has(h.name)) {
        for (const p of path) {
          const there = p.deps.get(h.name);
          if (there) used.set(there.name, there);
        }
      }
    }
    const names = new Set(n.deps.keys());
    for (const d of n.deps.values()) if (!n.peers.has(d.name)) visit(d, names);
  };
  visit(root, new Set());
  return used;
}

const YES = 0;
const NO = 1;
const DEPENDS = 2;

// canHoist says whether node (a dependency of the last node of path) may
// move up to root (path[0]): YES, NO, or DEPENDS on the peers listed in
// dependsOn moving too.
function canHoist(ctx, path, node) {
  const { root, used, chosen, shadowed, firstRound } = ctx;
  const parent = path[path.length - 1];
  let ok = node.ident !== parent.ident && !node.workspace && !root.peers.has(node.name);
  if (ok) {
    const u = used.get(node.name);
    ok = !u || u.ident === node.ident;
    for (let i = path.length - 1; ok && i >= 1; i--) {
      const there = path[i].deps.get(node.name);
      if (there && there.ident !== node.ident) {
        ok = false;
        if (!shadowed.has(parent)) shadowed.set(parent, new Set());
        shadowed.get(parent).add(node.name);
      }
    }
  }
  if (ok) ok = chosen.get(node.name) === node.ident;
  let dependsOn = new Set();
  if (ok) {
    const left = new Set(node.peers);
    for (let i = path.length - 1; ok && i >= 1; i--) {
      const p = path[i];
      for (const name of left) {
        if (p.peers.has(name) && p.orig.has(name)) continue;
        const there = p.deps.get(name);
        if (there && root.deps.get(name) !== there) {
          if (i === path.length - 1) dependsOn.add(there);
          else {
            dependsOn = null;
            ok = false;
          }
        }
        left.delete(name);
      }
    }
  }
  if (ok && !firstRound) {
    for (const h of node.hoisted.values()) {
      const u = used.get(h.name) || root.deps.get(h.name);
      if (!u || u.ident !== h.ident) {
        ok = false;
        break;
      }
    }
  }
  if (dependsOn && dependsOn.size > 0) return { verdict: DEPENDS, dependsOn };
  return { verdict: ok ? YES : NO };
}

const aliased = (n) => n.name + "@" + n.locator;

// hoistInto moves into root (the last node of rootPath) what can move
// there from anywhere below it, in one pass; it reports whether anything
// moved and whether another round is needed (a name moved that a node on
// the way up had to leave below).
function hoistInto(rootPath, used, chosen, parentShadowed, shadowed, firstRound) {
  const root = rootPath[rootPath.length - 1];
  const ctx = { root, used, chosen, shadowed, firstRound };
  const busy = new Set();
  let again = false;
  let changed = false;
  let fresh = new Set(regularDeps(root));
  let next;
  const visit = (path, trail, parent) => {
    if (busy.has(parent)) return;
    const nextTrail = trail.concat([aliased(parent)]);
    const verdicts = new Map();
    const waiting = new Map(); // a peer's name → the names that need it
    for (const dep of regularDeps(parent)) {
      const v = canHoist(ctx, [root, ...path, parent], dep);
      verdicts.set(dep, v);
      if (v.verdict === DEPENDS) {
        for (const p of v.dependsOn) {
          if (!waiting.has(p.name)) waiting.set(p.name, new Set());
          waiting.get(p.name).add(dep.name);
        }
      }
    }
    const stuck = new Set();
    const stick = (n) => {
      if (stuck.has(n)) return;
      stuck.add(n);
      verdicts.set(n, { verdict: NO });
      for (const name of waiting.get(n.name) || []) stick(parent.deps.get(name));
    };
    for (const [n, v] of verdicts) if (v.verdict === NO) stick(n);
    for (const n of verdicts.keys()) {
      if (stuck.has(n)) continue;
      changed = true;
      const s = parentShadowed.get(parent);
      if (s && s.has(n.name)) again = true;
      parent.deps.delete(n.name);
      parent.hoisted.set(n.name, n);
      const there = root.deps.get(n.name);
      if (!there) {
        if (root.ident !== n.ident) {
          root.deps.set(n.name, n);
          next.add(n);
        }
      } else for (const r of n.refs) there.refs.add(r);
    }
    for (const n of regularDeps(parent)) {
      if (!stuck.has(n) || n.border || nextTrail.includes(aliased(n))) continue;
      busy.add(parent);
      visit([...path, parent], nextTrail, decouple(parent, n));
      busy.delete(parent);
    }
  };
  const rootTrail = rootPath.map(aliased);
  do {
    next = new Set();
    for (const dep of fresh) {
      if (dep.locator === root.locator || dep.border) continue;
      visit([], rootTrail, decouple(root, dep));
    }
    fresh = next;
  } while (fresh.size > 0);
  return { again, changed };
}

// hoistDown hoists into the last node of rootPath, then into each of its
// dependencies in turn (a path never visits a package twice).
function hoistDown(tree, rootPath, onPath, parentShadowed, firstRound) {
  const root = rootPath[rootPath.length - 1];
  const prefs = preferences(root);
  const used = root === tree ? new Map() : usedNames(rootPath, firstRound);
  const chosen = new Map([...prefs].map(([name, idents]) => [name, idents[0]]));
  const shadowed = new Map();
  let again = false;
  let changed = false;
  for (;;) {
    const r = hoistInto(rootPath, used, chosen, parentShadowed, shadowed, firstRound);
    again = again || r.again;
    changed = changed || r.changed;
    // A name the preferred version could not take: offer it to the next.
    let retry = false;
    for (const [name, idents] of prefs) {
      if (idents.length > 1 && !root.deps.has(name)) {
        idents.shift();
        chosen.set(name, idents[0]);
        retry = true;
      }
    }
    if (!retry) break;
  }
  for (const dep of root.deps.values()) {
    if (root.peers.has(dep.name) || onPath.has(dep.locator)) continue;
    onPath.add(dep.locator);
    const r = hoistDown(tree, [...rootPath, dep], onPath, shadowed, firstRound);
    again = again || r.again;
    changed = changed || r.changed;
    onPath.delete(dep.locator);
  }
  return { again, changed };
}

// hoistTree runs rounds until the tree stops changing and returns it as
// plain nodes: { name, refs: [reference], deps: Set of nodes }.
function hoistTree(input) {
  const tree = workTree(input);
  let firstRound = true;
  for (;;) {
    const r = hoistDown(tree, [tree], new Set([tree.locator]), new Map(), firstRound);
    firstRound = false;
    if (!r.again && !r.changed) break;
  }
  const out = { name: tree.name, refs: [...tree.refs], deps: new Set() };
  const on = new Set([tree]);
  const add = (n, parentWork, parentOut) => {
    const o = parentWork === n ? parentOut : { name: n.name, refs: [...n.refs], deps: new Set() };
    parentOut.deps.add(o);
    if (on.has(n)) return;
    on.add(n);
    for (const d of n.deps.values()) if (!n.peers.has(d.name)) add(d, n, o);
    on.delete(n);
  };
  for (const d of tree.deps.values()) add(d, tree, out);
  return out;
}

// placements reads the hoisted tree as folders: [{ at, dir, modules,
// alias }], at the path of a package's folder relative to the tree
// (modules/alias), dir its snapshot (the
// first one pnpm met of that package). Packages not installed (optional
// ones not for this host) and links are not placed; importers' subtrees
// go under their paths.
function placements(plan, sel) {
  const tree = hoistTree(hoistInput(plan));
  const dirOf = new Map(Object.keys(plan.snapshots).map((d) => [plan.snapshots[d].key || d, d]));
  const out = [];
  const place = (modules, nodes, parent) => {
    for (const n of nodes) {
      if (n === parent) continue; // a package that needs itself
      const ref = n.refs[0];
      const dir = dirOf.get(ref);
      if (ref.startsWith("workspace:") || !dir || !sel.installed.has(dir)) continue;
      const at = modules + "/" + n.name;
      out.push({ at, dir, modules, alias: n.name });
      place(at + "/node_modules", n.deps, n);
    }
  };
  place("node_modules", tree.deps, tree);
  for (const n of tree.deps) {
    if (n.refs[0].startsWith("workspace:")) place(n.refs[0].slice("workspace:".length) + "/node_modules", n.deps, n);
  }
  return out.sort((a, b) => byName(a.at, b.at));
}

// manifestOf reads a package.json, or null.
function manifestOf(dir) {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
  } catch (e) {
    return null;
  }
}

// pickBins chooses, among commands of the same name, pnpm's: the one of
// the package named as the command, else the package whose name sorts
// last, else the higher version; with direct (an importer's dependency
// names), a direct dependency's command first.
function pickBins(cmds, direct) {
  const first = direct ? cmds.filter((c) => direct.has(c.alias)) : cmds;
  const names = new Set(first.map((c) => c.name));
  const all = direct ? first.concat(cmds.filter((c) => !direct.has(c.alias) && !names.has(c.name))) : cmds;
  const cmp = (a, b) => {
    if (a.own !== b.own) return a.own ? 1 : -1;
    if (a.pkgName !== b.pkgName) return a.pkgName.localeCompare(b.pkgName);
    return compareVersions(a.version, b.version);
  };
  const chosen = new Map();
  for (const c of all) {
    const prev = chosen.get(c.name);
    chosen.set(c.name, !prev || cmp(prev, c) < 0 ? c : prev);
  }
  return [...chosen.values()];
}

// compareVersions orders semver versions by their numbers (pre-releases
// before their release); enough to break a tie between two copies of a
// package.
function compareVersions(a, b) {
  const parse = (v) => /^(\d+)\.(\d+)\.(\d+)(?:-(.*))?/.exec(String(v || "")) || [null, 0, 0, 0, undefined];
  const x = parse(a);
  const y = parse(b);
  for (let i = 1; i <= 3; i++) if (Number(x[i]) !== Number(y[i])) return Number(x[i]) - Number(y[i]);
  if (x[4] === y[4]) return 0;
  if (x[4] === undefined) return 1;
  if (y[4] === undefined) return -1;
  return x[4] < y[4] ? -1 : 1;
}

// linkHoistedBins links, into binDir (relative to out), the commands of
// the packages given (entries: { alias, at } for a package's folder at at,
// { alias, at, project } for a workspace project linked at at), as pnpm
// does with prefer-symlinked-executables (the default with
// node-linker=hoisted): each a relative link to its file through at.
function linkHoistedBins(out, plan, binRel, entries, direct) {
  const cmds = [];
  for (const e of entries) {
    const through = inside(out, e.at);
    if (!e.project) {
      const pj = manifestOf(through) || {};
      for (const [name, abs] of binsOf(through)) {
        cmds.push({ name, alias: e.alias, file: abs, abs, own: name === pj.name, pkgName: String(pj.name || ""), version: pj.version });
      }
    } else {
      const imp = plan.importers[e.project];
      const pkgName = (plan.settings.names || {})[e.project] || "";
      for (const [name, rel] of Object.entries((imp && imp.bins) || {}).sort()) {
        cmds.push({ name, alias: e.alias, file: path.join(through, rel), own: name === pkgName, pkgName, version: "" });
      }
    }
  }
  if (cmds.length === 0) return;
  const binDir = inside(out, binRel);
  binFolder(out, binDir);
  for (const c of pickBins(cmds, direct)) {
    const at = inside(binDir, c.name);
    if (c.abs) fs.chmodSync(insideReal(out, c.abs), 0o755);
    try {
      fs.unlinkSync(at);
    } catch (e) {}
    fs.symlinkSync(path.relative(binDir, c.file), at);
  }
}

// modulesEntries lists what a node_modules folder (relative to out)
// holds, as pnpm reads it: folders and links, scopes opened, dot names
// left out; a link to a workspace project is given as the project (its
// files are not in the tree), one to another folder left out.
function modulesEntries(out, plan, modules) {
  const entries = [];
  const read = (rel) => {
    const dir = inside(out, path.join(modules, rel));
    let list;
    try {
      list = fs.readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      return;
    }
    for (const d of list.sort((a, b) => byName(a.name, b.name))) {
      if (d.isFile() || d.name.startsWith(".")) continue;
      const alias = rel ? rel + "/" + d.name : d.name;
      if (!rel && d.name.startsWith("@") && d.isDirectory()) {
        read(d.name);
        continue;
      }
      const at = modules + "/" + alias;
      if (d.isSymbolicLink()) {
        const target = path.posix.normalize(path.posix.join(path.posix.dirname(at), fs.readlinkSync(path.join(out, at))));
        if (plan.importers[target]) entries.push({ alias, at, project: target });
      } else if (d.isDirectory()) entries.push({ alias, at });
    }
  };
  read("");
  return entries;
}

// hoistedTree lays out out as pnpm install --frozen-lockfile does with
// node-linker=hoisted: every package a real folder where the hoisted tree
// puts it, each importer's links to workspace projects and folders, the
// bins of each node_modules in its .bin, then (when the plan says) install
// scripts, dependencies first, in each place a package was put.
function hoistedTree(out, plan) {
  process.umask(0o022);
  fs.mkdirSync(out, { recursive: true });
  const sel = select(plan);
  const placed = placements(plan, sel);
  // pnpm keeps its state in node_modules/.pnpm (lock.yaml, not written).
  fs.mkdirSync(path.join(out, "node_modules", ".pnpm"), { recursive: true });
  for (const { at, dir } of placed) {
    const s = plan.snapshots[dir];
    const p = plan.packages[s.pkg];
    const dest = inside(out, at);
    if (p.kind === "tarball" || p.kind === "local-tarball") extract(p.src, dest);
    else if (p.kind === "git") packed(p.src, dest);
    else copyDir(p.src, dest);
    if (s.patch) cp.execFileSync("patch", ["-p1", "-s", "-d", dest, "-i", s.patch], { stdio: "inherit" });
  }
  for (const [imp, i] of Object.entries(plan.importers)) {
    const nm = imp === "." ? "node_modules" : imp + "/node_modules";
    for (const [alias, ref] of Object.entries(i.deps)) {
      if (ref.startsWith("link:") && included(plan, i, alias)) link(out, nm + "/" + alias, ref.slice(5));
    }
  }
  // Bins: pnpm links those of every package in each node_modules folder,
  // as it finds them on disk (bundled dependencies too), into its .bin;
  // an importer's own dependencies win a conflict there.
  const importerDirs = new Map(Object.entries(plan.importers).map(([imp, i]) => [imp === "." ? "node_modules" : imp + "/node_modules", i]));
  const modulesDirs = new Set([...importerDirs.keys()].concat(placed.map((p) => p.at + "/node_modules")));
  for (const modules of [...modulesDirs].sort(byName)) {
    const imp = importerDirs.get(modules);
    linkHoistedBins(out, plan, modules + "/.bin", modulesEntries(out, plan, modules), imp ? new Set(Object.keys(imp.deps)) : null);
  }
  // pnpm's build step (install scripts on, or patches in the lock) links,
  // for each package it builds (install scripts, a binding.gyp, a patch),
  // its dependencies' bins and its own into its node_modules/.bin; a
  // dependency is taken where pnpm first put it (the highest place).
  if (plan.scripts || plan.settings.patched) {
    const first = new Map();
    for (const p of [...placed].sort((a, b) => a.at.split("/").length - b.at.split("/").length || byName(a.at, b.at))) {
      if (!first.has(p.dir)) first.set(p.dir, p.at);
    }
    const hasBin = (ref) => !ref.startsWith("link:") && (plan.packages[plan.snapshots[ref].pkg] || {}).hasBin;
    for (const { at, dir } of placed) {
      const s = plan.snapshots[dir];
      if (!s.patch && !requiresBuild(plan, s, path.join(out, at))) continue;
      const entries = Object.entries(children(plan, sel, s))
        .filter(([, ref]) => hasBin(ref) && first.has(ref))
        .map(([alias, ref]) => ({ alias, at: first.get(ref) }));
      entries.push({ alias: s.name, at });
      linkHoistedBins(out, plan, at + "/node_modules/.bin", entries, null);
    }
  }
  if (plan.scripts) runHoistedScripts(out, plan, sel, placed);
  return sel;
}

// runHoistedScripts runs install scripts in every place a package that
// may build was put, dependencies first.
function runHoistedScripts(out, plan, sel, placed) {
  const nodeGyp = process.env.LOCK2NIX_NODE_GYP || "";
  const at = new Map();
  for (const p of placed) {
    if (!at.has(p.dir)) at.set(p.dir, []);
    at.get(p.dir).push(p.at);
  }
  for (const d of buildOrder(plan, sel, at.keys())) {
    const s = plan.snapshots[d];
    if (!canBuild(plan, s)) continue;
    for (const rel of at.get(d) || []) {
      const dir = inside(out, rel);
      const scripts = scriptsOf(dir);
      if (scripts.length === 0) continue;
      // The .bin of the package's own node_modules and of each one above.
      const bins = [];
      let up = rel;
      for (;;) {
        bins.push(path.join(out, up, "node_modules", ".bin"));
        const i = up.lastIndexOf("/node_modules/");
        if (i < 0) break;
        up = up.slice(0, i);
      }
      bins.push(path.join(out, "node_modules", ".bin"));
      if (nodeGyp) bins.push(nodeGyp);
      for (const [event, cmd, pj] of scripts) {
        const env = Object.assign({}, process.env, {
          PATH: bins.join(":") + ":" + process.env.PATH,
          npm_lifecycle_event: event,
          npm_package_name: String(pj.name || ""),
          npm_package_version: String(pj.version || ""),
          npm_node_execpath: process.execPath,
          INIT_CWD: out,
        });
        console.error("lock2nix: " + s.name + " (" + rel + "): running " + event + ": " + cmd);
        cp.execFileSync("sh", ["-c", cmd], { cwd: dir, stdio: "inherit", env });
      }
    }
  }
}

module.exports = { allows, matcher, select, hoist, binsOf, canBuild, buildOrder, tree, hoistInput, hoistTree, placements, pickBins, compareVersions, hoistedTree };

if (require.main === module) {
  const [mode, out, planFile, nodedir] = process.argv.slice(2);
  if (mode !== "tree" || !out || !planFile) {
    console.error("usage: lock2nix-pnpm.js tree OUT PLAN [NODEDIR]");
    process.exit(2);
  }
  try {
    // node-gyp for packages with a binding.gyp: npm's, from nodejs.
    const gyp = nodedir ? path.join(nodedir, "lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js") : "";
    if (gyp && fs.existsSync(gyp) && !process.env.LOCK2NIX_NODE_GYP) {
      const shimDir = fs.mkdtempSync(path.join(process.env.TMPDIR || "/tmp", "gyp"));
      fs.writeFileSync(path.join(shimDir, "node-gyp"), "#!/bin/sh\nexec " + process.execPath + ' "' + gyp + '" "$@"\n', { mode: 0o755 });
      process.env.LOCK2NIX_NODE_GYP = shimDir;
    }
    if (!process.env.HOME || process.env.HOME === "/homeless-shelter") process.env.HOME = process.env.TMPDIR || "/tmp";
    tree(path.resolve(out), JSON.parse(fs.readFileSync(planFile, "utf8")));
  } catch (err) {
    console.error(err && err.stack ? err.stack : String(err));
    process.exit(1);
  }
}
