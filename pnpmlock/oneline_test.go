package pnpmlock

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

// TestMessagesStayOneLine puts hostile strings where the reader's
// messages quote them (an importer's dependency in an error, a runtime
// snapshot's key in a warning, a package.json dependency in the sync
// check): each message stays one line, with the string escaped.
func TestMessagesStayOneLine(t *testing.T) {
	for _, h := range hostile {
		t.Run(h.name, func(t *testing.T) {
			q := strconv.Quote(h.value) // a YAML double-quoted string too
			lock := "lockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies:\n      " + q + ":\n        specifier: ^1.0.0\n"
			_, err := ParseFS(fstest.MapFS{LockFile: {Data: []byte(lock)}}, Options{})
			if err == nil {
				t.Fatal("no error")
			}
			oneLine(t, "the error", err.Error(), 1, "dependencies."+h.escaped+": no version")

			var warnings []string
			lock = "lockfileVersion: '9.0'\nimporters:\n  .: {}\npackages: {}\nsnapshots:\n  " + q[:len(q)-1] + `@runtime:22.0.0": {}` + "\n"
			if _, err := ParseFS(fstest.MapFS{LockFile: {Data: []byte(lock)}}, Options{Warn: func(msg string) { warnings = append(warnings, msg) }}); err != nil {
				t.Fatal(err)
			}
			if len(warnings) != 1 {
				t.Fatalf("warnings %q, want one", warnings)
			}
			oneLine(t, "the warning", warnings[0], 1, h.escaped+"@runtime:22.0.0: a Node.js runtime")

			j, _ := json.Marshal(h.value)
			fsys := fstest.MapFS{
				LockFile:       {Data: []byte("lockfileVersion: '9.0'\nimporters:\n  .: {}\n")},
				"package.json": {Data: []byte(`{"dependencies": {` + string(j) + `: "^1"}}`)},
			}
			l, err := ParseFS(fsys, Options{})
			if err != nil {
				t.Fatal(err)
			}
			sync := CheckSync(fsys, l)
			if len(sync) != 1 {
				t.Fatalf("CheckSync = %q, want one line", sync)
			}
			oneLine(t, "the sync line", sync[0], 1, h.escaped+"@^1: not in the lockfile")
		})
	}
}
