// Tests for server.js, berry's registry inside a build: node --test.
"use strict";
const assert = require("node:assert");
const fs = require("node:fs");
const http = require("node:http");
const os = require("node:os");
const path = require("node:path");
const test = require("node:test");
const { lookup, serve } = require("./server.js");

test("lookup finds registry paths, scoped ones escaped or not", () => {
  const files = { "ms/-/ms-2.1.3.tgz": "/store/ms", "@s/a/-/a-1.0.0.tgz": "/store/a" };
  assert.strictEqual(lookup(files, "/ms/-/ms-2.1.3.tgz"), "/store/ms");
  assert.strictEqual(lookup(files, "/@s/a/-/a-1.0.0.tgz"), "/store/a");
  assert.strictEqual(lookup(files, "/@s%2fa/-/a-1.0.0.tgz"), "/store/a");
  assert.strictEqual(lookup(files, "//ms/-/ms-2.1.3.tgz?x=1"), "/store/ms");
  assert.strictEqual(lookup(files, "/ms"), undefined);
  assert.strictEqual(lookup(files, "/constructor"), undefined);
  assert.strictEqual(lookup(files, "/%E0%A4%A"), undefined);
});

function get(port, p) {
  return new Promise((resolve, reject) => {
    http
      .get({ host: "127.0.0.1", port, path: p }, (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
      })
      .on("error", reject);
  });
}

test("serve answers the map's files and 404 for the rest", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lock2nix-server-"));
  const file = path.join(dir, "ms.tgz");
  fs.writeFileSync(file, "tarball bytes");
  const portFile = path.join(dir, "port");
  const server = serve({ "ms/-/ms-2.1.3.tgz": file }, portFile);
  await new Promise((resolve) => server.on("listening", resolve));
  const port = Number(fs.readFileSync(portFile, "utf8"));
  try {
    assert.deepStrictEqual(await get(port, "/ms/-/ms-2.1.3.tgz"), { status: 200, body: "tarball bytes" });
    assert.strictEqual((await get(port, "/ms")).status, 404);
    assert.strictEqual((await get(port, "/../../etc/passwd")).status, 404);
  } finally {
    server.close();
    fs.rmSync(dir, { recursive: true });
  }
});
