package npmlock

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tidwall/gjson"
)

var rangeCases = []string{
	"", "*", "x", "1", "1.x", "1.2.x", "1.2.3", "=1.2.3", "v1.2.3", "=v1.2",
	"^0", "^0.0", "^0.0.3", "^0.2.3", "^1.2", "^1.2.3", "^1.2.3-beta.1", "^0.0.3-rc",
	"~1", "~1.2", "~1.2.3", "~>1.2", "~ 1.2.3", "~1.2.3-rc.0", "^ 2",
	">1", ">1.2", ">1.2.3", ">=1.2", ">= 1.2.3", "<1", "<1.2", "<=1", "<=1.2", "<= 1.2.3",
	">1.2.3-rc", ">=1.2.3-rc", "<1.2.3-rc", "<=1.2.3-rc", "=1.2.3-rc", "1.2.3-rc",
	"1.2 - 3.4", "1.2.3 - 3.4.5", "1.2.3 - 3", "1 - 2.x", "* - 3", "1.2.3-rc - 3.4.5-rc",
	">=1.2.3 <2", ">1 <1", "1.2.3+build", "1.2.3-rc+b.1", "^22.20 || ^24.12 || >=25",
	"14 >=14.21 || 16 >=16.20 || >=18", "0.4 || >=0.5.8", ">= 0.10.x", "<0", ">*", "<*",
	"||", "1 || ", " >=10 ", "01.2.3", "1.02.3", "1.2.x-rc", "lts/*", "latest", ">=", "1.2.3.4",
	"node >= 4", ">=a.b.c", "1.2+b", "10.* || 12.* || >= 14.*", "^v1.2.3", "~v1",
}

var versionCases = []string{
	"0.0.0", "0.0.3", "0.0.4", "0.2.3", "0.2.9", "0.3.0", "0.4.0", "0.5.7", "0.5.8", "0.9.0",
	"0.10.0", "1.0.0", "1.1.9", "1.2.0", "1.2.2", "1.2.3", "1.2.4", "1.3.0", "1.9.9", "2.0.0",
	"2.5.0", "3.0.0", "3.4.5", "3.4.6", "3.5.0", "4.0.0", "10.0.0", "14.20.1", "14.21.0",
	"16.20.0", "18.20.4", "20.20.2", "22.19.9", "22.20.0", "23.0.0", "24.12.0", "25.1.0",
}

// TestRangeAgainstNodeSemver decodes ranges and checks, for many versions,
// that the decoded comparisons accept what npm's own semver package accepts
// (as npm checks engines: includePrerelease). It runs node with the semver
// that ships with npm, and takes every engines range of the corpus too.
func TestRangeAgainstNodeSemver(t *testing.T) {
	semver := semverModule(t)
	ranges := slices.Clone(rangeCases)
	files, _ := filepath.Glob("../../shared/corpus/npm/*/package-lock.json")
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		gjson.GetBytes(data, "packages").ForEach(func(_, v gjson.Result) bool {
			v.Get("engines").ForEach(func(_, r gjson.Result) bool {
				if r.Type == gjson.String && !slices.Contains(ranges, r.Str) {
					ranges = append(ranges, r.Str)
				}
				return true
			})
			return true
		})
	}
	input, _ := json.Marshal(map[string]any{"ranges": ranges, "versions": versionCases})
	script := `
const semver = require(process.argv[1]);
const { ranges, versions } = JSON.parse(require("fs").readFileSync(0, "utf8"));
const opt = { includePrerelease: true };
console.log(JSON.stringify(ranges.map(r => ({
  valid: semver.validRange(r, opt) !== null,
  ok: versions.map(v => semver.satisfies(v, r, opt)),
}))));`
	cmd := exec.Command("node", "-e", script, semver)
	cmd.Stdin = strings.NewReader(string(input))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v", err)
	}
	var want []struct {
		Valid bool
		OK    []bool
	}
	if err := json.Unmarshal(out, &want); err != nil {
		t.Fatal(err)
	}
	undecoded := 0
	for i, r := range ranges {
		alts, ok := parseRange(r)
		if !ok {
			if want[i].Valid {
				undecoded++
				t.Logf("valid range left undecoded: %q", r)
			}
			continue
		}
		if !want[i].Valid {
			t.Errorf("%q: decoded, but semver finds it invalid", r)
			continue
		}
		for j, v := range versionCases {
			if got := satisfies(v, alts); got != want[i].OK[j] {
				t.Errorf("%q against %s: %v, semver says %v (decoded %v)", r, v, got, want[i].OK[j], alts)
			}
		}
	}
	t.Logf("%d ranges compared (%d from the corpus), %d valid ones left undecoded", len(ranges), len(ranges)-len(rangeCases), undecoded)
	if undecoded > 0 {
		t.Errorf("%d valid ranges were left undecoded", undecoded)
	}
}

// semverModule finds the semver package npm itself uses, or skips.
func semverModule(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not installed")
	}
	root, err := exec.Command("npm", "root", "-g").Output()
	if err != nil {
		t.Skip("npm is not installed")
	}
	mod := filepath.Join(strings.TrimSpace(string(root)), "npm", "node_modules", "semver")
	if _, err := os.Stat(filepath.Join(mod, "package.json")); err != nil {
		t.Skipf("npm's semver package is not at %s", mod)
	}
	return mod
}

func TestIsReleaseAndCompare(t *testing.T) {
	for v, want := range map[string]bool{
		"1.2.3": true, "0.0.0": true, "10.20.30": true,
		"1.2": false, "1.2.3.4": false, "1.2.3-rc.1": false, "1.2.3+b": false,
		"1..3": false, "a.b.c": false, "": false, "1.2.": false, ".1.2": false,
	} {
		if got := isRelease(v); got != want {
			t.Errorf("isRelease(%q) = %v, want %v", v, got, want)
		}
	}
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"1.2.3", "1.2.3", 0},
		{"1.2.3", "1.10.0", -1},
		{"2.0.0", "1.9.9", 1},
		{"1.2.10", "1.2.9", 1},
		{"0.0.1", "0.1.0", -1},
	} {
		if got := compareRelease(c.a, c.b); got != c.want {
			t.Errorf("compareRelease(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

// TestRangeAllows checks that the completeness walk's reading of a range
// (rangeAllows, which decodes as it goes) agrees with parseRange's decoding
// and satisfies, for each range and version of the grid: undecoded ranges
// and versions that are not releases pass.
func TestRangeAllows(t *testing.T) {
	versions := append([]string{"1.2.3-rc.1", "01.2.3", "1.2", "1.2.3.4", "1.2.3+b", "x"}, versionCases...)
	for _, r := range append(rangeCases, "1 - 2 - 3", "- 1", "1 -", "1.2.3\u00a0- 2", "1 \u2003 || 2", ">= 1 || junk", "junk || >= 1", ">1 < 2 || = 3") {
		checkRangeAllows(t, r, versions)
	}
}

func checkRangeAllows(t *testing.T, r string, versions []string) {
	alts, ok := parseRange(r)
	var buf []bound
	for _, v := range versions {
		want := !ok || !isRelease(v) || satisfies(v, alts)
		var got bool
		if got, buf = rangeAllows(r, v, buf); got != want {
			t.Errorf("rangeAllows(%q, %q) = %v; parseRange and satisfies say %v", r, v, got, want)
		}
	}
}

// FuzzRangeAllows: rangeAllows and parseRange read any text alike.
func FuzzRangeAllows(f *testing.F) {
	for _, r := range rangeCases {
		f.Add(r, "1.2.3")
	}
	f.Fuzz(func(t *testing.T, r, v string) {
		checkRangeAllows(t, r, []string{v, "0.0.0", "1.2.3", "2.0.0"})
	})
}
