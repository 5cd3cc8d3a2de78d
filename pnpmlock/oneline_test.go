package pnpmlock

import (
	"encoding/json"
	"strconv"
	"testing"
	"testing/fstest"

	"github.com/lock2nix/lock2nix/internal/oneline/onelinetest"
)

// TestMessagesStayOneLine puts hostile strings where the reader's
// messages quote them (an importer's dependency in an error, a runtime
// snapshot's key in a warning, a package.json dependency in the sync
// check): each message stays one line, with the string escaped.
func TestMessagesStayOneLine(t *testing.T) {
	for _, h := range onelinetest.Hostile {
		t.Run(h.Name, func(t *testing.T) {
			q := strconv.Quote(h.Value) // a YAML double-quoted string too
			lock := "lockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies:\n      " + q + ":\n        specifier: ^1.0.0\n"
			_, err := ParseFS(fstest.MapFS{LockFile: {Data: []byte(lock)}}, Options{})
			if err == nil {
				t.Fatal("no error")
			}
			onelinetest.Check(t, "the error", err.Error(), 1, "dependencies."+h.Escaped+": no version")

			var warnings []string
			lock = "lockfileVersion: '9.0'\nimporters:\n  .: {}\npackages: {}\nsnapshots:\n  " + q[:len(q)-1] + `@runtime:22.0.0": {}` + "\n"
			if _, err := ParseFS(fstest.MapFS{LockFile: {Data: []byte(lock)}}, Options{Warn: func(msg string) { warnings = append(warnings, msg) }}); err != nil {
				t.Fatal(err)
			}
			if len(warnings) != 1 {
				t.Fatalf("warnings %q, want one", warnings)
			}
			onelinetest.Check(t, "the warning", warnings[0], 1, h.Escaped+"@runtime:22.0.0: a Node.js runtime")

			j, _ := json.Marshal(h.Value)
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
			onelinetest.Check(t, "the sync line", sync[0], 1, h.Escaped+"@^1: not in the lockfile")
		})
	}
}
