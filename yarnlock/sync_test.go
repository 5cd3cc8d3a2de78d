package yarnlock

import (
	"os"
	"runtime/debug"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/lock2nix/lock2nix/lockfile"
)

func TestCheckSync(t *testing.T) {
	classic := classicHeader + "a@^1:\n  version \"1.0.0\"\n  resolved \"https://r.test/a/-/a-1.0.0.tgz#67e145cff510a6a6984bdf1152911d69d2eb9e43\"\n"
	berry := "__metadata:\n  version: 8\n\n\"a@npm:^1\":\n  version: 1.0.0\n  resolution: \"a@npm:1.0.0\"\n"
	for _, tc := range []struct {
		name, lock string
		files      map[string]string
		want       []string
	}{{
		name:  "classic in sync, workspace and link: deps not locked",
		lock:  classic,
		files: map[string]string{"package.json": `{"workspaces": ["w"], "dependencies": {"a": "^1", "l": "link:../l"}}`, "w/package.json": `{"name": "w", "devDependencies": {"a": "^1"}}`},
	}, {
		name:  "classic: a range the lock lacks, in a workspace",
		lock:  classic,
		files: map[string]string{"package.json": `{"workspaces": ["w"]}`, "w/package.json": "{\n  \"name\": \"w\",\n  \"dependencies\": {\"a\": \"^2\", \"w\": \"1\"}}"},
		want:  []string{"w/package.json:3:20: a@^2: not in yarn.lock"},
	}, {
		name:  "berry: npm: keys; resolutions replace the range",
		lock:  berry,
		files: map[string]string{"package.json": `{"dependencies": {"a": "^1", "b": "^1"}, "optionalDependencies": {"c": "2"}, "resolutions": {"b": "^1"}}`},
		want:  []string{"package.json:1:30: b@^1: not in yarn.lock", "package.json:1:67: c@2: not in yarn.lock"},
	}, {
		name:  "berry: a dependency the workspace no longer has",
		lock:  "__metadata:\n  version: 8\n\n\"p@workspace:.\":\n  version: 0.0.0-use.local\n  resolution: \"p@workspace:.\"\n  dependencies:\n    a: \"npm:^1\"\n    \"@s/gone\": \"npm:^1\"\n\n" + berry[len("__metadata:\n  version: 8\n\n"):],
		files: map[string]string{"package.json": `{"name": "p", "devDependencies": {"a": "^1"}}`},
		want:  []string{"package.json: @s/gone: in yarn.lock, no longer in package.json"},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			fsys := fstest.MapFS{"yarn.lock": {Data: []byte(tc.lock)}}
			for k, v := range tc.files {
				fsys[k] = &fstest.MapFile{Data: []byte(v)}
			}
			l, err := ParseFS(fsys, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, l.CheckSync(fsys)); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

// TestCheckSyncDeep: a workspace's package.json nested a million levels
// deep reads, with the stack limited to 8 MB, as one that does not parse
// (yarn reports it), before gjson's recursion could exhaust the stack.
func TestCheckSyncDeep(t *testing.T) {
	defer debug.SetMaxStack(debug.SetMaxStack(8 << 20))
	deep := `{"name":"w","dependencies":{"a":` + strings.Repeat("[", 1<<20) + strings.Repeat("]", 1<<20) + `}}`
	fsys := fstest.MapFS{
		"yarn.lock":      {Data: []byte(classicHeader + "a@^1:\n  version \"1.0.0\"\n  resolved \"https://r.test/a/-/a-1.0.0.tgz#67e145cff510a6a6984bdf1152911d69d2eb9e43\"\n")},
		"package.json":   {Data: []byte(`{"workspaces": ["w"], "dependencies": {"a": "^1"}}`)},
		"w/package.json": {Data: []byte(deep)},
	}
	l, err := ParseFS(fsys, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := l.CheckSync(fsys); got != nil {
		t.Errorf("CheckSync = %q, want nothing", got)
	}
}

// FuzzParse feeds arbitrary lockfiles to Parse: it must not panic, and
// every error must be a *lockfile.Error.
func FuzzParse(f *testing.F) {
	f.Add([]byte(classicHeader + "\"a@^1\", a@1:\n  version \"1.0.0\"\n  resolved \"https://r.test/a/-/a-1.0.0.tgz#00\"\n  dependencies:\n    b \"^2\"\n"))
	f.Add([]byte("__metadata:\n  version: 8\n\n\"a@npm:^1\":\n  version: 1.0.0\n  resolution: \"a@npm:1.0.0\"\n"))
	if data, err := os.ReadFile("../testdata/yarn/classic-workspaces/yarn.lock"); err == nil {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := Parse("yarn.lock", data, nil, nil, Options{})
		for _, e := range flatten(err) {
			if _, ok := e.(*lockfile.Error); err != nil && !ok {
				t.Errorf("%T %v is not a *lockfile.Error", e, e)
			}
		}
	})
}
