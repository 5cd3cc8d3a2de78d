package pnpmlock

import (
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/lock2nix/lock2nix/lockfile"
)

// TestDepPathToFilename checks folder names against pnpm 10's own
// depPathToFilename (the values were printed by it).
func TestDepPathToFilename(t *testing.T) {
	for _, c := range [][2]string{
		{"@typescript-eslint/eslint-plugin@8.0.0(@typescript-eslint/parser@8.0.0(eslint@9.0.0)(typescript@5.5.0))(eslint@9.0.0)(typescript@5.5.0)", "@typescript-eslint+eslint-plugin@8.0.0_@typescript-eslint+parser@8.0.0_eslint@9.0.0_typ_3e15da5bc1891d92a19d58993c8182b2"},
		{"react-dom@18.3.1(react@18.3.1)", "react-dom@18.3.1_react@18.3.1"},
		{"@esbuild/linux-x64@0.23.1", "@esbuild+linux-x64@0.23.1"},
		{"is-odd@3.0.1(patch_hash=844897ee3017ab4c0ca6580e264b9000a6c39b950b1ac120b09973610b3c8251)", "is-odd@3.0.1_patch_hash=844897ee3017ab4c0ca6580e264b9000a6c39b950b1ac120b09973610b3c8251"},
		{"@vitest/cjs-lib@file:test/browser/cjs-lib", "@vitest+cjs-lib@file+test+browser+cjs-lib"},
		{"JSONStream@1.3.5", "JSONStream@1.3.5_fb8f73c374dcf7070ffed90b688edabd"},
		{"@tanstack/config@0.4.4(@types/node@18.19.3)(esbuild@0.20.2)(rollup@4.14.1)(typescript@5.2.2)(vite@5.2.8)", "@tanstack+config@0.4.4_@types+node@18.19.3_esbuild@0.20.2_rollup@4.14.1_typescript@5.2.2_vite@5.2.8"},
		{"file:packages/x", "file+packages+x"},
		{"gitdep@git+file:///tmp/repo#abc", "gitdep@git+file++++tmp+repo+abc"},
	} {
		if got := DepPathToFilename(c[0], 120); got != c[1] {
			t.Errorf("DepPathToFilename(%q) = %q, want %q", c[0], got, c[1])
		}
	}
}

func TestRefToKey(t *testing.T) {
	for _, c := range []struct {
		ref, alias string
		v6         bool
		want       string
	}{
		{"18.3.1(react@18.3.1)", "react-dom", false, "react-dom@18.3.1(react@18.3.1)"},
		{"is-number@6.0.0", "my-alias", false, "is-number@6.0.0"},
		{"@typescript/typescript6@6.0.2", "typescript", false, "@typescript/typescript6@6.0.2"},
		{"file:test/deps/x", "x", false, "x@file:test/deps/x"},
		{"https://codeload.example/a/b/tar.gz/0123", "b", false, "b@https://codeload.example/a/b/tar.gz/0123"},
		{"0.39.5(eslint@8.42.0)", "@antfu/eslint-config", true, "@antfu/eslint-config@0.39.5(eslint@8.42.0)"},
		{"/is-number@6.0.0", "my-alias", true, "is-number@6.0.0"},
		{"github.com/user/repo/0123", "repo", true, "github.com/user/repo/0123"},
	} {
		if got := refToKey(c.ref, c.alias, c.v6); got != c.want {
			t.Errorf("refToKey(%q, %q, %v) = %q, want %q", c.ref, c.alias, c.v6, got, c.want)
		}
	}
	for k, want := range map[string]string{"a@1(b@2)": "a@1", "@s/a@1(b@2(c@3))": "@s/a@1", "a@1": "a@1"} {
		if got := stripPeers(k); got != want {
			t.Errorf("stripPeers(%q) = %q, want %q", k, got, want)
		}
	}
}

const v9Lock = `lockfileVersion: '9.0'

importers:

  .:
    dependencies:
      a:
        specifier: ^1.0.0
        version: 1.0.0(p@2.0.0)
      p:
        specifier: 2.0.0
        version: 2.0.0
      al:
        specifier: npm:a@1.0.0
        version: a@1.0.0(p@2.0.0)
      w:
        specifier: workspace:*
        version: link:packages/w
    devDependencies:
      g:
        specifier: git+https://git.test/g.git#0123456789abcdef0123456789abcdef01234567
        version: git+https://git.test/g.git#0123456789abcdef0123456789abcdef01234567

  packages/w:
    optionalDependencies:
      o:
        specifier: 1.0.0
        version: 1.0.0

packages:

  a@1.0.0:
    resolution: {integrity: sha512-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==}
    hasBin: true
    peerDependencies:
      p: ^2

  g@git+https://git.test/g.git#0123456789abcdef0123456789abcdef01234567:
    resolution: {commit: 0123456789abcdef0123456789abcdef01234567, repo: https://git.test/g.git, type: git}
    version: 3.0.0

  o@1.0.0:
    resolution: {integrity: sha512-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==, tarball: https://mirror.test/o/-/o-1.0.0.tgz}
    os: [linux]
    cpu: ['!arm']

  p@2.0.0:
    resolution: {integrity: sha512-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==}

snapshots:

  a@1.0.0(p@2.0.0):
    dependencies:
      p: 2.0.0

  g@git+https://git.test/g.git#0123456789abcdef0123456789abcdef01234567: {}

  o@1.0.0:
    optional: true

  p@2.0.0: {}
`

func TestParseV9(t *testing.T) {
	lock, err := ParseFS(fstest.MapFS{
		LockFile:                  {Data: []byte(v9Lock)},
		"package.json":            {Data: []byte(`{"name": "root", "version": "1.0.0", "dependencies": {"a": "^1.0.0", "p": "2.0.0", "al": "npm:a@1.0.0", "w": "workspace:*"}, "devDependencies": {"g": "git+https://git.test/g.git#0123456789abcdef0123456789abcdef01234567"}}`)},
		"packages/w/package.json": {Data: []byte(`{"name": "w", "bin": "cli.js", "optionalDependencies": {"o": "1.0.0"}}`)},
	}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	type snap struct{ Key, Dir, Name string }
	var snaps []snap
	for _, s := range lock.Snapshots {
		snaps = append(snaps, snap{s.Key, s.Dir, s.Name})
	}
	want := []snap{
		{"a@1.0.0(p@2.0.0)", "a@1.0.0_p@2.0.0", "a"},
		{"g@git+https://git.test/g.git#0123456789abcdef0123456789abcdef01234567", "g@git+https+++git.test+g.git+0123456789abcdef0123456789abcdef01234567", "g"},
		{"o@1.0.0", "o@1.0.0", "o"},
		{"p@2.0.0", "p@2.0.0", "p"},
	}
	if d := cmp.Diff(want, snaps); d != "" {
		t.Errorf("snapshots (-want +got):\n%s", d)
	}
	root := lock.Importers[0]
	var deps []string
	for _, d := range root.Deps {
		deps = append(deps, d.Alias+" "+d.Kind.String()+" "+d.Snapshot+d.Link)
	}
	if d := cmp.Diff([]string{"a prod a@1.0.0(p@2.0.0)", "p prod p@2.0.0", "al prod a@1.0.0(p@2.0.0)", "w prod packages/w", "g dev g@git+https://git.test/g.git#0123456789abcdef0123456789abcdef01234567"}, deps); d != "" {
		t.Errorf("root deps (-want +got):\n%s", d)
	}
	if d := cmp.Diff(map[string]string{"w": "cli.js"}, lock.Importers[1].Bins); d != "" {
		t.Errorf("w's bins (-want +got):\n%s", d)
	}
	srcs := map[string]string{}
	for _, p := range lock.Graph.Packages {
		srcs[p.ID] = p.Source.Kind.String() + " " + p.Source.URL + p.Source.Rev + " " + p.Version
	}
	if d := cmp.Diff(map[string]string{
		"a@1.0.0": "tarball https://registry.npm.test/a/-/a-1.0.0.tgz 1.0.0",
		"g@git+https://git.test/g.git#0123456789abcdef0123456789abcdef01234567": "git https://git.test/g.git0123456789abcdef0123456789abcdef01234567 3.0.0",
		"o@1.0.0": "tarball https://mirror.test/o/-/o-1.0.0.tgz 1.0.0",
		"p@2.0.0": "tarball https://registry.npm.test/p/-/p-2.0.0.tgz 2.0.0",
	}, srcs); d != "" {
		t.Errorf("sources (-want +got):\n%s", d)
	}
	if o := lock.Graph.Package("o@1.0.0"); o == nil || !cmp.Equal(o.Platform.CPU, []string{"!arm"}) || !o.Installs[0].Flags.Has(lockfile.FlagOptional) {
		t.Errorf("o: want cpu [!arm], optional; got %+v", o)
	}
	if g := lock.Graph.Package("g@git+https://git.test/g.git#0123456789abcdef0123456789abcdef01234567"); !g.Installs[0].Flags.Has(lockfile.FlagDev) {
		t.Errorf("g: want dev, got %v", g.Installs[0].Flags.Names())
	}
	if !lock.HasBin["a@1.0.0"] {
		t.Error("a: hasBin lost")
	}
	if out := CheckSync(fstest.MapFS{
		"package.json":            {Data: []byte(`{"dependencies": {"a": "^1.0.1", "p": "2.0.0", "al": "npm:a@1.0.0", "w": "workspace:*", "new": "1"}}`)},
		"packages/w/package.json": {Data: []byte(`{"name": "w", "optionalDependencies": {"o": "1.0.0"}}`)},
	}, lock); !cmp.Equal(out, []string{
		`package.json:1:19: a@^1.0.1: the lockfile has the specifier "^1.0.0"`,
		"package.json:1:89: new@1: not in the lockfile",
		"pnpm-lock.yaml:20:7: g: in the lockfile (importer .), not in package.json",
	}) {
		t.Errorf("CheckSync: %q", out)
	}
}

// TestErrors: every problem at once, in file order, each with its place.
func TestErrors(t *testing.T) {
	for _, c := range []struct {
		name, lock string
		want       []string
	}{
		{"v5", "lockfileVersion: 5.4\n", []string{`pnpm-lock.yaml:1:18: lockfileVersion 5.4 is the format of pnpm 7 and earlier, which lock2nix does not read: upgrade it with pnpm 8 or later ("pnpm install --lockfile-only" rewrites it as 6.0 or 9.0)`}},
		{"unknown version", "lockfileVersion: '10.0'\n", []string{"pnpm-lock.yaml:1:18: lockfileVersion 10.0 is not one lock2nix reads (6.x of pnpm 8, 9.0 of pnpm 9 and later)"}},
		{"not yaml", "lockfileVersion: '9.0'\nimporters: [\n", []string{"pnpm-lock.yaml:2:1: invalid YAML: did not find expected node content"}},
		{"dot-dot", "lockfileVersion: '9.0'\nimporters: {}\npackages:\n  '..': {resolution: {directory: x, type: directory}}\nsnapshots:\n  '..': {}\n", []string{`pnpm-lock.yaml:6:3: ".." is not a dependency path pnpm writes`}},
		{"empty", "", []string{"pnpm-lock.yaml: empty lockfile: want lockfileVersion, importers and packages"}},
		// pnpm's importers are the workspace's projects, below the lock:
		// one above it would have the layout (and the dev shell) write
		// outside the tree. Each is named at its key.
		{"importers outside", `lockfileVersion: '9.0'
importers:
  .: {}
  ../evil:
    dependencies:
      x:
        specifier: 1.0.0
        version: 1.0.0
  packages/ok: {}
  packages/../../up: {}
  a/../..: {}
  node_modules/lk: {}
  packages/x/node_modules/y: {}
packages:
  x@1.0.0:
    resolution: {integrity: sha512-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==}
snapshots:
  x@1.0.0: {}
`, []string{
			`pnpm-lock.yaml:4:3: importers: "../evil" lies outside the lockfile's folder (pnpm's importers are the workspace's projects, below it)`,
			`pnpm-lock.yaml:10:3: importers: "packages/../../up" lies outside the lockfile's folder (pnpm's importers are the workspace's projects, below it)`,
			`pnpm-lock.yaml:11:3: importers: "a/../.." lies outside the lockfile's folder (pnpm's importers are the workspace's projects, below it)`,
			`pnpm-lock.yaml:12:3: importers: "node_modules/lk" lies in a node_modules folder, which the layout makes (and where a link may lead out of the project)`,
			`pnpm-lock.yaml:13:3: importers: "packages/x/node_modules/y" lies in a node_modules folder, which the layout makes (and where a link may lead out of the project)`,
		}},
		// A folder of a git repository (pnpm's "&path:"): of a git host's
		// tarball, refused where the lock names it, not installed as the
		// whole archive; of a git checkout, one that could lead out of it,
		// or that readers could read as different folders.
		{"git folder", `lockfileVersion: '9.0'
importers:
  .: {}
packages:
  h@https://codeload.github.com/o/h/tar.gz/0123456789abcdef0123456789abcdef01234567#path:sub:
    resolution: {gitHosted: true, path: sub, tarball: https://codeload.github.com/o/h/tar.gz/0123456789abcdef0123456789abcdef01234567}
  u@git+https://git.test/g.git#0123456789abcdef0123456789abcdef01234567&path:/../x:
    resolution: {commit: 0123456789abcdef0123456789abcdef01234567, path: /../x, repo: https://git.test/g.git, type: git}
  r@git+https://git.test/g.git#0123456789abcdef0123456789abcdef01234567&path:/:
    resolution: {commit: 0123456789abcdef0123456789abcdef01234567, path: /, repo: https://git.test/g.git, type: git}
  a@git+https://git.test/g.git#0123456789abcdef0123456789abcdef01234567&path://etc:
    resolution: {commit: 0123456789abcdef0123456789abcdef01234567, path: //etc, repo: https://git.test/g.git, type: git}
  e@git+https://git.test/g.git#0123456789abcdef0123456789abcdef01234567&path:%2e%2e:
    resolution: {commit: 0123456789abcdef0123456789abcdef01234567, path: '%2e%2e', repo: https://git.test/g.git, type: git}
snapshots:
  h@https://codeload.github.com/o/h/tar.gz/0123456789abcdef0123456789abcdef01234567#path:sub: {}
  u@git+https://git.test/g.git#0123456789abcdef0123456789abcdef01234567&path:/../x: {}
  r@git+https://git.test/g.git#0123456789abcdef0123456789abcdef01234567&path:/: {}
  a@git+https://git.test/g.git#0123456789abcdef0123456789abcdef01234567&path://etc: {}
  e@git+https://git.test/g.git#0123456789abcdef0123456789abcdef01234567&path:%2e%2e: {}
`, []string{
			`pnpm-lock.yaml:6:41: h@https://codeload.github.com/o/h/tar.gz/0123456789abcdef0123456789abcdef01234567#path:sub: the resolution names the folder "sub" of the repository's archive (path:), which pnpm installs in its place; lock2nix installs a folder only of a git checkout (type: git)`,
			`pnpm-lock.yaml:8:74: u@git+https://git.test/g.git#0123456789abcdef0123456789abcdef01234567&path:/../x: the resolution names the folder "/../x" of the repository (path:), which goes up a folder (".."), maybe out of the repository`,
			`pnpm-lock.yaml:10:74: r@git+https://git.test/g.git#0123456789abcdef0123456789abcdef01234567&path:/: the resolution names the folder "/" of the repository (path:), which is empty`,
			`pnpm-lock.yaml:12:74: a@git+https://git.test/g.git#0123456789abcdef0123456789abcdef01234567&path://etc: the resolution names the folder "//etc" of the repository (path:), which is absolute`,
			`pnpm-lock.yaml:14:74: e@git+https://git.test/g.git#0123456789abcdef0123456789abcdef01234567&path:%2e%2e: the resolution names the folder "%2e%2e" of the repository (path:), which is percent-encoded`,
		}},
		{"many", `lockfileVersion: '9.0'
importers:
  .:
    dependencies:
      a:
        specifier: ^1
        version: 1.0.0
      b: 1.0.0
      c:
        specifier: ^1
        version: link:/abs
packages:
  a@1.0.0:
    resolution: {integrity: sha512-short}
  d@1.0.0:
    resolution: {type: svn}
snapshots:
  a@1.0.0: {}
  d@1.0.0:
    dependencies:
      e: 1.0.0
`, []string{
			"pnpm-lock.yaml:8:10: dependencies.b: want {specifier, version}, got \"1.0.0\"",
			"pnpm-lock.yaml:11:18: c: the link \"link:/abs\" is not a relative path",
			"pnpm-lock.yaml:14:29: a@1.0.0: invalid hash \"sha512-short\": digest is not base64",
			"pnpm-lock.yaml:16:17: d@1.0.0: resolution type \"svn\" is not one lock2nix knows (git, directory, or a tarball)",
			"pnpm-lock.yaml:21:10: e: e@1.0.0 is not in the lock's snapshots",
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseFS(fstest.MapFS{LockFile: {Data: []byte(c.lock)}}, Options{})
			if err == nil {
				t.Fatal("no error")
			}
			var got []string
			for _, e := range flatten(err) {
				var le *lockfile.Error
				if !errors.As(e, &le) {
					t.Errorf("%v is not a *lockfile.Error", e)
				}
				got = append(got, e.Error())
			}
			if d := cmp.Diff(c.want, got); d != "" {
				t.Errorf("errors (-want +got):\n%s", d)
			}
		})
	}
}

func flatten(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}

// TestDeepNesting reads a lockfile, and package.json files, nested a
// million levels deep with the stack limited to 8 MB: the YAML library
// bounds the lockfile's nesting (an error at the line); a package.json
// past jsondepth.Max reads as one that does not parse (pnpm reports it),
// before gjson's recursion could exhaust the stack.
func TestDeepNesting(t *testing.T) {
	defer debug.SetMaxStack(debug.SetMaxStack(8 << 20))
	deep := strings.Repeat("[", 1<<20) + strings.Repeat("]", 1<<20)
	_, err := ParseFS(fstest.MapFS{LockFile: {Data: []byte("lockfileVersion: '9.0'\nimporters: " + deep + "\n")}}, Options{})
	if got, want := fmt.Sprint(err), "pnpm-lock.yaml:2:1: invalid YAML: exceeded max depth of 10000"; got != want {
		t.Errorf("deep lockfile: error %q, want %q", got, want)
	}
	pkg := []byte(`{"name":"w","dependencies":{"a":` + deep + `}}`)
	fsys := fstest.MapFS{LockFile: {Data: []byte(v9Lock)}, "package.json": {Data: pkg}, "packages/w/package.json": {Data: pkg}}
	lock, err := ParseFS(fsys, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := CheckSync(fsys, lock); got != nil {
		t.Errorf("CheckSync = %q, want nothing", got)
	}
}

// TestTwoDocuments: pnpm 12 puts its own installation's lock first; the
// project's is the last document.
func TestTwoDocuments(t *testing.T) {
	text := "---\nlockfileVersion: '9.0'\nimporters:\n  .:\n    configDependencies: {}\npackages:\n  pnpm@12.0.0:\n    resolution: {integrity: sha512-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==}\n---\n" +
		strings.Replace(v9Lock, "  packages/w:\n    optionalDependencies:\n      o:\n        specifier: 1.0.0\n        version: 1.0.0\n", "", 1)
	lock, err := ParseFS(fstest.MapFS{LockFile: {Data: []byte(text)}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if lock.Graph.Package("pnpm@12.0.0") != nil || lock.Graph.Package("a@1.0.0") == nil {
		t.Error("read the wrong document")
	}
}

// TestNodeLinker: the pnp linker stops, and the hoisted one with
// autoInstallPeers off, naming where the setting is; hoisted alone is read.
func TestNodeLinker(t *testing.T) {
	for _, c := range []struct{ file, text, lock, want string }{
		{".npmrc", "registry=https://r.test/\nnode-linker=hoisted\n", v9Lock, ""},
		{WorkspaceFile, "packages: []\nnodeLinker: hoisted\n", v9Lock, ""},
		{WorkspaceFile, "packages: []\nnodeLinker: pnp\n", v9Lock, WorkspaceFile + ":2:13: node-linker=pnp: lock2nix lays out pnpm's isolated and hoisted node_modules only"},
		{".npmrc", "registry=https://r.test/\nnode-linker=hoisted\n", strings.Replace(v9Lock, "\nimporters:", "\nsettings:\n  autoInstallPeers: false\n\nimporters:", 1), ".npmrc:2:1: node-linker=hoisted with autoInstallPeers false"},
	} {
		lock, err := ParseFS(fstest.MapFS{LockFile: {Data: []byte(c.lock)}, c.file: {Data: []byte(c.text)}}, Options{})
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s %q: %v", c.file, c.text, err)
		case c.want == "" && lock.Settings.NodeLinker != "hoisted":
			t.Errorf("%s %q: node linker %q, want hoisted", c.file, c.text, lock.Settings.NodeLinker)
		case c.want != "" && (err == nil || !strings.HasPrefix(err.Error(), c.want)):
			t.Errorf("%s %q: got %v, want %s…", c.file, c.text, err, c.want)
		}
	}
}

// TestRuntime: pnpm 11's node@runtime: entries (Node.js archives from
// nodejs.org) are left to the builders' nodejs, with a warning.
func TestRuntime(t *testing.T) {
	text := strings.Replace(v9Lock, "      p:\n        specifier: 2.0.0\n        version: 2.0.0\n", "      p:\n        specifier: 2.0.0\n        version: 2.0.0\n      node:\n        specifier: runtime:22.1.0\n        version: runtime:22.1.0\n", 1)
	text = strings.Replace(text, "packages:\n\n", "packages:\n\n  node@runtime:22.1.0:\n    resolution: {type: variations, variants: []}\n\n", 1)
	text = strings.Replace(text, "snapshots:\n\n", "snapshots:\n\n  node@runtime:22.1.0: {}\n\n", 1)
	var warned []string
	lock, err := ParseFS(fstest.MapFS{LockFile: {Data: []byte(text)}}, Options{Warn: func(m string) { warned = append(warned, m) }})
	if err != nil {
		t.Fatal(err)
	}
	if lock.Graph.Package("node@runtime:22.1.0") != nil {
		t.Error("the runtime is a package of the graph")
	}
	for _, d := range lock.Importers[0].Deps {
		if d.Alias == "node" {
			t.Error("the root depends on the runtime")
		}
	}
	if len(warned) != 1 || !strings.Contains(warned[0], "node@runtime:22.1.0: a Node.js runtime") {
		t.Errorf("warnings: %q", warned)
	}
}

// TestGitRepoURL: a git resolution's repo is an address git fetches over
// the network, or a file: URL (held to the boundary by the caller); a
// bare path, which fetchGit would read wherever it lies, is not.
func TestGitRepoURL(t *testing.T) {
	for repo, want := range map[string]bool{
		"https://git.test/g.git":        true,
		"git+https://git.test/g.git":    true,
		"git+ssh://git@git.test/g.git":  true,
		"ssh://git@git.test:2222/g.git": true,
		"git://git.test/g.git":          true,
		"http://git.test/g.git":         true,
		"git@git.test:o/g.git":          true,
		"file:///elsewhere/g.git":       true,
		"git+file:///elsewhere/g.git":   true,
		"/elsewhere/g.git":              false,
		"../g.git":                      false,
		"g.git":                         false,
		"~/g.git":                       false,
		"https:///g.git":                false,
		"ftp://git.test/g.git":          false,
		"C:/src/g.git":                  false,
		"a/b@c:d":                       false,
	} {
		if got := gitRepoURL(repo); got != want {
			t.Errorf("gitRepoURL(%q) = %v, want %v", repo, got, want)
		}
	}
}

// TestGitFolder: a git resolution's path (pnpm's "&path:/DIR", which pnpm
// joins to the checkout) is that folder of the commit's checkout, the
// source's Dir; the folders of one commit are one source.
func TestGitFolder(t *testing.T) {
	const c = "0123456789abcdef0123456789abcdef01234567"
	lock, err := ParseFS(fstest.MapFS{
		LockFile: {Data: []byte(`lockfileVersion: '9.0'
importers:
  .:
    dependencies:
      a:
        specifier: git+https://git.test/m.git#` + c + `&path:/packages/a
        version: git+https://git.test/m.git#` + c + `&path:/packages/a
      b:
        specifier: git+https://git.test/m.git#` + c + `&path:packages/b
        version: git+https://git.test/m.git#` + c + `&path:packages/b
packages:
  a@git+https://git.test/m.git#` + c + `&path:/packages/a:
    resolution: {commit: ` + c + `, path: /packages/a, repo: https://git.test/m.git, type: git}
    version: 1.0.0
  b@git+https://git.test/m.git#` + c + `&path:packages/b:
    resolution: {commit: ` + c + `, path: packages/b, repo: https://git.test/m.git, type: git}
    version: 2.0.0
snapshots:
  a@git+https://git.test/m.git#` + c + `&path:/packages/a: {}
  b@git+https://git.test/m.git#` + c + `&path:packages/b: {}
`)},
	}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	ids := map[lockfile.SourceID]bool{}
	for _, p := range lock.Graph.Packages {
		got[p.Name] = p.Source.Kind.String() + " " + p.Source.URL + "#" + p.Source.Rev + " " + p.Source.Dir
		ids[p.Source.ID()] = true
	}
	if d := cmp.Diff(map[string]string{
		"a": "git https://git.test/m.git#" + c + " packages/a",
		"b": "git https://git.test/m.git#" + c + " packages/b",
	}, got); d != "" {
		t.Errorf("sources (-want +got):\n%s", d)
	}
	if len(ids) != 1 {
		t.Errorf("%d sources, want 1: %v", len(ids), ids)
	}
}
