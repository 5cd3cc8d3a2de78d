package dunelock_test

import (
	"fmt"
	"testing/fstest"

	"github.com/lock2nix/lock2nix/dunelock"
)

// Read a lock directory from any fs.FS and list what each package is
// fetched from.
func ExampleParseFS() {
	fsys := fstest.MapFS{
		"dune.lock/lock.dune": {Data: []byte("(lang package 0.1)\n")},
		"dune.lock/fmt.pkg": {Data: []byte(`(version 0.9.0)
(build (run dune build -p %{pkg-self:name} -j %{jobs}))
(source (fetch (url https://x.test/fmt-0.9.0.tbz)
  (checksum sha256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855)))`)},
	}
	g, err := dunelock.ParseFS(fsys, dunelock.DefaultDir, dunelock.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range g.Graph.Packages {
		fmt.Println(p.ID, p.Source.URL, p.Source.Hash)
	}
	// Output: fmt.0.9.0 https://x.test/fmt-0.9.0.tbz sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=
}
