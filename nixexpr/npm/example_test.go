package npm_test

import (
	"fmt"
	"os"

	"github.com/lock2nix/lock2nix/lockfile"
	"github.com/lock2nix/lock2nix/nixexpr"
	"github.com/lock2nix/lock2nix/nixexpr/npm"
)

// Emit a graph as a callPackage-style file to any io.Writer.
func ExampleEmit() {
	h, _ := lockfile.ParseIntegrity("sha512-6FlzubTLZG3J2a/NVCAleEhjzq5oxgHyaCU9yYXvcLsvoVaHJq/s5xXI6/XXP6tz7R9xAOtHnSO/tXtF3WRTlA==")
	g := &lockfile.Graph{
		Root: lockfile.Root{Name: "demo", Version: "1.0.0"},
		Packages: []*lockfile.Package{{
			ID: "ms@2.1.3", Name: "ms", Version: "2.1.3",
			Source:   lockfile.Source{Kind: lockfile.Tarball, URL: "https://registry.npm.test/ms/-/ms-2.1.3.tgz", Hash: h},
			Installs: []lockfile.Install{{Path: "node_modules/ms"}},
		}},
	}
	err := npm.Emit(os.Stdout, g, nixexpr.Header{Generator: "my-tool 1.0", Input: "package-lock.json", Command: "my-tool"})
	fmt.Println(err)
}
