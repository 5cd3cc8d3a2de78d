// Package pnpm writes the Nix for a lock read from a pnpm-lock.yaml: by
// default a data file (Schema: a source per archive or commit, the lock as
// JSON data: importers, snapshots, packages, settings) that lock2nix's
// builders (entry.nix, builders.nix, layout.js, on ../node's layer) read to
// lay node_modules out as pnpm install --frozen-lockfile does; with
// EmitStandalone, one file that holds the builders too.
package pnpm

import (
	"bytes"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"io"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/lock2nix/lock2nix/lockfile"
	"github.com/lock2nix/lock2nix/nixexpr"
	"github.com/lock2nix/lock2nix/nixexpr/node"
	"github.com/lock2nix/lock2nix/pnpmlock"
)

// Schema is the newest version of the data file's layout, which Emit
// writes for a lock with a package in a folder of a git checkout (its
// gitDir, which schema 1's builders would ignore, installing the whole
// repository); any other lock is written in schema 1, the same bytes as
// before. entry.nix lists the schemas the builders read.
const Schema = 2

// schemaOf is the schema a data file of lock is written in: the oldest
// that holds what it needs.
func schemaOf(lock *pnpmlock.Lock) int {
	for _, p := range lock.Graph.Packages {
		if p.Source.Dir != "" {
			return 2
		}
	}
	return 1
}

// Emit writes lock as a data file for lock2nix's builders (entry.nix,
// builders.nix, layout.js): the schema, a source per distinct archive or
// commit, the lock as JSON and, when it names paths of the project,
// rootUp. Nothing is written on an error.
func Emit(w io.Writer, lock *pnpmlock.Lock, h nixexpr.Header) error {
	f, err := Build(lock, h)
	if err != nil {
		return err
	}
	return nixexpr.Print(w, f)
}

// EmitStandalone writes lock as one file in callPackage style that holds
// the data and lock2nix's builders.
func EmitStandalone(w io.Writer, lock *pnpmlock.Lock, h nixexpr.Header) error {
	f, err := BuildStandalone(lock, h)
	if err != nil {
		return err
	}
	return nixexpr.Print(w, f)
}

// Build returns the syntax tree Emit prints.
func Build(lock *pnpmlock.Lock, h nixexpr.Header) (*nixexpr.File, error) {
	bs, err := dataBindings(lock, h)
	if err != nil {
		return nil, err
	}
	return nixexpr.Data(h, "pnpm", schemaOf(lock), bs), nil
}

// BuildStandalone returns the syntax tree EmitStandalone prints: the
// entry's arguments, and a body that calls entry.nix with the data and
// lock2nix's parts written out.
func BuildStandalone(lock *pnpmlock.Lock, h nixexpr.Header) (*nixexpr.File, error) {
	bs, err := dataBindings(lock, h)
	if err != nil {
		return nil, err
	}
	return node.Standalone(h, node.Format{Name: "pnpm", Schema: schemaOf(lock), Builders: builders, Layout: layoutJS, Entry: entry}, bs), nil
}

//go:embed builders.nix
var builders string

//go:embed layout.js
var layoutJS string

//go:embed entry.nix
var entry string

// data is the JSON the builders read.
type data struct {
	Root      root                `json:"root"`
	Importers map[string]importer `json:"importers"`
	Snapshots map[string]snapshot `json:"snapshots"`
	Packages  map[string]pkg      `json:"packages"`
	Settings  settings            `json:"settings"`
}

type root struct {
	Name       string   `json:"name"`
	Version    string   `json:"version"`
	Pname      string   `json:"pname"`
	DrvVersion string   `json:"drvVersion"`
	Workspaces []string `json:"workspaces"`
}

type importer struct {
	Name  string            `json:"name,omitempty"`
	Pname string            `json:"pname"`
	Deps  map[string]string `json:"deps"`
	Kinds map[string]string `json:"kinds"`
	Bins  map[string]string `json:"bins,omitempty"`
}

type snapshot struct {
	// Key is the dependency path, when it is not the folder's name: pnpm
	// orders its hoisting walk by it.
	Key          string            `json:"key,omitempty"`
	Name         string            `json:"name"`
	Pkg          string            `json:"pkg"`
	Deps         map[string]string `json:"deps"`
	OptionalDeps []string          `json:"optionalDeps,omitempty"`
	Optional     bool              `json:"optional,omitempty"`
	Patch        string            `json:"patch,omitempty"`
	// PatchSHA256 is the sha256 (hex) of the patch file as lock2nix read
	// it: the builders apply the project's file, and refuse one that
	// changed since.
	PatchSHA256 string `json:"patchSha256,omitempty"`
}

type pkg struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Kind    string `json:"kind"`
	Src     string `json:"src,omitempty"`
	Path    string `json:"path,omitempty"`
	// GitDir is the folder of the git checkout that holds the package
	// (lockfile.Source.Dir: pnpm's "path:"); data files with one are
	// schema 2.
	GitDir string   `json:"gitDir,omitempty"`
	OS     []string `json:"os,omitempty"`
	CPU    []string `json:"cpu,omitempty"`
	Libc   []string `json:"libc,omitempty"`
	HasBin bool     `json:"hasBin,omitempty"`
	Build  bool     `json:"build,omitempty"`
}

type settings struct {
	HoistPattern           []string          `json:"hoistPattern"`
	PublicHoistPattern     []string          `json:"publicHoistPattern"`
	HoistWorkspacePackages bool              `json:"hoistWorkspacePackages"`
	Names                  map[string]string `json:"names"`
	// Patched: the lock patches some package (pnpm then takes its build
	// step even with scripts off, which links bins).
	Patched bool `json:"patched"`
	// AllowBuild is nil when every package may run scripts.
	AllowBuild []string `json:"allowBuild"`
	DenyBuild  []string `json:"denyBuild"`
	// NodeLinker is "hoisted" for node-linker=hoisted, else left out (the
	// isolated layout's data stays as it was).
	NodeLinker string `json:"nodeLinker,omitempty"`
}

// dataBindings returns the data file's bindings after format and schema:
// sources, lock and, when the lock names paths of the project, rootUp.
func dataBindings(lock *pnpmlock.Lock, h nixexpr.Header) ([]nixexpr.Binding, error) {
	g := lock.Graph
	sources := nixexpr.NewSources(len(g.Packages))
	d := data{
		Importers: map[string]importer{},
		Snapshots: map[string]snapshot{},
		Packages:  map[string]pkg{},
	}
	local := len(lock.Patches) > 0
	patchSums := map[string]string{}
	for _, pt := range lock.Patches {
		patchSums[pt.Path] = hex.EncodeToString(pt.SHA256)
	}
	for _, p := range g.Packages {
		if err := check(p.ID, p.Name, p.Version, p.Source.Path); err != nil {
			return nil, err
		}
		r := pkg{Name: p.Name, Version: p.Version, Kind: p.Source.Kind.String(), OS: p.Platform.OS, CPU: p.Platform.CPU, Libc: p.Platform.Libc, HasBin: lock.HasBin[p.ID], Build: p.HasInstallScript}
		switch {
		case p.Source.Fetchable():
			name, err := sources.Add(p.ID, p.Source)
			if err != nil {
				return nil, err
			}
			r.Src = name
			if d := p.Source.Dir; d != "" {
				if err := node.CheckGitDir(d, p.Source.Kind == lockfile.Git); err != nil {
					return nil, err
				}
				r.GitDir = d
			}
		case p.Source.Local():
			r.Path = p.Source.Path
			local = true
		default:
			return nil, &nixexpr.Error{Msg: "a package without a source", Value: p.ID}
		}
		d.Packages[p.ID] = r
	}
	dirs := map[string]string{}
	for _, s := range lock.Snapshots {
		dirs[s.Key] = s.Dir
	}
	ref := func(dep pnpmlock.Dep) string {
		if dep.Snapshot == "" {
			return "link:" + dep.Link
		}
		return dirs[dep.Snapshot]
	}
	for _, s := range lock.Snapshots {
		if _, ok := d.Packages[s.Package]; !ok {
			continue
		}
		if err := check(s.Key, s.Name, s.Dir, s.Patch); err != nil {
			return nil, err
		}
		if bad := badName(s.Name); bad {
			return nil, &nixexpr.Error{Msg: "not a package name lock2nix installs", Value: s.Name}
		}
		r := snapshot{Name: s.Name, Pkg: s.Package, Deps: map[string]string{}, Optional: s.Optional, Patch: s.Patch}
		if s.Patch != "" {
			r.PatchSHA256 = patchSums[s.Patch]
		}
		for _, dep := range s.Deps {
			if badName(dep.Alias) {
				return nil, &nixexpr.Error{Msg: "not a package name lock2nix installs", Value: dep.Alias}
			}
			r.Deps[dep.Alias] = ref(dep)
			if dep.Kind == lockfile.DepOptional {
				r.OptionalDeps = append(r.OptionalDeps, dep.Alias)
			}
		}
		if s.Key != s.Dir {
			r.Key = s.Key
		}
		d.Snapshots[s.Dir] = r
	}
	names := map[string]string{}
	for _, imp := range lock.Importers {
		r := importer{Name: imp.Name, Pname: nixexpr.DrvName(imp.Name, nixexpr.DrvName(imp.Path, "project")), Deps: map[string]string{}, Kinds: map[string]string{}, Bins: imp.Bins}
		for _, dep := range imp.Deps {
			if badName(dep.Alias) {
				return nil, &nixexpr.Error{Msg: "not a package name lock2nix installs", Value: dep.Alias}
			}
			r.Deps[dep.Alias] = ref(dep)
			r.Kinds[dep.Alias] = dep.Kind.String()
		}
		d.Importers[imp.Path] = r
		if imp.Name != "" {
			names[imp.Path] = imp.Name
		}
	}
	s := lock.Settings
	d.Settings = settings{
		HoistPattern:           nonNil(s.HoistPattern),
		PublicHoistPattern:     nonNil(s.PublicHoistPattern),
		HoistWorkspacePackages: s.HoistWorkspacePackages,
		Names:                  names,
		DenyBuild:              nonNil(s.NeverBuiltDependencies),
		Patched:                len(lock.Patches) > 0,
	}
	if s.NodeLinker == "hoisted" {
		d.Settings.NodeLinker = "hoisted"
	}
	if s.BuildPolicy == "allowlist" && !s.DangerouslyAllowAllBuilds {
		d.Settings.AllowBuild = nonNil(s.OnlyBuiltDependencies)
	}
	d.Root = root{
		Name: g.Root.Name, Version: g.Root.Version,
		Pname: nixexpr.DrvName(g.Root.Name, "project"), DrvVersion: nixexpr.DrvName(g.Root.Version, "0"),
		Workspaces: nonNil(g.Root.Workspaces),
	}
	text, err := compact(d)
	if err != nil {
		return nil, err
	}
	bs := []nixexpr.Binding{
		nixexpr.Attr{Path: []string{"sources"}, Value: sources.Data()},
		nixexpr.Attr{Path: []string{"lock"}, Value: nixexpr.String{Value: string(text) + "\n"},
			Comment: "The lock as JSON, read by the builders: importers, snapshots (by\nvirtual-store folder), packages (by name@version) and the layout settings."},
	}
	if local {
		bs = append(bs, nixexpr.Attr{Path: []string{"rootUp"}, Value: nixexpr.String{Value: h.RootUp},
			Comment: "The way from src up to the folder local paths must stay inside."})
	}
	if len(lock.Patches) > 0 {
		bs = append(bs, nixexpr.Attr{Path: []string{"regenerate"}, Value: nixexpr.String{Value: h.Command},
			Comment: "The command, run in the project, that writes this file again: the builders\nname it when a patch file changed since."})
	}
	return bs, nil
}

// compact writes the data as JSON with one importer, snapshot or package a
// line: small to read for Nix, and a lock change shows as changed lines.
func compact(d data) ([]byte, error) {
	var b bytes.Buffer
	enc := func(v any) error {
		e := json.NewEncoder(&b)
		e.SetEscapeHTML(false)
		if err := e.Encode(v); err != nil {
			return err
		}
		b.Truncate(b.Len() - 1) // Encode's newline
		return nil
	}
	b.WriteString("{\n")
	section := func(name string, keys []string, value func(k string) any) error {
		b.WriteString(`"` + name + `": {`)
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString("\n")
			if err := enc(k); err != nil {
				return err
			}
			b.WriteString(": ")
			if err := enc(value(k)); err != nil {
				return err
			}
		}
		b.WriteString("\n},\n")
		return nil
	}
	if err := section("importers", slices.Sorted(maps.Keys(d.Importers)), func(k string) any { return d.Importers[k] }); err != nil {
		return nil, err
	}
	if err := section("snapshots", slices.Sorted(maps.Keys(d.Snapshots)), func(k string) any { return d.Snapshots[k] }); err != nil {
		return nil, err
	}
	if err := section("packages", slices.Sorted(maps.Keys(d.Packages)), func(k string) any { return d.Packages[k] }); err != nil {
		return nil, err
	}
	b.WriteString(`"root": `)
	if err := enc(d.Root); err != nil {
		return nil, err
	}
	b.WriteString(",\n\"settings\": ")
	if err := enc(d.Settings); err != nil {
		return nil, err
	}
	b.WriteString("\n}")
	return b.Bytes(), nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// check rejects strings the data cannot carry: JSON holds only UTF-8
// text, and Nix strings no NUL byte.
func check(ss ...string) error {
	for _, s := range ss {
		if !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
			return &nixexpr.Error{Msg: "not UTF-8 text without NUL bytes", Value: s}
		}
	}
	return nil
}

// badName reports a name that, as a path below node_modules, could leave
// it or stand for the layout's own folders: empty, starting with a dot
// ("..", ".bin"), absolute, backslashes, more than one level (but for
// "@scope/name").
func badName(n string) bool {
	if n == "" || strings.ContainsAny(n, "\\\x00") || strings.HasPrefix(n, "/") {
		return true
	}
	parts := strings.Split(n, "/")
	if len(parts) > 2 || len(parts) == 2 && !strings.HasPrefix(parts[0], "@") {
		return true
	}
	for _, p := range parts {
		// A leading dot would name a folder the layout makes (.bin,
		// .pnpm), which a link could then replace; npm's names never
		// start with one.
		if p == "" || p == "@" || strings.HasPrefix(p, ".") {
			return true
		}
	}
	return false
}
