package npmlock

import (
	"path"
	"testing"
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
