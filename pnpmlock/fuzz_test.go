package pnpmlock

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/lock2nix/lock2nix/lockfile"
)

// FuzzParse feeds arbitrary bytes to the parser as pnpm-lock.yaml, seeded
// with the test locks: it must return a lock or errors, never panic; every
// error is a *lockfile.Error naming a file; no two snapshots share a
// folder, and no folder or name can leave node_modules/.pnpm.
func FuzzParse(f *testing.F) {
	f.Add([]byte(v9Lock))
	files, _ := filepath.Glob("../testdata/pnpm/*/pnpm-lock.yaml")
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		lock, err := ParseFS(fstest.MapFS{LockFile: {Data: data}}, Options{})
		if err != nil {
			for _, e := range flatten(err) {
				var le *lockfile.Error
				if !errors.As(e, &le) || !strings.HasPrefix(e.Error(), LockFile) && !strings.HasPrefix(e.Error(), WorkspaceFile) {
					t.Fatalf("not a positioned error naming the file: %v", e)
				}
			}
			return
		}
		dirs := map[string]bool{}
		for _, s := range lock.Snapshots {
			if dirs[s.Dir] {
				t.Fatalf("two snapshots in %s", s.Dir)
			}
			dirs[s.Dir] = true
			if s.Dir == "" || s.Dir == "." || s.Dir == ".." || strings.ContainsAny(s.Dir, "/\\") {
				t.Fatalf("unsafe folder %q", s.Dir)
			}
		}
	})
}
