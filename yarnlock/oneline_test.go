package yarnlock

import (
	"encoding/json"
	"strconv"
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

// TestMessagesStayOneLine puts hostile strings where the readers'
// messages quote them (yarn 1's entry keys, berry's resolutions, a
// package.json dependency in the sync check, .yarnrc.yml's yarnPath in a
// warning): each message stays one line, with the string escaped.
func TestMessagesStayOneLine(t *testing.T) {
	for _, h := range hostile {
		t.Run(h.name, func(t *testing.T) {
			// Both formats quote with escapes: yarn 1 as JSON, berry as
			// YAML's double quotes (Go's quoting is a form of both here).
			q := strconv.Quote(h.value)
			_, err := Parse("yarn.lock", []byte(classicHeader+q[:len(q)-1]+`@^1":`+"\n  resolved \"https://r.test/a.tgz\"\n"), nil, nil, Options{})
			if err == nil {
				t.Fatal("yarn 1: no error")
			}
			oneLine(t, "yarn 1's error", err.Error(), 1, "entry "+h.escaped+"@^1 has no version")

			berry := "__metadata:\n  version: 8\n\n\"a@npm:1\":\n  version: 1.0.0\n  resolution: " + q[:len(q)-1] + `@exec:./x.js"` + "\n"
			_, err = Parse("yarn.lock", []byte(berry), nil, nil, Options{})
			if err == nil {
				t.Fatal("berry: no error")
			}
			oneLine(t, "berry's error", err.Error(), 1, "resolution "+h.escaped+"@exec:./x.js: the exec: protocol is not supported")

			j, _ := json.Marshal(h.value)
			fsys := fstest.MapFS{
				"yarn.lock":    {Data: []byte(classicHeader)},
				"package.json": {Data: []byte(`{"dependencies": {` + string(j) + `: "^1"}}`)},
			}
			l, err := ParseFS(fsys, Options{})
			if err != nil {
				t.Fatal(err)
			}
			sync := l.CheckSync(fsys)
			if len(sync) != 1 {
				t.Fatalf("CheckSync = %q, want one line", sync)
			}
			oneLine(t, "the sync line", sync[0], 1, h.escaped+"@^1: not in yarn.lock")

			var warnings []string
			fsys = fstest.MapFS{
				"yarn.lock":    {Data: []byte("__metadata:\n  version: 8\n")},
				".yarnrc.yml":  {Data: []byte("yarnPath: " + q + "\n")},
				"package.json": {Data: []byte(`{}`)},
			}
			if _, err := ParseFS(fsys, Options{Warn: func(msg string) { warnings = append(warnings, msg) }}); err != nil {
				t.Fatal(err)
			}
			if len(warnings) != 1 {
				t.Fatalf("warnings %q, want one", warnings)
			}
			oneLine(t, "the warning", warnings[0], 1, "yarnPath "+h.escaped+" is not in the project")
		})
	}
}
