package pnpmlock

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lock2nix/lock2nix/lockfile"
)

// corpusDir holds real lockfiles beside the repository (../shared).
var corpusDir = filepath.Join("..", "..", "shared", "corpus", "js")

// TestCorpus parses every real pnpm lockfile of the corpus: all read but
// the v5 one, which stops with the upgrade message.
func TestCorpus(t *testing.T) {
	entries, err := os.ReadDir(corpusDir)
	if err != nil {
		t.Skipf("no corpus at %s (it lives in ../shared beside the repository): %v", corpusDir, err)
	}
	n := 0
	for _, e := range entries {
		dir := filepath.Join(corpusDir, e.Name())
		if _, err := os.Stat(filepath.Join(dir, LockFile)); err != nil {
			continue
		}
		n++
		t.Run(e.Name(), func(t *testing.T) {
			lock, err := ParseFS(os.DirFS(dir), Options{})
			data, _ := os.ReadFile(filepath.Join(dir, LockFile))
			if strings.Contains(string(data[:200]), "lockfileVersion: 5") {
				var le *lockfile.Error
				if err == nil || !errors.As(err, &le) || !strings.Contains(le.Msg, "upgrade it with pnpm 8 or later") || le.Line != 1 {
					t.Fatalf("a v5 lockfile: want the upgrade message at line 1, got %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(lock.Snapshots) == 0 || len(lock.Graph.Packages) == 0 || len(lock.Importers) == 0 {
				t.Fatalf("%d snapshots, %d packages, %d importers", len(lock.Snapshots), len(lock.Graph.Packages), len(lock.Importers))
			}
			t.Logf("%s: %d importers, %d packages, %d snapshots, %d patches, settings %+v", lock.Version, len(lock.Importers), len(lock.Graph.Packages), len(lock.Snapshots), len(lock.Patches), lock.Settings)
		})
	}
	if n < 6 {
		t.Errorf("%d pnpm lockfiles in the corpus, want at least 6", n)
	}
}
