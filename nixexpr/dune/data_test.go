package dune

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lock2nix/lock2nix/dunelock"
	"github.com/lock2nix/lock2nix/internal/nixtest"
	"github.com/lock2nix/lock2nix/nixexpr"
)

// repoRoot is the repository, whose default.nix hands out the builders.
func repoRoot(t *testing.T) string { return nixtest.Repo(t) }

// needNix skips the test without nix-instantiate.
func needNix(t *testing.T) { nixtest.Need(t) }

// evalJSON evaluates expr strictly to JSON; it returns Nix's message on
// an error.
func evalJSON(expr string) ([]byte, error) { return nixtest.Eval(expr) }

// fakeBuilt is a Nix expression for what lock2nix's builders in repo
// (its default.nix, as lib.dune calls them) make of the data file at file
// on system, with a stdenv whose mkDerivation returns its attributes
// (every package's path /dep/<pname>) and fetchers that fetch nothing;
// args are more arguments for the builders.
func fakeBuilt(t *testing.T, repo, file, system, args string) string {
	standin, _ := filepath.Abs("../../testdata/nixpkgs-standin")
	return `((import ` + repo + ` { pkgs = { callPackage = f: a: f a; }; }).dune {
    file = ` + file + `;
    stdenv = {
      hostPlatform = (import ` + standin + ` { system = "` + system + `"; }).stdenv.hostPlatform;
      mkDerivation = a: a // { outPath = "/dep/${a.pname}"; };
    };
    fetchurl = a: "/src";
    fetchGit = a: "/src";
    opam-installer = "/opam-installer";
    dune_3 = "/dune";
    pkgs = { };
    ` + args + `
  })`
}

// writeData writes l's data file into a temporary folder and returns its
// path.
func writeData(t *testing.T, l *dunelock.Lock) string {
	t.Helper()
	var buf bytes.Buffer
	if err := Emit(&buf, l, nixexpr.Header{Input: "dune.lock", Command: "lock2nix dune"}); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "dune-lock.nix")
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

// helperBlocksOf splits helpers.sh as entry.nix does: a block runs from
// its "# lock2nix helper: NAME" line to the next, its trailing newlines
// dropped but one.
func helperBlocksOf(text string) map[string]string {
	out := map[string]string{}
	const mark = "# lock2nix helper: "
	parts := strings.Split(text, "\n"+mark)
	for _, part := range parts[1:] {
		name, body, _ := strings.Cut(part, "\n")
		out[name] = strings.TrimRight(body, "\n") + "\n"
	}
	return out
}

// TestHelperBlocks builds, through the data file and the repository's
// builders, a package whose script calls dune_var: its configure phase
// holds the blocks of helpers.sh that dune_var needs (dune_config,
// dune_fail, as Go splits the file), byte for byte, and no other. Each
// block defines its function.
func TestHelperBlocks(t *testing.T) {
	blocks := helperBlocksOf(helpersSh)
	var names []string
	for name, text := range blocks {
		names = append(names, name)
		if !strings.Contains(text, name+"() {") {
			t.Errorf("block %s does not define %s", name, name)
		}
	}
	if len(names) != 6 {
		t.Errorf("helpers.sh has the blocks %v, want dune_fail, dune_config, dune_var, dune_undefined, dune_opam_var, dune_substitute", names)
	}
	needNix(t)
	l := parseLock(t, map[string]string{
		"a.pkg":     "(version 1)\n(depends ocaml)\n(build (run echo %{pkg:ocaml:native}))\n",
		"ocaml.pkg": "(version 5.2.0)\n",
	})
	file := writeData(t, l)
	out, err := evalJSON(fakeBuilt(t, repoRoot(t), file, "x86_64-linux", "") + ".packagesByName.a.configurePhase")
	if err != nil {
		t.Fatalf("nix-instantiate: %v\n%s", err, out)
	}
	var phase string
	if err := json.Unmarshal(out, &phase); err != nil {
		t.Fatal(err)
	}
	// The script must call dune_var for the test to mean anything.
	if script, _ := evalJSON(fakeBuilt(t, repoRoot(t), file, "x86_64-linux", "") + ".packagesByName.a.buildPhase"); !bytes.Contains(script, []byte("dune_var ")) {
		t.Fatalf("the build script calls no dune_var:\n%s", script)
	}
	want := blocks["dune_config"] + blocks["dune_fail"] + blocks["dune_var"]
	if !strings.Contains(phase, want) {
		t.Errorf("the configure phase lacks the blocks dune_var needs:\n%s\n--- configure phase:\n%s", want, phase)
	}
	for _, other := range []string{"dune_undefined", "dune_substitute", "dune_opam_var"} {
		if strings.Contains(phase, other+"() {") {
			t.Errorf("the configure phase holds %s, which no script calls", other)
		}
	}
}

// TestSchemaRefused gives the dune builders data files they cannot read:
// each is refused with a message naming the file's schema, the
// builders', and what to do.
func TestSchemaRefused(t *testing.T) {
	needNix(t)
	repo := repoRoot(t)
	nixtest.SchemaRefusals(t, "dune", Schema, `sources = { }; packages = { }; root = { };`, func(data string) ([]byte, error) {
		return evalJSON(fakeBuilt(t, repo, data, "x86_64-linux", "") + ".project.pname")
	})
}

// TestTwoBuilderVersions builds one data file with two versions of the
// builders: the repository's, and a copy with a line of builders.nix and
// of helpers.sh changed (a release that changes only builders). Both read
// it; the changed one gives other derivations, so the change reaches the
// build without the file changing.
func TestTwoBuilderVersions(t *testing.T) {
	needNix(t)
	l := parseLock(t, map[string]string{
		"a.pkg":     "(version 1)\n(depends ocaml)\n(build (run echo %{pkg:ocaml:native}))\n",
		"ocaml.pkg": "(version 5.2.0)\n",
	})
	file := writeData(t, l)
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	next := t.TempDir()
	repo := repoRoot(t)
	for _, f := range []string{"default.nix", "nixexpr/sources.nix", "nixexpr/local.nix", "nixexpr/schema.nix", "nixexpr/dune/entry.nix", "nixexpr/dune/builders.nix", "nixexpr/dune/helpers.sh"} {
		text, err := os.ReadFile(filepath.Join(repo, f))
		if err != nil {
			t.Fatal(err)
		}
		switch f {
		case "nixexpr/dune/builders.nix":
			text = bytes.Replace(text, []byte(`version = p.drvVersion or p.version;`), []byte(`version = (p.drvVersion or p.version) + "-next";`), 1)
		case "nixexpr/dune/helpers.sh":
			text = bytes.Replace(text, []byte("dune_var() {\n"), []byte("dune_var() {\n  : the next release\n"), 1)
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(next, f)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(next, f), text, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	phases := func(repo string) (version, configure string) {
		out, err := evalJSON(fakeBuilt(t, repo, file, "x86_64-linux", "") + ".packagesByName.a.version")
		if err != nil {
			t.Fatalf("nix-instantiate: %v\n%s", err, out)
		}
		version = string(out)
		out, err = evalJSON(fakeBuilt(t, repo, file, "x86_64-linux", "") + ".packagesByName.a.configurePhase")
		if err != nil {
			t.Fatalf("nix-instantiate: %v\n%s", err, out)
		}
		return version, string(out)
	}
	v1, c1 := phases(repo)
	v2, c2 := phases(next)
	if v1 != `"1"` || v2 != `"1-next"` {
		t.Errorf("versions %s and %s, want \"1\" and \"1-next\": the changed builders.nix did not reach the build", v1, v2)
	}
	if strings.Contains(c1, "the next release") || !strings.Contains(c2, "the next release") {
		t.Errorf("the changed helpers.sh did not reach the configure phase:\n%s", c2)
	}
	after, err := os.ReadFile(file)
	if err != nil || !bytes.Equal(after, data) {
		t.Errorf("the data file changed: %v", err)
	}
}

// TestBuilderChangeKeepsGoldens emits every dune lock of the golden test
// again with each of lock2nix's builder files changed by a line: every
// data file stays byte for byte the golden (so --check, which compares
// those bytes, stays green), while the --standalone file, which holds
// the builders, changes.
func TestBuilderChangeKeepsGoldens(t *testing.T) {
	goldens, err := filepath.Glob("../../cmd/lock2nix/testdata/golden/dune-*.nix.golden")
	if err != nil {
		t.Fatal(err)
	}
	if len(goldens) < 3 {
		t.Fatalf("only %d dune goldens found", len(goldens))
	}
	for _, golden := range goldens {
		name := strings.TrimPrefix(strings.TrimSuffix(filepath.Base(golden), ".nix.golden"), "dune-")
		t.Run(name, func(t *testing.T) {
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			l, err := dunelock.ParseFS(os.DirFS(filepath.Join("../../testdata/dune", name)), dunelock.DefaultDir, dunelock.Options{})
			if err != nil {
				t.Fatal(err)
			}
			h := headerOf(t, want)
			nixtest.BuilderChangeKeeps(t, golden, want, func() [2][]byte { return emitBoth(t, l, h) }, func() { changeBuilders(t) })
		})
	}
}

// changeBuilders adds a line to each builder file lock2nix embeds, until
// the test ends.
func changeBuilders(t *testing.T) {
	nixtest.ChangeBuilders(t, &builders, &helpersSh, &entry, &nixexpr.LocalNix, &nixexpr.SourcesNix, &nixexpr.SchemaNix)
}

// emitBoth returns the data file and the --standalone file of l.
func emitBoth(t *testing.T, l *dunelock.Lock, h nixexpr.Header) [2][]byte {
	return nixtest.EmitBoth(t, l, h, Emit, EmitStandalone)
}

// headerOf reads a data file's header back: its input and command, and
// the rootUp it holds.
func headerOf(t *testing.T, file []byte) nixexpr.Header {
	t.Helper()
	lines := strings.SplitN(string(file), "\n", 3)
	input, ok1 := strings.CutPrefix(lines[0], "# lock2nix dune data, schema 1, from ")
	input, ok2 := strings.CutSuffix(input, ". Do not edit.")
	command, ok3 := strings.CutPrefix(lines[1], "# Regenerate with: ")
	if !ok1 || !ok2 || !ok3 {
		t.Fatalf("not a data file's header: %q", lines[:2])
	}
	h := nixexpr.Header{Generator: "lock2nix test", Input: input, Command: command}
	if _, rest, ok := strings.Cut(string(file), "\n  rootUp = \""); ok {
		h.RootUp, _, _ = strings.Cut(rest, "\"")
	}
	return h
}
