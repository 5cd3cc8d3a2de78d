package nixexpr_test

import (
	"fmt"

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
