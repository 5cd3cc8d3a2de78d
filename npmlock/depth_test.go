package npmlock

import (
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/lock2nix/lock2nix/internal/jsondepth"
)

// smallStack lowers the stack limit for the test: an unbounded recursion
// then dies of a stack overflow (a fatal error, the whole test binary)
// within a megabyte of nesting, as it does at the default gigabyte within
// some tens of megabytes; a bounded one never comes near it.
func smallStack(t *testing.T) {
	old := debug.SetMaxStack(8 << 20)
	t.Cleanup(func() { debug.SetMaxStack(old) })
}

// TestDeepNesting reads text nested a million levels deep, on the scan
// and on the slow path: the error names the place where the nesting
// passes jsondepth.Max, and text nested to Max itself reads.
func TestDeepNesting(t *testing.T) {
	smallStack(t)
	const n = 1 << 20
	open, shut := strings.Repeat("[", n), strings.Repeat("]", n)
	entry := func(value string) string {
		return `{"lockfileVersion":3,"packages":{"node_modules/a":{"version":"1.0.0","x":` + value + `}}}`
	}
	// The field's value opens the fourth level: the top, "packages" and
	// the entry hold it.
	atMax := strings.Repeat("[", jsondepth.Max-3) + strings.Repeat("]", jsondepth.Max-3)
	const col = len(`{"lockfileVersion":3,"packages":{"node_modules/a":{"version":"1.0.0","x":`) + 1
	v1 := `{"lockfileVersion":1,"dependencies":` + strings.Repeat(`{"a":{"version":"1.0.0","dependencies":`, n/2)
	for _, tc := range []struct{ name, data, want string }{
		{"arrays", open + shut, "package-lock.json:1:1001: arrays and objects nested more than 1000 deep"},
		{"arrays unclosed", open, "package-lock.json:1:1001: arrays and objects nested more than 1000 deep"},
		{"objects", strings.Repeat(`{"a":`, n) + "1" + strings.Repeat("}", n), "package-lock.json:1:5001: arrays and objects nested more than 1000 deep"},
		{"in an entry", entry(open + shut), "package-lock.json:1:" + strconv.Itoa(col+jsondepth.Max-3) + ": arrays and objects nested more than 1000 deep"},
		{"in an entry unclosed", entry(open), "package-lock.json:1:" + strconv.Itoa(col+jsondepth.Max-3) + ": arrays and objects nested more than 1000 deep"},
		{"v1 dependencies", v1, "package-lock.json:1:" + strconv.Itoa(len(`{"lockfileVersion":1,"dependencies":`)+len(`{"a":{"version":"1.0.0","dependencies":`)*499+len(`{"a":`)+1) + ": arrays and objects nested more than 1000 deep"},
		{"in an entry at the limit", entry(atMax), ""},
		{"an entry one past the limit", entry("[" + atMax + "]"), "package-lock.json:1:" + strconv.Itoa(col+jsondepth.Max-3) + ": arrays and objects nested more than 1000 deep"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, slow := range []bool{false, true} {
				_, err := parse("package-lock.json", tc.data, nil, Options{}, slow)
				got := ""
				if err != nil {
					got = err.Error()
				}
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("slow path %v: error (-want +got):\n%s", slow, diff)
				}
			}
		})
	}
}

// TestDeepPackageJSON reads a lockfile whose package.json, and a
// workspace's, nest a million levels deep: each is read as JSON that does
// not parse, which the graph and the sync check pass over (npm reports
// it), instead of crashing.
func TestDeepPackageJSON(t *testing.T) {
	smallStack(t)
	deep := []byte(`{"dependencies":{"a":` + strings.Repeat("[", 1<<20) + strings.Repeat("]", 1<<20) + `}}`)
	lock := `{"lockfileVersion":3,"packages":{"":{"name":"p","workspaces":["w"],"dependencies":{"a":"^1.0.0"}},` +
		`"node_modules/a":{"version":"1.0.0","resolved":"https://registry.npm.test/a/-/a-1.0.0.tgz","integrity":"sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg=="},` +
		`"node_modules/w":{"resolved":"w","link":true},"w":{"name":"w","version":"1.0.0"}}}`
	fsys := fstest.MapFS{
		"package-lock.json": {Data: []byte(lock)},
		"package.json":      {Data: deep},
		"w/package.json":    {Data: deep},
	}
	g, err := ParseFS(fsys, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := CheckSync(fsys, g, Options{})
	if diff := cmp.Diff([]string(nil), got); diff != "" {
		t.Errorf("CheckSync (-want +got):\n%s", diff)
	}
}
