package yarnlock

import (
	"encoding/json"
	"strconv"
	"testing"
	"testing/fstest"

	"github.com/lock2nix/lock2nix/internal/oneline/onelinetest"
)

// TestMessagesStayOneLine puts hostile strings where the readers'
// messages quote them (yarn 1's entry keys, berry's resolutions, a
// package.json dependency in the sync check, .yarnrc.yml's yarnPath in an
// error): each message stays one line, with the string escaped.
func TestMessagesStayOneLine(t *testing.T) {
	for _, h := range onelinetest.Hostile {
		t.Run(h.Name, func(t *testing.T) {
			// Both formats quote with escapes: yarn 1 as JSON, berry as
			// YAML's double quotes (Go's quoting is a form of both here).
			q := strconv.Quote(h.Value)
			_, err := Parse("yarn.lock", []byte(classicHeader+q[:len(q)-1]+`@^1":`+"\n  resolved \"https://r.test/a.tgz\"\n"), nil, nil, Options{})
			if err == nil {
				t.Fatal("yarn 1: no error")
			}
			onelinetest.Check(t, "yarn 1's error", err.Error(), 1, "entry "+h.Escaped+"@^1 has no version")

			berry := "__metadata:\n  version: 8\n\n\"a@npm:1\":\n  version: 1.0.0\n  resolution: " + q[:len(q)-1] + `@exec:./x.js"` + "\n"
			_, err = Parse("yarn.lock", []byte(berry), nil, nil, Options{})
			if err == nil {
				t.Fatal("berry: no error")
			}
			onelinetest.Check(t, "berry's error", err.Error(), 1, "resolution "+h.Escaped+"@exec:./x.js: the exec: protocol is not supported")

			j, _ := json.Marshal(h.Value)
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
			onelinetest.Check(t, "the sync line", sync[0], 1, h.Escaped+"@^1: not in yarn.lock")

			fsys = fstest.MapFS{
				"yarn.lock":    {Data: []byte("__metadata:\n  version: 8\n")},
				".yarnrc.yml":  {Data: []byte("yarnPath: " + q + "\n")},
				"package.json": {Data: []byte(`{}`)},
			}
			_, err = ParseFS(fsys, Options{})
			if err == nil {
				t.Fatal("yarnPath: no error")
			}
			onelinetest.Check(t, "the yarnPath error", err.Error(), 1, `yarnPath: "`+h.Escaped+`" holds a control character`)
		})
	}
}
