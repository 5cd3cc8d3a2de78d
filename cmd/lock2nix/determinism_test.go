package main

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/lock2nix/lock2nix/nixexpr"
	"github.com/lock2nix/lock2nix/nixexpr/npm"
	"github.com/lock2nix/lock2nix/npmlock"
)

// emitDir translates one project with the library API.
func emitDir(t *testing.T, dir string) []byte {
	t.Helper()
	g, err := npmlock.ParseFS(os.DirFS(dir), npmlock.Options{Registry: npmlock.Registry{URL: "https://registry.npm.test/"}})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := npm.Emit(&buf, g, nixexpr.Header{Generator: "lock2nix test", Input: "package-lock.json", Command: "lock2nix npm"}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestDeterministic translates the same projects from several goroutines
// at once and under different GOMAXPROCS: every output must be
// byte-identical. Run with -race, it also checks that translation shares
// no mutable state.
func TestDeterministic(t *testing.T) {
	dirs, _ := filepath.Glob("../../testdata/*/package-lock.json")
	more, _ := filepath.Glob("../../testdata/npm/*/package-lock.json")
	dirs = append(dirs, more...)
	if big := filepath.Join(corpusDir, "npm", "npm__cli"); dirExists(big) {
		dirs = append(dirs, filepath.Join(big, "package-lock.json"))
	}
	for _, lock := range dirs {
		dir := filepath.Dir(lock)
		want := emitDir(t, dir)
		for _, procs := range []int{1, 4} {
			old := runtime.GOMAXPROCS(procs)
			var wg sync.WaitGroup
			outs := make([][]byte, 8)
			for i := range outs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					outs[i] = emitDir(t, dir)
				}()
			}
			wg.Wait()
			runtime.GOMAXPROCS(old)
			for i, out := range outs {
				if !bytes.Equal(out, want) {
					t.Errorf("%s: run %d with GOMAXPROCS=%d differs from the first run", dir, i, procs)
				}
			}
		}
	}
}

func dirExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}
