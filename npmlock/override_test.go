package npmlock

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tidwall/gjson"
)

// TestOverrideSpec pins how package.json's overrides change a dependency's
// specifier: below the packages entered, innermost level first, a key with
// a range left unevaluated (known false), "$name" read from the manifest.
func TestOverrideSpec(t *testing.T) {
	manifest := `{
		"dependencies": { "ms": "^2.0.0", "qs": "6.11.2" },
		"overrides": {
			"ms": "2.1.3",
			"debug@^2": { "ms": "1.0.0" },
			"tools": { "qs": "6.5.3", "mid": { "ms": "0.7.0", "qs": { ".": "6.0.0" } } },
			"lodash": { ".": "4.17.21", "ms": "2.0.0" },
			"react": "$react",
			"qs": "$qs",
			"bad": 5,
			"bad@^1": "1.0.0",
			"": "0.0.1"
		}
	}`
	m := gjson.Parse(manifest)
	top := newOverrideSet(nil, m.Get("overrides"), m)
	type result struct {
		Spec  string
		Known bool
	}
	for _, c := range []struct {
		under      []string // the packages entered, outermost first
		name, spec string
		want       result
	}{
		{nil, "ms", "^2.0.0", result{"2.1.3", true}},
		{nil, "other", "^1.0.0", result{"^1.0.0", true}},
		{nil, "debug", "^2.6.9", result{"^2.6.9", false}}, // a key with a range
		{nil, "lodash", "^4.0.0", result{"4.17.21", true}},
		{nil, "react", "^18.0.0", result{"", false}}, // "$react": the manifest has none
		{nil, "qs", "^6.0.0", result{"6.11.2", true}},
		{nil, "bad", "^1.0.0", result{"^1.0.0", true}}, // not a string: no override, and the ranged key after it is not reached
		{nil, "", "1.0.0", result{"0.0.1", true}},
		{[]string{"tools"}, "qs", "^6.0.0", result{"6.5.3", true}},
		{[]string{"tools"}, "ms", "^2.0.0", result{"2.1.3", true}}, // from the level above
		{[]string{"tools", "mid"}, "ms", "^2.0.0", result{"0.7.0", true}},
		{[]string{"tools", "mid"}, "qs", "^6.0.0", result{"6.0.0", true}},
		{[]string{"tools", "other"}, "qs", "^6.0.0", result{"6.5.3", true}},
		{[]string{"lodash"}, "ms", "^2.0.0", result{"2.0.0", true}},
		{[]string{"debug"}, "ms", "^2.0.0", result{"2.1.3", true}}, // "debug@^2" is not entered
	} {
		o := top
		for _, p := range c.under {
			o = o.enter(p)
		}
		var got result
		got.Spec, got.Known = o.spec(c.name, c.spec)
		if diff := cmp.Diff(c.want, got); diff != "" {
			t.Errorf("under %v, %s@%s (-want +got):\n%s", c.under, c.name, c.spec, diff)
		}
	}
	var none *overrideSet
	if got, known := none.enter("tools").spec("ms", "^2.0.0"); got != "^2.0.0" || !known {
		t.Errorf("without overrides: %q, %v; want the specifier as it is", got, known)
	}
}

// TestOverrideShadow: the innermost rule for a name decides, whatever its
// value, as in npm, where it hides the rules of the same key further out:
// a string entered hides an object further out, an object without "." or
// a number overrides nothing. (npm 11 npm ci --dry-run accepts a lock
// whose b, below a, depends on c@^1 with c@1.0.0 installed, under
// {"a": {"b": "1.0.0"}, "b": {"c": "2.0.0"}}, {"a": {"c": {"d": "1.0.0"}},
// "c": "2.0.0"} and {"a": {"b": 5}, "b": {"c": "2.0.0"}}; lock2nix took
// c@2.0.0 for npm's specifier, and refused them.)
func TestOverrideShadow(t *testing.T) {
	m := gjson.Parse(`{"overrides": {
		"a": { "b": "1.0.0", "c": { "d": "1.0.0" }, "e": 5 },
		"b": { "c": "2.0.0" },
		"c": "2.0.0",
		"e": "3.0.0"
	}}`)
	top := newOverrideSet(nil, m.Get("overrides"), m)
	for _, c := range []struct {
		under      []string
		name, want string
	}{
		{[]string{"a", "b"}, "c", "^1.0.0"}, // a's "b" hides the outer "b"
		{[]string{"a"}, "c", "^1.0.0"},      // a's "c" has no "."
		{[]string{"a"}, "e", "^1.0.0"},      // a's "e" is a number
		{[]string{"b"}, "c", "2.0.0"},
		{nil, "c", "2.0.0"},
		{[]string{"a"}, "b", "1.0.0"},
	} {
		o := top
		for _, p := range c.under {
			o = o.enter(p)
		}
		if got, known := o.spec(c.name, "^1.0.0"); got != c.want || !known {
			t.Errorf("under %v, %s@^1.0.0: %q, %v; want %q", c.under, c.name, got, known, c.want)
		}
	}
}
