package npmlock

import (
	"fmt"
	"path"
	"strings"

	"github.com/lock2nix/lock2nix/internal/jsondepth"
	"github.com/lock2nix/lock2nix/lockfile"
	"github.com/tidwall/gjson"
)

// parseV1 reads lockfileVersion 1: a tree of "dependencies" objects, each
// nested under the package whose node_modules folder holds it.
func (p *parser) parseV1(root, deps gjson.Result, pkgJSON []byte) error {
	if deps.Exists() && !deps.IsObject() {
		return p.errAt(deps, fmt.Sprintf(`"dependencies" must be an object, not %s`, kind(deps)))
	}
	if len(pkgJSON) > 0 && jsondepth.Valid(pkgJSON) {
		pj := gjson.Parse(string(pkgJSON))
		p.g.Root.Deps = p.edges(pj)
	} else {
		deps.ForEach(func(k, v gjson.Result) bool {
			if v.IsObject() && isEmptyObject(v) {
				return true // dropped below
			}
			kind := lockfile.DepProd
			switch {
			case v.Get("dev").Bool():
				kind = lockfile.DepDev
			case v.Get("optional").Bool():
				kind = lockfile.DepOptional
			}
			p.g.Root.Deps = append(p.g.Root.Deps, lockfile.Edge{Name: p.tab.copy(k.Str), Kind: kind, Spec: p.tab.copy(v.Get("version").String())})
			return true
		})
	}
	p.v1nodes = map[string]*entry{"": {deps: p.g.Root.Deps, at: memberOf(root)}}
	p.walkV1("", deps, false)
	if len(p.errs) == p.stops {
		p.checkComplete(p.v1nodes, nil, nil, pkgJSON)
	}
	return nil
}

// walkV1 adds the entries of one "dependencies" object. parent is the
// install path of the package that holds them ("" for the root); fetched
// says whether that package comes from an archive, in which case entries
// marked bundled come inside it. An entry that cannot be read still has
// its nested entries read, so that every error is reported in one run.
func (p *parser) walkV1(parent string, deps gjson.Result, fetched bool) {
	deps.ForEach(func(k, v gjson.Result) bool {
		key := k.Str
		if strings.ContainsAny(key, "\\") || key == "" || key == "." || key == ".." ||
			strings.HasPrefix(key, "/") || strings.Contains(key, "/..") || strings.Contains(key, "../") {
			p.fail(k, "dependency name %q is not a valid package name", key)
			return true
		}
		if !v.IsObject() {
			p.fail(v, "dependencies[%q] must be an object, not %s", key, kind(v))
			return true
		}
		installPath := "node_modules/" + key
		if parent != "" {
			installPath = parent + "/node_modules/" + key
		}
		if isEmptyObject(v) {
			p.empty = append(p.empty, installPath)
			return true
		}
		src, ok := p.sourceV1(installPath, key, v, fetched)
		if nested := v.Get("dependencies"); nested.IsObject() {
			p.walkV1(installPath, nested, !ok || (src.Kind != lockfile.Link && src.Kind != lockfile.NoSource))
		}
		return true
	})
}

// sourceV1 reads one v1 entry and adds it; ok is false when it could not
// be read (the errors are recorded).
func (p *parser) sourceV1(installPath, key string, v gjson.Result, fetched bool) (src lockfile.Source, ok bool) {
	e := p.readEntry(installPath, v)
	p.v1nodes[installPath] = e
	e.name = p.tab.copy(key)
	version := e.version
	if alias, isAlias := strings.CutPrefix(version, "npm:"); isAlias {
		// An alias: "npm:string-width@4.2.3" installed under key.
		at := strings.LastIndexByte(alias, '@')
		if at <= 0 {
			p.fail(v.Get("version"), "%s: alias %q has no version", installPath, version)
			return src, false
		}
		e.name, e.version = alias[:at], alias[at+1:]
		if e.flags.Has(lockfile.FlagBundled) && fetched {
			// npm reads the bundled copy's version from its parent's
			// archive, "4.2.3", and the lockfile's, the whole alias; the
			// two differ, and npm ci stops.
			p.incomplete(v.Get("version"), fmt.Sprintf(`%s: a bundled alias (%s) in a lockfileVersion 1 file; npm ci stops: "Invalid: lock file's %s@%s does not satisfy %s@%s"`,
				installPath, version, key, version, key, e.version), "the output keeps it")
		}
	}
	ok = true
	switch {
	case e.flags.Has(lockfile.FlagBundled) && fetched:
		src = lockfile.Source{Kind: lockfile.Bundled}
	case strings.HasPrefix(version, "file:") && !isArchive(version):
		rel := strings.TrimPrefix(version, "file:")
		if err := checkRelative(rel); err != nil {
			p.fail(v.Get("version"), "%s: %v", installPath, err)
			return src, false
		}
		e.version = ""
		e.link, e.setMore().target = true, path.Clean(rel)
		if inNodeModules(e.target()) {
			// A folder inside an installed package: npm ci does not find
			// it in the tree it builds, and stops.
			p.incomplete(v.Get("version"), fmt.Sprintf(`%s: links to %s, a folder inside an installed package, which npm ci does not lay out; npm ci stops: "Missing: %s@ from lock file"`, installPath, e.target(), key),
				"the output links it all the same")
		}
		src = lockfile.Source{Kind: lockfile.Link, Path: path.Clean(rel), Origin: p.pos(v.Get("version"))}
	case isGitSpec(version) || isGitHubShorthand(version):
		e.version = ""
		src, ok = p.resolve(e, version)
	case strings.HasPrefix(version, "file:") || (isTarballURL(version) && !e.resolved.result().Exists()):
		// A tarball as the version: npm reads it as the resolved URL.
		e.resolved = memberOf(v.Get("version"))
		e.version = ""
		src, ok = p.resolve(e, "")
	default:
		src, ok = p.resolve(e, e.version)
	}
	if ok {
		p.add(e, src)
	}
	return src, ok
}

// isTarballURL reports whether a v1 version is an http(s) URL.
func isTarballURL(s string) bool {
	return strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://")
}
