package npmlock

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/google/go-cmp/cmp"
	"github.com/lock2nix/lock2nix/lockfile"
	"github.com/rogpeppe/go-internal/txtar"
)

// TestGraphOwnsItsStrings parses lockfiles of every shape, then overwrites
// the package.json bytes it read: a graph that still pointed into them
// would change. (The lockfile is a string, which cannot change.)
func TestGraphOwnsItsStrings(t *testing.T) {
	type input struct{ lock, pkg []byte }
	inputs := map[string]input{}
	dirs, _ := filepath.Glob("../testdata/npm/*/package-lock.json")
	for _, lock := range dirs {
		l, err := os.ReadFile(lock)
		if err != nil {
			t.Fatal(err)
		}
		pkg, _ := os.ReadFile(filepath.Join(filepath.Dir(lock), "package.json"))
		inputs[lock] = input{l, pkg}
	}
	cases, _ := filepath.Glob("testdata/*.txtar")
	for _, file := range cases {
		ar, err := txtar.ParseFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var in input
		for _, f := range ar.Files {
			switch f.Name {
			case "package-lock.json":
				in.lock = f.Data
			case "package.json":
				in.pkg = f.Data
			}
		}
		inputs[file] = in
	}
	if len(inputs) < 10 {
		t.Fatalf("only %d lockfiles found", len(inputs))
	}
	opts := Options{Registry: Registry{URL: "https://registry.npm.test/", ReplaceHost: "always"}}
	for name, in := range inputs {
		want, err := Parse("package-lock.json", string(in.lock), bytes.Clone(in.pkg), opts)
		if err != nil {
			continue // error cases own nothing
		}
		pkg := bytes.Clone(in.pkg)
		got, err := Parse("package-lock.json", string(in.lock), pkg, opts)
		if err != nil {
			t.Fatal(err)
		}
		for i := range pkg {
			pkg[i] = 'X'
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: the graph changed with the input's bytes (-want +got):\n%s", name, diff)
		}
	}
}

// TestScanMatchesSlowPath parses a large lockfile with bad fields
// scattered through it on both paths (the scan, and gjson after the
// validation): the error lists, and without the bad fields the graphs,
// must match.
func TestScanMatchesSlowPath(t *testing.T) {
	const n = 3000
	var b bytes.Buffer
	b.WriteString(`{"lockfileVersion": 3, "packages": {"": {"name": "big"}`)
	for i := range n {
		fmt.Fprintf(&b, `, "node_modules/p%d": {"version": "1.0.%d", "resolved": "https://registry.npm.test/p%d.tgz", "dependencies": {"p%d": "^1"}, "bin": {"p%d": "cli.js"}`, i, i, i, (i+1)%n, i)
		if i%997 == 0 {
			b.WriteString(`, "dev": "yes", "os": [1]`) // two field errors
		}
		b.WriteString("}")
	}
	b.WriteString("}}")
	_, fastErr := parse("package-lock.json", b.String(), nil, Options{}, false)
	_, slowErr := parse("package-lock.json", b.String(), nil, Options{}, true)
	if fastErr == nil || slowErr == nil {
		t.Fatal("the bad fields were not reported")
	}
	if diff := cmp.Diff(slowErr.Error(), fastErr.Error()); diff != "" {
		t.Errorf("errors differ (-slow +scan):\n%s", diff)
	}
	// Without the bad fields, the graphs themselves.
	good := bytes.ReplaceAll(b.Bytes(), []byte(`, "dev": "yes", "os": [1]`), nil)
	var graphs [2]*lockfile.Graph
	for i, slow := range []bool{false, true} {
		g, err := parse("package-lock.json", string(good), nil, Options{}, slow)
		if err != nil {
			t.Fatal(err)
		}
		graphs[i] = g
	}
	if len(graphs[0].Packages) != n {
		t.Fatalf("%d packages, want %d", len(graphs[0].Packages), n)
	}
	if diff := cmp.Diff(graphs[1], graphs[0]); diff != "" {
		t.Errorf("graphs differ (-slow +scan):\n%s", diff)
	}
}

// TestGraphLetsTheTextGo parses each test lockfile, padded to a block of
// its own, and checks that the text is freed while the graph (and the
// damaged entries' keys) live: a string of the graph taken from the text
// would keep megabytes alive (see parser.own).
func TestGraphLetsTheTextGo(t *testing.T) {
	cases, _ := filepath.Glob("testdata/*.txtar")
	checked := 0
	for _, file := range cases {
		ar, err := txtar.ParseFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var lock, pkg []byte
		for _, f := range ar.Files {
			switch f.Name {
			case "package-lock.json":
				lock = f.Data
			case "package.json":
				pkg = f.Data
			}
		}
		text := string(lock) + strings.Repeat(" ", 64<<10)
		freed := make(chan bool, 1)
		runtime.AddCleanup(unsafe.StringData(text), func(chan bool) { freed <- true }, freed)
		var damaged []string
		g, err := Parse("package-lock.json", text, pkg, Options{AllowOutOfSync: true, Damaged: func(keys []string) { damaged = keys }})
		text = ""
		if err != nil {
			continue // nothing is kept
		}
		checked++
		ok := false
		for range 50 {
			runtime.GC()
			select {
			case ok = <-freed:
			case <-time.After(10 * time.Millisecond):
			}
			if ok {
				break
			}
		}
		if !ok {
			t.Errorf("%s: the graph keeps the lockfile's text alive", file)
		}
		runtime.KeepAlive(g)
		runtime.KeepAlive(damaged)
	}
	if checked < 10 {
		t.Fatalf("only %d lockfiles parsed", checked)
	}
}
