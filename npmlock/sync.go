package npmlock

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/lock2nix/lock2nix/lockfile"
	"github.com/tidwall/gjson"
)

// CheckSync compares the project's package.json files (the root's and
// each workspace's, read from fsys) with the graph read from its lockfile,
// as npm ci does before it installs anything. It returns one line per
// dependency whose range the locked version does not satisfy or that the
// lockfile lacks, in the order of the package.json files, or nil when
// they agree. Specifiers that are not registry ranges (file:, git, URLs,
// tags) are not checked; nor are locked prereleases, nor the project's own
// peerDependencies.
func CheckSync(fsys fs.FS, g *lockfile.Graph) []string {
	installed := map[string]*lockfile.Package{}
	for _, p := range g.Packages {
		for _, in := range p.Installs {
			installed[in.Path] = p
		}
	}
	var out []string
	for _, dir := range append([]string{""}, g.Root.Workspaces...) {
		file := path.Join(dir, "package.json")
		data, err := fs.ReadFile(fsys, file)
		if errors.Is(err, fs.ErrNotExist) || (err == nil && !gjson.ValidBytes(data)) {
			continue // npm reports these itself; the lockfile is what counts here
		}
		if err != nil {
			out = append(out, fmt.Sprintf("%s: %v", file, err))
			continue
		}
		manifest := gjson.ParseBytes(data)
		for _, field := range []string{"dependencies", "devDependencies", "optionalDependencies"} {
			manifest.Get(field).ForEach(func(k, v gjson.Result) bool {
				if v.Type != gjson.String {
					return true
				}
				msg := syncProblem(installed, dir, k.Str, v.Str)
				if msg == notLocked && field == "optionalDependencies" {
					// npm tolerates an optional package it could not
					// resolve: the lockfile then has none.
					msg = ""
				}
				if msg != "" {
					line, col := lockfile.Position(data, k.Index)
					out = append(out, fmt.Sprintf("%s:%d:%d: %s@%s: %s", file, line, col, k.Str, v.Str, msg))
				}
				return true
			})
		}
	}
	return out
}

const notLocked = "not in the lockfile"

// syncProblem says what is wrong with the dependency name@spec of the
// folder dir ("" for the root), or "".
func syncProblem(installed map[string]*lockfile.Package, dir, name, spec string) string {
	p := installed[path.Join(dir, "node_modules", name)]
	if p == nil && dir != "" {
		p = installed["node_modules/"+name]
	}
	if p == nil {
		return notLocked
	}
	if p.Source.Kind == lockfile.Link {
		return "" // a workspace or folder: its own package.json has the version
	}
	rng := spec
	if alias, ok := strings.CutPrefix(spec, "npm:"); ok {
		// Only an alias names the package; a tarball or a git
		// repository may hold a package of any name.
		want := alias
		if at := strings.LastIndexByte(alias, '@'); at > 0 {
			want, rng = alias[:at], alias[at+1:]
		} else {
			rng = ""
		}
		if p.Name != want {
			return fmt.Sprintf("the lockfile has %s@%s", p.Name, p.Version)
		}
	}
	alts, ok := parseRange(rng)
	if !ok || !isRelease(p.Version) {
		return ""
	}
	if satisfies(p.Version, alts) {
		return ""
	}
	return "the lockfile has " + p.Version
}

// isRelease reports whether v is "major.minor.patch" without a prerelease
// or build part.
func isRelease(v string) bool {
	parts := strings.Split(v, ".")
	if len(parts) != 3 {
		return false
	}
	for _, p := range parts {
		if _, err := strconv.Atoi(p); err != nil || p == "" {
			return false
		}
	}
	return true
}

// satisfies reports whether the release v passes every comparison of one
// of the alternatives: a decoded range, read as the builders read it.
func satisfies(v string, alts [][]lockfile.Comparison) bool {
	return slices.ContainsFunc(alts, func(set []lockfile.Comparison) bool {
		for _, c := range set {
			r := compareRelease(v, c.Version)
			var ok bool
			switch c.Op {
			case "<":
				ok = r < 0
			case "<=":
				ok = r <= 0
			case ">":
				ok = r > 0
			case ">=":
				ok = r >= 0
			default:
				ok = r == 0
			}
			if !ok {
				return false
			}
		}
		return true
	})
}

// compareRelease compares two "major.minor.patch" versions.
func compareRelease(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := range 3 {
		x, _ := strconv.Atoi(as[i])
		y, _ := strconv.Atoi(bs[i])
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}
