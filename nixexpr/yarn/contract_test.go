package yarn

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lock2nix/lock2nix/internal/nixtest"
	"github.com/lock2nix/lock2nix/nixexpr"
)

// TestProjectFilesChecked is the builders' contract for the project's
// files yarn reads in the build (the lockfile, the package.json files,
// the settings files): a data file is made from a copy of a testdata
// project, the copy is then changed, and its nodeModules evaluated with
// that copy as src. A change yarn would read (an edited lockfile or
// package.json, a settings file added or removed) is refused at
// evaluation, before anything is built, with one line naming the files
// and the command that regenerates the data file; the files as they were,
// or a change to a file yarn does not read, instantiate.
func TestProjectFilesChecked(t *testing.T) {
	nixtest.Need(t)
	const regen = "lock2nix yarn --registry https://registry.npm.test/"
	for _, c := range []struct {
		name, project string
		change        func(t *testing.T, dir string)
		want          []string // the message's files; none: it instantiates
	}{
		{"classic same", "classic-workspaces", func(*testing.T, string) {}, nil},
		{"classic lockfile", "classic-workspaces", nixtest.AppendTo("yarn.lock", "\n"), []string{"yarn.lock"}},
		{"classic workspace package.json", "classic-workspaces", nixtest.AppendTo("packages/a/package.json", " "), []string{"packages/a/package.json"}},
		{"classic .yarnrc added", "classic-workspaces", nixtest.AppendTo(".yarnrc", "yarn-offline-mirror \"/tmp/m\"\n"), []string{".yarnrc"}},
		{"classic .npmrc and lockfile", "classic-workspaces", func(t *testing.T, dir string) {
			nixtest.AppendTo(".npmrc", "offline=false\n")(t, dir)
			nixtest.AppendTo("yarn.lock", "# x\n")(t, dir)
		}, []string{".npmrc, yarn.lock"}},
		{"classic many files", "classic-workspaces", func(t *testing.T, dir string) {
			for _, f := range []string{".npmrc", ".yarnrc", "package.json", "packages/a/package.json", "packages/b/package.json", "yarn.lock"} {
				nixtest.AppendTo(f, "\n")(t, dir)
			}
		}, []string{".npmrc, .yarnrc, package.json and 3 more files"}},
		{"classic lockfile removed", "classic-basic", nixtest.Remove("yarn.lock"), []string{"yarn.lock"}},
		{"classic other file", "classic-basic", nixtest.AppendTo("README.md", "not read by yarn\n"), nil},
		{"berry same", "berry-workspaces", func(*testing.T, string) {}, nil},
		{"berry lockfile", "berry-workspaces", nixtest.AppendTo("yarn.lock", "\n"), []string{"yarn.lock"}},
		{"berry root package.json", "berry-workspaces", nixtest.AppendTo("package.json", "\n"), []string{"package.json"}},
		{"berry .yarnrc.yml added", "berry-workspaces", nixtest.AppendTo(".yarnrc.yml", "enableScripts: true\n"), []string{".yarnrc.yml"}},
		// yarn 1 reads .yarnrc, not berry.
		{"berry .yarnrc", "berry-workspaces", nixtest.AppendTo(".yarnrc", "x y\n"), nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := nixtest.CopyProject(t, filepath.Join("../../testdata/yarn", c.project))
			l := parseProject(t, dir)
			var data bytes.Buffer
			if err := Emit(&data, l, nixexpr.Header{Input: "yarn.lock", Command: regen}); err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(t.TempDir(), "yarn-lock.nix")
			if err := os.WriteFile(file, data.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			c.change(t, dir)
			// berry's sources are unpinned here: a stand-in fetcher keeps
			// the evaluation offline.
			out, err := tryEvalNix(t, repoRoot(t), `(yarn { file = `+file+`; src = `+dir+`; fetchurlUnpinned = url: builtins.toFile "unpinned" url; }).nodeModules.drvPath`)
			if c.want == nil {
				if err != nil {
					t.Fatalf("refused: %v\n%s", err, out)
				}
				if !strings.HasSuffix(strings.Trim(string(out), "\"\n"), "-node-modules.drv") {
					t.Errorf("not a derivation: %s", out)
				}
				return
			}
			if err == nil {
				t.Fatalf("evaluated: %s", out)
			}
			msg := string(out)
			want := "error: lock2nix: src's " + strings.Join(c.want, ", ") + " changed since the yarn data file was generated (yarn reads what src holds in the build, lock2nix checked what it held then); regenerate the data file in the project with: " + regen + "\n"
			if !strings.Contains(msg, want) {
				t.Errorf("message:\n%s\nwant the line:\n%s", msg, want)
			}
		})
	}
}

// TestProjectFilesUnrecorded gives the builders a data file that records
// no project files (as one of a lock2nix before the check): refused, not
// built unchecked.
func TestProjectFilesUnrecorded(t *testing.T) {
	nixtest.Need(t)
	dir := "../../testdata/yarn/classic-basic"
	var data bytes.Buffer
	if err := Emit(&data, parseProject(t, dir), nixexpr.Header{Input: "yarn.lock", Command: "lock2nix yarn"}); err != nil {
		t.Fatal(err)
	}
	text := data.String()
	i := strings.Index(text, "  # The project's files yarn reads")
	if i < 0 {
		t.Fatalf("no projectFiles in the data file:\n%s", text)
	}
	file := filepath.Join(t.TempDir(), "yarn-lock.nix")
	if err := os.WriteFile(file, []byte(text[:i]+"}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	out, err := tryEvalNix(t, repoRoot(t), `(yarn { file = `+file+`; src = `+abs+`; }).nodeModules.drvPath`)
	if err == nil {
		t.Fatalf("evaluated: %s", out)
	}
	if want := "lock2nix: the yarn data file records no hashes of the project's files (an older lock2nix wrote it); regenerate it in the project with: lock2nix yarn\n"; !strings.Contains(string(out), want) {
		t.Errorf("message:\n%s\nwant:\n%s", out, want)
	}
}
