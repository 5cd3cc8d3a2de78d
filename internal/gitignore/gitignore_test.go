package gitignore

import "testing"

func TestIgnored(t *testing.T) {
	type file struct{ base, text string }
	for _, tc := range []struct {
		name  string
		files []file
		path  string
		dir   bool
		want  bool
	}{
		{"plain name at any depth", []file{{"", "build"}}, "a/b/build", false, true},
		{"plain name at the top", []file{{"", "build"}}, "build", true, true},
		{"other name", []file{{"", "build"}}, "a/builds", false, false},
		{"comment", []file{{"", "#build"}}, "#build", false, false},
		{"escaped hash", []file{{"", `\#build`}}, "#build", false, true},
		{"blank and trailing spaces", []file{{"", "\n  \nbuild  "}}, "build", false, true},
		{"escaped trailing space", []file{{"", `build\ `}}, "build ", false, true},
		{"dir only, dir", []file{{"", "out/"}}, "x/out", true, true},
		{"dir only, file", []file{{"", "out/"}}, "x/out", false, false},
		{"anchored at top", []file{{"", "/out"}}, "out", true, true},
		{"anchored, deeper", []file{{"", "/out"}}, "x/out", true, false},
		{"middle slash anchors", []file{{"", "a/out"}}, "a/out", true, true},
		{"middle slash anchors, deeper", []file{{"", "a/out"}}, "x/a/out", true, false},
		{"star stops at slash", []file{{"", "a/*.json"}}, "a/b/c.json", false, false},
		{"star", []file{{"", "a/*.json"}}, "a/c.json", false, true},
		{"question mark", []file{{"", "v?"}}, "v1", true, true},
		{"class", []file{{"", "v[0-9]"}}, "v7", true, true},
		{"negated class", []file{{"", "v[!0-9]"}}, "v7", true, false},
		{"negated class, other", []file{{"", "v[!0-9]"}}, "vx", true, true},
		{"leading double star", []file{{"", "**/logs"}}, "a/b/logs", true, true},
		{"trailing double star", []file{{"", "logs/**"}}, "logs/a/b", false, true},
		{"trailing double star, the folder itself", []file{{"", "logs/**"}}, "logs", true, false},
		{"middle double star, none", []file{{"", "a/**/b"}}, "a/b", true, true},
		{"middle double star, several", []file{{"", "a/**/b"}}, "a/x/y/b", true, true},
		{"negation wins when later", []file{{"", "*.lock\n!keep.lock"}}, "x/keep.lock", false, false},
		{"later wins", []file{{"", "!keep.lock\n*.lock"}}, "keep.lock", false, true},
		{"escaped bang", []file{{"", `\!x`}}, "!x", false, true},
		{"deeper file, relative", []file{{"", ""}, {"web", "/dist"}}, "web/dist", true, true},
		{"deeper file, not above", []file{{"web", "dist"}}, "dist", true, false},
		{"deeper file overrides", []file{{"", "*.nix"}, {"web", "!package-lock.nix"}}, "web/package-lock.nix", false, false},
		{"unclosed class is skipped", []file{{"", "a[b"}}, "a[b", false, false},
		{"reversed range is skipped", []file{{"", "[z-a]\nbuild"}}, "b", false, false},
		{"reversed range, later rules still apply", []file{{"", "[z-a]\nbuild"}}, "build", false, true},
		{"regexp characters are literal", []file{{"", "a+b.(c)"}}, "a+b.(c)", false, true},
		{"regexp characters, no match", []file{{"", "a.b"}}, "axb", false, false},
		{"CRLF", []file{{"", "build\r\n"}}, "build", true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var m Matcher
			for _, f := range tc.files {
				m.Add(f.base, []byte(f.text))
			}
			if got := m.Ignored(tc.path, tc.dir); got != tc.want {
				t.Errorf("Ignored(%q, dir=%v) = %v, want %v", tc.path, tc.dir, got, tc.want)
			}
		})
	}
}
