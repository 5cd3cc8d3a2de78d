package yarn

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lock2nix/lock2nix/internal/nixtest"
	"github.com/lock2nix/lock2nix/nixexpr"
	"github.com/lock2nix/lock2nix/nixexpr/node"
	"github.com/lock2nix/lock2nix/yarnlock"
)

// TestBuilderChangeKeepsGoldens emits every yarn project of the golden
// test again with each of lock2nix's builder files changed by a line:
// every data file stays byte for byte the golden (so --check, which
// compares those bytes, stays green), while the --standalone file, which
// holds the builders, changes.
func TestBuilderChangeKeepsGoldens(t *testing.T) {
	goldens, err := filepath.Glob("../../cmd/lock2nix/testdata/golden/yarn-*.nix.golden")
	if err != nil {
		t.Fatal(err)
	}
	if len(goldens) < 7 {
		t.Fatalf("only %d yarn goldens found", len(goldens))
	}
	for _, golden := range goldens {
		name := strings.TrimPrefix(strings.TrimSuffix(filepath.Base(golden), ".nix.golden"), "yarn-")
		t.Run(name, func(t *testing.T) {
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			l := parseProject(t, filepath.Join("../../testdata/yarn", name))
			h := headerOf(t, want)
			nixtest.BuilderChangeKeeps(t, golden, want, func() [2][]byte { return emitBoth(t, l, h) }, func() { changeBuilders(t) })
		})
	}
}

// changeBuilders adds a line to each builder file lock2nix embeds for
// yarn, until the test ends.
func changeBuilders(t *testing.T) {
	nixtest.ChangeBuilders(t, &builders, &entry, &serverJS, &gitSH, &node.Nix, &node.JS, &node.DevShell, &node.Entry, &nixexpr.SourcesNix, &nixexpr.SchemaNix, &nixexpr.LocalNix)
}

// emitBoth returns the data file and the --standalone file of l.
func emitBoth(t *testing.T, l *yarnlock.Lock, h nixexpr.Header) [2][]byte {
	return nixtest.EmitBoth(t, l, h, Emit, EmitStandalone)
}

// parseProject reads the project in dir as the golden test's command
// (lock2nix yarn --registry https://registry.npm.test/) does.
func parseProject(t *testing.T, dir string) *yarnlock.Lock {
	t.Helper()
	l, err := yarnlock.ParseFS(os.DirFS(dir), yarnlock.Options{Registry: "https://registry.npm.test/", Warn: func(string) {}})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// headerOf reads a data file's header back: its input and command.
func headerOf(t *testing.T, file []byte) nixexpr.Header {
	t.Helper()
	lines := strings.SplitN(string(file), "\n", 3)
	input, ok1 := strings.CutPrefix(lines[0], "# lock2nix yarn data, schema 1, from ")
	input, ok2 := strings.CutSuffix(input, ". Do not edit.")
	command, ok3 := strings.CutPrefix(lines[1], "# Regenerate with: ")
	if !ok1 || !ok2 || !ok3 {
		t.Fatalf("not a data file's header: %q", lines[:2])
	}
	return nixexpr.Header{Generator: "lock2nix test", Input: input, Command: command}
}

// TestSchemaRefused gives the builders data files they cannot read: each
// is refused with a message naming the file's schema, the builders', and
// what to do.
func TestSchemaRefused(t *testing.T) {
	nixtest.Need(t)
	repo := repoRoot(t)
	nixtest.SchemaRefusals(t, "yarn", Schema, `lockFormat = "classic"; sources = { }; packages = "{}"; root = { };`, func(data string) ([]byte, error) {
		return tryEvalNix(t, repo, `(yarn { file = `+data+`; }).nodeModules.drvPath`)
	})
}

// TestTwoBuilderVersions builds one data file with two versions of the
// builders: the repository's, and a copy with a line of builders.nix
// changed (a release that changes only builders). Both read it; the
// changed one gives another derivation, so the change reaches the build
// without the file changing.
func TestTwoBuilderVersions(t *testing.T) {
	l := parseProject(t, "../../testdata/yarn/classic-basic")
	var data bytes.Buffer
	if err := Emit(&data, l, nixexpr.Header{Input: "yarn.lock (classic)", Command: "lock2nix yarn"}); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "yarn-lock.nix")
	if err := os.WriteFile(file, data.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	next := t.TempDir()
	repo := repoRoot(t)
	for _, f := range []string{"default.nix", "nixexpr/sources.nix", "nixexpr/schema.nix", "nixexpr/local.nix", "nixexpr/node/modules.nix", "nixexpr/node/entry.nix", "nixexpr/node/modules.js", "nixexpr/node/devshell.sh", "nixexpr/yarn/entry.nix", "nixexpr/yarn/builders.nix", "nixexpr/yarn/server.js", "nixexpr/yarn/git.sh"} {
		text, err := os.ReadFile(filepath.Join(repo, f))
		if err != nil {
			t.Fatal(err)
		}
		if f == "nixexpr/yarn/builders.nix" {
			changed := bytes.Replace(text, []byte("dontUnpack = true;"), []byte("dontUnpack = true; # next release\n        nextRelease = true;"), 1)
			if bytes.Equal(changed, text) {
				t.Fatal("builders.nix has no dontUnpack line to change")
			}
			text = changed
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(next, f)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(next, f), text, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	drv := func(repo string) string {
		out, err := tryEvalNix(t, repo, `(yarn { file = `+file+`; src = `+repoRoot(t)+`/testdata/yarn/classic-basic; }).nodeModules.drvPath`)
		if err != nil {
			t.Fatalf("nix-instantiate: %v\n%s", err, out)
		}
		return strings.Trim(string(out), "\"\n")
	}
	this, nextDrv := drv(repo), drv(next)
	if this == nextDrv {
		t.Errorf("both builders give %s: the changed builders did not reach the build", this)
	}
	after, err := os.ReadFile(file)
	if err != nil || !bytes.Equal(after, data.Bytes()) {
		t.Errorf("the data file changed: %v", err)
	}
}

// repoRoot is the repository, whose default.nix gives the builders.
func repoRoot(t *testing.T) string { return nixtest.Repo(t) }

// tryEvalNix evaluates expr strictly to JSON, with pkgs (the nixpkgs
// stand-in) and yarn (repo's builders: import repo { inherit pkgs; }).yarn
// in scope, and returns the error and Nix's message.
func tryEvalNix(t *testing.T, repo, expr string) ([]byte, error) {
	t.Helper()
	nixtest.Need(t)
	return nixtest.Eval(nixtest.WithBuilders(nixtest.Repo(t), repo, "yarn", expr))
}
