// Helpers for the node --test files of lock2nix's JS: temporary folders
// and tar archives made in memory.
"use strict";
const fs = require("fs");
const path = require("path");
const os = require("os");
const zlib = require("zlib");

// tmpdir makes a temporary folder, removed when the test ends.
function tmpdir(t) {
  const d = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "lock2nix-test-")));
  t.after(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

// header returns a 512-byte ustar header.
function header({ name, mode = 0o644, size = 0, type = "0", linkname = "", prefix = "" }) {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, "utf8");
  h.write(mode.toString(8).padStart(7, "0") + "\0", 100, "latin1");
  h.write("0000000\0", 108, "latin1");
  h.write("0000000\0", 116, "latin1");
  h.write(size.toString(8).padStart(11, "0") + "\0", 124, "latin1");
  h.write("00000000000\0", 136, "latin1");
  h.write(type, 156, "latin1");
  h.write(linkname, 157, 100, "utf8");
  h.write("ustar\0" + "00", 257, "latin1");
  h.write(prefix, 345, 155, "utf8");
  h.fill(" ", 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, "0") + "\0 ", 148, "latin1");
  return h;
}

function pad(data) {
  const n = Math.ceil(data.length / 512) * 512;
  return Buffer.concat([data, Buffer.alloc(n - data.length)]);
}

// tar returns an archive of entries: { name, data, mode, type, linkname,
// prefix, pax: { key: value }, longName }.
function tar(entries, gzip = true) {
  const parts = [];
  for (const e of entries) {
    const data = Buffer.from(e.data || "");
    if (e.pax) {
      const recs = Object.entries(e.pax).map(([k, v]) => {
        const body = " " + k + "=" + v + "\n";
        let len = body.length + 1;
        while (String(len).length + body.length !== len) len = String(len).length + body.length;
        return len + body;
      });
      const pax = Buffer.from(recs.join(""));
      parts.push(header({ name: "PaxHeader", size: pax.length, type: "x" }), pad(pax));
    }
    if (e.longName) {
      const ln = Buffer.from(e.longName + "\0");
      parts.push(header({ name: "././@LongLink", size: ln.length, type: "L" }), pad(ln));
    }
    parts.push(header({ name: e.name, mode: e.mode, size: e.type && e.type !== "0" ? 0 : data.length, type: e.type || "0", linkname: e.linkname, prefix: e.prefix }));
    if (!e.type || e.type === "0") parts.push(pad(data));
  }
  parts.push(Buffer.alloc(1024));
  const buf = Buffer.concat(parts);
  return gzip ? zlib.gzipSync(buf) : buf;
}

// writePackage writes files ({ rel: text }) under dir, a package.json
// from pj when given.
function writePackage(dir, pj, files = {}) {
  fs.mkdirSync(dir, { recursive: true });
  if (pj) fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify(pj));
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
}

module.exports = { tmpdir, tar, writePackage };
