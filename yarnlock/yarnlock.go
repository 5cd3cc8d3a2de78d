// Package yarnlock reads yarn's yarn.lock, both yarn 1's own format
// ("classic", "# yarn lockfile v1") and the YAML of yarn 2 and later
// ("berry", with __metadata), into a [Lock]: a [lockfile.Graph] and the
// names yarn looks each package up by.
//
// It knows yarn's file formats and nothing of Nix. yarn's install layout
// (hoisting, Plug'n'Play) is not computed here: the generated file runs
// yarn itself, offline, over the fetched packages, so packages carry no
// Installs.
package yarnlock

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/lock2nix/lock2nix/internal/oneline"
	"github.com/lock2nix/lock2nix/lockfile"
)

// LockName is the lockfile's name in a project folder.
const LockName = "yarn.lock"

// Format says which yarn wrote a lockfile.
type Format uint8

const (
	// Classic is yarn 1's "# yarn lockfile v1".
	Classic Format = iota + 1
	// Berry is yarn 2 and later's YAML with __metadata.
	Berry
)

// String returns "classic" or "berry".
func (f Format) String() string {
	if f == Berry {
		return "berry"
	}
	return "classic"
}

// DefaultRegistry is yarn's default registry, which berry's npm:
// resolutions are fetched from when nothing else is configured.
const DefaultRegistry = "https://registry.yarnpkg.com/"

// Options control how a lockfile is read.
type Options struct {
	// Registry is the registry berry's npm: packages are fetched from
	// (default: the project's .yarnrc.yml npmRegistryServer, else
	// [DefaultRegistry]); for classic, resolved URLs on the hosts in
	// ReplaceHosts are moved to it.
	Registry string
	// Scopes are the registries of package scopes ("@acme"), as
	// .yarnrc.yml's npmScopes.
	Scopes map[string]string
	// ReplaceHosts lists the hosts whose resolved URLs (classic) are moved
	// to Registry; empty moves none.
	ReplaceHosts []string
	// Warn, when not nil, receives what lock2nix accepts with a warning,
	// one message a call, on one line (escaped as lockfile.Error's are).
	Warn func(msg string)
}

// Lock is a parsed yarn.lock: the graph and what only yarn needs.
type Lock struct {
	Graph  *lockfile.Graph
	Format Format
	// Version is berry's __metadata.version; CacheKey its cacheKey.
	Version  int
	CacheKey string
	// Mirror names, for classic, each tarball package's file in yarn's
	// offline mirror, by package ID: yarn looks a resolved URL up there
	// by a name it makes from the URL's path.
	Mirror map[string]string
	// Locators names, for berry, each package's locator (its resolution),
	// by package ID.
	Locators map[string]string
	// RegistryPaths names, for berry, the path below the registry's URL
	// that yarn requests each registry package's tarball from, by package
	// ID ("@s/a/-/a-1.0.0.tgz").
	RegistryPaths map[string]string
	// PatchFiles are the files berry's patch: resolutions apply, relative
	// to the project (yarn reads them in the build): local paths, for the
	// boundary check.
	PatchFiles []lockfile.Source
	// Descriptors are the lockfile's keys: every "name@range" it resolves.
	Descriptors map[string]bool
	// Settings are the .yarnrc.yml settings lock2nix reads.
	Settings Settings
	// ProjectFiles are the project's files that yarn reads when it
	// installs in the build (ParseFS fills them): the lockfile, the
	// package.json files, and the settings files of the lock's yarn,
	// sorted by path. The build runs yarn over its copy of the project,
	// so these must be the bytes lock2nix checked.
	ProjectFiles []ProjectFile

	// workspaceDeps names, for berry, the dependencies the lock records
	// for each workspace, by its folder ("." for the root).
	workspaceDeps map[string][]string
}

// ProjectFile is a project file that yarn reads when it installs, as
// lock2nix read it.
type ProjectFile struct {
	// Path is the file's path in the project, with forward slashes.
	Path string
	// SHA256 is the sha256 of the file's bytes, or nil when the project
	// has no such file (and yarn reads none).
	SHA256 []byte
}

// Settings are the project's .yarnrc.yml values that shape what is
// fetched and how yarn lays packages out.
type Settings struct {
	NodeLinker        string // "pnp" (the default), "node-modules", "pnpm"
	NpmRegistryServer string
	YarnPath          string
}

// ParseFS reads the project in the root of fsys: yarn.lock, package.json
// and, when present, .yarnrc.yml.
func ParseFS(fsys fs.FS, opts Options) (*Lock, error) {
	data, err := fs.ReadFile(fsys, LockName)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("no %s: run yarn install first", LockName)
	}
	if err != nil {
		return nil, err
	}
	pkg, err := fs.ReadFile(fsys, "package.json")
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	rc, err := fs.ReadFile(fsys, ".yarnrc.yml")
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	l, err := Parse(LockName, data, pkg, rc, opts)
	if err != nil {
		return nil, err
	}
	read := map[string][]byte{LockName: data, "package.json": pkg, ".yarnrc.yml": rc}
	if l.Format == Classic {
		if rc, err := fs.ReadFile(fsys, ".yarnrc"); err == nil {
			if err := checkClassicRC(rc); err != nil {
				return nil, err
			}
			read[".yarnrc"] = rc
		}
	}
	var m manifest
	if json.Unmarshal(pkg, &m) == nil {
		globs := workspaceGlobs(m.Workspaces)
		for _, g := range globs {
			// yarn looks for workspaces in the build, in its copy of the
			// project.
			if err := checkInside(path.Clean(strings.TrimPrefix(g, "!"))); err != nil {
				return nil, fmt.Errorf("package.json: workspaces: %v", err)
			}
		}
		l.Graph.Root.Workspaces = expandWorkspaces(fsys, globs)
	}
	if l.ProjectFiles, err = projectFiles(fsys, l, read); err != nil {
		return nil, err
	}
	if yp := l.Settings.YarnPath; yp != "" && opts.Warn != nil {
		if _, err := fs.Stat(fsys, path.Clean(yp)); err != nil {
			opts.Warn(oneline.Escape(fmt.Sprintf(".yarnrc.yml: yarnPath %s is not in the project; the build's yarn hands over to it and fails without it (commit it, or remove yarnPath)", yp)))
		}
	}
	return l, nil
}

// installSettings are the settings files each yarn reads from the
// project's folder when it installs: yarn 1 its own .yarnrc, npm's .npmrc
// and .yarnclean (the files its autoclean removes); berry .yarnrc.yml.
var installSettings = map[Format][]string{
	Classic: {".npmrc", ".yarnclean", ".yarnrc"},
	Berry:   {".yarnrc.yml"},
}

// projectFiles hashes the files yarn reads when it installs l's project
// (read holds those ParseFS has read, nil when absent): the lockfile,
// the root's and each workspace's package.json, and the settings files.
func projectFiles(fsys fs.FS, l *Lock, read map[string][]byte) ([]ProjectFile, error) {
	names := []string{LockName, "package.json"}
	for _, w := range l.Graph.Root.Workspaces {
		names = append(names, path.Join(w, "package.json"))
	}
	names = append(names, installSettings[l.Format]...)
	out := make([]ProjectFile, 0, len(names))
	for _, name := range names {
		data, ok := read[name]
		if !ok {
			var err error
			data, err = fs.ReadFile(fsys, name)
			if errors.Is(err, fs.ErrNotExist) {
				data = nil
			} else if err != nil {
				return nil, err
			}
		}
		f := ProjectFile{Path: name}
		if data != nil {
			sum := sha256.Sum256(data)
			f.SHA256 = sum[:]
		}
		out = append(out, f)
	}
	slices.SortFunc(out, func(a, b ProjectFile) int { return strings.Compare(a.Path, b.Path) })
	return out, nil
}

// Parse reads a yarn.lock given as data, with the project's package.json
// (nil when absent) and .yarnrc.yml (nil when absent). file names the
// lockfile in errors.
func Parse(file string, data, pkgJSON, yarnrc []byte, opts Options) (*Lock, error) {
	var manifest manifest
	if len(pkgJSON) > 0 {
		if err := json.Unmarshal(pkgJSON, &manifest); err != nil {
			return nil, fmt.Errorf("package.json: %v", err)
		}
	}
	if isBerry(data) {
		return parseBerry(file, data, manifest, yarnrc, opts)
	}
	return parseClassicLock(file, data, manifest, opts)
}

// isBerry reports whether data is berry's YAML: a top-level __metadata key.
func isBerry(data []byte) bool {
	for line := range strings.SplitSeq(string(data), "\n") {
		if strings.HasPrefix(line, "__metadata:") {
			return true
		}
	}
	return false
}

// manifest is what lock2nix reads of package.json.
type manifest struct {
	Name                 string            `json:"name"`
	Version              string            `json:"version"`
	Dependencies         map[string]string `json:"dependencies"`
	DevDependencies      map[string]string `json:"devDependencies"`
	OptionalDependencies map[string]string `json:"optionalDependencies"`
	PeerDependencies     map[string]string `json:"peerDependencies"`
	Workspaces           json.RawMessage   `json:"workspaces"`
	PackageManager       string            `json:"packageManager"`
}

func (m manifest) edges() []lockfile.Edge {
	var es []lockfile.Edge
	add := func(deps map[string]string, k lockfile.DepKind) {
		for n, s := range deps {
			es = append(es, lockfile.Edge{Name: n, Kind: k, Spec: s})
		}
	}
	add(m.Dependencies, lockfile.DepProd)
	add(m.DevDependencies, lockfile.DepDev)
	add(m.OptionalDependencies, lockfile.DepOptional)
	return es
}

// workspaceGlobs reads package.json's workspaces: a list, or an object
// with "packages".
func workspaceGlobs(raw json.RawMessage) []string {
	var list []string
	if json.Unmarshal(raw, &list) == nil {
		return list
	}
	var obj struct {
		Packages []string `json:"packages"`
	}
	if json.Unmarshal(raw, &obj) == nil {
		return obj.Packages
	}
	return nil
}

// expandWorkspaces lists the folders the root's workspace globs match that
// hold a package.json, sorted.
func expandWorkspaces(fsys fs.FS, globs []string) []string {
	seen := map[string]bool{}
	for _, g := range globs {
		g = strings.TrimSuffix(strings.TrimPrefix(g, "./"), "/")
		var matches []string
		if strings.Contains(g, "**") {
			prefix, _, _ := strings.Cut(g, "**")
			prefix = strings.TrimSuffix(prefix, "/")
			if prefix == "" {
				prefix = "."
			}
			fs.WalkDir(fsys, prefix, func(p string, d fs.DirEntry, err error) error {
				if err != nil {
					return nil
				}
				if d.IsDir() && (d.Name() == "node_modules" || d.Name() == ".git") {
					return fs.SkipDir
				}
				if d.IsDir() && p != "." {
					matches = append(matches, p)
				}
				return nil
			})
		} else {
			matches, _ = fs.Glob(fsys, g)
		}
		for _, d := range matches {
			if _, err := fs.Stat(fsys, path.Join(d, "package.json")); err == nil && d != "." {
				seen[d] = true
			}
		}
	}
	var out []string
	for d := range seen {
		out = append(out, d)
	}
	slices.Sort(out)
	return out
}

// splitDescriptor splits "name@range" (the name may be scoped) into name
// and range.
func splitDescriptor(s string) (name, rng string, ok bool) {
	i := strings.IndexByte(s[min(1, len(s)):], '@')
	if i < 0 {
		return s, "", false
	}
	i++
	return s[:i], s[i+1:], s[:i] != ""
}

// assignIDs gives each package the ID name@version, with "-2", "-3", …
// for later packages of the same name and version from another source.
func assignIDs(pkgs []*lockfile.Package) {
	count := map[string]int{}
	for _, p := range pkgs {
		id := p.Name + "@" + p.Version
		count[id]++
		if n := count[id]; n > 1 {
			id = fmt.Sprintf("%s-%d", id, n)
		}
		p.ID = id
	}
}

func withSlash(s string) string {
	if strings.HasSuffix(s, "/") {
		return s
	}
	return s + "/"
}

// registryFor returns the registry of a package name: its scope's, or reg.
func registryFor(name, reg string, scopes map[string]string) string {
	if scope, _, ok := strings.Cut(name, "/"); ok && strings.HasPrefix(scope, "@") {
		if u := scopes[scope]; u != "" {
			return withSlash(u)
		}
	}
	return withSlash(reg)
}

// registryPath is where a registry keeps name@version's tarball, below
// its URL.
func registryPath(name, version string) string {
	base := name[strings.LastIndexByte(name, '/')+1:]
	return name + "/-/" + base + "-" + version + ".tgz"
}

// checkRelative rejects a local path that is absolute, holds a backslash
// or a control character.
func checkRelative(p string) error {
	if p == "" {
		return errors.New("empty path")
	}
	if strings.HasPrefix(p, "/") || strings.Contains(p, "\\") || (len(p) > 1 && p[1] == ':') {
		return fmt.Errorf("%q is not a relative path with forward slashes", p)
	}
	for _, c := range p {
		if c < 0x20 || c == 0x7f {
			return fmt.Errorf("%q holds a control character", p)
		}
	}
	return nil
}

// checkInProject rejects a path yarn reads in the build (a file: folder or
// tarball, a portal:, a patch file, yarnPath) that lies above the project:
// the build runs yarn in its copy of the project alone, where such a path
// leads out of the build's folder, to whatever this machine holds there
// (a build without a sandbox reads it). A link: is only linked to.
func checkInProject(p string) error {
	if p == ".." || strings.HasPrefix(p, "../") {
		return fmt.Errorf("%q is above the project: yarn reads it in the build from its copy of the project, where it leads out of the build's folder", p)
	}
	return nil
}

// checkInside checks a path of the project that yarn reads in the build
// as it stands (a setting, a workspace glob): relative ([checkRelative])
// and, cleaned, not above the project ([checkInProject]).
func checkInside(p string) error {
	if err := checkRelative(p); err != nil {
		return err
	}
	return checkInProject(path.Clean(p))
}

// classicPathKeys are the yarn 1 .yarnrc settings whose folder or file
// yarn reads in the build: the yarn it hands over to, and the offline
// mirror it takes tarballs from (the project's .yarnrc wins over the
// build's own).
var classicPathKeys = map[string]bool{"yarn-path": true, "yarnPath": true, "yarn-offline-mirror": true}

// checkClassicRC stops on a yarn 1 .yarnrc path setting that is absolute
// or lies above the project: yarn 1 reads it, relative to the project, in
// the build's copy of the project.
func checkClassicRC(data []byte) error {
	for i, line := range strings.Split(string(data), "\n") {
		t := strings.TrimSpace(line)
		if t == "" || t[0] == '#' {
			continue
		}
		key, val := t, ""
		if j := strings.IndexAny(t, " \t"); j >= 0 {
			key, val = t[:j], strings.TrimSpace(t[j:])
		}
		if uq, err := strconv.Unquote(key); err == nil {
			key = uq
		}
		if !classicPathKeys[key] {
			continue
		}
		if uq, err := strconv.Unquote(val); err == nil {
			val = uq
		}
		at := lockfile.Pos{File: ".yarnrc", Line: i + 1, Col: strings.Index(line, key) + 1}
		if err := checkInside(val); err != nil {
			return at.Errorf("%s: %v", key, err)
		}
	}
	return nil
}
