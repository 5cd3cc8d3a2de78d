// lock2nix's node_modules layer: what any npm-style format (npm, pnpm,
// yarn) needs to put packages in a node_modules tree, whatever decides
// where they go. A format's own program requires it; the builders also
// run it on its own:
//   node modules.js bins DIR NODE            make DIR's bins executable, shebangs → NODE
//   node modules.js unpack SRC OUT [git]     OUT: the package SRC holds (an archive,
//                                            a folder, or a git checkout npm packs)
//   node modules.js package DIR BINDIR NODE  DIR: an installed package; its bins
//                                            made executable and linked into BINDIR
//   node modules.js script DIR EVENT         print DIR's package.json script EVENT ("" if none)
//   node modules.js name DIR                 print DIR's package.json name
"use strict";
const fs = require("fs");
const path = require("path");
const cp = require("child_process");
const zlib = require("zlib");
const os = require("os");

// readManifest returns dir's package.json, or null when it has none or it
// is not JSON.
function readManifest(dir) {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
  } catch (e) {
    return null;
  }
}

// binsOf returns a package's bin map as npm normalises it: "bin" as a
// string is one bin named after the package (without its scope); without
// "bin", every file of "directories.bin". known, when given (the lockfile
// recorded the bins), wins.
function binsOf(dir, known) {
  if (known) return known;
  const pj = readManifest(dir);
  if (!pj) return {};
  let bin = pj.bin;
  if (typeof bin === "string") {
    const name = String(pj.name || "").split("/").pop();
    return name ? { [name]: bin } : {};
  }
  if (!bin && pj.directories && typeof pj.directories.bin === "string") {
    bin = {};
    const walk = (rel) => {
      let entries;
      try {
        entries = fs.readdirSync(path.join(dir, rel), { withFileTypes: true });
      } catch (e) {
        return;
      }
      for (const f of entries) {
        const p = path.join(rel, f.name);
        if (f.isDirectory()) walk(p);
        else if (f.isFile() && !f.name.startsWith(".")) bin[f.name] = p;
      }
    };
    walk(pj.directories.bin);
  }
  return bin && typeof bin === "object" && !Array.isArray(bin) ? bin : {};
}

// binTargets lists [name, absolute target] pairs, sorted by name, whose
// target stays inside dir; a name is its last path segment.
function binTargets(dir, known) {
  const out = [];
  for (const [rawName, rawTarget] of Object.entries(binsOf(dir, known))) {
    const name = path.basename(String(rawName));
    if (!name || name === "." || name === ".." || typeof rawTarget !== "string") continue;
    const target = path.resolve(dir, rawTarget);
    if (!target.startsWith(dir + path.sep)) continue;
    out.push([name, target]);
  }
  return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

// patchBins makes each of dir's bins executable and points a node shebang
// ("#!/usr/bin/env node", "#!/usr/bin/node") at node.
function patchBins(dir, node) {
  for (const [, target] of binTargets(dir)) {
    let data;
    try {
      data = fs.readFileSync(target);
    } catch (e) {
      continue;
    }
    fs.chmodSync(target, 0o755);
    const text = data.toString("latin1");
    const m = /^#![ \t]*(\S*\/)?(env[ \t]+)?node(\s)/.exec(text);
    if (m) fs.writeFileSync(target, Buffer.from("#!" + node + m[3] + text.slice(m[0].length), "latin1"));
  }
}

// linkPackageBins links the bins of the package in dir whose targets exist
// into binDir, as a package installed on its own (buildPackage's $out/bin).
function linkPackageBins(dir, binDir) {
  fs.mkdirSync(binDir, { recursive: true });
  for (const [name, target] of binTargets(dir)) {
    if (!fs.existsSync(target)) continue;
    const link = path.join(binDir, name);
    fs.rmSync(link, { force: true });
    fs.symlinkSync(target, link);
  }
}

// allows is npm's platform rule for one of os, cpu, libc, which pnpm and
// yarn follow too: some listed name is one of the host's names (or none
// is listed, or only "any"), and no "!name" is. A host with no name in
// the field (libc off Linux) is refused by any list, as npm refuses a
// libc list where it finds no C library.
function allows(names, list) {
  if (typeof list === "string") list = [list];
  if (!Array.isArray(list) || list.length === 0) return true;
  if (names.length === 0) return false;
  if (list.length === 1 && list[0] === "any") return true;
  const strs = list.filter((x) => typeof x === "string");
  const pos = strs.filter((x) => !x.startsWith("!"));
  return (pos.length === 0 || pos.some((x) => names.includes(x))) && !strs.some((x) => x.startsWith("!") && names.includes(x.slice(1)));
}

// supports reports whether a package.json's os, cpu and libc allow host,
// { os: [names], cpu: [names], libc: [names] } (the builders hand it over).
function supports(host, pj) {
  host = host || {};
  return allows(host.os || [], pj.os) && allows(host.cpu || [], pj.cpu) && allows(host.libc || [], pj.libc);
}

// A tar archive's entries, in order: { path, type, mode, data }. Reads
// ustar and GNU headers, pax extended headers (path, size) and GNU long
// names.
function* tarEntries(buf) {
  let pax = {};
  let longName = null;
  for (let off = 0; off + 512 <= buf.length; ) {
    const h = buf.subarray(off, off + 512);
    if (h.every((x) => x === 0)) break;
    const str = (a, b) => {
      const s = h.subarray(a, b);
      const z = s.indexOf(0);
      return s.subarray(0, z < 0 ? s.length : z).toString("utf8");
    };
    const num = (a, b) => {
      if (h[a] & 0x80) {
        let n = 0;
        for (let i = a + 1; i < b; i++) n = n * 256 + h[i];
        return n;
      }
      return parseInt(str(a, b).trim() || "0", 8);
    };
    let size = num(124, 136);
    const type = String.fromCharCode(h[156] || 48);
    let name = str(0, 100);
    // POSIX ustar ("ustar\0") splits long names into a prefix; GNU's
    // "ustar  " uses that field for other things.
    if (h.subarray(257, 263).toString("latin1") === "ustar\0" && h[345] !== 0) name = str(345, 500) + "/" + name;
    if (pax.size !== undefined) size = Number(pax.size);
    const data = buf.subarray(off + 512, off + 512 + size);
    off += 512 + Math.ceil(size / 512) * 512;
    if (type === "x" || type === "g") {
      if (type === "x") pax = parsePax(data);
      continue;
    }
    if (type === "L") {
      longName = data.toString("utf8").replace(/\0.*$/s, "");
      continue;
    }
    if (type === "K") continue;
    if (longName !== null) name = longName;
    if (pax.path !== undefined) name = pax.path;
    pax = {};
    longName = null;
    yield { path: name, type, mode: num(100, 108), data };
  }
}

// parsePax reads a pax extended header's "LEN key=value\n" records.
function parsePax(data) {
  const out = {};
  const text = data.toString("utf8");
  for (let i = 0; i < text.length; ) {
    const sp = text.indexOf(" ", i);
    if (sp < 0) break;
    const len = parseInt(text.slice(i, sp), 10);
    if (!(len > 0)) break;
    const rec = text.slice(sp + 1, i + len - 1);
    const eq = rec.indexOf("=");
    if (eq > 0) out[rec.slice(0, eq)] = rec.slice(eq + 1);
    i += len;
  }
  return out;
}

// archiveFiles maps a package archive's entries to what npm extracts: the
// top folder stripped, whatever its name; entries that would climb out
// ("..") and links and other special entries left out; files executable
// (0o755) when the archive gives any execute bit, else 0o644; the last of
// two entries for one path wins. Returns { dirs: [rel], files: Map(rel →
// { data, mode }) }, paths relative to the package.
function archiveFiles(buf) {
  const files = new Map();
  const dirs = new Set();
  for (const e of tarEntries(buf)) {
    const parts = e.path.split("/").filter((x) => x !== "" && x !== ".");
    parts.shift();
    if (parts.length === 0 || parts.includes("..")) continue;
    const rel = parts.join("/");
    if (e.type === "5") dirs.add(rel);
    else if (e.type === "0" || e.type === "7") {
      if (parts.length > 1) dirs.add(parts.slice(0, -1).join("/"));
      files.delete(rel);
      files.set(rel, { data: e.data, mode: e.mode & 0o111 ? 0o755 : 0o644 });
    }
  }
  return { dirs: [...dirs], files };
}

// gunzipped returns raw inflated when it is gzip, else as it is.
function gunzipped(raw) {
  return new Promise((resolve, reject) => {
    if (raw[0] !== 0x1f || raw[1] !== 0x8b) return resolve(raw);
    zlib.gunzip(raw, (err, buf) => (err ? reject(err) : resolve(buf)));
  });
}

// extract writes a package archive's files into dest as npm extracts them
// (archiveFiles), then renames each .gitignore to .npmignore, or removes
// it where there is one, as npm does.
async function extract(tgz, dest) {
  const buf = await gunzipped(await fs.promises.readFile(tgz));
  const { dirs, files } = archiveFiles(buf);
  // Folders first, then every file at once: creating files is most of
  // the cost, and the thread pool creates them in parallel.
  fs.mkdirSync(dest, { recursive: true });
  for (const d of dirs) fs.mkdirSync(path.join(dest, d), { recursive: true });
  await Promise.all([...files].map(([rel, f]) => writeFile(path.join(dest, rel), f.data, f.mode)));
  for (const rel of files.keys()) {
    if (path.posix.basename(rel) !== ".gitignore") continue;
    const f = path.join(dest, rel);
    const npmignore = path.join(path.dirname(f), ".npmignore");
    if (fs.existsSync(npmignore)) fs.unlinkSync(f);
    else fs.renameSync(f, npmignore);
  }
}

// writeFile writes a new file with mode (under the umask, 022 in a
// build), or replaces one that is there, whatever it is.
function writeFile(to, data, mode) {
  return new Promise((resolve, reject) => {
    fs.writeFile(to, data, { mode, flag: "wx" }, (err) => {
      if (!err) return resolve();
      if (err.code !== "EEXIST") return reject(err);
      fs.rmSync(to, { force: true, recursive: true });
      fs.writeFile(to, data, { mode, flag: "wx" }, (err2) => (err2 ? reject(err2) : resolve()));
    });
  });
}

// inParallel runs each job (a function returning a promise), n at a time.
async function inParallel(jobs, n) {
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) await jobs[next++]();
  };
  await Promise.all(Array.from({ length: Math.min(n, jobs.length) }, worker));
}

function run(cmd, args, opts) {
  cp.execFileSync(cmd, args, Object.assign({ stdio: "inherit" }, opts));
}

// copyTree copies folder from into dest (made), files keeping their
// execute bits, then makes it writable by its owner and readable by all.
function copyTree(from, dest) {
  fs.mkdirSync(dest, { recursive: true });
  run("cp", ["-R", from + "/.", dest]);
  run("chmod", ["-R", "u+rwX,go+rX,go-w", dest]);
}

// unpack puts the package src holds at out: an archive extracted as npm
// does, a folder copied without its .git, or (git) a checkout packed
// first as npm packs a git dependency: only the files its "files" and
// .npmignore allow. Scripts (prepare) are not run: that needs its dev
// dependencies and the network.
async function unpack(src, out, kind) {
  process.umask(0o022);
  if (!fs.statSync(src).isDirectory()) return extract(src, out);
  if (kind !== "git") {
    copyTree(src, out);
    fs.rmSync(path.join(out, ".git"), { recursive: true, force: true });
    return;
  }
  const tmp = process.env.TMPDIR || os.tmpdir();
  const checkout = path.join(tmp, "checkout");
  copyTree(src, checkout);
  const env = Object.assign({}, process.env, { HOME: tmp, npm_config_cache: path.join(tmp, "npm-cache") });
  const packed = cp
    .execFileSync("npm", ["pack", "--ignore-scripts", "--offline", "--silent", "--pack-destination", tmp], { cwd: checkout, env, encoding: "utf8" })
    .trim()
    .split("\n")
    .pop();
  return extract(path.join(tmp, packed), out);
}

// within reports whether rel, a path the builders give, stays below out.
function within(out, rel) {
  const dest = path.resolve(out, rel);
  return dest.startsWith(out + path.sep) ? dest : null;
}

// layOut puts every entry of layout under out, parents first:
//   { path, kind: "place", tarball }  the archive unpacked (in parallel:
//                                     Node's zlib runs in its thread pool),
//                                     its bins made executable → node
//   { path, kind: "place", from }     a folder copied and made writable
//   { path, kind: "link", from }      a link: to a store path as it is, to
//                                     a folder of the tree relatively
//   { path, kind: "bundled" }         nothing: the enclosing package has it
// A path leading outside out stops the build.
async function layOut(out, layout, node) {
  process.umask(0o022);
  fs.mkdirSync(out, { recursive: true });
  const archives = [];
  for (const e of layout) {
    const dest = within(out, e.path);
    if (dest === null) throw new Error("lock2nix: " + e.path + " lies outside the tree");
    if (e.kind === "place" && e.tarball) {
      archives.push(() => extract(e.tarball, dest).then(() => patchBins(dest, node)));
    } else if (e.kind === "place") {
      copyTree(e.from, dest);
    } else if (e.kind === "link") {
      fs.mkdirSync(path.dirname(dest), { recursive: true });
      const target = path.isAbsolute(e.from) ? e.from : path.relative(path.dirname(dest), path.join(out, e.from));
      fs.symlinkSync(target, dest);
    }
  }
  await inParallel(archives, os.availableParallelism() + 2);
}

// remove deletes p and then each folder above it, up to stop (not
// included), that it leaves empty.
function remove(p, stop) {
  fs.rmSync(p, { recursive: true, force: true });
  for (let d = path.dirname(p); d.startsWith(stop + path.sep); d = path.dirname(d)) {
    try {
      fs.rmdirSync(d);
    } catch (err) {
      break;
    }
  }
}

// linkBins links each entry's bins into the .bin folder of the
// node_modules that holds it. Bins of direct (paths of the project's own
// dependencies) are linked last, so they win a name two packages of one
// folder share, as with npm. A bin whose target does not exist gets no
// link, as with npm, but for a linked folder, which is not in this tree:
// the builders give only its bins that exist.
function linkBins(out, layout, direct) {
  const first = new Set(direct || []);
  const ordered = layout.filter((e) => !first.has(e.path)).concat(layout.filter((e) => first.has(e.path)));
  for (const e of ordered) {
    const dir = path.join(out, e.path);
    const i = e.path.lastIndexOf("node_modules/");
    const binDir = path.join(out, e.path.slice(0, i), "node_modules", ".bin");
    for (const [name, target] of binTargets(dir, e.bins)) {
      if (e.kind !== "link" && !fs.existsSync(target)) continue;
      fs.mkdirSync(binDir, { recursive: true });
      const link = path.join(binDir, name);
      fs.rmSync(link, { force: true });
      fs.symlinkSync(path.relative(binDir, target), link);
      try {
        fs.chmodSync(target, 0o755);
      } catch (err) {}
    }
  }
}

// binPath lists the .bin folders npm puts on PATH for a package at rel
// (a path in out): its own, then each enclosing node_modules', nearest
// first, then the top one.
function binPath(out, rel) {
  const bins = [path.join(out, rel, "node_modules", ".bin")];
  for (let rest = rel; ; ) {
    const i = rest.lastIndexOf("/node_modules/");
    if (i < 0) break;
    rest = rest.slice(0, i);
    bins.push(path.join(out, rest, "node_modules", ".bin"));
  }
  const top = path.join(out, "node_modules", ".bin");
  if (!bins.includes(top)) bins.push(top);
  return bins;
}

// scriptFor returns the command the event runs for package pj in dir, or
// "": node-gyp rebuild stands for a missing install script when the
// package has a binding.gyp and no preinstall, as with npm.
function scriptFor(event, pj, dir) {
  const scripts = (pj && pj.scripts) || {};
  let cmd = typeof scripts[event] === "string" ? scripts[event] : "";
  if (event === "install" && !cmd && !scripts.preinstall && fs.existsSync(path.join(dir, "binding.gyp"))) cmd = "node-gyp rebuild";
  return cmd;
}

// runScripts runs the install scripts of the packages at paths (in out),
// event by event (preinstall, install, postinstall), each for every
// package in the order given: the caller puts dependencies first. Each
// runs in its package's folder with npm's environment, the .bin folders
// on PATH and node-gyp from nodedir's npm.
function runScripts(out, paths, nodedir, work) {
  if (paths.length === 0) return;
  const gyp = path.join(nodedir, "lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js");
  const shim = path.join(work || process.env.TMPDIR || os.tmpdir(), "lock2nix-gyp");
  fs.mkdirSync(shim, { recursive: true });
  if (fs.existsSync(gyp)) {
    fs.writeFileSync(path.join(shim, "node-gyp"), "#!/bin/sh\nexec " + process.execPath + ' "' + gyp + '" "$@"\n', { mode: 0o755 });
  }
  for (const event of ["preinstall", "install", "postinstall"]) {
    for (const p of paths) {
      const dir = path.join(out, p);
      const pj = readManifest(dir);
      if (!pj) continue;
      const cmd = scriptFor(event, pj, dir);
      if (!cmd) continue;
      const env = Object.assign({}, process.env, {
        PATH: binPath(out, p).concat(shim).join(":") + ":" + process.env.PATH,
        npm_lifecycle_event: event,
        npm_package_name: String(pj.name || ""),
        npm_package_version: String(pj.version || ""),
        npm_config_nodedir: nodedir,
        npm_node_execpath: process.execPath,
        INIT_CWD: out,
      });
      console.error("lock2nix: " + (p || ".") + ": running " + event + ": " + cmd);
      run("sh", ["-c", cmd], { cwd: dir, env });
    }
  }
}

module.exports = {
  readManifest,
  binsOf,
  binTargets,
  patchBins,
  linkPackageBins,
  allows,
  supports,
  tarEntries,
  parsePax,
  archiveFiles,
  extract,
  unpack,
  copyTree,
  within,
  layOut,
  remove,
  linkBins,
  binPath,
  scriptFor,
  runScripts,
  inParallel,
  run,
};

// main runs the command line; fail prints an error and exits 1.
function main(argv) {
  const [mode, a, b, c] = argv;
  const fail = (err) => {
    console.error(err && err.stack ? err.stack : String(err));
    process.exit(1);
  };
  if (mode === "bins" && a && b) patchBins(path.resolve(a), b);
  else if (mode === "unpack" && a && b) unpack(a, path.resolve(b), c).catch(fail);
  else if (mode === "package" && a && b && c) {
    const dir = path.resolve(a);
    patchBins(dir, c);
    linkPackageBins(dir, path.resolve(b));
  } else if (mode === "script" && a && b) {
    const s = ((readManifest(a) || {}).scripts || {})[b];
    process.stdout.write(typeof s === "string" ? s : "");
  } else if (mode === "name" && a) {
    const pj = readManifest(a);
    if (!pj || typeof pj.name !== "string" || pj.name === "") fail("lock2nix: " + path.join(a, "package.json") + " has no name");
    process.stdout.write(pj.name);
  } else {
    console.error("usage: modules.js bins DIR NODE | unpack SRC OUT [git] | package DIR BINDIR NODE | script DIR EVENT | name DIR");
    process.exit(2);
  }
}

if (require.main === module) main(process.argv.slice(2));
