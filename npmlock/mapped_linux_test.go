package npmlock

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/lock2nix/lock2nix/lockfile"
	"github.com/rogpeppe/go-internal/txtar"
)

// mappedResult is all a parse hands out: what a string taken from the
// mapped text would escape through.
type mappedResult struct {
	Graph    *lockfile.Graph
	Err      string
	Warnings []string
	Damaged  []string
	Used     []string
}

// parseAll parses the lockfile in dir with ParseFile, or with Parse on a
// copy read into memory, and collects what it hands out.
func parseAll(t *testing.T, dir string, mapped bool) mappedResult {
	t.Helper()
	var r mappedResult
	opts := Options{
		Registry:       Registry{URL: "https://registry.npm.test/", Used: func(reg string) { r.Used = append(r.Used, reg) }},
		Warn:           func(msg string) { r.Warnings = append(r.Warnings, msg) },
		Damaged:        func(keys []string) { r.Damaged = keys },
		AllowOutOfSync: true,
	}
	fsys := os.DirFS(dir)
	name, err := FindLock(fsys)
	if err != nil {
		t.Fatal(err)
	}
	pkg, _ := os.ReadFile(filepath.Join(dir, "package.json"))
	var g *lockfile.Graph
	if mapped {
		g, err = ParseFile(fsys, name, name, pkg, opts)
	} else {
		text, rerr := os.ReadFile(filepath.Join(dir, name))
		if rerr != nil {
			t.Fatal(rerr)
		}
		g, err = Parse(name, string(text), pkg, opts)
	}
	r.Graph = g
	if err != nil {
		r.Err = err.Error()
	}
	return r
}

// TestMappedTextStaysInside parses every lockfile at hand (the tests', the
// bad ones', and the corpus's when ../shared is there) through the mapped
// path, with the mapping's pages made unreadable where ParseFile unmaps
// them, then reads all the parse handed out (the graph, the error, the
// warnings, the damaged keys): a string still pointing into the mapping
// faults, and the fault fails the test. The results must also equal those
// of a parse of the text read into memory.
func TestMappedTextStaysInside(t *testing.T) {
	defer func(u func([]byte) error) { unmap = u }(unmap)
	mapped := 0
	unmap = func(b []byte) error { mapped++; return syscall.Mprotect(b, syscall.PROT_NONE) }
	dirs := lockDirs(t)
	if len(dirs) < 30 {
		t.Fatalf("only %d lockfiles found", len(dirs))
	}
	for _, dir := range dirs {
		want := parseAll(t, dir, false)
		before := mapped
		got := parseAll(t, dir, true)
		if mapped == before {
			// ParseFile read the file instead: nothing here was checked.
			t.Errorf("%s: the lockfile was not mapped", dir)
		}
		if diff := readAfterUnmap(want, got); diff != "" {
			t.Errorf("%s: the mapped parse differs (-read +mapped):\n%s", dir, diff)
		}
	}
}

// readAfterUnmap compares two results, reading every byte of got's
// strings; a fault there is reported as a difference, not a crash.
func readAfterUnmap(want, got mappedResult) (diff string) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			diff = fmt.Sprintf("reading the result faulted, so it points into the unmapped text: %v", r)
		}
	}()
	return cmp.Diff(want, got)
}

// lockDirs lists folders that each hold an npm lockfile: the test
// projects, the test cases and bad inputs written out to temporary
// folders, and the corpus's projects.
func lockDirs(t *testing.T) []string {
	var out []string
	for _, pattern := range []string{"../testdata/npm*/*/*.json", "../../shared/corpus/npm/*/*.json"} {
		files, _ := filepath.Glob(pattern)
		for _, f := range files {
			if base := filepath.Base(f); base == LockName || base == ShrinkwrapName {
				out = append(out, filepath.Dir(f))
			}
		}
	}
	if !slices.ContainsFunc(out, func(d string) bool { return strings.Contains(d, "corpus") }) {
		t.Log("../shared/corpus/npm is absent: its lockfiles are not checked")
	}
	cases, _ := filepath.Glob("testdata/*.txtar")
	bad, _ := filepath.Glob("../testdata/bad/npm-*.txtar")
	for _, file := range append(cases, bad...) {
		ar, err := txtar.ParseFile(file)
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		found := false
		for _, f := range ar.Files {
			if strings.Contains(f.Name, "/") {
				continue // the project's own files are enough
			}
			if f.Name == LockName || f.Name == ShrinkwrapName {
				found = true
			}
			if err := os.WriteFile(filepath.Join(dir, f.Name), f.Data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if found {
			out = append(out, dir)
		}
	}
	return slices.Compact(out)
}

var sink byte

// TestMappedFileCutShort truncates the lockfile while it is mapped: the
// parse must return an error, not crash the process.
func TestMappedFileCutShort(t *testing.T) {
	dir := t.TempDir()
	lock := `{"lockfileVersion": 3, "packages": {"": {"name": "x"}, "node_modules/a": {"version": "1.0.0"}}}` + strings.Repeat(" ", 3*os.Getpagesize())
	file := filepath.Join(dir, LockName)
	if err := os.WriteFile(file, []byte(lock), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	mapped, err := parseMapped(f, func(text string) error {
		if err := os.Truncate(file, 0); err != nil {
			t.Fatal(err)
		}
		sink = text[len(text)-1] // on a page the file no longer has
		return nil
	})
	var pathErr *os.PathError
	if !mapped || !errors.As(err, &pathErr) {
		t.Fatalf("mapped %v, err %v; want a *fs.PathError", mapped, err)
	}
	t.Log(err)
}
