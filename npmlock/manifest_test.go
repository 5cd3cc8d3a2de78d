package npmlock

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/lock2nix/lock2nix/internal/jsondepth"
	"github.com/tidwall/gjson"
)

// manifestCases are JSON texts, valid and not, at the edges of what
// validJSON reads.
var manifestCases = []string{
	``, ` `, `{}`, ` { } `, `[]`, `[ ]`, `{`, `}`, `[`, `{]`, `[}`, `{}}`, `{} {}`, `{},`,
	`"a"`, `"a`, `"a\"`, `"\\"`, `"\u00e9"`, `"\u00g9"`, `"\u00e"`, `"\x"`, `"a` + "\t" + `b"`, `"a` + "\x7f\xff" + `b"`,
	`1`, `-1`, `-`, `-a`, `01`, `0.5`, `0.`, `.5`, `1e5`, `1E+5`, `1e-5`, `1e`, `1e+`, `-0`, `1.5.3`, `1x`,
	`true`, `tru`, `truex`, `false`, `null`, `nul`, `nan`, `NaN`, `+1`,
	`{"a":1}`, `{"a" : 1 , "b":[1, 2 ,{"c":null}]}`, `{"a":1,}`, `{,"a":1}`, `{"a"}`, `{"a":}`, `{"a" 1}`, `{a:1}`, `{'a':1}`,
	`[1,]`, `[,1]`, `[1 2]`, `[1,,2]`, `{"a":[}`, `{"a":{]}`, "\n\t\r {\"a\":1}\n",
	`{"name":"p","name":"q","dependencies":{"a":"^1"},"dependencies":"x"}`,
	`{"n\u0061me":"p","dependencies":{"a":"^1","a":"^2"},"devDependencies":{"b":1,"c":"2"}}`,
	`{"name":1.50,"overrides":{"a":{".":"1"}},"workspaces":{"packages":["w/*"]},"peerDependenciesMeta":{"b":{"optional":true}}}`,
	`{"name":null,"peerDependencies":{"b":"*"},"optionalDependencies":[],"workspaces":["a","b"]}`,
	`{"name":true,"x":{"name":"inner","dependencies":{"z":"1"}},"dependencies":{"a":"1"}}`,
	`{"name":"\"quoted\" \\ \/ \b\f\n\r\t \ud83d\ude00"}`,
	strings.Repeat("[", jsondepth.Max) + strings.Repeat("]", jsondepth.Max),
	strings.Repeat("[", jsondepth.Max+1) + strings.Repeat("]", jsondepth.Max+1),
	`{"a":` + strings.Repeat(`{"b":`, jsondepth.Max-2) + `1` + strings.Repeat("}", jsondepth.Max-1),
	`{"a":` + strings.Repeat(`{"b":`, jsondepth.Max-1) + `1` + strings.Repeat("}", jsondepth.Max),
	`{"s":"` + strings.Repeat("abcdefgh", 5) + `\"` + strings.Repeat("x", 9) + `"}`,
}

// TestReadManifest holds readManifest to what it stands in for: jsondepth.Valid,
// then gjson.Parse and a Get of each field.
func TestReadManifest(t *testing.T) {
	for _, data := range manifestCases {
		checkReadManifest(t, data)
	}
}

func FuzzReadManifest(f *testing.F) {
	for _, data := range manifestCases {
		f.Add(data)
	}
	f.Fuzz(checkReadManifest)
}

func checkReadManifest(t *testing.T, data string) {
	got, ok := readManifest(data)
	if want := jsondepth.Valid(data); ok != want {
		t.Fatalf("readManifest(%q): ok %v, jsondepth.Valid %v", data, ok, want)
	}
	if !ok {
		return
	}
	manifest := gjson.Parse(data)
	want := manifestFields{
		name: manifest.Get("name"), overrides: manifest.Get("overrides"), workspaces: manifest.Get("workspaces"),
		meta: manifest.Get("peerDependenciesMeta"), peer: manifest.Get("peerDependencies"), prod: manifest.Get("dependencies"),
		optional: manifest.Get("optionalDependencies"), dev: manifest.Get("devDependencies"),
	}
	// A field that is not there has an Index of Get's own, which nothing
	// reads.
	for _, f := range []*gjson.Result{&want.name, &want.overrides, &want.workspaces, &want.meta, &want.peer, &want.prod, &want.optional, &want.dev} {
		if !f.Exists() {
			f.Index = 0
		}
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(manifestFields{})); diff != "" {
		t.Errorf("readManifest(%q) (-Get +got):\n%s", data, diff)
	}
}

// TestSwarStringStop holds the eight-byte test to the byte-by-byte one.
func TestSwarStringStop(t *testing.T) {
	for b := range 256 {
		for pos := range 8 {
			w := uint64(0x6161616161616161) // "aaaaaaaa"
			w = w&^(0xff<<(8*pos)) | uint64(b)<<(8*pos)
			want := b == '"' || b == '\\' || b < ' '
			if got := swarStringStop(w); got != want {
				t.Errorf("byte %#x at %d: %v, want %v", b, pos, got, want)
			}
		}
	}
}
