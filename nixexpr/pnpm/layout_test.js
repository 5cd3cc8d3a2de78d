// Unit tests of the pnpm layout program: node --test nixexpr/pnpm/layout_test.js
// (run by test.sh and by TestLayoutJS).
"use strict";
const test = require("node:test");
const assert = require("node:assert");
const fs = require("fs");
const os = require("os");
const path = require("path");
const L = require("./layout.js");

test("allows: npm's platform rule", () => {
  assert.ok(L.allows(["linux"], []));
  assert.ok(L.allows(["linux"], ["linux", "darwin"]));
  assert.ok(!L.allows(["linux"], ["darwin"]));
  assert.ok(!L.allows(["arm"], ["!arm"]));
  assert.ok(L.allows(["x64"], ["!arm"]));
});

test("matcher: globs and exclusions", () => {
  const m = L.matcher(["*eslint*", "*prettier*"]);
  assert.ok(m("eslint") && m("@typescript-eslint/parser") && m("prettier-plugin-x"));
  assert.ok(!m("react"));
  assert.ok(!L.matcher([])("x"));
  const n = L.matcher(["*", "!react"]);
  assert.ok(n("vue") && !n("react"));
});

// A plan: the root needs a (which needs b and, optionally, the
// darwin-only c) and, as a dev dependency, d; b has a bin.
function plan(extra) {
  return Object.assign(
    {
      importers: {
        ".": { deps: { a: "a@1.0.0", d: "d@1.0.0", w: "link:packages/w" }, kinds: { a: "prod", d: "dev", w: "prod" } },
        "packages/w": { deps: { b: "b@2.0.0" }, kinds: { b: "prod" } },
      },
      snapshots: {
        "a@1.0.0": { name: "a", pkg: "a@1.0.0", deps: { b: "b@1.0.0", c: "c@1.0.0" }, optionalDeps: ["c"] },
        "b@1.0.0": { name: "b", pkg: "b@1.0.0", deps: {} },
        "b@2.0.0": { name: "b", pkg: "b@2.0.0", deps: {} },
        "c@1.0.0": { name: "c", pkg: "c@1.0.0", deps: {}, optional: true },
        "d@1.0.0": { name: "d", pkg: "d@1.0.0", deps: { e: "e@1.0.0" } },
        "e@1.0.0": { name: "e", pkg: "e@1.0.0", deps: {} },
      },
      packages: {
        "a@1.0.0": { name: "a", version: "1.0.0" },
        "b@1.0.0": { name: "b", version: "1.0.0", hasBin: true },
        "b@2.0.0": { name: "b", version: "2.0.0", hasBin: true },
        "c@1.0.0": { name: "c", version: "1.0.0", os: ["darwin"] },
        "d@1.0.0": { name: "d", version: "1.0.0" },
        "e@1.0.0": { name: "e", version: "1.0.0" },
      },
      settings: { hoistPattern: ["*"], publicHoistPattern: [], hoistWorkspacePackages: false, names: { "packages/w": "w" } },
      include: { dev: true, optional: true },
      host: { os: ["linux"], cpu: ["x64"], libc: ["glibc"] },
    },
    extra
  );
}

test("select: skips optional packages not for this host, and dev ones when asked", () => {
  const sel = L.select(plan());
  assert.deepStrictEqual([...sel.installed].sort(), ["a@1.0.0", "b@1.0.0", "b@2.0.0", "d@1.0.0", "e@1.0.0"]);
  assert.deepStrictEqual([...sel.skipped], ["c@1.0.0"]);
  const prod = L.select(plan({ include: { dev: false, optional: true } }));
  assert.deepStrictEqual([...prod.installed].sort(), ["a@1.0.0", "b@1.0.0", "b@2.0.0"]);
});

test("hoist: the first node in pnpm's walk order wins an alias; the root's own are never hoisted", () => {
  const p = plan();
  const h = L.hoist(p, L.select(p));
  // b@2.0.0 is a direct dependency of an importer (depth -1), b@1.0.0 only
  // of a: the importer's wins.
  assert.deepStrictEqual(h.private, { b: "b@2.0.0", e: "e@1.0.0" });
  assert.deepStrictEqual(h.public, {});
  const shameful = plan();
  shameful.settings.publicHoistPattern = ["*"];
  assert.deepStrictEqual(L.hoist(shameful, L.select(shameful)).public, { b: "b@2.0.0", e: "e@1.0.0" });
  const ws = plan();
  ws.settings.hoistWorkspacePackages = true;
  assert.strictEqual(L.hoist(ws, L.select(ws)).private.w, "link:packages/w");
});

test("canBuild: pnpm 10's allow-list, and neverBuiltDependencies", () => {
  const p = plan({ allowBuild: ["a", "e@1.0.0", "f", "g@file:deps/g"], denyBuild: [] });
  assert.ok(L.canBuild(p, p.snapshots["a@1.0.0"]));
  assert.ok(L.canBuild(p, p.snapshots["e@1.0.0"]));
  assert.ok(!L.canBuild(p, p.snapshots["d@1.0.0"]));
  // A package of no semver version is allowed by its full id only.
  p.packages["f@file:deps/f"] = { name: "f", version: "file:deps/f" };
  p.packages["g@file:deps/g"] = { name: "g", version: "file:deps/g" };
  assert.ok(!L.canBuild(p, { name: "f", pkg: "f@file:deps/f" }));
  assert.ok(L.canBuild(p, { name: "g", pkg: "g@file:deps/g" }));
  const all = plan({ allowBuild: null, denyBuild: ["d"] });
  assert.ok(L.canBuild(all, all.snapshots["e@1.0.0"]));
  assert.ok(!L.canBuild(all, all.snapshots["d@1.0.0"]));
});

test("buildOrder: dependencies first", () => {
  const p = plan();
  const order = L.buildOrder(p, L.select(p), ["a@1.0.0", "b@1.0.0", "d@1.0.0", "e@1.0.0"]);
  assert.ok(order.indexOf("b@1.0.0") < order.indexOf("a@1.0.0"));
  assert.ok(order.indexOf("e@1.0.0") < order.indexOf("d@1.0.0"));
});

test("tree: links stay inside the tree", () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "layout"));
  const src = fs.mkdtempSync(path.join(os.tmpdir(), "src"));
  fs.writeFileSync(path.join(src, "package.json"), JSON.stringify({ name: "x", version: "1.0.0" }));
  const p = {
    importers: { ".": { deps: { x: "x@1.0.0" }, kinds: { x: "prod" } } },
    snapshots: { "x@1.0.0": { name: "x", pkg: "x@1.0.0", deps: { "../../../../../escape": "x@1.0.0" } } },
    packages: { "x@1.0.0": { name: "x", version: "1.0.0", kind: "directory", src } },
    settings: { hoistPattern: [], publicHoistPattern: [], names: {} },
    include: { dev: true, optional: true },
    host: { os: ["linux"], cpu: ["x64"], libc: ["glibc"] },
  };
  assert.throws(() => L.tree(out, p), /lies outside the tree/);
  p.snapshots["x@1.0.0"].deps = {};
  L.tree(out, p);
  assert.strictEqual(fs.readlinkSync(path.join(out, "node_modules", "x")), ".pnpm/x@1.0.0/node_modules/x");
  assert.ok(fs.existsSync(path.join(out, "node_modules/.pnpm/x@1.0.0/node_modules/x/package.json")));
});

// ---- node-linker=hoisted ----

// hplan is a hoisted plan of snapshots named "name@version" with the
// given dependencies (name → version), for the importers given.
function hplan(importers, snaps, extra) {
  const snapshots = {};
  const packages = {};
  for (const [id, deps] of Object.entries(snaps)) {
    const name = id.slice(0, id.lastIndexOf("@"));
    snapshots[id] = { name, pkg: id, deps: Object.fromEntries(Object.entries(deps).map(([n, v]) => [n, v.startsWith("link:") ? v : n + "@" + v])) };
    packages[id] = { name, version: id.slice(name.length + 1) };
  }
  const imps = {};
  for (const [imp, deps] of Object.entries(importers)) {
    const d = Object.fromEntries(Object.entries(deps).map(([n, v]) => [n, v.startsWith("link:") ? v : n + "@" + v]));
    imps[imp] = { deps: d, kinds: Object.fromEntries(Object.keys(d).map((n) => [n, "prod"])) };
  }
  return Object.assign(
    {
      importers: imps,
      snapshots,
      packages,
      settings: { hoistPattern: [], publicHoistPattern: [], names: {}, nodeLinker: "hoisted" },
      include: { dev: true, optional: true },
      host: { os: ["linux"], cpu: ["x64"], libc: ["glibc"] },
    },
    extra
  );
}

// where lists the hoisted placements: folder → snapshot.
function where(p) {
  return Object.fromEntries(L.placements(p, L.select(p)).map((x) => [x.at, x.dir]));
}

test("hoisted: a version the root holds another of nests under its dependent", () => {
  const p = hplan({ ".": { a: "1.0.0", c: "2.0.0" } }, { "a@1.0.0": { c: "1.0.0" }, "c@1.0.0": {}, "c@2.0.0": {} });
  assert.deepStrictEqual(where(p), {
    "node_modules/a": "a@1.0.0",
    "node_modules/a/node_modules/c": "c@1.0.0",
    "node_modules/c": "c@2.0.0",
  });
});

test("hoisted: the version more packages need takes the root, whatever the order", () => {
  const p = hplan({ ".": { a: "1.0.0", b: "1.0.0", z: "1.0.0" } }, { "a@1.0.0": { x: "2.0.0" }, "b@1.0.0": { x: "1.0.0" }, "z@1.0.0": { x: "1.0.0" }, "x@1.0.0": {}, "x@2.0.0": {} });
  assert.deepStrictEqual(where(p), {
    "node_modules/a": "a@1.0.0",
    "node_modules/a/node_modules/x": "x@2.0.0",
    "node_modules/b": "b@1.0.0",
    "node_modules/x": "x@1.0.0",
    "node_modules/z": "z@1.0.0",
  });
});

test("hoisted: a workspace project's dependencies go to the root unless the root holds another version; projects are links", () => {
  const p = hplan(
    { ".": { ms: "2.1.3", b: "link:packages/b" }, "packages/b": { ms: "2.0.0", y: "1.0.0", a: "link:../a" }, "packages/a": { y: "1.0.0" } },
    { "ms@2.0.0": {}, "ms@2.1.3": {}, "y@1.0.0": { ms: "2.1.3" } }
  );
  assert.deepStrictEqual(where(p), {
    "node_modules/ms": "ms@2.1.3",
    "node_modules/y": "y@1.0.0",
    "packages/b/node_modules/ms": "ms@2.0.0",
  });
});

test("hoisted: a cycle and a package needing itself end", () => {
  const p = hplan({ ".": { a: "1.0.0" } }, { "a@1.0.0": { b: "1.0.0", a: "1.0.0" }, "b@1.0.0": { a: "1.0.0" } });
  assert.deepStrictEqual(where(p), { "node_modules/a": "a@1.0.0", "node_modules/b": "b@1.0.0" });
});

test("hoisted: optional packages not for this host are not placed, but keep their place in the tree", () => {
  const p = hplan({ ".": { a: "1.0.0" } }, { "a@1.0.0": { c: "1.0.0" }, "c@1.0.0": {} });
  p.snapshots["a@1.0.0"].optionalDeps = ["c"];
  p.snapshots["c@1.0.0"].optional = true;
  p.packages["c@1.0.0"].os = ["darwin"];
  assert.deepStrictEqual(where(p), { "node_modules/a": "a@1.0.0" });
});

test("hoistTree: a package stays below the parent whose peer it needs when the root holds another", () => {
  // p peers on r: its parent q provides r@2, the root r@1, so p stays.
  const node = (name, ref, deps = [], peers = []) => ({ name, identName: name, reference: ref, deps: new Set(deps), peers: new Set(peers), workspace: false });
  const p = node("p", "p@1", [], ["r"]);
  const r2 = node("r", "r@2");
  const q = node("q", "q@1", [p, r2]);
  p.deps.add(r2);
  const root = { name: ".", identName: ".", reference: "", deps: new Set([node("r", "r@1"), q]), peers: new Set(), workspace: true };
  const t = L.hoistTree(root);
  const names = (n) => [...n.deps].map((d) => d.name + "@" + d.refs[0] + (d.deps.size ? "(" + names(d).join(",") + ")" : "")).sort();
  assert.deepStrictEqual(names(t), ["q@q@1(p@p@1,r@r@2)", "r@r@1"]);
});

test("pickBins: the package named as the command, then a direct dependency's", () => {
  const c = (name, alias, pkgName, version) => ({ name, alias, pkgName, version, own: name === pkgName });
  const cmds = [c("tool", "a", "a", "1.0.0"), c("tool", "tool", "tool", "1.0.0"), c("x", "b", "b", "1.0.0"), c("x", "a", "a", "1.0.0")];
  assert.deepStrictEqual(L.pickBins(cmds, null).map((x) => x.name + ":" + x.alias), ["tool:tool", "x:b"]);
  assert.deepStrictEqual(L.pickBins(cmds, new Set(["a"])).map((x) => x.name + ":" + x.alias), ["tool:a", "x:a"]);
  assert.ok(L.compareVersions("1.10.0", "1.9.0") > 0 && L.compareVersions("1.0.0-rc.1", "1.0.0") < 0);
});

test("tree (hoisted): real folders, bins as links through their package, names kept inside", (t) => {
  const { tmpdir, writePackage } = require("../node/testutil.js");
  const tmp = tmpdir(t);
  const src = (name, version, pj = {}) => {
    const d = path.join(tmp, "src", name + "-" + version);
    writePackage(d, Object.assign({ name, version }, pj), { "cli.js": "#!/usr/bin/env node\n" });
    return d;
  };
  const p = hplan({ ".": { a: "1.0.0", c: "2.0.0" } }, { "a@1.0.0": { c: "1.0.0" }, "c@1.0.0": {}, "c@2.0.0": {} });
  p.packages["a@1.0.0"] = { name: "a", version: "1.0.0", kind: "directory", src: src("a", "1.0.0") };
  p.packages["c@1.0.0"] = { name: "c", version: "1.0.0", kind: "directory", src: src("c", "1.0.0", { bin: "cli.js" }), hasBin: true };
  p.packages["c@2.0.0"] = { name: "c", version: "2.0.0", kind: "directory", src: src("c", "2.0.0", { bin: { c2: "cli.js" } }), hasBin: true };
  const out = path.join(tmp, "out");
  L.tree(out, p);
  assert.strictEqual(JSON.parse(fs.readFileSync(path.join(out, "node_modules/a/node_modules/c/package.json"))).version, "1.0.0");
  assert.strictEqual(fs.readlinkSync(path.join(out, "node_modules/.bin/c2")), "../c/cli.js");
  assert.strictEqual(fs.readlinkSync(path.join(out, "node_modules/a/node_modules/.bin/c")), "../c/cli.js");
  assert.ok(fs.statSync(path.join(out, "node_modules/.pnpm")).isDirectory());
  assert.ok(!fs.existsSync(path.join(out, "node_modules/.bin/c")));
  const bad = hplan({ ".": { "../../escape": "1.0.0" } }, { "../../escape@1.0.0": {} });
  bad.packages["../../escape@1.0.0"] = { name: "x", version: "1.0.0", kind: "directory", src: src("x", "1.0.0") };
  assert.throws(() => L.tree(path.join(tmp, "bad"), bad), /lies outside the tree/);
});

test("tree (hoisted): a bundled dependency's bin is linked in its package's node_modules/.bin", (t) => {
  const { tmpdir, tar } = require("../node/testutil.js");
  const tmp = tmpdir(t);
  const tgz = path.join(tmp, "a.tgz");
  fs.writeFileSync(
    tgz,
    tar([
      { name: "package/package.json", data: JSON.stringify({ name: "a", version: "1.0.0", bundleDependencies: ["bund"] }) },
      { name: "package/node_modules/bund/package.json", data: JSON.stringify({ name: "bund", version: "1.0.0", bin: "b.js" }) },
      { name: "package/node_modules/bund/b.js", data: "#!/usr/bin/env node\n" },
    ])
  );
  const p = hplan({ ".": { a: "1.0.0" } }, { "a@1.0.0": {} });
  p.packages["a@1.0.0"] = { name: "a", version: "1.0.0", kind: "tarball", src: tgz };
  const out = path.join(tmp, "out");
  L.tree(out, p);
  assert.strictEqual(fs.readlinkSync(path.join(out, "node_modules/a/node_modules/.bin/bund")), "../bund/b.js");
  assert.ok(!fs.existsSync(path.join(out, "node_modules/.bin")));
});

// outsideVictim makes, beside out, what a tree must never touch: a
// folder ../evil/node_modules/pkg with an executable's file (mode 644).
function outsideVictim(tmp) {
  const { writePackage } = require("../node/testutil.js");
  const victim = path.join(tmp, "evil", "node_modules", "pkg");
  writePackage(victim, { name: "pkg", version: "1.0.0", bin: { pwn: "x.js" } }, { "x.js": "#!/bin/sh\n" });
  fs.chmodSync(path.join(victim, "x.js"), 0o644);
  return victim;
}

// untouched asserts nothing was written or changed beside out.
function untouched(tmp, victim) {
  assert.ok(!fs.existsSync(path.join(tmp, "evil", "node_modules", ".bin")), "a .bin outside the tree");
  assert.strictEqual(fs.statSync(path.join(victim, "x.js")).mode & 0o777, 0o644, "a mode changed outside the tree");
  assert.deepStrictEqual(fs.readdirSync(tmp).sort(), ["evil", "out", "src"]);
}

test("tree (hoisted): an importer above the tree is refused before anything is written or changed there", (t) => {
  const { tmpdir, writePackage } = require("../node/testutil.js");
  const tmp = tmpdir(t);
  const victim = outsideVictim(tmp);
  writePackage(path.join(tmp, "src"), { name: "x", version: "1.0.0" });
  // The importer's dependency goes to the root: no placement names its
  // path; its node_modules is still read, and its .bin made, unless the
  // bins step asks the guard too.
  const p = hplan({ ".": {}, "../evil": { x: "1.0.0" } }, { "x@1.0.0": {} });
  p.packages["x@1.0.0"] = { name: "x", version: "1.0.0", kind: "directory", src: path.join(tmp, "src") };
  assert.throws(() => L.tree(path.join(tmp, "out"), p), /lies outside the tree/);
  untouched(tmp, victim);
});

test("tree (isolated): an importer above the tree, or a project's bin named out of its .bin, is refused", (t) => {
  const { tmpdir, writePackage } = require("../node/testutil.js");
  const tmp = tmpdir(t);
  const victim = outsideVictim(tmp);
  writePackage(path.join(tmp, "src"), { name: "x", version: "1.0.0" });
  const base = () => ({
    importers: { ".": { deps: {}, kinds: {} }, "../evil": { deps: { x: "x@1.0.0" }, kinds: { x: "prod" } } },
    snapshots: { "x@1.0.0": { name: "x", pkg: "x@1.0.0", deps: {} } },
    packages: { "x@1.0.0": { name: "x", version: "1.0.0", kind: "directory", src: path.join(tmp, "src") } },
    settings: { hoistPattern: [], publicHoistPattern: [], names: {} },
    include: { dev: true, optional: true },
    host: { os: ["linux"], cpu: ["x64"], libc: ["glibc"] },
  });
  assert.throws(() => L.tree(path.join(tmp, "out"), base()), /lies outside the tree/);
  untouched(tmp, victim);
  const p = base();
  p.importers = {
    ".": { deps: { w: "link:packages/w" }, kinds: { w: "prod" } },
    "packages/w": { deps: {}, kinds: {}, bins: { "../../../evil/pwn": "cli.js" } },
  };
  assert.throws(() => L.tree(path.join(tmp, "out"), p), /lies outside the tree/);
  untouched(tmp, victim);
  assert.ok(!fs.existsSync(path.join(tmp, "evil", "pwn")));
});

test("tree: a bin whose file is a link out of the tree is refused, its target's mode kept", (t) => {
  const { tmpdir, writePackage } = require("../node/testutil.js");
  for (const nodeLinker of ["isolated", "hoisted"]) {
    const tmp = tmpdir(t);
    const victim = outsideVictim(tmp);
    writePackage(path.join(tmp, "src"), { name: "x", version: "1.0.0", bin: { x: "cli.js" } });
    fs.symlinkSync(path.join(victim, "x.js"), path.join(tmp, "src", "cli.js"));
    const p = hplan({ ".": { x: "1.0.0" } }, { "x@1.0.0": {} });
    p.settings.nodeLinker = nodeLinker;
    p.packages["x@1.0.0"] = { name: "x", version: "1.0.0", kind: "directory", src: path.join(tmp, "src"), hasBin: true };
    assert.throws(() => L.tree(path.join(tmp, "out"), p), /lies outside the tree/, nodeLinker);
    untouched(tmp, victim);
  }
});

test("tree: a folder reached through a link out of the tree is not written in", (t) => {
  const { tmpdir, writePackage } = require("../node/testutil.js");
  const tmp = tmpdir(t);
  const victim = outsideVictim(tmp);
  writePackage(path.join(tmp, "src"), { name: "x", version: "1.0.0", bin: { x: "cli.js" } }, { "cli.js": "#!/usr/bin/env node\n" });
  // The root links ../evil (a folder beside the project, which a link:
  // may name); an importer at node_modules/lk would put its node_modules
  // and .bin in it.
  const p = hplan({ ".": { lk: "link:../evil" }, "node_modules/lk": { x: "1.0.0" } }, { "x@1.0.0": {} });
  p.settings.nodeLinker = "isolated";
  p.packages["x@1.0.0"] = { name: "x", version: "1.0.0", kind: "directory", src: path.join(tmp, "src"), hasBin: true };
  assert.throws(() => L.tree(path.join(tmp, "out"), p), /lies outside the tree/);
  untouched(tmp, victim);
});

test("hoisted: a link counts as the lock writes it, relative to its importer, in the ranking", () => {
  // p/b and p/c link p/a as link:../a, p/x/d as link:../../a: pnpm's
  // hoister sees two packages a, each needed by fewer than the root's
  // registry a@1.0.0 (needed by q and r), which then takes the root. As
  // one link:p/a, needed by three, the link would win and a@1.0.0 nest.
  const p = hplan(
    { ".": { q: "1.0.0", r: "1.0.0" }, "p/a": {}, "p/b": { a: "link:p/a" }, "p/c": { a: "link:p/a" }, "p/x/d": { a: "link:p/a" } },
    { "q@1.0.0": { a: "1.0.0" }, "r@1.0.0": { a: "1.0.0" }, "a@1.0.0": {} }
  );
  assert.deepStrictEqual(where(p), { "node_modules/a": "a@1.0.0", "node_modules/q": "q@1.0.0", "node_modules/r": "r@1.0.0" });
  const refs = [...L.hoistInput(p).deps].filter((n) => n.workspace).flatMap((w) => [...w.deps].map((d) => w.reference + " " + d.reference));
  assert.deepStrictEqual(refs.sort(), ["workspace:p/b link:../a", "workspace:p/c link:../a", "workspace:p/x/d link:../../a"]);
});

test("hoisted: two sources of one name@version are one package, the first met installed", () => {
  // The root's gitdep (commit one) and the project's (commit two) are
  // both gitdep@1.2.3: pnpm's hoister merges the project's into the
  // root's, and installs the first met; the project's node_modules stays
  // empty.
  const one = "gitdep@git+file:///r#1111111111111111111111111111111111111111";
  const two = "gitdep@git+file:///r#2222222222222222222222222222222222222222";
  const dir = (k) => k.replace(/[/:#]/g, "+");
  const p = hplan({}, {});
  p.importers = {
    ".": { deps: { gitdep: dir(one) }, kinds: { gitdep: "prod" } },
    "p/a": { deps: { gitdep: dir(two) }, kinds: { gitdep: "prod" } },
  };
  for (const k of [one, two]) {
    p.snapshots[dir(k)] = { key: k, name: "gitdep", pkg: k, deps: {} };
    p.packages[k] = { name: "gitdep", version: "1.2.3", kind: "git" };
  }
  assert.deepStrictEqual(where(p), { "node_modules/gitdep": dir(one) });
  // Other versions stay apart.
  p.packages[two].version = "1.2.4";
  assert.deepStrictEqual(where(p), { "node_modules/gitdep": dir(one), "p/a/node_modules/gitdep": dir(two) });
});

test("tree: a .bin that is a link out of the tree gets no shims", (t) => {
  const { tmpdir, writePackage } = require("../node/testutil.js");
  for (const nodeLinker of ["isolated", "hoisted"]) {
    const tmp = tmpdir(t);
    const victim = outsideVictim(tmp);
    writePackage(path.join(tmp, "src"), { name: "x", version: "1.0.0", bin: { x: "cli.js" } }, { "cli.js": "#!/usr/bin/env node\n" });
    // A dependency aliased .bin, linked to ../evil: the root's .bin would
    // be that folder.
    const p = hplan({ ".": { x: "1.0.0", ".bin": "link:../evil" } }, { "x@1.0.0": {} });
    p.settings.nodeLinker = nodeLinker;
    p.packages["x@1.0.0"] = { name: "x", version: "1.0.0", kind: "directory", src: path.join(tmp, "src"), hasBin: true };
    assert.throws(() => L.tree(path.join(tmp, "out"), p), /lies outside the tree/, nodeLinker);
    assert.deepStrictEqual(fs.readdirSync(path.join(tmp, "evil")), ["node_modules"], nodeLinker);
    untouched(tmp, victim);
  }
});
