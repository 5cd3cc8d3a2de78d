// lock2nix's npm layout helper, run by the builders with nodejs:
//   node lock2nix-npm.js bins DIR NODE        make DIR's bins executable, shebangs → NODE
//   node lock2nix-npm.js tree OUT PLAN NODEDIR  lay out OUT as PLAN says, link bins, run scripts
//   node lock2nix-npm.js installed OUT PLAN NODEDIR  OUT: the package at PLAN's target,
//     after its install scripts ran in the tree PLAN describes
// PLAN is JSON: { layout: [{ path, kind, from, tarball, bins, optional, deps }],
//   direct: [name], scripts: [path], run: bool, roots: [{ dir, deps }],
//   host: { os, cpu, libc }, target: path }. A "place" entry gives the
//   package's archive (tarball) or a folder to copy (from).
"use strict";
const fs = require("fs");
const path = require("path");
const cp = require("child_process");
const zlib = require("zlib");
const os = require("os");

// binsOf reads a package's bin map the way npm normalises it.
function binsOf(dir, known) {
  if (known) return known;
  let pj;
  try {
    pj = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
  } catch (e) {
    return {};
  }
  let bin = pj.bin;
  if (typeof bin === "string") {
    const name = String(pj.name || "").split("/").pop();
    return name ? { [name]: bin } : {};
  }
  if (!bin && pj.directories && typeof pj.directories.bin === "string") {
    const d = path.join(dir, pj.directories.bin);
    bin = {};
    try {
      for (const f of fs.readdirSync(d)) bin[f] = path.join(pj.directories.bin, f);
    } catch (e) {}
  }
  return bin && typeof bin === "object" ? bin : {};
}

// binTargets lists [name, absolute target] pairs that stay inside dir.
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

function run(cmd, args) {
  cp.execFileSync(cmd, args, { stdio: "inherit" });
}

// allows is npm's platform rule for one of os, cpu, libc: some listed name
// is the host's (or none is listed, or "any"), and no "!name" is.
function allows(names, list) {
  if (typeof list === "string") list = [list];
  if (!Array.isArray(list) || list.length === 0 || (list.length === 1 && list[0] === "any")) return true;
  const strs = list.filter((x) => typeof x === "string");
  const pos = strs.filter((x) => !x.startsWith("!"));
  return (pos.length === 0 || pos.some((x) => names.includes(x))) && !strs.some((x) => x.startsWith("!") && names.includes(x.slice(1)));
}

// candidates lists where Node looks for name from the folder dir: its own
// node_modules, each enclosing one, then the project's.
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
// own package.json excludes this host by os, cpu or libc, what is inside
// it, and the optional packages that only it needed (those the project,
// its folders and the kept packages no longer reach). The builders drop
// packages whose lockfile entry says so; this catches the rest (v1
// lockfiles record no platforms).
function supportedLayout(plan, layout, folder) {
  const host = plan.host || { os: [], cpu: [], libc: [] };
  const dropped = [];
  for (const e of layout) {
    if (!e.optional || e.kind !== "place") continue;
    let pj;
    try {
      pj = JSON.parse(fs.readFileSync(path.join(folder(e), "package.json"), "utf8"));
    } catch (err) {
      continue;
    }
    if (!(allows(host.os, pj.os) && allows(host.cpu, pj.cpu) && allows(host.libc, pj.libc))) {
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

// A tar archive's entries, in order: { path, type, mode, data }. Reads
// ustar and GNU headers, pax extended headers (path, linkpath, size) and
// GNU long names.
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

// extract writes a package archive's files into dest as npm extracts
// them: the top folder stripped, whatever its name; links and other
// special entries left out; files readable by all and executable when the
// archive says so; a .gitignore becomes the .npmignore (or goes, when
// there is one).
function extract(tgz, dest) {
  return fs.promises
    .readFile(tgz)
    .then(
      (raw) =>
        new Promise((resolve, reject) => {
          if (raw[0] !== 0x1f || raw[1] !== 0x8b) return resolve(raw);
          zlib.gunzip(raw, (err, buf) => (err ? reject(err) : resolve(buf)));
        })
    )
    .then((buf) => {
      // Folders first, then every file at once: creating files is most of
      // the cost, and the thread pool creates them in parallel.
      const files = new Map();
      const dirs = new Set([dest]);
      for (const e of tarEntries(buf)) {
        const parts = e.path.split("/").filter((x) => x !== "" && x !== ".");
        parts.shift();
        if (parts.length === 0 || parts.includes("..")) continue;
        const to = path.join(dest, ...parts);
        if (e.type === "5") dirs.add(to);
        else if (e.type === "0" || e.type === "7") {
          dirs.add(path.dirname(to));
          files.delete(to);
          files.set(to, e);
        }
      }
      for (const d of dirs) fs.mkdirSync(d, { recursive: true });
      return Promise.all([...files].map(([to, e]) => writeFile(to, e.data, e.mode & 0o111 ? 0o755 : 0o644))).then(() => {
        for (const f of files.keys()) {
          if (path.basename(f) !== ".gitignore") continue;
          const npmignore = path.join(path.dirname(f), ".npmignore");
          if (files.has(npmignore) || fs.existsSync(npmignore)) fs.unlinkSync(f);
          else fs.renameSync(f, npmignore);
        }
      });
    });
}

// writeFile writes a new file with mode (under the builder's umask, 022),
// or replaces one that is there, whatever its mode.
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

// layOut puts every entry of the layout in place under out: folders copied
// (made writable, for what goes inside them), links made, archives
// unpacked in parallel (Node's zlib runs in its thread pool) with their
// bins made executable and pointing at node.
async function layOut(out, layout, node) {
  process.umask(0o022);
  fs.mkdirSync(out, { recursive: true });
  const archives = [];
  for (const e of layout) {
    const dest = path.join(out, e.path);
    if (!dest.startsWith(out + path.sep)) throw new Error("lock2nix: " + e.path + " lies outside the tree");
    if (e.kind === "place" && e.tarball) {
      archives.push(() => extract(e.tarball, dest).then(() => patchBins(dest, node)));
    } else if (e.kind === "place") {
      fs.mkdirSync(dest, { recursive: true });
      run("cp", ["-R", e.from + "/.", dest]);
      run("chmod", ["-R", "u+w", dest]);
    } else if (e.kind === "link") {
      fs.mkdirSync(path.dirname(dest), { recursive: true });
      // A store path (a folder outside the project, built on its own) is
      // linked as it is; a folder of the project relatively.
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

// dropUnsupported removes from out what supportedLayout leaves out, and
// the folders that only held it; returns the layout that stays.
function dropUnsupported(out, plan, layout) {
  const kept = supportedLayout(plan, layout, (e) => path.join(out, e.path));
  const stays = new Set(kept.map((e) => e.path));
  for (const e of layout) {
    if (stays.has(e.path)) continue;
    remove(path.join(out, e.path), out);
  }
  return kept;
}

// linkBins links each package's bins into the .bin folder of the
// node_modules that holds it. Bins of the project's direct dependencies
// are linked last, so they win a name two top-level packages share, as
// with npm.
function linkBins(out, plan, layout) {
  const direct = new Set((plan.direct || []).map((n) => "node_modules/" + n));
  const byWinner = layout.filter((e) => !direct.has(e.path)).concat(layout.filter((e) => direct.has(e.path)));
  for (const e of byWinner) {
    const dir = path.join(out, e.path);
    const i = e.path.lastIndexOf("node_modules/");
    const binDir = path.join(out, e.path.slice(0, i), "node_modules", ".bin");
    for (const [name, target] of binTargets(dir, e.bins)) {
      // As npm, no link to a bin that does not exist. A linked folder is
      // not in this tree: the builders kept only its bins that exist.
      if (e.kind !== "link" && !fs.existsSync(target)) continue;
      fs.mkdirSync(binDir, { recursive: true });
      const link = path.join(binDir, name);
      try {
        fs.unlinkSync(link);
      } catch (err) {}
      fs.symlinkSync(path.relative(binDir, target), link);
      try {
        fs.chmodSync(target, 0o755);
      } catch (err) {}
    }
  }
}

// runScripts runs the install scripts of the packages at paths, each
// event for every package, deepest packages first, as npm ci does.
function runScripts(out, paths, nodedir) {
  if (paths.length === 0) return;
  const gyp = path.join(nodedir, "lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js");
  const shim = fs.mkdtempSync(path.join(process.env.TMPDIR || "/tmp", "gyp"));
  if (fs.existsSync(gyp)) {
    fs.writeFileSync(path.join(shim, "node-gyp"), "#!/bin/sh\nexec " + process.execPath + ' "' + gyp + '" "$@"\n', { mode: 0o755 });
  }
  for (const event of ["preinstall", "install", "postinstall"]) {
    for (const p of paths) {
      const dir = path.join(out, p);
      let pj;
      try {
        pj = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
      } catch (e) {
        continue;
      }
      const scripts = pj.scripts || {};
      let cmd = scripts[event];
      if (event === "install" && !cmd && !scripts.preinstall && fs.existsSync(path.join(dir, "binding.gyp"))) {
        cmd = "node-gyp rebuild";
      }
      if (!cmd) continue;
      // Each enclosing node_modules/.bin, nearest first, as npm puts on PATH.
      const bins = [path.join(dir, "node_modules", ".bin")];
      for (let rest = p; ; ) {
        const i = rest.lastIndexOf("/node_modules/");
        if (i < 0) break;
        rest = rest.slice(0, i);
        bins.push(path.join(out, rest, "node_modules", ".bin"));
      }
      bins.push(path.join(out, "node_modules", ".bin"), shim);
      const env = Object.assign({}, process.env, {
        PATH: bins.join(":") + ":" + process.env.PATH,
        npm_lifecycle_event: event,
        npm_package_name: String(pj.name || ""),
        npm_package_version: String(pj.version || ""),
        npm_config_nodedir: nodedir,
        npm_node_execpath: process.execPath,
        INIT_CWD: out,
      });
      console.error("lock2nix: " + p + ": running " + event + ": " + cmd);
      cp.execFileSync("sh", ["-c", cmd], { cwd: dir, stdio: "inherit", env });
    }
  }
}

// tree lays out OUT as the plan says, links bins and runs the scripts the
// plan lists (those of packages not installed by a derivation of their
// own).
async function tree(out, planFile, nodedir) {
  const plan = JSON.parse(fs.readFileSync(planFile, "utf8"));
  const node = path.join(nodedir, "bin", "node");
  if (plan.base) {
    // A folder outside the project: its files first, its bins made
    // executable with their shebangs pointing at this node, as npm does
    // when it links the folder.
    fs.mkdirSync(out, { recursive: true });
    run("cp", ["-R", plan.base + "/.", out]);
    run("chmod", ["-R", "u+w", out]);
    patchBins(out, node);
  }
  // Parents before children: a path sorts before the paths below it.
  const all = plan.layout.slice().sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  await layOut(out, all, node);
  const layout = dropUnsupported(out, plan, all);
  linkBins(out, plan, layout);
  if (!plan.run) return;
  // Only packages still placed (the platform check may have dropped
  // some), and "", a folder's own, when the tree is one.
  const placed = new Set(layout.map((e) => e.path));
  runScripts(out, plan.scripts.filter((s) => placed.has(s) || (s === "" && plan.base)), nodedir);
}

// installed writes to OUT the package at plan.target after its install
// scripts ran, in a tree that holds what they need (its dependencies,
// laid out below it as in the project's tree): the package's folder
// without the packages placed inside it, which the project's tree places
// itself. The tree is built inside OUT, a path fixed for the derivation
// (a temporary folder's name changes from build to build, and node-gyp
// writes the path into build/Makefile and .deps), and then moved up.
async function installed(out, planFile, nodedir) {
  const plan = JSON.parse(fs.readFileSync(planFile, "utf8"));
  const work = path.join(out, ".lock2nix-build");
  await tree(work, planFile, nodedir);
  const top = path.join(work, plan.target);
  for (const e of plan.layout) {
    if (!e.path.startsWith(plan.target + "/node_modules/")) continue;
    remove(path.join(work, e.path), top);
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

const [mode, a, b, c] = process.argv.slice(2);
const fail = (err) => {
  console.error(err && err.stack ? err.stack : String(err));
  process.exit(1);
};
if (mode === "bins") patchBins(path.resolve(a), b);
else if (mode === "tree") tree(path.resolve(a), b, c).catch(fail);
else if (mode === "installed") installed(path.resolve(a), b, c).catch(fail);
else {
  console.error("usage: lock2nix-npm.js bins DIR NODE | tree OUT PLAN NODEDIR | installed OUT PLAN NODEDIR");
  process.exit(2);
}
