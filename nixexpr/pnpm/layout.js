// lock2nix's pnpm layout program, run by the builders with nodejs:
//   node lock2nix-pnpm.js tree OUT PLAN [NODEDIR]
// lays out OUT as pnpm install --frozen-lockfile does with node-linker
// isolated: every package in the virtual store at
// node_modules/.pnpm/<dir>/node_modules/<name>, its dependencies linked
// beside it, each importer's dependencies linked into its node_modules,
// the hoisted links (node_modules/.pnpm/node_modules, and the root's for
// public-hoist-pattern), bins as shell shims, then (when the plan says)
// install scripts, dependencies first.
//
// PLAN is JSON: { importers: { path: { deps: { alias: ref }, kinds: {
//   alias: "prod"|"dev"|"optional" } } }, snapshots: { dir: { name, pkg,
//   deps: { alias: ref }, optionalDeps: [alias], optional } }, packages: {
//   id: { src, kind, os, cpu, libc, hasBin, build, patch } }, settings: {
//   hoistPattern, publicHoistPattern, hoistWorkspacePackages, names: {
//   importerPath: name } }, include: { dev, optional }, host: { os, cpu,
//   libc }, scripts: bool, allowBuild: [name] | null, denyBuild: [name] }.
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

function inside(out, rel) {
  const p = path.resolve(out, rel);
  if (p !== out && !p.startsWith(out + path.sep)) throw new Error("lock2nix: " + rel + " lies outside the tree");
  return p;
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
function shim(binDir, name, target) {
  fs.mkdirSync(binDir, { recursive: true });
  fs.chmodSync(target, 0o755);
  let prog = "";
  try {
    const head = fs.readFileSync(target, "latin1").slice(0, 200);
    const m = /^#!\s*(?:\S*\/)?(?:env\s+(?:-S\s+)?)?(\S+)/.exec(head);
    prog = m ? m[1] : /\.(c|m)?js$/.test(target) ? "node" : "";
  } catch (e) {}
  const rel = path.relative(binDir, target);
  const run = prog ? 'exec "' + prog + '" "$basedir/' + rel + '" "$@"' : 'exec "$basedir/' + rel + '" "$@"';
  const text = '#!/bin/sh\nbasedir=$(dirname "$(echo "$0" | sed -e \'s,\\\\,/,g\')")\n' + run + "\n";
  const at = path.join(binDir, name);
  try {
    fs.unlinkSync(at);
  } catch (e) {}
  fs.writeFileSync(at, text, { mode: 0o755 });
}

function linkBinsOf(binDir, pkgDirs) {
  for (const dir of pkgDirs) for (const [name, target] of binsOf(dir)) shim(binDir, name, target);
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
    const dir = path.join(out, storeDir(plan, d));
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
    const binDir = path.join(out, storeDir(plan, d), "node_modules", ".bin");
    linkBinsOf(binDir, withBins.map((r) => path.join(out, storeDir(plan, r))));
  }
  linkBinsOf(
    path.join(out, "node_modules", ".pnpm", "node_modules", ".bin"),
    Object.values(h.private).filter(hasBin).map((r) => path.join(out, storeDir(plan, r)))
  );
  for (const [imp, i] of Object.entries(plan.importers)) {
    const nm = imp === "." ? "node_modules" : imp + "/node_modules";
    const refs = Object.entries(i.deps).filter(([alias, ref]) => included(plan, i, alias) && (ref.startsWith("link:") || sel.installed.has(ref))).map(([, ref]) => ref);
    if (imp === ".") refs.push(...Object.values(h.public));
    // A linked project's files are not in this tree: its bins are linked
    // where the project sits once the tree is put in place.
    const dirsWithBins = refs.filter((r) => !r.startsWith("link:") && hasBin(r)).map((r) => path.join(out, storeDir(plan, r)));
    linkBinsOf(path.join(out, nm, ".bin"), dirsWithBins);
    for (const r of refs.filter((r) => r.startsWith("link:"))) linkProjectBins(out, path.join(out, nm, ".bin"), r.slice(5), plan);
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
    fs.mkdirSync(binDir, { recursive: true });
    const relFromBin = path.relative(binDir, path.join(out, proj, rel));
    const text = '#!/bin/sh\nbasedir=$(dirname "$(echo "$0" | sed -e \'s,\\\\,/,g\')")\nexec node "$basedir/' + relFromBin + '" "$@"\n';
    fs.writeFileSync(path.join(binDir, name), text, { mode: 0o755 });
  }
}

function isLink(p) {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch (e) {
    return false;
  }
}

module.exports = { allows, matcher, select, hoist, binsOf, canBuild, buildOrder, tree };

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
