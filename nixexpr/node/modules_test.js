// Unit tests of the node_modules layer (modules.js): node --test.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("fs");
const path = require("path");
const m = require("./modules.js");
const { tmpdir, tar, writePackage } = require("./testutil.js");

const mode = (p) => fs.statSync(p).mode & 0o777;

test("binsOf: a string bin is named after the package", (t) => {
  const d = tmpdir(t);
  writePackage(d, { name: "tool", bin: "cli.js" });
  assert.deepEqual(m.binsOf(d), { tool: "cli.js" });
});

test("binsOf: a scoped package's string bin drops the scope", (t) => {
  const d = tmpdir(t);
  writePackage(d, { name: "@s/tool", bin: "cli.js" });
  assert.deepEqual(m.binsOf(d), { tool: "cli.js" });
});

test("binsOf: an object bin is kept", (t) => {
  const d = tmpdir(t);
  writePackage(d, { name: "x", bin: { a: "a.js", b: "b.js" } });
  assert.deepEqual(m.binsOf(d), { a: "a.js", b: "b.js" });
});

test("binsOf: directories.bin lists its files", (t) => {
  const d = tmpdir(t);
  writePackage(d, { name: "x", directories: { bin: "./bin" } }, { "bin/one": "", "bin/two.js": "" });
  assert.deepEqual(m.binsOf(d), { one: "bin/one", "two.js": "bin/two.js" });
});

test("binsOf: directories.bin walks subfolders, named by the file", (t) => {
  const d = tmpdir(t);
  writePackage(d, { name: "x", directories: { bin: "bin" } }, { "bin/sub/deep": "" });
  assert.deepEqual(m.binsOf(d), { deep: "bin/sub/deep" });
});

test("binsOf: directories.bin leaves dotfiles out", (t) => {
  const d = tmpdir(t);
  writePackage(d, { name: "x", directories: { bin: "bin" } }, { "bin/.keep": "", "bin/run": "" });
  assert.deepEqual(m.binsOf(d), { run: "bin/run" });
});

test("binsOf: bin wins over directories.bin", (t) => {
  const d = tmpdir(t);
  writePackage(d, { name: "x", bin: { a: "a.js" }, directories: { bin: "bin" } }, { "bin/other": "" });
  assert.deepEqual(m.binsOf(d), { a: "a.js" });
});

test("binsOf: the lockfile's bins win over package.json", (t) => {
  const d = tmpdir(t);
  writePackage(d, { name: "x", bin: { a: "a.js" } });
  assert.deepEqual(m.binsOf(d, { b: "b.js" }), { b: "b.js" });
});

test("binsOf: no package.json, or an array bin, gives none", (t) => {
  const d = tmpdir(t);
  assert.deepEqual(m.binsOf(d), {});
  writePackage(d, { name: "x", bin: ["a.js"] });
  assert.deepEqual(m.binsOf(d), {});
});

test("binTargets: targets outside the package and bad names are dropped; sorted", (t) => {
  const d = tmpdir(t);
  const got = m.binTargets(d, { z: "z.js", "../evil": "e.js", out: "../../etc/passwd", "sub/a": "a.js", ".": "x", "..": "y" });
  assert.deepEqual(got, [
    ["a", path.join(d, "a.js")],
    ["evil", path.join(d, "e.js")],
    ["z", path.join(d, "z.js")],
  ]);
});

test("patchBins: an env node shebang points at node; the bin is executable", (t) => {
  const d = tmpdir(t);
  writePackage(d, { name: "x", bin: "cli.js" }, { "cli.js": "#!/usr/bin/env node\nconsole.log(1)\n" });
  m.patchBins(d, "/store/node/bin/node");
  assert.equal(fs.readFileSync(path.join(d, "cli.js"), "utf8"), "#!/store/node/bin/node\nconsole.log(1)\n");
  assert.equal(mode(path.join(d, "cli.js")), 0o755);
});

test("patchBins: a direct node shebang keeps its arguments", (t) => {
  const d = tmpdir(t);
  writePackage(d, { name: "x", bin: "cli.js" }, { "cli.js": "#!/usr/bin/node --harmony\n" });
  m.patchBins(d, "/n");
  assert.equal(fs.readFileSync(path.join(d, "cli.js"), "utf8"), "#!/n --harmony\n");
});

test("patchBins: other shebangs stay; missing bins are skipped", (t) => {
  const d = tmpdir(t);
  writePackage(d, { name: "x", bin: { s: "s.sh", gone: "gone.js" } }, { "s.sh": "#!/bin/sh\necho\n" });
  m.patchBins(d, "/n");
  assert.equal(fs.readFileSync(path.join(d, "s.sh"), "utf8"), "#!/bin/sh\necho\n");
  assert.equal(mode(path.join(d, "s.sh")), 0o755);
});

test("linkPackageBins: directories.bin gets links (buildPackage's $out/bin)", (t) => {
  const d = tmpdir(t);
  const pkg = path.join(d, "lib/node_modules/x");
  writePackage(pkg, { name: "x", directories: { bin: "bin" } }, { "bin/xtool": "#!/bin/sh\n" });
  m.linkPackageBins(pkg, path.join(d, "bin"));
  assert.equal(fs.readlinkSync(path.join(d, "bin/xtool")), path.join(pkg, "bin/xtool"));
});

test("linkPackageBins: no link to a bin that does not exist", (t) => {
  const d = tmpdir(t);
  writePackage(path.join(d, "p"), { name: "x", bin: { a: "a.js", b: "b.js" } }, { "a.js": "" });
  m.linkPackageBins(path.join(d, "p"), path.join(d, "bin"));
  assert.deepEqual(fs.readdirSync(path.join(d, "bin")), ["a"]);
});

test("allows: no list, an empty one, or only any allow every host", () => {
  assert.equal(m.allows(["linux"], undefined), true);
  assert.equal(m.allows(["linux"], []), true);
  assert.equal(m.allows(["linux"], ["any"]), true);
});

test("allows: a listed name must be the host's", () => {
  assert.equal(m.allows(["linux"], ["linux", "darwin"]), true);
  assert.equal(m.allows(["win32"], ["linux", "darwin"]), false);
});

test("allows: a !name excludes the host", () => {
  assert.equal(m.allows(["win32"], ["!win32"]), false);
  assert.equal(m.allows(["linux"], ["!win32"]), true);
  assert.equal(m.allows(["linux"], ["linux", "!linux"]), false);
});

test("allows: a host without a name in the field (libc off Linux) is refused by any list", () => {
  assert.equal(m.allows([], ["!musl"]), false);
  assert.equal(m.allows([], ["any"]), false);
  assert.equal(m.allows([], ["glibc"]), false);
  assert.equal(m.allows([], []), true);
  assert.equal(m.allows([], undefined), true);
});

test("allows: a string is a list of one; other values are ignored", () => {
  assert.equal(m.allows(["x64"], "x64"), true);
  assert.equal(m.allows(["x64"], "arm64"), false);
  assert.equal(m.allows(["x64"], [1, "x64"]), true);
});

test("supports: a host without a C library name is not glibc's", () => {
  assert.equal(m.supports({ os: ["darwin"], cpu: ["arm64"], libc: [] }, { libc: ["glibc"] }), false);
  assert.equal(m.supports({ os: ["linux"], cpu: ["x64"], libc: ["glibc"] }, { os: ["linux"], cpu: ["x64"], libc: ["glibc"] }), true);
  assert.equal(m.supports({ os: ["linux"], cpu: ["x64"], libc: ["glibc"] }, { cpu: ["arm64"] }), false);
});

test("archiveFiles: the top folder is stripped, whatever its name", () => {
  const { files } = m.archiveFiles(tar([{ name: "anything/index.js", data: "x" }, { name: "anything/lib/a.js", data: "y" }], false));
  assert.deepEqual([...files.keys()], ["index.js", "lib/a.js"]);
});

test("archiveFiles: entries that climb out are left out", () => {
  const { files } = m.archiveFiles(tar([{ name: "package/../../evil", data: "x" }, { name: "package/ok", data: "" }], false));
  assert.deepEqual([...files.keys()], ["ok"]);
});

test("archiveFiles: links and special entries are refused", () => {
  const buf = tar(
    [
      { name: "package/sym", type: "2", linkname: "/etc/passwd" },
      { name: "package/hard", type: "1", linkname: "package/a" },
      { name: "package/fifo", type: "6" },
      { name: "package/a", data: "a" },
    ],
    false
  );
  assert.deepEqual([...m.archiveFiles(buf).files.keys()], ["a"]);
});

test("archiveFiles: any execute bit makes 0755, else 0644", () => {
  const { files } = m.archiveFiles(tar([{ name: "p/x", mode: 0o700 }, { name: "p/y", mode: 0o600 }, { name: "p/z", mode: 0o4751 }], false));
  assert.deepEqual([...files.values()].map((f) => f.mode), [0o755, 0o644, 0o755]);
});

test("archiveFiles: pax paths, GNU long names and ustar prefixes", () => {
  const long = "package/" + "d".repeat(120) + "/f.js";
  const { files } = m.archiveFiles(
    tar(
      [
        { name: "package/short", pax: { path: "package/from-pax.js" } },
        { name: "package/trunc", longName: long },
        { name: "f.js", prefix: "package/pre" },
      ],
      false
    )
  );
  assert.deepEqual([...files.keys()], ["from-pax.js", long.slice("package/".length), "pre/f.js"]);
});

test("archiveFiles: the last of two entries for one path wins", () => {
  const { files } = m.archiveFiles(tar([{ name: "p/a", data: "old" }, { name: "p/a", data: "new" }], false));
  assert.equal(files.get("a").data.toString(), "new");
});

test("extract: .gitignore becomes .npmignore", async (t) => {
  const d = tmpdir(t);
  fs.writeFileSync(path.join(d, "a.tgz"), tar([{ name: "package/.gitignore", data: "x" }, { name: "package/sub/.gitignore", data: "y" }]));
  await m.extract(path.join(d, "a.tgz"), path.join(d, "out"));
  assert.equal(fs.readFileSync(path.join(d, "out/.npmignore"), "utf8"), "x");
  assert.equal(fs.readFileSync(path.join(d, "out/sub/.npmignore"), "utf8"), "y");
  assert.equal(fs.existsSync(path.join(d, "out/.gitignore")), false);
});

test("extract: .gitignore goes where a .npmignore is", async (t) => {
  const d = tmpdir(t);
  fs.writeFileSync(path.join(d, "a.tgz"), tar([{ name: "package/.gitignore", data: "git" }, { name: "package/.npmignore", data: "npm" }]));
  await m.extract(path.join(d, "a.tgz"), path.join(d, "out"));
  assert.deepEqual(fs.readdirSync(path.join(d, "out")), [".npmignore"]);
  assert.equal(fs.readFileSync(path.join(d, "out/.npmignore"), "utf8"), "npm");
});

test("extract: modes on disk, and an archive that is not gzipped", async (t) => {
  const d = tmpdir(t);
  fs.writeFileSync(path.join(d, "a.tar"), tar([{ name: "package/bin/run", mode: 0o775, data: "#!/bin/sh\n" }, { name: "package/r.md", mode: 0o666 }], false));
  process.umask(0o022);
  await m.extract(path.join(d, "a.tar"), path.join(d, "out"));
  assert.equal(mode(path.join(d, "out/bin/run")), 0o755);
  assert.equal(mode(path.join(d, "out/r.md")), 0o644);
});

test("extract: a link in the archive is not made", async (t) => {
  const d = tmpdir(t);
  fs.writeFileSync(path.join(d, "a.tgz"), tar([{ name: "package/l", type: "2", linkname: "../../x" }, { name: "package/f", data: "" }]));
  await m.extract(path.join(d, "a.tgz"), path.join(d, "out"));
  assert.deepEqual(fs.readdirSync(path.join(d, "out")), ["f"]);
});

test("within: the path guard keeps paths below the tree", () => {
  assert.equal(m.within("/t", "node_modules/a"), "/t/node_modules/a");
  assert.equal(m.within("/t", "../x"), null);
  assert.equal(m.within("/t", "node_modules/../../x"), null);
  assert.equal(m.within("/t", "/etc"), null);
  assert.equal(m.within("/t", ""), null);
});

test("layOut: an entry outside the tree stops the build", async (t) => {
  const d = tmpdir(t);
  await assert.rejects(m.layOut(path.join(d, "out"), [{ path: "../escape", kind: "link", from: "x" }], "/n"), /outside the tree/);
  assert.equal(fs.existsSync(path.join(d, "escape")), false);
});

test("layOut: archives unpacked, folders copied, links relative or to the store", async (t) => {
  const d = tmpdir(t);
  fs.writeFileSync(path.join(d, "a.tgz"), tar([{ name: "package/package.json", data: '{"name":"a","bin":"c.js"}' }, { name: "package/c.js", data: "#!/usr/bin/env node\n" }]));
  writePackage(path.join(d, "folder"), { name: "b" });
  const out = path.join(d, "out");
  await m.layOut(
    out,
    [
      { path: "node_modules/a", kind: "place", tarball: path.join(d, "a.tgz") },
      { path: "node_modules/b", kind: "place", from: path.join(d, "folder") },
      { path: "node_modules/w", kind: "link", from: "packages/w" },
      { path: "node_modules/s", kind: "link", from: "/nix/store/x-s" },
      { path: "node_modules/a/node_modules/inner", kind: "bundled" },
    ],
    "/n"
  );
  assert.equal(fs.readFileSync(path.join(out, "node_modules/a/c.js"), "utf8"), "#!/n\n");
  assert.ok(fs.existsSync(path.join(out, "node_modules/b/package.json")));
  assert.equal(fs.readlinkSync(path.join(out, "node_modules/w")), "../packages/w");
  assert.equal(fs.readlinkSync(path.join(out, "node_modules/s")), "/nix/store/x-s");
  assert.equal(fs.existsSync(path.join(out, "node_modules/a/node_modules/inner")), false);
});

test("linkBins: into the enclosing .bin; a direct dependency wins a shared name", (t) => {
  const out = tmpdir(t);
  writePackage(path.join(out, "node_modules/a"), { name: "a", bin: { tool: "a.js" } }, { "a.js": "" });
  writePackage(path.join(out, "node_modules/b"), { name: "b", bin: { tool: "b.js" } }, { "b.js": "" });
  writePackage(path.join(out, "node_modules/b/node_modules/c"), { name: "c", bin: "c.js" }, { "c.js": "" });
  const layout = ["node_modules/a", "node_modules/b", "node_modules/b/node_modules/c"].map((p) => ({ path: p, kind: "place" }));
  m.linkBins(out, layout, ["node_modules/a"]);
  assert.equal(fs.readlinkSync(path.join(out, "node_modules/.bin/tool")), "../a/a.js");
  assert.equal(fs.readlinkSync(path.join(out, "node_modules/b/node_modules/.bin/c")), "../c/c.js");
});

test("linkBins: no link to a missing target, but a linked folder's given bins", (t) => {
  const out = tmpdir(t);
  writePackage(path.join(out, "node_modules/a"), { name: "a", bin: { gone: "gone.js" } });
  m.linkBins(out, [{ path: "node_modules/a", kind: "place" }, { path: "node_modules/w", kind: "link", bins: { w: "cli.js" } }], []);
  assert.deepEqual(fs.readdirSync(path.join(out, "node_modules/.bin")), ["w"]);
});

test("binPath: the package's own .bin, then each enclosing one, nearest first", () => {
  assert.deepEqual(m.binPath("/t", "node_modules/a/node_modules/b"), [
    "/t/node_modules/a/node_modules/b/node_modules/.bin",
    "/t/node_modules/a/node_modules/.bin",
    "/t/node_modules/.bin",
  ]);
  assert.deepEqual(m.binPath("/t", ""), ["/t/node_modules/.bin"]);
});

test("scriptFor: binding.gyp means node-gyp rebuild, unless there is a preinstall", (t) => {
  const d = tmpdir(t);
  writePackage(d, null, { "binding.gyp": "{}" });
  assert.equal(m.scriptFor("install", { scripts: {} }, d), "node-gyp rebuild");
  assert.equal(m.scriptFor("install", { scripts: { preinstall: "x" } }, d), "");
  assert.equal(m.scriptFor("install", { scripts: { install: "make" } }, d), "make");
  assert.equal(m.scriptFor("postinstall", {}, d), "");
});

test("runScripts: event by event, packages in the order given, with npm's environment", (t) => {
  const out = tmpdir(t);
  const log = path.join(out, "log");
  const s = (tag) => `echo ${tag} $npm_lifecycle_event $npm_package_name >> ${log}`;
  writePackage(path.join(out, "node_modules/dep"), { name: "dep", version: "1.0.0", scripts: { install: s("dep"), postinstall: s("dep") } });
  writePackage(path.join(out, "node_modules/top"), { name: "top", scripts: { preinstall: s("top"), install: s("top") } });
  const quiet = console.error;
  console.error = () => {};
  try {
    m.runScripts(out, ["node_modules/dep", "node_modules/top"], "/nonexistent", out);
  } finally {
    console.error = quiet;
  }
  assert.deepEqual(fs.readFileSync(log, "utf8").trim().split("\n"), [
    "top preinstall top",
    "dep install dep",
    "top install top",
    "dep postinstall dep",
  ]);
});

test("unpack: a folder is copied without .git, execute bits kept", async (t) => {
  const d = tmpdir(t);
  writePackage(path.join(d, "src"), { name: "f" }, { ".git/HEAD": "ref", "run.sh": "#!/bin/sh\n" });
  fs.chmodSync(path.join(d, "src/run.sh"), 0o555);
  await m.unpack(path.join(d, "src"), path.join(d, "out"));
  assert.deepEqual(fs.readdirSync(path.join(d, "out")).sort(), ["package.json", "run.sh"]);
  assert.equal(mode(path.join(d, "out/run.sh")), 0o755);
});

test("unpack: an archive is extracted", async (t) => {
  const d = tmpdir(t);
  fs.writeFileSync(path.join(d, "a.tgz"), tar([{ name: "x/package.json", data: "{}" }]));
  await m.unpack(path.join(d, "a.tgz"), path.join(d, "out"));
  assert.deepEqual(fs.readdirSync(path.join(d, "out")), ["package.json"]);
});

test("the command line: script prints a package.json script, name the package's name", (t) => {
  const d = tmpdir(t);
  writePackage(d, { name: "@s/app", scripts: { build: "tsc -p ." } });
  const cli = (...args) => require("child_process").execFileSync(process.execPath, [path.join(__dirname, "modules.js"), ...args], { encoding: "utf8" });
  assert.equal(cli("script", d, "build"), "tsc -p .");
  assert.equal(cli("script", d, "test"), "");
  assert.equal(cli("name", d), "@s/app");
});
