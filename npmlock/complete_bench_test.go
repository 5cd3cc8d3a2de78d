package npmlock

import (
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkCheckComplete measures the completeness walk alone on the
// corpus's largest lockfiles (when ../shared is there): the parse runs once,
// then the walk again and again over its entries.
func BenchmarkCheckComplete(b *testing.B) {
	for _, name := range []string{"aws__aws-toolkit-vscode", "overleaf__overleaf.2023-12", "hackmdio__codimd"} {
		dir := filepath.Join("..", "..", "shared", "corpus", "npm", name)
		data, err := os.ReadFile(filepath.Join(dir, "package-lock.json"))
		if err != nil {
			b.Skipf("the corpus is absent: %v", err)
		}
		pkgJSON, _ := os.ReadFile(filepath.Join(dir, "package.json"))
		b.Run(name, func(b *testing.B) {
			opts := Options{Registry: Registry{URL: "https://registry.npm.test/"}}
			p := newParser("package-lock.json", string(data), opts)
			t, c, ok := p.scan()
			if !ok {
				b.Fatal("the scan stopped")
			}
			if _, err := p.parse(pkgJSON, t, c); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				for _, e := range c.entries {
					e.walked = false
				}
				p.errs, p.warnings, p.stops = nil, nil, 0
				p.checkComplete(c.entries, c.order, p.g.Root.Workspaces, pkgJSON)
			}
		})
	}
}
