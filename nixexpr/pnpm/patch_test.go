package pnpm

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lock2nix/lock2nix/internal/nixtest"
	"github.com/lock2nix/lock2nix/nixexpr"
	"github.com/lock2nix/lock2nix/pnpmlock"
)

// TestPatchFileChecked is the builders' contract for a patch file
// (patchedDependencies): the build applies the project's file, so a data
// file made from a copy of testdata/pnpm/v6-pnpm8 records the sha256
// lock2nix checked, and nodeModules evaluated with the copy as src stops,
// before anything is built, when the patch changed since (one line naming
// it and the command that regenerates the data file); the same patch
// instantiates, and a data file without the hash (an older lock2nix's) is
// refused.
func TestPatchFileChecked(t *testing.T) {
	nixtest.Need(t)
	const regen = "lock2nix pnpm --registry https://registry.npm.test/"
	const patch = "patches/is-odd@3.0.1.patch"
	for _, c := range []struct {
		name   string
		change func(t *testing.T, dir string, data string) string // returns the data file's text
		want   string                                             // the message; "": it instantiates
	}{
		{"same", func(_ *testing.T, _, data string) string { return data }, ""},
		{"changed", func(t *testing.T, dir, data string) string {
			nixtest.AppendTo(patch, "# edited\n")(t, dir)
			return data
		}, "error: lock2nix: src's " + patch + " changed since the pnpm data file was generated (the build applies what src holds, lock2nix checked what it held then against pnpm-lock.yaml); regenerate the data file in the project with: " + regen + "\n"},
		{"unrecorded", func(t *testing.T, _, data string) string {
			i := strings.Index(data, `,"patchSha256":"`)
			if i < 0 {
				t.Fatalf("no patchSha256 in the data file:\n%s", data)
			}
			j := strings.IndexByte(data[i+len(`,"patchSha256":"`):], '"')
			return data[:i] + data[i+len(`,"patchSha256":"`)+j+1:]
		}, "error: lock2nix: the pnpm data file records no hash of the patch " + patch + " (an older lock2nix wrote it); regenerate it in the project with: " + regen + "\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := nixtest.CopyProject(t, "../../testdata/pnpm/v6-pnpm8")
			l, err := pnpmlock.ParseFS(os.DirFS(dir), pnpmlock.Options{})
			if err != nil {
				t.Fatal(err)
			}
			var data bytes.Buffer
			if err := Emit(&data, l, nixexpr.Header{Input: "pnpm-lock.yaml", Command: regen}); err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(t.TempDir(), "pnpm-lock.nix")
			if err := os.WriteFile(file, []byte(c.change(t, dir, data.String())), 0o644); err != nil {
				t.Fatal(err)
			}
			repo := nixtest.Repo(t)
			out, err := nixtest.Eval(nixtest.WithBuilders(repo, repo, "pnpm", `(pnpm { file = `+file+`; src = `+dir+`; }).nodeModules.drvPath`))
			if c.want == "" {
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
			if !strings.Contains(string(out), c.want) {
				t.Errorf("message:\n%s\nwant the line:\n%s", out, c.want)
			}
		})
	}
}
