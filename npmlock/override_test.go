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
		{nil, "bad", "^1.0.0", result{"^1.0.0", false}}, // not a string, then a ranged key
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
