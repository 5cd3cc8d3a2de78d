package npmlock

import (
	"encoding/json"
	"testing"
	"testing/fstest"

	"github.com/lock2nix/lock2nix/internal/oneline/onelinetest"
)

// TestMessagesStayOneLine puts hostile strings where the reader's
// messages quote them (a dependency's name in an error, a damaged entry's
// key in a warning, a package.json dependency in the sync check): each
// message stays one line, with the string escaped.
func TestMessagesStayOneLine(t *testing.T) {
	for _, h := range onelinetest.Hostile {
		t.Run(h.Name, func(t *testing.T) {
			q, _ := json.Marshal(h.Value)
			entry := `"node_modules/a": {"version": "1.0.0", "resolved": "https://registry.npm.test/a/-/a-1.0.0.tgz", "integrity": "sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==", "dependencies": {` + string(q) + `: "^1.0.0"}}`
			_, err := Parse("package-lock.json", `{"lockfileVersion": 3, "packages": {"": {"name": "p", "dependencies": {"a": "^1.0.0"}}, `+entry+`}}`, nil, Options{})
			if err == nil {
				t.Fatal("no error")
			}
			onelinetest.Check(t, "the error", err.Error(), 1, "node_modules/a (a@1.0.0) needs "+h.Escaped+"@^1.0.0")

			var warnings []string
			opts := Options{Warn: func(msg string) { warnings = append(warnings, msg) }}
			if _, err := Parse("package-lock.json", `{"lockfileVersion": 3, "packages": {"node_modules/b`+string(q[1:len(q)-1])+`": {}}}`, nil, opts); err != nil {
				t.Fatal(err)
			}
			if len(warnings) != 1 {
				t.Fatalf("warnings %q, want one", warnings)
			}
			onelinetest.Check(t, "the warning", warnings[0], 1, "node_modules/b"+h.Escaped)

			fsys := fstest.MapFS{
				"package-lock.json": {Data: []byte(`{"lockfileVersion": 3, "packages": {"": {"name": "p"}}}`)},
				"package.json":      {Data: []byte(`{"name": "p", "dependencies": {` + string(q) + `: "^1.0.0"}}`)},
			}
			g, err := ParseFS(fsys, Options{})
			if err != nil {
				t.Fatal(err)
			}
			sync := CheckSync(fsys, g, Options{})
			if len(sync) != 1 {
				t.Fatalf("CheckSync = %q, want one line", sync)
			}
			onelinetest.Check(t, "the sync line", sync[0], 1, h.Escaped+"@^1.0.0: not in the lockfile")
		})
	}
}
