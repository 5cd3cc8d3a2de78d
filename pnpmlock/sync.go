package pnpmlock

import (
	"errors"
	"fmt"
	iofs "io/fs"
	"path"

	"github.com/lock2nix/lock2nix/internal/jsondepth"
	"github.com/lock2nix/lock2nix/internal/oneline"
	"github.com/lock2nix/lock2nix/lockfile"
	"github.com/tidwall/gjson"
)

// CheckSync compares each importer's package.json (read from fsys) with
// the lock, as pnpm install --frozen-lockfile does before it installs
// anything: every dependency of every kind must be in the lock, of the
// same kind and with the same specifier, and the lock must hold nothing
// more. It returns one line per difference, naming the package.json's
// file:line:col (the lock's for what package.json lacks), or nil; what a
// line quotes that does not print is escaped, as in lockfile.Error.
func CheckSync(fsys iofs.FS, lock *Lock) []string {
	var out []string
	for _, imp := range lock.Importers {
		file := path.Join(imp.Path, "package.json")
		data, err := iofs.ReadFile(fsys, file)
		if errors.Is(err, iofs.ErrNotExist) || err == nil && !jsondepth.Valid(data) {
			continue // pnpm reports these itself
		}
		if err != nil {
			out = append(out, fmt.Sprintf("%s: %v", file, err))
			continue
		}
		locked := map[string]Dep{}
		for _, d := range imp.Deps {
			locked[d.Alias] = d
		}
		m := gjson.ParseBytes(data)
		// pnpm: a name in optionalDependencies is optional wherever else
		// it is listed too.
		kinds := map[string]lockfile.DepKind{}
		type want struct {
			name, spec string
			at         int
		}
		var wants []want
		for _, sec := range depSections {
			m.Get(sec.name).ForEach(func(k, v gjson.Result) bool {
				if v.Type != gjson.String {
					return true
				}
				if _, seen := kinds[k.Str]; !seen || sec.kind == lockfile.DepOptional || kinds[k.Str] == lockfile.DepDev && sec.kind == lockfile.DepProd {
					if !seen {
						wants = append(wants, want{k.Str, v.Str, k.Index})
					} else {
						for i := range wants {
							if wants[i].name == k.Str {
								wants[i] = want{k.Str, v.Str, k.Index}
							}
						}
					}
					kinds[k.Str] = sec.kind
				}
				return true
			})
		}
		if lock.AutoInstallPeers {
			m.Get("peerDependencies").ForEach(func(k, v gjson.Result) bool {
				if _, seen := kinds[k.Str]; !seen && v.Type == gjson.String {
					wants = append(wants, want{k.Str, v.Str, k.Index})
					kinds[k.Str] = lockfile.DepProd
				}
				return true
			})
		}
		for _, w := range wants {
			line, col := lockfile.Position(data, w.at)
			spec := w.spec
			// pnpm records the overridden specifier.
			if o, ok := lock.Overrides[w.name]; ok {
				spec = o
			}
			where := fmt.Sprintf("%s:%d:%d: %s@%s", file, line, col, w.name, w.spec)
			d, ok := locked[w.name]
			switch {
			case !ok:
				out = append(out, where+": not in the lockfile")
			case d.Spec != spec:
				out = append(out, fmt.Sprintf("%s: the lockfile has the specifier %q", where, d.Spec))
			case d.Kind != kinds[w.name] && !m.Get("peerDependencies").Get(gjson.Escape(w.name)).Exists():
				// (A peer dependency also listed as a dev one is locked as
				// a dependency.)
				out = append(out, fmt.Sprintf("%s: the lockfile has it as a %s dependency, package.json as %s", where, d.Kind, kinds[w.name]))
			}
			delete(locked, w.name)
		}
		for _, d := range imp.Deps {
			if _, extra := locked[d.Alias]; extra {
				out = append(out, fmt.Sprintf("%s:%d:%d: %s: in the lockfile (importer %s), not in %s", d.Pos.File, d.Pos.Line, d.Pos.Col, d.Alias, imp.Path, file))
			}
		}
	}
	return oneline.EscapeAll(out)
}
