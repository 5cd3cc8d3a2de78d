package npmlock

import (
	"path"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

// TestIsClean holds isClean to path.Clean, which it stands in for: where
// it says clean, path.Clean must leave the path as it is (else a lookup
// would miss); it may send rarer shapes to path.Join.
func TestIsClean(t *testing.T) {
	for p, want := range map[string]bool{
		"node_modules/a": true, "node_modules/@s/a": true, "w/node_modules/a.b": true,
		"node_modules/..a": true, "node_modules/.a": true, "node_modules/a/node_modules/b": true,
		"node_modules/": false, "node_modules/../a": false, "node_modules/./a": false,
		"node_modules//a": false, "node_modules/a/..": false, "node_modules/a/.": false,
		"./node_modules/a": false, "": false,
		// Clean, but rare: path.Join decides them.
		"/node_modules/a": false, "../w/node_modules/a": false,
	} {
		got := isClean([]byte(p))
		if got != want {
			t.Errorf("isClean(%q) = %v, want %v", p, got, want)
		}
		if got && path.Clean(p) != p {
			t.Errorf("isClean(%q), but path.Clean gives %q", p, path.Clean(p))
		}
	}
}

// syncCases are projects whose package.json files CheckSync compares
// with their lockfile, with the lines it must give.
var syncCases = []struct {
	name  string
	files map[string]string
	want  []string
}{{
	name: "workspaces",
	files: map[string]string{
		"package-lock.json": `{"lockfileVersion": 3, "packages": {
			"": {"name": "p", "workspaces": ["w/*"], "dependencies": {"a": "^1.0.0"}},
			"node_modules/a": {"version": "1.2.0"},
			"node_modules/b": {"version": "2.0.0"},
			"node_modules/@s/c": {"version": "3.0.0"},
			"node_modules/d": {"name": "e", "version": "1.0.0"},
			"node_modules/x": {"resolved": "w/x", "link": true},
			"w/x": {"name": "x", "version": "1.0.0"},
			"w/x/node_modules/a": {"version": "2.0.0"},
			"node_modules/y": {"resolved": "w/y", "link": true},
			"w/y": {"name": "y", "version": "1.0.0"}}}`,
		"package.json": `{"name": "p", "workspaces": ["w/*"], "dependencies": {"a": "^1.0.0", "b": "^1.0.0", "gone": "1"},
			"devDependencies": {"@s/c": "~3.0.0", "d": "npm:e@^1.0.0", "f": "npm:e@1"}}`,
		"w/x/package.json": `{"name": "x", "dependencies": {"a": "^2.0.0", "b": "^2.0.0", "x2": "*"}, "peerDependencies": {"@s/c": "^4"}}`,
		"w/y/package.json": `{"name": "y", "dependencies": {"a": "^2.0.0", "a/../b": "^3.0.0", "./b": "2.0.0"}}`,
		"w/z/package.json": `{"name": "z", "version": "0.1.0"}`,
	},
	want: []string{
		"package.json:1:70: b@^1.0.0: the lockfile has 2.0.0",
		"package.json:1:85: gone@1: not in the lockfile",
		"package.json:2:63: f@npm:e@1: not in the lockfile",
		"package.json:1:30: workspace w/z (z@0.1.0): not in the lockfile",
		"w/x/package.json:1:62: x2@*: not in the lockfile",
		"w/x/package.json:1:95: @s/c@^4: the lockfile has 3.0.0",
		"w/y/package.json:1:32: a@^2.0.0: the lockfile has 1.2.0",
		// Looked for where path.Join puts it: w/y/node_modules/b, then
		// the root's b.
		"w/y/package.json:1:47: a/../b@^3.0.0: the lockfile has 2.0.0",
	},
}, {
	// npm reads ranges loosely (arborist's dep-valid: semver.satisfies
	// with loose), where ^01.2.3 is >=1.2.3 <2.0.0-0 and ~01.2.3 is
	// >=1.2.3 <1.3.0-0; >=01.2.3 allows 2.0.0.
	name: "leading zeros",
	files: map[string]string{
		"package-lock.json": `{"lockfileVersion": 3, "packages": {
			"": {"name": "p", "dependencies": {"a": "^01.2.3", "b": "~01.2.3", "c": ">=01.2.3"}},
			"node_modules/a": {"version": "2.0.0"},
			"node_modules/b": {"version": "1.2.4"},
			"node_modules/c": {"version": "2.0.0"}}}`,
		"package.json": `{"name": "p", "dependencies": {"a": "^01.2.3", "b": "~01.2.3", "c": ">=01.2.3"}}`,
	},
	want: []string{"package.json:1:32: a@^01.2.3: the lockfile has 2.0.0"},
}}

func TestCheckSync(t *testing.T) {
	for _, tc := range syncCases {
		t.Run(tc.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for name, data := range tc.files {
				fsys[name] = &fstest.MapFile{Data: []byte(data)}
			}
			g, err := ParseFS(fsys, Options{AllowOutOfSync: true})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, CheckSync(fsys, g, Options{})); diff != "" {
				t.Errorf("CheckSync (-want +got):\n%s", diff)
			}
		})
	}
}
