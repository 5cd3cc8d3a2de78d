package yarnlock

import (
	"cmp"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/lock2nix/lock2nix/internal/jsondepth"
	"github.com/lock2nix/lock2nix/internal/oneline"
	"github.com/lock2nix/lock2nix/lockfile"
	"github.com/tidwall/gjson"
)

// CheckSync compares the project's package.json files (the root's and
// each workspace's, read from fsys) with the lockfile's keys, as yarn
// install --frozen-lockfile (classic) and --immutable (berry) do before
// installing: every dependency "name": "range" must be a key of the
// lockfile ("name@range"; berry also "name@npm:range"). Dependencies on
// the project's own workspaces, which classic lockfiles leave out, are not
// checked. It returns one line per missing dependency, or nil; what a
// line quotes that does not print is escaped, as in lockfile.Error.
func (l *Lock) CheckSync(fsys fs.FS) []string {
	dirs := append([]string{""}, l.Graph.Root.Workspaces...)
	own := map[string]bool{}
	manifests := make([][]byte, len(dirs))
	for i, dir := range dirs {
		data, err := fs.ReadFile(fsys, path.Join(dir, "package.json"))
		if err != nil || !jsondepth.Valid(data) {
			continue
		}
		manifests[i] = data
		if n := gjson.GetBytes(data, "name").Str; n != "" {
			own[n] = true
		}
	}
	// The root's resolutions replace a dependency's range everywhere
	// ("name", "**/name").
	forced := map[string]string{}
	if manifests[0] != nil {
		gjson.GetBytes(manifests[0], "resolutions").ForEach(func(k, v gjson.Result) bool {
			if name, ok := strings.CutPrefix(k.Str, "**/"); ok || !strings.Contains(strings.TrimPrefix(k.Str, "@"), "/") || strings.Count(k.Str, "/") == 1 && strings.HasPrefix(k.Str, "@") {
				if !ok {
					name = k.Str
				}
				forced[name] = v.Str
			}
			return true
		})
	}
	var out []string
	for i, dir := range dirs {
		data := manifests[i]
		if data == nil {
			continue
		}
		file := path.Join(dir, "package.json")
		if names, ok := l.workspaceDeps[cmp.Or(dir, ".")]; ok {
			// berry's --immutable also refuses a lock that records a
			// dependency the workspace no longer has.
			for _, n := range names {
				if !slices.ContainsFunc([]string{"dependencies", "devDependencies", "optionalDependencies"}, func(f string) bool {
					return gjson.GetBytes(data, f+"."+gjson.Escape(n)).Exists()
				}) {
					out = append(out, fmt.Sprintf("%s: %s: in %s, no longer in package.json", file, n, LockName))
				}
			}
		}
		for _, field := range []string{"dependencies", "devDependencies", "optionalDependencies"} {
			gjson.GetBytes(data, field).ForEach(func(k, v gjson.Result) bool {
				rng := v.Str
				if f, ok := forced[k.Str]; ok {
					rng = f
				}
				if v.Type != gjson.String || l.locks(k.Str, rng, own[k.Str]) {
					return true
				}
				line, col := lockfile.Position(data, k.Index)
				out = append(out, fmt.Sprintf("%s:%d:%d: %s@%s: not in %s", file, line, col, k.Str, v.Str, LockName))
				return true
			})
		}
	}
	return oneline.EscapeAll(out)
}

// locks reports whether the lockfile resolves name@rng.
func (l *Lock) locks(name, rng string, workspace bool) bool {
	d := name + "@" + rng
	if l.Descriptors[d] {
		return true
	}
	if l.Format == Classic {
		// Workspaces and link: dependencies are not locked by yarn 1.
		return workspace || strings.HasPrefix(rng, "link:")
	}
	if l.Descriptors[name+"@npm:"+rng] {
		return true
	}
	// berry writes patch: and other protocols' descriptors in its own
	// words; a dependency it rewrites is accepted when some key names it.
	if strings.Contains(rng, ":") || workspace {
		for k := range l.Descriptors {
			if strings.HasPrefix(k, name+"@") {
				return true
			}
		}
	}
	return false
}
