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
