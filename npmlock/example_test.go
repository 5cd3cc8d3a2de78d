package npmlock_test

import (
	"fmt"
	"testing/fstest"

	"github.com/lock2nix/lock2nix/npmlock"
)

const lock = `{
  "name": "demo",
  "version": "1.0.0",
  "lockfileVersion": 3,
  "packages": {
    "": { "name": "demo", "version": "1.0.0", "dependencies": { "ms": "^2.1.3" } },
    "node_modules/ms": {
      "version": "2.1.3",
      "resolved": "https://registry.npm.test/ms/-/ms-2.1.3.tgz",
      "integrity": "sha512-6FlzubTLZG3J2a/NVCAleEhjzq5oxgHyaCU9yYXvcLsvoVaHJq/s5xXI6/XXP6tz7R9xAOtHnSO/tXtF3WRTlA=="
    }
  }
}`

// Parse a lockfile held in memory and walk its packages.
func ExampleParse() {
	g, err := npmlock.Parse("package-lock.json", lock, nil, npmlock.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range g.Packages {
		fmt.Println(p.ID, p.Source.Kind, p.Source.URL)
		for _, in := range p.Installs {
			fmt.Println("  at", in.Path)
		}
	}
	// Output:
	// ms@2.1.3 tarball https://registry.npm.test/ms/-/ms-2.1.3.tgz
	//   at node_modules/ms
}

// Read a project from any fs.FS; entries without a resolved URL come from
// the registry given in the options.
func ExampleParseFS() {
	fsys := fstest.MapFS{"package-lock.json": {Data: []byte(`{
  "lockfileVersion": 3,
  "packages": { "node_modules/@scope/x": { "version": "1.0.0" } }
}`)}}
	g, err := npmlock.ParseFS(fsys, npmlock.Options{Registry: npmlock.Registry{URL: "https://mirror.example/npm/"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(g.Packages[0].Source.URL)
	// Output: https://mirror.example/npm/@scope/x/-/x-1.0.0.tgz
}

// Errors carry the file, line and column.
func ExampleParse_error() {
	_, err := npmlock.Parse("package-lock.json", "{\n  \"lockfileVersion\": 9\n}", nil, npmlock.Options{})
	fmt.Println(err)
	// Output: package-lock.json:2:22: unsupported lockfileVersion 9 (want 1, 2 or 3)
}
