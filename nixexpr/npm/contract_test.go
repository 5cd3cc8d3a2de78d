package npm

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/lock2nix/lock2nix/internal/nixtest"
	"github.com/lock2nix/lock2nix/lockfile"
	"github.com/lock2nix/lock2nix/nixexpr"
)

// TestRecordsContract evaluates the builders' reading of the records with
// real Nix: where the emitter leaves a package's name, version or pname
// out, the builders must derive what the graph says (the ID "name@version"
// split at its last "@", the pname "@scope/x" → "scope-x").
func TestRecordsContract(t *testing.T) {
	if _, err := exec.LookPath("nix-instantiate"); err != nil {
		t.Skip("nix-instantiate is not installed (apt-get install nix-bin)")
	}
	h, _ := lockfile.ParseIntegrity("sha512-6FlzubTLZG3J2a/NVCAleEhjzq5oxgHyaCU9yYXvcLsvoVaHJq/s5xXI6/XXP6tz7R9xAOtHnSO/tXtF3WRTlA==")
	g := &lockfile.Graph{Root: lockfile.Root{Name: "contract", Version: "1.0.0"}}
	for _, nv := range [][3]string{
		{"ms@2.1.3", "ms", "2.1.3"},
		{"@types/node@20.1.0", "@types/node", "20.1.0"},
		{"lodash.merge@4.6.2", "lodash.merge", "4.6.2"},
		{"a@b@1.0.0", "a@b", "1.0.0"},                       // an @ in the name
		{"x@1.0.0-rc.1+build", "x", "1.0.0-rc.1+build"},     // a version with + and -
		{"y@git", "y", ""},                                  // no version: the ID carries the kind
		{"@s/weird name!@1.0.0", "@s/weird name!", "1.0.0"}, // a pname that must be written
		{"z@1.0.0~0a1b2c3d", "z", "1.0.0"},                  // a suffixed ID
		{".dot@1.0.0", ".dot", "1.0.0"},
	} {
		g.Packages = append(g.Packages, &lockfile.Package{
			ID: nv[0], Name: nv[1], Version: nv[2],
			Source:   lockfile.Source{Kind: lockfile.Tarball, URL: "https://registry.npm.test/" + nv[1] + ".tgz", Hash: h},
			Installs: []lockfile.Install{{Path: "node_modules/" + nv[1]}},
		})
	}
	g.Sort()
	var file bytes.Buffer
	if err := Emit(&file, g, nixexpr.Header{Generator: "test", Input: "package-lock.json", Command: "test"}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "lock.nix")
	if err := os.WriteFile(path, file.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	out := evalNix(t, repoRoot(t), `builtins.mapAttrs (id: p: { inherit (p) name version pname; }) (npm { file = `+path+`; }).packages`)
	type names struct{ Name, Version, Pname string }
	var got map[string]names
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]names{}
	for _, p := range g.Packages {
		want[p.ID] = names{p.Name, p.Version, nixexpr.DrvName(p.Name, "package")}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("the builders read the records differently from the graph (-graph +builders):\n%s", diff)
	}
}

// repoRoot is the repository, whose default.nix gives the builders.
func repoRoot(t *testing.T) string { return nixtest.Repo(t) }

// evalNix evaluates expr strictly to JSON, with pkgs (the nixpkgs
// stand-in) and npm (repo's builders: import repo { inherit pkgs; }).npm
// in scope; it fails the test on an error.
func evalNix(t *testing.T, repo, expr string) []byte {
	t.Helper()
	out, err := tryEvalNix(t, repo, expr)
	if err != nil {
		t.Fatalf("nix-instantiate: %v\n%s", err, out)
	}
	return out
}

// tryEvalNix is evalNix returning the error and Nix's message.
func tryEvalNix(t *testing.T, repo, expr string) ([]byte, error) {
	t.Helper()
	nixtest.Need(t)
	return nixtest.Eval(nixtest.WithBuilders(nixtest.Repo(t), repo, "npm", expr))
}

// TestRecordSchemaContract runs a graph with every source kind, install
// flag, dependency kind and record field through the builders with real
// Nix: what builders.nix reads of each package (its records filled in)
// must be what the graph says, and every tree must evaluate to a
// derivation.
func TestRecordSchemaContract(t *testing.T) {
	h, _ := lockfile.ParseIntegrity("sha512-6FlzubTLZG3J2a/NVCAleEhjzq5oxgHyaCU9yYXvcLsvoVaHJq/s5xXI6/XXP6tz7R9xAOtHnSO/tXtF3WRTlA==")
	url := func(n string) string { return "https://registry.npm.test/" + n + "/-/" + n + "-1.0.0.tgz" }
	pkg := func(name string, src lockfile.Source, installs ...lockfile.Install) *lockfile.Package {
		return &lockfile.Package{ID: name + "@1.0.0", Name: name, Version: "1.0.0", Source: src, Installs: installs}
	}
	at := func(path string, f lockfile.Flags) lockfile.Install { return lockfile.Install{Path: path, Flags: f} }
	all := pkg("all", lockfile.Source{Kind: lockfile.Tarball, URL: url("all"), Hash: h}, at("node_modules/all", 0))
	all.Bins = []lockfile.Bin{{Name: "all", Path: "bin/all.js"}, {Name: "other", Path: "o.js"}}
	all.Deps = []lockfile.Edge{
		{Name: "dev", Kind: lockfile.DepDev}, {Name: "gitpkg", Kind: lockfile.DepProd}, {Name: "opt", Kind: lockfile.DepOptional},
		{Name: "peer", Kind: lockfile.DepPeer}, {Name: "peeropt", Kind: lockfile.DepPeerOptional},
	}
	all.Platform = lockfile.Platform{OS: []string{"!win32"}, CPU: []string{"x64", "arm64"}, Libc: []string{"!musl"}}
	all.HasInstallScript, all.License = true, "MIT"
	opt := pkg("opt", lockfile.Source{Kind: lockfile.Tarball, URL: url("opt"), Hash: h}, at("node_modules/opt", lockfile.FlagOptional))
	opt.Engines = []lockfile.Engine{{Name: "node", Range: ">=8 <9 || >=10", Versions: [][]lockfile.Comparison{{{Op: ">=", Version: "8.0.0"}, {Op: "<", Version: "9.0.0"}}, {{Op: ">=", Version: "10.0.0"}}}}}
	g := &lockfile.Graph{
		Root: lockfile.Root{Name: "contract", Version: "1.0.0", Workspaces: []string{"packages/ws"}, Deps: []lockfile.Edge{{Name: "all", Kind: lockfile.DepProd}, {Name: "dev", Kind: lockfile.DepDev}}},
		Packages: []*lockfile.Package{
			all, opt,
			pkg("dev", lockfile.Source{Kind: lockfile.Tarball, URL: url("dev"), Hash: h}, at("node_modules/dev", lockfile.FlagDev)),
			pkg("devopt", lockfile.Source{Kind: lockfile.Tarball, URL: url("devopt"), Hash: h}, at("node_modules/devopt", lockfile.FlagDevOptional)),
			pkg("peer", lockfile.Source{Kind: lockfile.Tarball, URL: url("peer"), Hash: h}, at("node_modules/peer", lockfile.FlagPeer)),
			pkg("peeropt", lockfile.Source{Kind: lockfile.Tarball, URL: url("peeropt"), Hash: h}, at("node_modules/peeropt", lockfile.FlagPeer|lockfile.FlagOptional)),
			pkg("extra", lockfile.Source{Kind: lockfile.Tarball, URL: url("extra"), Hash: h}, at("node_modules/extra", lockfile.FlagExtraneous)),
			pkg("inner", lockfile.Source{Kind: lockfile.Tarball}, at("node_modules/all/node_modules/inner", lockfile.FlagBundled)),
			pkg("gitpkg", lockfile.Source{Kind: lockfile.Git, URL: "https://git.example/g.git", Rev: "0123456789abcdef0123456789abcdef01234567"}, at("node_modules/gitpkg", 0)),
			// GitHub's archive of a commit, hashed by a pin.
			pkg("gh", lockfile.Source{Kind: lockfile.Tarball, URL: "https://codeload.github.com/o/gh/tar.gz/89abcdef0123456789abcdef0123456789abcdef",
				Repo: "https://github.com/o/gh.git", Rev: "89abcdef0123456789abcdef0123456789abcdef", Hash: h}, at("node_modules/gh", 0)),
			pkg("unpinned", lockfile.Source{Kind: lockfile.Tarball, URL: url("unpinned")}, at("node_modules/unpinned", 0)),
			pkg("shared", lockfile.Source{Kind: lockfile.Tarball, URL: url("all"), Hash: h}, at("node_modules/shared", 0)),
			pkg("dir", lockfile.Source{Kind: lockfile.Directory, Path: "lib/dir"}, at("node_modules/dir", 0)),
			pkg("ltar", lockfile.Source{Kind: lockfile.LocalTarball, Path: "vendor/ltar.tgz"}, at("node_modules/ltar", 0)),
			pkg("ws", lockfile.Source{Kind: lockfile.Link, Path: "packages/ws"}, at("node_modules/ws", 0)),
		},
	}
	g.Sort()
	var file bytes.Buffer
	if err := Emit(&file, g, nixexpr.Header{Input: "package-lock.json", Command: "test"}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "lock.nix")
	if err := os.WriteFile(path, file.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	src := t.TempDir()
	for _, d := range []string{"lib/dir", "vendor", "packages/ws"} {
		if err := os.MkdirAll(filepath.Join(src, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(src, "vendor/ltar.tgz"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	out := evalNix(t, repoRoot(t), `let r = npm {
  file = `+path+`;
  src = `+src+`;
  fetchGit = a: "/git/${a.rev}";
  fetchurlUnpinned = url: "/unpinned";
}; in {
  packages = builtins.mapAttrs (id: p: removeAttrs p [ "src" ] // { src = if p.src == null then null else if builtins.isAttrs p.src then p.src.name else baseNameOf (toString p.src); }) r.packages;
  drvs = [ r.nodeModules.drvPath r.nodeModulesProd.drvPath r.workspaces.ws.nodeModules.drvPath (r.buildPackage { }).drvPath ];
  # What the GitHub archive's package is made from, and from what git's.
  unpackedFrom = { gh = r.unpacked."gh@1.0.0".drvAttrs.src.name; gitpkg = baseNameOf r.unpacked."gitpkg@1.0.0".drvAttrs.src; };
}`)
	type seen struct {
		Name, Version, Pname, DrvVersion, Source, Path, License string
		Src                                                     *string
		Installs                                                map[string][]string
		Bins                                                    map[string]string
		Deps                                                    map[string][]string
		OS, CPU, Libc                                           []string
		Engines                                                 map[string][][]string
		HasInstallScript                                        bool
	}
	var got struct {
		Packages     map[string]seen
		Drvs         []string
		UnpackedFrom map[string]string
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	// What the graph says, as the builders should see it.
	want := map[string]seen{}
	for _, p := range g.Packages {
		s := seen{Name: p.Name, Version: p.Version, Pname: nixexpr.DrvName(p.Name, "package"), DrvVersion: p.Version,
			Source: recordKind(p.Source).String(), Path: p.Source.Path, License: p.License, HasInstallScript: p.HasInstallScript,
			OS: p.Platform.OS, CPU: p.Platform.CPU, Libc: p.Platform.Libc, Installs: map[string][]string{}}
		for _, in := range p.Installs {
			s.Installs[in.Path] = append([]string{}, in.Flags.Names()...)
		}
		for _, b := range p.Bins {
			if s.Bins == nil {
				s.Bins = map[string]string{}
			}
			s.Bins[b.Name] = b.Path
		}
		for _, d := range p.Deps {
			if s.Deps == nil {
				s.Deps = map[string][]string{}
			}
			s.Deps[d.Kind.String()] = append(s.Deps[d.Kind.String()], d.Name)
		}
		if e := nodeEngine(p); e != nil {
			s.Engines = map[string][][]string{"node": {}}
			for _, alt := range e {
				var cs []string
				for _, c := range alt {
					cs = append(cs, c.Op+c.Version)
				}
				s.Engines["node"] = append(s.Engines["node"], cs)
			}
		}
		// The fetched store path's name, or the local path's last part.
		src := ""
		switch {
		case p.Name == "shared":
			src = "all-1.0.0.tgz" // one archive, two packages
		case p.Source.Repo != "":
			src = "source" // fetchzip's name
		case p.Source.Kind == lockfile.Git:
			src = p.Source.Rev
		case p.Source.Kind == lockfile.Tarball && p.Source.Hash.IsZero():
			src = "unpinned" // the bundled one too: a source without a hash
		case p.Source.Kind == lockfile.Tarball && !p.Source.Hash.IsZero():
			src = p.Name + "-1.0.0.tgz"
		case p.Source.Local():
			src = filepath.Base(p.Source.Path)
		}
		if src != "" {
			s.Src = &src
		}
		want[p.ID] = s
	}
	if diff := cmp.Diff(want, got.Packages); diff != "" {
		t.Errorf("the builders read the records differently from the graph (-graph +builders):\n%s", diff)
	}
	if len(got.Drvs) != 4 {
		t.Errorf("drvs: %v", got.Drvs)
	}
	// The archive is fetched unpacked (fetchzip's output, "source"), and
	// its files packed as a checkout's are.
	if diff := cmp.Diff(map[string]string{"gh": "source", "gitpkg": "0123456789abcdef0123456789abcdef01234567"}, got.UnpackedFrom); diff != "" {
		t.Errorf("what the git packages are unpacked from (-want +got):\n%s", diff)
	}
}
