package yarn

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lock2nix/lock2nix/internal/nixtest"
	"github.com/lock2nix/lock2nix/nixexpr"
)

// TestProjectFilesCheckedInBuild is the check of the project's files when
// src is a derivation's output (src = fetchFromGitHub { … }, here a
// stand-in runCommand copying a testdata project): reading it at
// evaluation would build it (import from derivation, which nixpkgs and
// Hydra forbid), so nodeModules evaluates with import from derivation
// disallowed, without building src, and the build compares the files
// before yarn runs, failing with the evaluation's message (the same line,
// the same shortening of many files). A data file without the records is
// still refused at evaluation. The builds run a stand-in yarn and
// stand-in fetches: the check is what is tested, and it runs before
// either is used.
func TestProjectFilesCheckedInBuild(t *testing.T) {
	nixtest.Need(t)
	if _, err := exec.LookPath("nix-build"); err != nil {
		t.Skip("nix-build is not installed (apt-get install nix-bin)")
	}
	const regen = "lock2nix yarn --registry https://registry.npm.test/"
	message := func(named string) string {
		return "lock2nix: src's " + named + " changed since the yarn data file was generated (yarn reads what src holds in the build, lock2nix checked what it held then); regenerate the data file in the project with: " + regen + "\n"
	}
	for _, c := range []struct {
		name, project string
		change        func(t *testing.T, dir string)
		want          string              // the files the message names; "": it builds
		edit          func(string) string // of the data file, when given
	}{
		{"same", "classic-basic", func(*testing.T, string) {}, "", nil},
		{"other file", "classic-basic", nixtest.AppendTo("README.md", "not read by yarn\n"), "", nil},
		{"lockfile", "classic-basic", nixtest.AppendTo("yarn.lock", "\n"), "yarn.lock", nil},
		{"lockfile removed", "classic-basic", nixtest.Remove("yarn.lock"), "yarn.lock", nil},
		{".yarnrc a dangling link", "classic-basic", func(t *testing.T, dir string) {
			if err := os.Symlink("nowhere", filepath.Join(dir, ".yarnrc")); err != nil {
				t.Fatal(err)
			}
		}, ".yarnrc", nil},
		{"two files", "classic-workspaces", func(t *testing.T, dir string) {
			nixtest.AppendTo(".npmrc", "offline=false\n")(t, dir)
			nixtest.AppendTo("yarn.lock", "# x\n")(t, dir)
		}, ".npmrc, yarn.lock", nil},
		{"many files", "classic-workspaces", func(t *testing.T, dir string) {
			for _, f := range []string{".npmrc", ".yarnrc", "package.json", "packages/a/package.json", "packages/b/package.json", "yarn.lock"} {
				nixtest.AppendTo(f, "\n")(t, dir)
			}
		}, ".npmrc, .yarnrc, package.json and 3 more files", nil},
		// The data file's names and hashes reach the build's script
		// quoted: a record of an absent file whose name and hash are
		// shell code is just a file that differs.
		{"shell in the records", "classic-basic", func(*testing.T, string) {}, "it's $(exit 0)`x`", func(data string) string {
			return strings.Replace(data, "  projectFiles = {\n", "  projectFiles = {\n    \"it's $(exit 0)`x`\" = \"'; exit 0; '\";\n", 1)
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := nixtest.CopyProject(t, filepath.Join("../../testdata/yarn", c.project))
			file := writeData(t, dir, regen, c.edit)
			c.change(t, dir)
			tree := derivationSrcTree(t, file, dir)

			out, err := nixtest.BuildUnbuiltSrc(t, tree, "nodeModules")
			if c.want == "" {
				if err != nil {
					t.Fatalf("build failed: %v\n%s", err, out)
				}
				if _, err := os.Stat(filepath.Join(strings.TrimSpace(string(out)), "node_modules", "stand-in")); err != nil {
					t.Errorf("the stand-in yarn did not run: %v", err)
				}
				return
			}
			nixtest.WantFailedLine(t, out, err, message(c.want))
		})
	}

	// A store path that is no derivation's output (a flake's self, a
	// filtered copy) is still read at evaluation.
	t.Run("store source", func(t *testing.T) {
		dir := nixtest.CopyProject(t, "../../testdata/yarn/classic-basic")
		file := writeData(t, dir, regen, nil)
		nixtest.AppendTo("yarn.lock", "\n")(t, dir)
		out, err := nixtest.InstantiateNoIFD(nixtest.WithBuilders(nixtest.Repo(t), nixtest.Repo(t), "yarn", `(yarn { file = `+file+`; src = "${builtins.path { path = `+dir+`; name = "source"; }}"; }).nodeModules`))
		if err == nil {
			t.Fatalf("evaluated: %s", out)
		}
		if want := "error: " + message("yarn.lock"); !strings.Contains(string(out), want) {
			t.Errorf("message:\n%s\nwant the line:\n%s", out, want)
		}
	})

	t.Run("unrecorded", func(t *testing.T) {
		dir := nixtest.CopyProject(t, "../../testdata/yarn/classic-basic")
		file := writeData(t, dir, regen, func(text string) string {
			i := strings.Index(text, "  # The project's files yarn reads")
			if i < 0 {
				t.Fatalf("no projectFiles in the data file:\n%s", text)
			}
			return text[:i] + "}\n"
		})
		out, err := nixtest.InstantiateNoIFD(derivationSrcTree(t, file, dir) + `.nodeModules`)
		if err == nil {
			t.Fatalf("evaluated: %s", out)
		}
		if want := "lock2nix: the yarn data file records no hashes of the project's files (an older lock2nix wrote it); regenerate it in the project with: lock2nix yarn\n"; !strings.Contains(string(out), want) {
			t.Errorf("message:\n%s\nwant:\n%s", out, want)
		}
	})
}

// writeData writes the data file of the project in dir, through edit when
// given, and returns its name.
func writeData(t *testing.T, dir, regen string, edit func(string) string) string {
	t.Helper()
	var data bytes.Buffer
	if err := Emit(&data, parseProject(t, dir), nixexpr.Header{Input: "yarn.lock", Command: regen}); err != nil {
		t.Fatal(err)
	}
	text := data.String()
	if edit != nil {
		text = edit(text)
	}
	file := filepath.Join(t.TempDir(), "yarn-lock.nix")
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

// derivationSrcTree is a Nix expression of yarn's builders for the data
// file with src a derivation's output, a copy of dir (made at evaluation,
// so later changes to dir do not reach it; named for dir, a temporary
// folder, so that no earlier run built it), with stand-in fetches and a
// stand-in yarn that only marks node_modules; and src itself as .src.
func derivationSrcTree(t *testing.T, file, dir string) string {
	t.Helper()
	return nixtest.WithBuilders(nixtest.Repo(t), nixtest.Repo(t), "yarn", `let
  src = pkgs.runCommand "project-src" { dontCheckForBrokenSymlinks = true; run = "`+dir+`"; } "cp -R ${`+dir+`} $out";
in ((yarn {
  file = `+file+`;
  inherit src;
  fetchurl = _: builtins.toFile "stand-in.tgz" "";
  yarn = pkgs.writeShellScriptBin "yarn" "mkdir -p node_modules && echo yarn > node_modules/stand-in";
}) // { inherit src; })`)
}
