// Unit tests of npm's layout program (layout.js): node --test.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("fs");
const path = require("path");
const layout = require("./layout.js");
const { tmpdir, tar, writePackage } = require("../node/testutil.js");

const linux = { os: ["linux"], cpu: ["x64"], libc: ["glibc"] };

// quiet runs f with console.error silenced (the program reports what it
// leaves out and which scripts run).
async function quiet(f) {
  const saved = console.error;
  console.error = () => {};
  try {
    return await f();
  } finally {
    console.error = saved;
  }
}

// archive writes a package archive of files ({ rel: text }) and pj.
function archive(dir, name, pj, files = {}) {
  const entries = [{ name: "package/package.json", data: JSON.stringify(pj) }];
  for (const [rel, data] of Object.entries(files)) entries.push({ name: "package/" + rel, data, mode: rel.endsWith(".js") ? 0o755 : 0o644 });
  const p = path.join(dir, name + ".tgz");
  fs.writeFileSync(p, tar(entries));
  return p;
}

test("candidates: from the project, its own node_modules only", () => {
  assert.deepEqual(layout.candidates("", "a"), ["node_modules/a"]);
});

test("candidates: nearest node_modules first, then each enclosing one", () => {
  assert.deepEqual(layout.candidates("node_modules/a/node_modules/b", "c"), [
    "node_modules/a/node_modules/b/node_modules/c",
    "node_modules/a/node_modules/c",
    "node_modules/c",
  ]);
});

test("candidates: a workspace folder looks in its own, then the project's", () => {
  assert.deepEqual(layout.candidates("packages/w", "@s/x"), ["packages/w/node_modules/@s/x", "node_modules/@s/x"]);
});

test("supportedLayout: an optional package for another platform goes, with what only it needed", async () => {
  const manifests = { "node_modules/native-darwin": { os: ["darwin"] } };
  const entries = [
    { path: "node_modules/app", kind: "place", deps: ["native-darwin"] },
    { path: "node_modules/native-darwin", kind: "place", optional: true, deps: ["helper"] },
    { path: "node_modules/native-darwin/node_modules/inner", kind: "place" },
    { path: "node_modules/helper", kind: "place", optional: true },
  ];
  const kept = await quiet(() => layout.supportedLayout({ host: linux, roots: [{ dir: "", deps: ["app"] }] }, entries, (e) => manifests[e.path] || {}));
  assert.deepEqual(kept.map((e) => e.path), ["node_modules/app"]);
});

test("dropUnsupported: a lockfile that records platforms decides; v1's are read from each package", async (t) => {
  // npm ci checks an optional package against its lock entry: one written
  // without libc (older npm) is installed though its package.json says musl.
  const entries = [{ path: "node_modules/native-musl", kind: "place", optional: true }];
  for (const [fromManifests, want] of [
    [false, ["node_modules/native-musl"]],
    [true, []],
  ]) {
    const out = tmpdir(t);
    writePackage(path.join(out, "node_modules/native-musl"), { name: "native-musl", libc: ["musl"] });
    const plan = { host: linux, roots: [], ...(fromManifests ? { platformsFromManifests: true } : {}) };
    const kept = await quiet(() => layout.dropUnsupported(out, plan, entries));
    assert.deepEqual(kept.map((e) => e.path), want, "platformsFromManifests " + fromManifests);
    assert.equal(fs.existsSync(path.join(out, "node_modules/native-musl")), !fromManifests);
  }
});

test("supportedLayout: an optional package others still reach stays", async () => {
  const manifests = { "node_modules/bad": { cpu: ["arm64"] } };
  const entries = [
    { path: "node_modules/bad", kind: "place", optional: true, deps: ["shared"] },
    { path: "node_modules/shared", kind: "place", optional: true },
  ];
  const kept = await quiet(() => layout.supportedLayout({ host: linux, roots: [{ dir: "", deps: ["shared"] }] }, entries, (e) => manifests[e.path] || {}));
  assert.deepEqual(kept.map((e) => e.path), ["node_modules/shared"]);
});

test("supportedLayout: a package that is not optional stays, whatever its platforms", () => {
  const entries = [{ path: "node_modules/x", kind: "place", deps: [] }];
  const kept = layout.supportedLayout({ host: linux, roots: [] }, entries, () => ({ os: ["win32"] }));
  assert.deepEqual(kept, entries);
});

test("supportedLayout: !libc excludes this host's C library", async () => {
  const entries = [{ path: "node_modules/x-musl", kind: "place", optional: true }];
  const kept = await quiet(() => layout.supportedLayout({ host: linux, roots: [] }, entries, () => ({ libc: ["!glibc"] })));
  assert.deepEqual(kept, []);
});

test("byPath: parents sort before their children", () => {
  const got = layout.byPath([{ path: "node_modules/a/node_modules/b" }, { path: "node_modules/@s/x" }, { path: "node_modules/a" }]);
  assert.deepEqual(got.map((e) => e.path), ["node_modules/@s/x", "node_modules/a", "node_modules/a/node_modules/b"]);
});

test("tree: an alias is placed under its alias name; bins keep the package's names", async (t) => {
  const d = tmpdir(t);
  const tgz = archive(d, "real", { name: "real-name", version: "1.0.0", bin: "cli.js" }, { "cli.js": "#!/usr/bin/env node\n" });
  const out = path.join(d, "out");
  await layout.tree(out, { layout: [{ path: "node_modules/alias", kind: "place", tarball: tgz }], direct: ["alias"], scripts: [], run: false, host: linux }, "/node", d);
  assert.equal(JSON.parse(fs.readFileSync(path.join(out, "node_modules/alias/package.json"))).name, "real-name");
  assert.equal(fs.readlinkSync(path.join(out, "node_modules/.bin/real-name")), "../alias/cli.js");
  assert.equal(fs.readFileSync(path.join(out, "node_modules/alias/cli.js"), "utf8"), "#!/node/bin/node\n");
});

test("tree: a bundled package comes with its parent's archive, and its bins are linked", async (t) => {
  const d = tmpdir(t);
  const tgz = archive(d, "parent", { name: "parent", version: "1.0.0", bundleDependencies: ["kid"] }, {
    "node_modules/kid/package.json": JSON.stringify({ name: "kid", bin: { kid: "k.js" } }),
    "node_modules/kid/k.js": "",
  });
  const out = path.join(d, "out");
  await layout.tree(
    out,
    {
      layout: [
        { path: "node_modules/parent/node_modules/kid", kind: "bundled" },
        { path: "node_modules/parent", kind: "place", tarball: tgz },
      ],
      scripts: [],
      run: false,
      host: linux,
    },
    "/node",
    d
  );
  assert.equal(fs.readlinkSync(path.join(out, "node_modules/parent/node_modules/.bin/kid")), "../kid/k.js");
});

test("tree: v1 (no platforms in the lock): an optional package whose package.json excludes the host is removed", async (t) => {
  const d = tmpdir(t);
  const tgz = archive(d, "fsevents", { name: "fsevents", os: ["darwin"] });
  const out = path.join(d, "out");
  await quiet(() =>
    layout.tree(out, { layout: [{ path: "node_modules/fsevents", kind: "place", tarball: tgz, optional: true }], scripts: [], run: false, host: linux, roots: [], platformsFromManifests: true }, "/node", d)
  );
  assert.deepEqual(fs.readdirSync(out), []);
});

test("tree: scripts run deepest first as listed, not those of dropped packages", async (t) => {
  const d = tmpdir(t);
  const log = path.join(d, "log");
  const s = { install: `echo $npm_package_name >> ${log}` };
  const deep = archive(d, "deep", { name: "deep", scripts: s });
  const top = archive(d, "top", { name: "top", scripts: s });
  const gone = archive(d, "gone", { name: "gone", os: ["win32"], scripts: s });
  const out = path.join(d, "out");
  await quiet(() =>
    layout.tree(
      out,
      {
        layout: [
          { path: "node_modules/top", kind: "place", tarball: top },
          { path: "node_modules/top/node_modules/deep", kind: "place", tarball: deep },
          { path: "node_modules/gone", kind: "place", tarball: gone, optional: true },
        ],
        scripts: ["node_modules/top/node_modules/deep", "node_modules/gone", "node_modules/top"],
        run: true,
        host: linux,
        roots: [],
        platformsFromManifests: true,
      },
      "/nonexistent",
      d
    )
  );
  assert.deepEqual(fs.readFileSync(log, "utf8").trim().split("\n"), ["deep", "top"]);
});

test("tree: no scripts run when the plan says not to", async (t) => {
  const d = tmpdir(t);
  const tgz = archive(d, "x", { name: "x", scripts: { install: "exit 1" } });
  await layout.tree(path.join(d, "out"), { layout: [{ path: "node_modules/x", kind: "place", tarball: tgz }], scripts: ["node_modules/x"], run: false, host: linux }, "/n", d);
});

test("tree: a folder beside the project gets its files first, then its own scripts", async (t) => {
  const d = tmpdir(t);
  writePackage(path.join(d, "base"), { name: "lib", scripts: { install: "touch built" } });
  const out = path.join(d, "out");
  await quiet(() => layout.tree(out, { layout: [], scripts: [""], run: true, base: path.join(d, "base"), host: linux }, "/n", d));
  assert.ok(fs.existsSync(path.join(out, "built")));
});

test("tree: a path outside the tree stops it", async (t) => {
  const d = tmpdir(t);
  await assert.rejects(layout.tree(path.join(d, "out"), { layout: [{ path: "node_modules/../../x", kind: "link", from: "y" }], scripts: [], run: false }, "/n", d), /outside the tree/);
});

test("installed: the package after its scripts, without what is placed below it", async (t) => {
  const d = tmpdir(t);
  const pkg = archive(d, "pkg", { name: "pkg", scripts: { install: "node -e \"require('dep'); require('fs').writeFileSync('out.txt', 'ok')\"" } });
  const dep = archive(d, "dep", { name: "dep", main: "index.js" }, { "index.js": "module.exports = 1;\n" });
  const out = path.join(d, "out");
  await quiet(() =>
    layout.installed(
      out,
      {
        layout: [
          { path: "node_modules/pkg", kind: "place", tarball: pkg },
          { path: "node_modules/pkg/node_modules/dep", kind: "place", tarball: dep },
        ],
        scripts: ["node_modules/pkg"],
        run: true,
        host: linux,
        target: "node_modules/pkg",
      },
      path.dirname(path.dirname(process.execPath)),
      d
    )
  );
  // The scripts ran inside out (a path fixed for the derivation), and
  // nothing of that tree is left.
  assert.deepEqual(fs.readdirSync(out).sort(), ["out.txt", "package.json"]);
});
