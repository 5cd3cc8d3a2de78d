// lock2nix's npm layout helper, run by the builders with nodejs:
//   node lock2nix-npm.js bins DIR NODE        make DIR's bins executable, shebangs → NODE
//   node lock2nix-npm.js tree OUT PLAN NODEDIR  lay out OUT as PLAN says, link bins, run scripts
// PLAN is JSON: { layout: [{ path, kind, from, bins, optional, deps }], direct: [name],
//   scripts: [path], run: bool, roots: [{ dir, deps }], host: { os, cpu, libc } }.
"use strict";
const fs = require("fs");
const path = require("path");
const cp = require("child_process");

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
function supportedLayout(plan) {
  const host = plan.host || { os: [], cpu: [], libc: [] };
  const dropped = [];
  for (const e of plan.layout) {
    if (!e.optional || e.kind !== "place") continue;
    let pj;
    try {
      pj = JSON.parse(fs.readFileSync(path.join(e.from, "package.json"), "utf8"));
    } catch (err) {
      continue;
    }
    if (!(allows(host.os, pj.os) && allows(host.cpu, pj.cpu) && allows(host.libc, pj.libc))) {
      console.error("lock2nix: " + e.path + ": optional, and not for this platform: left out");
      dropped.push(e.path);
    }
  }
  if (dropped.length === 0) return plan.layout;
  const inside = (p) => dropped.some((d) => p === d || p.startsWith(d + "/node_modules/"));
  const kept = plan.layout.filter((e) => !inside(e.path));
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

function tree(out, planFile, nodedir) {
  const plan = JSON.parse(fs.readFileSync(planFile, "utf8"));
  // Parents before children: a path sorts before the paths below it.
  const layout = supportedLayout(plan).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const placed = new Set(layout.map((e) => e.path));
  fs.mkdirSync(out, { recursive: true });
  if (plan.base) {
    // A folder outside the project: its files first, its bins made
    // executable with their shebangs pointing at this node, as npm does
    // when it links the folder.
    run("cp", ["-R", plan.base + "/.", out]);
    run("chmod", ["-R", "u+w", out]);
    patchBins(out, path.join(nodedir, "bin", "node"));
  }
  for (const e of layout) {
    const dest = path.join(out, e.path);
    if (!dest.startsWith(out + path.sep)) throw new Error("lock2nix: " + e.path + " lies outside the tree");
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    if (e.kind === "place") {
      run("cp", ["-R", e.from, dest]);
      run("chmod", ["-R", "u+w", dest]);
    } else if (e.kind === "link") {
      // A store path (a folder outside the project, built on its own) is
      // linked as it is; a folder of the project relatively.
      const target = path.isAbsolute(e.from) ? e.from : path.relative(path.dirname(dest), path.join(out, e.from));
      fs.symlinkSync(target, dest);
    }
  }
  // Bins of the project's direct dependencies are linked last, so they win
  // a name two top-level packages share, as with npm.
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
  if (!plan.run || plan.scripts.length === 0) return;
  const gyp = path.join(nodedir, "lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js");
  const shim = fs.mkdtempSync(path.join(process.env.TMPDIR || "/tmp", "gyp"));
  if (fs.existsSync(gyp)) {
    fs.writeFileSync(path.join(shim, "node-gyp"), "#!/bin/sh\nexec " + process.execPath + ' "' + gyp + '" "$@"\n', { mode: 0o755 });
  }
  // npm runs each event for every package, deepest packages first.
  for (const event of ["preinstall", "install", "postinstall"]) {
    // Only packages still placed (the platform check may have dropped
    // some), and "", a folder's own, when the tree is one.
    for (const p of plan.scripts.filter((s) => placed.has(s) || (s === "" && plan.base))) {
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

const [mode, a, b, c] = process.argv.slice(2);
if (mode === "bins") patchBins(path.resolve(a), b);
else if (mode === "tree") tree(path.resolve(a), b, c);
else {
  console.error("usage: lock2nix-npm.js bins DIR NODE | tree OUT PLAN NODEDIR");
  process.exit(2);
}
