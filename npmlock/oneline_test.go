package npmlock

import (
	"encoding/json"
	"strings"
	"testing"
	"testing/fstest"
)

// hostile are strings a lockfile may hold where a message quotes it, and
// the form the message shows them in.
var hostile = []struct{ name, value, escaped string }{
	{"newline forging a message", "x\nerror: forged", `x\nerror: forged`},
	{"carriage return", "x\rerror: forged", `x\rerror: forged`},
	{"terminal escape", "x\x1b[31mred", `x\x1b[31mred`},
}

// oneLine fails unless msg is lines messages, none holding a control
// character, and shows want.
func oneLine(t *testing.T, what, msg string, lines int, want string) {
	t.Helper()
	if n := strings.Count(msg, "\n") + 1; n != lines {
		t.Errorf("%s: %d lines, want %d:\n%s", what, n, lines, msg)
	}
	if strings.ContainsFunc(msg, func(r rune) bool { return r != '\n' && (r < ' ' || r == 0x7f) }) {
		t.Errorf("%s holds a control character: %q", what, msg)
	}
	if !strings.Contains(msg, want) {
		t.Errorf("%s = %q, want it to show %q", what, msg, want)
	}
}

// TestMessagesStayOneLine puts hostile strings where the reader's
// messages quote them (a dependency's name in an error, a damaged entry's
// key in a warning, a package.json dependency in the sync check): each
// message stays one line, with the string escaped.
func TestMessagesStayOneLine(t *testing.T) {
	for _, h := range hostile {
		t.Run(h.name, func(t *testing.T) {
			q, _ := json.Marshal(h.value)
			entry := `"node_modules/a": {"version": "1.0.0", "resolved": "https://registry.npm.test/a/-/a-1.0.0.tgz", "integrity": "sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==", "dependencies": {` + string(q) + `: "^1.0.0"}}`
			_, err := Parse("package-lock.json", `{"lockfileVersion": 3, "packages": {"": {"name": "p", "dependencies": {"a": "^1.0.0"}}, `+entry+`}}`, nil, Options{})
			if err == nil {
				t.Fatal("no error")
			}
			oneLine(t, "the error", err.Error(), 1, "node_modules/a (a@1.0.0) needs "+h.escaped+"@^1.0.0")

			var warnings []string
			opts := Options{Warn: func(msg string) { warnings = append(warnings, msg) }}
			if _, err := Parse("package-lock.json", `{"lockfileVersion": 3, "packages": {"node_modules/b`+string(q[1:len(q)-1])+`": {}}}`, nil, opts); err != nil {
				t.Fatal(err)
			}
			if len(warnings) != 1 {
				t.Fatalf("warnings %q, want one", warnings)
			}
			oneLine(t, "the warning", warnings[0], 1, "node_modules/b"+h.escaped)

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
			oneLine(t, "the sync line", sync[0], 1, h.escaped+"@^1.0.0: not in the lockfile")
		})
	}
}
