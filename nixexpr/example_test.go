package nixexpr_test

import (
	"fmt"
	"os"

	"github.com/lock2nix/lock2nix/lockfile"
	"github.com/lock2nix/lock2nix/nixexpr"
)

// Build a small tree and print it; every string is escaped.
func ExampleFormat() {
	e := nixexpr.Apply{
		Func: nixexpr.Ident{Name: "fetchurl"},
		Args: []nixexpr.Expr{nixexpr.AttrSet{Bindings: []nixexpr.Binding{
			nixexpr.Attr{Path: []string{"url"}, Value: nixexpr.String{Value: "https://example.org/${x}.tgz"}},
			nixexpr.Attr{Path: []string{"passthru", "lodash.merge"}, Value: nixexpr.Bool{Value: true}},
		}}},
	}
	out, err := nixexpr.Format(e)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(out))
	// Output:
	// fetchurl {
	//   url = "https://example.org/\${x}.tgz";
	//   passthru."lodash.merge" = true;
	// }
}

// Emit a graph as a callPackage-style file to any io.Writer.
func ExampleEmit() {
	h, _ := lockfile.ParseIntegrity("sha512-6FlzubTLZG3J2a/NVCAleEhjzq5oxgHyaCU9yYXvcLsvoVaHJq/s5xXI6/XXP6tz7R9xAOtHnSO/tXtF3WRTlA==")
	g := &lockfile.Graph{
		Ecosystem: "npm",
		Root:      lockfile.Root{Name: "demo", Version: "1.0.0"},
		Packages: []*lockfile.Package{{
			ID: "ms@2.1.3", Name: "ms", Version: "2.1.3",
			Source:   lockfile.Source{Kind: lockfile.Tarball, URL: "https://registry.npm.test/ms/-/ms-2.1.3.tgz", Hash: h},
			Installs: []lockfile.Install{{Path: "node_modules/ms"}},
		}},
	}
	err := nixexpr.Emit(os.Stdout, g, nixexpr.EmitOptions{Generator: "my-tool 1.0", Input: "package-lock.json", Command: "my-tool"})
	fmt.Println(err)
}
