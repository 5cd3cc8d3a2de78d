// Tests of npmcache.js: node --test. They read the file back as npm does,
// with make-fetch-happen from the npm on PATH, offline; without npm they
// are skipped.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const cp = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

const script = path.join(__dirname, "npmcache.js");
const url = "https://codeload.github.com/o/r/tar.gz/0123456789abcdef0123456789abcdef01234567";

// npmModules is the node_modules folder of the npm on PATH, or null.
function npmModules() {
  try {
    const cli = fs.realpathSync(cp.execFileSync("sh", ["-c", "command -v npm"], { encoding: "utf8" }).trim());
    return path.join(path.dirname(cli), "..", "node_modules");
  } catch {
    return null;
  }
}

function tmpdir(t) {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "npmcache-test-"));
  t.after(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

test("a file put for a URL is what npm's fetcher answers for it offline", async (t) => {
  const modules = npmModules();
  if (!modules) return t.skip("npm is not installed");
  const d = tmpdir(t);
  const file = path.join(d, "archive.tgz");
  fs.writeFileSync(file, "the archive's bytes\n");
  cp.execFileSync("node", [script, path.join(d, "cache"), url, file]);
  const fetch = require(path.join(modules, "make-fetch-happen"));
  const opts = { cachePath: path.join(d, "cache", "_cacache"), cache: "only-if-cached" };
  const res = await fetch(url, opts);
  assert.equal(res.status, 200);
  assert.equal(await res.text(), "the archive's bytes\n");
  // Only that URL: any other is not in the cache, and offline npm fails.
  await assert.rejects(fetch(url.replace("tar.gz", "zip"), opts), { code: "ENOTCACHED" });
});

test("without a file it prints its usage and exits 2", () => {
  const r = cp.spawnSync("node", [script, "cache", url], { encoding: "utf8" });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^usage: node npmcache\.js CACHE URL FILE$/m);
});
