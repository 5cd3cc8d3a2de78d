package npm

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/lock2nix/lock2nix/internal/nixtest"
	"github.com/lock2nix/lock2nix/lockfile"
	"github.com/lock2nix/lock2nix/nixexpr"
	"github.com/lock2nix/lock2nix/nixexpr/node"
	"github.com/lock2nix/lock2nix/npmlock"
	"github.com/lock2nix/lock2nix/pins"
)

// TestBuilderChangeKeepsGoldens emits every npm project of the golden
// test again with each of lock2nix's builder files changed by a line:
// every data file stays byte for byte the golden (so --check, which
// compares those bytes, stays green), while the --standalone file, which
// holds the builders, changes.
func TestBuilderChangeKeepsGoldens(t *testing.T) {
	goldens, err := filepath.Glob("../../cmd/lock2nix/testdata/golden/*.nix.golden")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, golden := range goldens {
		name := strings.TrimSuffix(filepath.Base(golden), ".nix.golden")
		dir := filepath.Join("../../testdata", name)
		if rest, ok := strings.CutPrefix(name, "npm-"); ok {
			dir = filepath.Join("../../testdata/npm", rest)
		}
		if _, err := os.Stat(filepath.Join(dir, "package-lock.json")); err != nil {
			continue // dune's
		}
		n++
		t.Run(name, func(t *testing.T) {
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			g := parseProject(t, dir)
			h := headerOf(t, want)
			nixtest.BuilderChangeKeeps(t, golden, want, func() [2][]byte { return emitBoth(t, g, h) }, func() { changeBuilders(t) })
		})
	}
	if n < 10 {
		t.Fatalf("only %d npm goldens found", n)
	}
}

// changeBuilders adds a line to each builder file lock2nix embeds, until
// the test ends.
func changeBuilders(t *testing.T) {
	nixtest.ChangeBuilders(t, &builders, &layoutJS, &entry, &node.Nix, &node.JS, &node.DevShell, &node.Entry, &nixexpr.LocalNix, &nixexpr.SourcesNix, &nixexpr.SchemaNix)
}

// emitBoth returns the data file and the --standalone file of g.
func emitBoth(t *testing.T, g *lockfile.Graph, h nixexpr.Header) [2][]byte {
	return nixtest.EmitBoth(t, g, h, Emit, EmitStandalone)
}

// parseProject reads the project in dir as the golden test's command
// (lock2nix npm --registry https://registry.npm.test/) does, its pins
// file applied (git-dep's hashes its GitHub archive).
func parseProject(t *testing.T, dir string) *lockfile.Graph {
	t.Helper()
	name, lock, err := npmlock.ReadLock(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	pkg, _ := os.ReadFile(filepath.Join(dir, "package.json"))
	g, err := npmlock.Parse(filepath.Join(dir, name), lock, pkg, npmlock.Options{Registry: npmlock.Registry{URL: "https://registry.npm.test/"}})
	if err != nil {
		t.Fatal(err)
	}
	if data, err := os.ReadFile(filepath.Join(dir, pins.FileName)); err == nil {
		f, err := pins.Parse(pins.FileName, data)
		if err != nil {
			t.Fatal(err)
		}
		sites := make([]pins.Site, len(g.Packages))
		for i, p := range g.Packages {
			sites[i] = pins.Site{ID: p.ID, Name: p.Name, Source: &p.Source}
		}
		f.Apply(sites)
	}
	return g
}

// headerOf reads a data file's header back: its input and command, and
// the rootUp it holds.
func headerOf(t *testing.T, file []byte) nixexpr.Header {
	t.Helper()
	lines := strings.SplitN(string(file), "\n", 3)
	m := regexp.MustCompile(`^# lock2nix npm data, schema [0-9]+, from `).FindString(lines[0])
	input, ok1 := strings.CutPrefix(lines[0], m)
	input, ok2 := strings.CutSuffix(input, ". Do not edit.")
	command, ok3 := strings.CutPrefix(lines[1], "# Regenerate with: ")
	if !ok1 || !ok2 || !ok3 {
		t.Fatalf("not a data file's header: %q", lines[:2])
	}
	h := nixexpr.Header{Generator: "lock2nix test", Input: input, Command: command}
	// The way up to the repository, which the golden test's boundary gave.
	if _, rest, ok := strings.Cut(string(file), "\n  rootUp = \""); ok {
		h.RootUp, _, _ = strings.Cut(rest, "\"")
	}
	return h
}

// TestSchemaRefused gives the builders data files they cannot read: each
// is refused with a message naming the file's schema, the builders', and
// what to do.
func TestSchemaRefused(t *testing.T) {
	nixtest.Need(t)
	repo := repoRoot(t)
	nixtest.SchemaRefusals(t, "npm", Schema, `sources = { }; records = "{}"; root = { };`, func(data string) ([]byte, error) {
		return tryEvalNix(t, repo, `(npm { file = `+data+`; }).nodeModules.drvPath`)
	})
}

// TestTwoBuilderVersions builds one data file with two versions of the
// builders: the repository's, and a copy with a line of builders.nix and
// of layout.js changed (a release that changes only builders). Both read
// it; the changed one gives another derivation, so the change reaches
// the build without the file changing.
func TestTwoBuilderVersions(t *testing.T) {
	if _, err := exec.LookPath("nix-instantiate"); err != nil {
		t.Skip("nix-instantiate is not installed (apt-get install nix-bin)")
	}
	g := parseProject(t, "../../testdata/example")
	var data bytes.Buffer
	if err := Emit(&data, g, nixexpr.Header{Input: "package-lock.json", Command: "lock2nix npm"}); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "package-lock.nix")
	if err := os.WriteFile(file, data.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	// The next release: the repository's Nix and JS, two lines changed.
	next := t.TempDir()
	repo := repoRoot(t)
	for _, f := range []string{"default.nix", "nixexpr/sources.nix", "nixexpr/local.nix", "nixexpr/schema.nix", "nixexpr/node/modules.nix", "nixexpr/node/modules.js", "nixexpr/node/devshell.sh", "nixexpr/node/entry.nix", "nixexpr/npm/entry.nix", "nixexpr/npm/builders.nix", "nixexpr/npm/layout.js"} {
		text, err := os.ReadFile(filepath.Join(repo, f))
		if err != nil {
			t.Fatal(err)
		}
		switch f {
		case "nixexpr/npm/builders.nix":
			text = bytes.Replace(text, []byte("dontConfigure = true;"), []byte("dontConfigure = true; # next release"), 1)
			text = bytes.Replace(text, []byte(`name = "${p.pname}-${p.drvVersion}";`), []byte(`name = "${p.pname}-${p.drvVersion}-next";`), 1)
		case "nixexpr/npm/layout.js":
			text = append([]byte("// the next release\n"), text...)
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(next, f)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(next, f), text, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	drv := func(repo string) string {
		out := evalNix(t, repo, `(npm { file = `+file+`; src = `+repo+`/testdata/example; }).nodeModules.drvPath`)
		return strings.Trim(string(out), "\"\n")
	}
	this, nextDrv := drv(repo), drv(next)
	if this == nextDrv {
		t.Errorf("both builders give %s: the changed layout program did not reach the build", this)
	}
	after, err := os.ReadFile(file)
	if err != nil || !bytes.Equal(after, data.Bytes()) {
		t.Errorf("the data file changed: %v", err)
	}
}

// TestPlatformRuleOfOlderFiles: which platform rule the layout program
// gets. A v1 file says platformsFromManifests; one written before that
// line existed (schema 1 all the same) must keep the rule the builders
// gave it then, reading each package.json, while a v2/v3 file whose
// records name platforms gets the lock's rule, as npm ci.
func TestPlatformRuleOfOlderFiles(t *testing.T) {
	if _, err := exec.LookPath("nix-instantiate"); err != nil {
		t.Skip("nix-instantiate is not installed (apt-get install nix-bin)")
	}
	repo := repoRoot(t)
	golden := func(name string) string {
		text, err := os.ReadFile(filepath.Join(repo, "cmd/lock2nix/testdata/golden", name+".nix.golden"))
		if err != nil {
			t.Fatal(err)
		}
		return string(text)
	}
	v1 := golden("npm-v1-fsevents")
	older := regexp.MustCompile(`(?m)^.*platformsFromManifests.*\n|^  # The lockfile records no platforms.*\n`).ReplaceAllString(v1, "")
	if older == v1 {
		t.Fatal("the v1 golden holds no platformsFromManifests line to take out")
	}
	for _, tc := range []struct {
		name, file, project string
		want                bool
	}{
		{"v1", v1, "v1-fsevents", true},
		{"v1 written before the flag", older, "v1-fsevents", true},
		{"v3 with platforms", golden("npm-libc-unrecorded"), "libc-unrecorded", false},
	} {
		file := filepath.Join(t.TempDir(), "package-lock.nix")
		if err := os.WriteFile(file, []byte(tc.file), 0o644); err != nil {
			t.Fatal(err)
		}
		out := evalNix(t, repo, `(builtins.fromJSON (builtins.unsafeDiscardStringContext (npm { file = `+file+`; src = `+repo+`/testdata/npm/`+tc.project+`; }).nodeModules.plan)) ? platformsFromManifests`)
		if got := strings.TrimSpace(string(out)) == "true"; got != tc.want {
			t.Errorf("%s: the plan's platformsFromManifests is %v, want %v", tc.name, got, tc.want)
		}
	}
}
