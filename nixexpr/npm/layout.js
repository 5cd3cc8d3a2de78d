// lock2nix's npm layout program: lays out a node_modules tree as npm ci
// does, from the plan the builders (builders.nix) derive from the
// lockfile's data. What any npm-style format shares (archives, bins,
// install scripts) is in ../node/modules.js; this file holds npm's own
// rules: where Node looks for a package, and which optional packages go.
//   node layout.js tree OUT PLAN NODEDIR       lay out OUT as PLAN says, link bins, run scripts
//   node layout.js installed OUT PLAN NODEDIR  OUT: the package at PLAN's target, after
//                                              its install scripts ran in the tree PLAN describes
// PLAN is JSON: { layout: [{ path, kind, from, tarball, bins, optional, deps }],
//   direct: [name], scripts: [path], run: bool, roots: [{ dir, deps }],
//   host: { os, cpu, libc }, target: path, base: folder }. See modules.js's
//   layOut for the entries' kinds.
"use strict";
const fs = require("fs");
const path = require("path");
const os = require("os");
const modules = require("../node/modules.js");

// candidates lists where Node looks for name from the folder dir (a path
// in the tree, "" for the project): its own node_modules, each enclosing
// one, then the project's.
function candidates(dir, name) {
  if (dir === "") return ["node_modules/" + name];
  const out = [dir + "/node_modules/" + name];
  for (let rest = dir; ; ) {
    const i = rest.lastIndexOf("/node_modules/");
    if (i < 0) break;
    rest = rest.slice(0, i);
    out.push(rest + "/node_modules/" + name);
  }
  out.push("node_modules/" + name);
  return out;
}

// supportedLayout leaves out, as npm does, each optional package whose
// own package.json excludes the host by os, cpu or libc (manifest(e)
// reads it), what is inside it, and the optional packages that only it
// needed (those the roots and the kept packages no longer reach). The
// builders drop packages whose lockfile entry says so; this catches the
// rest (v1 lockfiles record no platforms: plan.platformsFromManifests).
function supportedLayout(plan, layout, manifest) {
  const dropped = [];
  for (const e of layout) {
    if (!e.optional || e.kind !== "place") continue;
    const pj = manifest(e);
    if (pj && !modules.supports(plan.host, pj)) {
      console.error("lock2nix: " + e.path + ": optional, and not for this platform: left out");
      dropped.push(e.path);
    }
  }
  if (dropped.length === 0) return layout;
  const inside = (p) => dropped.some((d) => p === d || p.startsWith(d + "/node_modules/"));
  const kept = layout.filter((e) => !inside(e.path));
  const at = new Map(kept.map((e) => [e.path, e]));
  const reached = new Set();
  const queue = kept.filter((e) => !e.optional).map((e) => e.path);
  const reach = (dir, names) => {
    for (const name of names || []) {
      const found = candidates(dir, name).find((c) => at.has(c));
      if (found !== undefined) queue.push(found);
    }
  };
  for (const r of plan.roots || []) reach(r.dir, r.deps);
  while (queue.length > 0) {
    const p = queue.pop();
    if (reached.has(p)) continue;
    reached.add(p);
    const e = at.get(p);
    reach(e.kind === "link" ? e.from : e.path, e.deps);
  }
  return kept.filter((e) => !e.optional || reached.has(e.path));
}

// dropUnsupported removes from out what supportedLayout leaves out, and
// the folders that only held it; returns the layout that stays.
function dropUnsupported(out, plan, layout) {
  // A lockfile that records platforms is the whole rule, as npm ci
  // checks the lock's entry: one without libc is installed even where its
  // package.json names another C library.
  if (!plan.platformsFromManifests) return layout;
  const kept = supportedLayout(plan, layout, (e) => modules.readManifest(path.join(out, e.path)));
  const stays = new Set(kept.map((e) => e.path));
  for (const e of layout) {
    if (!stays.has(e.path)) modules.remove(path.join(out, e.path), out);
  }
  return kept;
}

// byPath sorts entries parents first: a path sorts before the paths below it.
function byPath(layout) {
  return layout.slice().sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

// tree lays out out as the plan says, links bins and runs the scripts the
// plan lists (those of packages not installed by a derivation of their
// own), in the plan's order (deepest first, as npm ci).
async function tree(out, plan, nodedir, work) {
  const node = path.join(nodedir, "bin", "node");
  if (plan.base) {
    // A folder outside the project: its files first, its bins made
    // executable with their shebangs pointing at this node, as npm does
    // when it links the folder.
    modules.copyTree(plan.base, out);
    modules.patchBins(out, node);
  }
  const all = byPath(plan.layout);
  await modules.layOut(out, all, node);
  const layout = dropUnsupported(out, plan, all);
  modules.linkBins(out, layout, (plan.direct || []).map((n) => "node_modules/" + n));
  if (!plan.run) return;
  // Only packages still placed (the platform check may have dropped
  // some), and "", a folder's own, when the tree is one.
  const placed = new Set(layout.map((e) => e.path));
  modules.runScripts(out, plan.scripts.filter((s) => placed.has(s) || (s === "" && plan.base)), nodedir, work);
}

// installed writes to out the package at plan.target after its install
// scripts ran, in a tree that holds what they need (its dependencies,
// laid out below it as in the project's tree): the package's folder
// without the packages placed inside it, which the project's tree places
// itself. The tree is built inside out, a path fixed for the derivation
// (a temporary folder's name changes from build to build, and node-gyp
// writes the path into build/Makefile and .deps), and then moved up;
// tmp holds the builders' helpers (node-gyp's shim).
async function installed(out, plan, nodedir, tmp) {
  const work = path.join(out, ".lock2nix-build");
  await tree(work, plan, nodedir, tmp);
  const top = path.join(work, plan.target);
  for (const e of plan.layout) {
    if (e.path.startsWith(plan.target + "/node_modules/")) modules.remove(path.join(work, e.path), top);
  }
  fs.rmSync(path.join(top, "node_modules", ".bin"), { recursive: true, force: true });
  try {
    fs.rmdirSync(path.join(top, "node_modules"));
  } catch (err) {}
  for (const f of fs.readdirSync(top)) {
    if (f === path.basename(work)) throw new Error("lock2nix: " + plan.target + " holds " + f + ", the builders' own folder");
    fs.renameSync(path.join(top, f), path.join(out, f));
  }
  fs.rmSync(work, { recursive: true, force: true });
}

module.exports = { candidates, supportedLayout, dropUnsupported, byPath, tree, installed };

if (require.main === module) {
  const [mode, a, b, c] = process.argv.slice(2);
  const fail = (err) => {
    console.error(err && err.stack ? err.stack : String(err));
    process.exit(1);
  };
  const work = process.env.TMPDIR || os.tmpdir();
  const plan = () => JSON.parse(fs.readFileSync(b, "utf8"));
  if (mode === "tree" && a && b && c) tree(path.resolve(a), plan(), c, work).catch(fail);
  else if (mode === "installed" && a && b && c) installed(path.resolve(a), plan(), c, work).catch(fail);
  else {
    console.error("usage: layout.js tree OUT PLAN NODEDIR | installed OUT PLAN NODEDIR");
    process.exit(2);
  }
}
