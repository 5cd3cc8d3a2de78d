package pnpm

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lock2nix/lock2nix/internal/nixtest"
	"github.com/lock2nix/lock2nix/nixexpr"
	"github.com/lock2nix/lock2nix/pnpmlock"
)

// TestPatchFileCheckedInBuild is the check of a patch file when src is a
// derivation's output (src = fetchFromGitHub { … }, here a stand-in
// runCommand copying testdata/pnpm/v6-pnpm8): reading it at evaluation
// would build it (import from derivation, which nixpkgs and Hydra
// forbid), so nodeModules evaluates with import from derivation
// disallowed, without building src, and the build compares the patch
// before the layout applies it, failing with the evaluation's message. A
// data file without the hash is still refused at evaluation. The builds
// run stand-in fetches and a stand-in node (whose layout only marks
// $out): the check is what is tested, and it runs before either is used.
func TestPatchFileCheckedInBuild(t *testing.T) {
	nixtest.Need(t)
	if _, err := exec.LookPath("nix-build"); err != nil {
		t.Skip("nix-build is not installed (apt-get install nix-bin)")
	}
	const regen = "lock2nix pnpm --registry https://registry.npm.test/"
	const patch = "patches/is-odd@3.0.1.patch"
	changed := "lock2nix: src's " + patch + " changed since the pnpm data file was generated (the build applies what src holds, lock2nix checked what it held then against pnpm-lock.yaml); regenerate the data file in the project with: " + regen + "\n"
	for _, c := range []struct {
		name   string
		change func(t *testing.T, dir string)
		want   string // the build's message; "": it builds
	}{
		{"same", func(*testing.T, string) {}, ""},
		{"changed", nixtest.AppendTo(patch, "# edited\n"), changed},
		{"removed", nixtest.Remove(patch), changed},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := nixtest.CopyProject(t, "../../testdata/pnpm/v6-pnpm8")
			file := writePnpmData(t, dir, regen, nil)
			c.change(t, dir)
			tree := derivationSrcTree(t, file, dir)

			out, err := nixtest.BuildUnbuiltSrc(t, tree, "nodeModules")
			if c.want == "" {
				if err != nil {
					t.Fatalf("build failed: %v\n%s", err, out)
				}
				if _, err := os.Stat(filepath.Join(strings.TrimSpace(string(out)), "stand-in")); err != nil {
					t.Errorf("the stand-in layout did not run: %v", err)
				}
				return
			}
			nixtest.WantFailedLine(t, out, err, c.want)
		})
	}

	t.Run("unrecorded", func(t *testing.T) {
		dir := nixtest.CopyProject(t, "../../testdata/pnpm/v6-pnpm8")
		file := writePnpmData(t, dir, regen, func(data string) string {
			i := strings.Index(data, `,"patchSha256":"`)
			if i < 0 {
				t.Fatalf("no patchSha256 in the data file:\n%s", data)
			}
			j := strings.IndexByte(data[i+len(`,"patchSha256":"`):], '"')
			return data[:i] + data[i+len(`,"patchSha256":"`)+j+1:]
		})
		out, err := nixtest.InstantiateNoIFD(derivationSrcTree(t, file, dir) + `.nodeModules`)
		if err == nil {
			t.Fatalf("evaluated: %s", out)
		}
		if want := "lock2nix: the pnpm data file records no hash of the patch " + patch + " (an older lock2nix wrote it); regenerate it in the project with: " + regen + "\n"; !strings.Contains(string(out), want) {
			t.Errorf("message:\n%s\nwant:\n%s", out, want)
		}
	})
}

// writePnpmData writes the data file of the project in dir, through edit
// when given, and returns its name.
func writePnpmData(t *testing.T, dir, regen string, edit func(string) string) string {
	t.Helper()
	l, err := pnpmlock.ParseFS(os.DirFS(dir), pnpmlock.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var data bytes.Buffer
	if err := Emit(&data, l, nixexpr.Header{Input: "pnpm-lock.yaml", Command: regen}); err != nil {
		t.Fatal(err)
	}
	text := data.String()
	if edit != nil {
		text = edit(text)
	}
	file := filepath.Join(t.TempDir(), "pnpm-lock.nix")
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

// derivationSrcTree is a Nix expression of pnpm's builders for the data
// file with src a derivation's output, a copy of dir (made at evaluation,
// so later changes to dir do not reach it; named for dir, a temporary
// folder, so that no earlier run built it), with stand-in fetches and a
// stand-in node whose layout only marks $out; and src itself as .src.
func derivationSrcTree(t *testing.T, file, dir string) string {
	t.Helper()
	return nixtest.WithBuilders(nixtest.Repo(t), nixtest.Repo(t), "pnpm", `let
  src = pkgs.runCommand "project-src" { run = "`+dir+`"; } "cp -R ${`+dir+`} $out";
in ((pnpm {
  file = `+file+`;
  inherit src;
  fetchurl = _: builtins.toFile "stand-in.tgz" "";
  nodejs = pkgs.writeShellScriptBin "node" "mkdir -p \"$3\" && echo laid out > \"$3/stand-in\"";
}) // { inherit src; })`)
}
