package lockfile_test

import (
	"fmt"

	"github.com/lock2nix/lock2nix/lockfile"
)

// Convert the hash forms lockfiles carry into SRI.
func ExampleParseHex() {
	h, err := lockfile.ParseHex("sha256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
	fmt.Println(h, err)
	// Output: sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU= <nil>
}

// npm integrity fields may list several hashes; the strongest wins.
func ExampleParseIntegrity() {
	h, _ := lockfile.ParseIntegrity("sha1-2jmj7l5rSw0yVb/vlWAYkK/YBwk= sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=")
	fmt.Println(h.Algo, h.Algo.Weak())
	// Output: sha256 false
}

// Walk a graph: every package, where it is installed and why.
func ExampleGraph() {
	g := &lockfile.Graph{Packages: []*lockfile.Package{
		{ID: "a@1.0.0", Name: "a", Version: "1.0.0", Installs: []lockfile.Install{{Path: "node_modules/a", Flags: lockfile.FlagDev | lockfile.FlagOptional}}},
	}}
	g.Sort()
	for _, p := range g.Packages {
		for _, in := range p.Installs {
			fmt.Println(p.ID, in.Path, in.Flags.Names())
		}
	}
	fmt.Println(g.Package("a@1.0.0") != nil, g.Package("b@1.0.0") != nil)
	// Output:
	// a@1.0.0 node_modules/a [dev optional]
	// true false
}
