// Package lockfile holds the dependency graph that every lock2nix parser
// produces and every emitter consumes.
//
// The graph speaks no format's language: it says which packages a project
// locks, where each one comes from (a [Source] with its [Hash]), where it is
// installed, what it depends on, and on which platforms it applies.
// Parsers (npmlock, dunelock) know their file formats and nothing of Nix;
// emitters know Nix. What only one format records (dune's build recipes)
// stays with that format's parser and emitter. This package is the
// contract between them and is kept small and stable.
package lockfile

import (
	"cmp"
	"slices"
)

// Graph is a parsed lockfile: the project at its root and the packages it
// locks.
type Graph struct {
	// Root is the project itself.
	Root Root
	// Packages holds every locked package, sorted by ID.
	Packages []*Package
	// PlatformsUnlocked says the lockfile records no platforms (npm's
	// lockfileVersion 1): the package manager reads them from each
	// package's own manifest, so the builders must too. Where a lockfile
	// records them, what it records is the whole rule, missing fields
	// included (npm ci installs an optional package whose entry lacks the
	// libc its package.json names).
	PlatformsUnlocked bool
}

// Root is the project whose lockfile was read.
type Root struct {
	Name    string
	Version string
	// Deps are the project's direct dependencies.
	Deps []Edge
	// Workspaces lists the project's workspace folders, relative to the
	// project root with forward slashes, sorted.
	Workspaces []string
}

// Package is one locked artifact: a name and version from one source. An
// artifact that a package manager installs in several places is one Package
// with several Installs.
type Package struct {
	// ID is unique within the graph and stable across runs for the same
	// lockfile: name@version, with a suffix only when two sources lock the
	// same name and version.
	ID      string
	Name    string
	Version string
	Source  Source
	// Installs lists where the package is placed, sorted by path. Formats
	// without an install layout (dune) leave it empty.
	Installs []Install
	// Deps are the package's own dependency edges, sorted by name and kind.
	Deps []Edge
	// Platform restricts the systems the package applies to.
	Platform Platform
	// Engines are the runtimes the package says it needs, sorted by name.
	// npm enforces them only on optional packages, skipping one whose
	// engines the running node does not satisfy; npmlock records them for
	// packages installed as optional and leaves them out for others.
	Engines []Engine
	// Bins are the executables the package provides, sorted by name.
	Bins []Bin
	// HasInstallScript reports that the package runs scripts when installed
	// (npm: preinstall, install, postinstall or an implicit node-gyp build).
	HasInstallScript bool
	// License is the package's license expression as the lockfile states it.
	License string
}

// Install is one place a package sits in the installed tree.
type Install struct {
	// Path is relative to the project root with forward slashes, for npm
	// "node_modules/a/node_modules/@s/b".
	Path  string
	Flags Flags
}

// Flags describe why a package is installed at a place.
type Flags uint8

const (
	// FlagDev: only needed for development (npm "dev").
	FlagDev Flags = 1 << iota
	// FlagOptional: a failure to install it is not an error (npm "optional").
	FlagOptional
	// FlagDevOptional: needed only as an optional dependency of development
	// packages (npm "devOptional").
	FlagDevOptional
	// FlagBundled: shipped inside its parent's archive, not fetched on its own.
	FlagBundled
	// FlagExtraneous: present in the lockfile but required by nothing.
	FlagExtraneous
	// FlagPeer: installed only to satisfy a peer dependency (npm "peer").
	FlagPeer
)

// Has reports whether every flag in f2 is set in f.
func (f Flags) Has(f2 Flags) bool { return f&f2 == f2 }

// Names returns the names of the set flags in a fixed order, as used in
// generated files: "dev", "optional", "devOptional", "bundled",
// "extraneous", "peer".
func (f Flags) Names() []string {
	var names []string
	for i, n := range flagNames {
		if f&(1<<i) != 0 {
			names = append(names, n)
		}
	}
	return names
}

var flagNames = [...]string{"dev", "optional", "devOptional", "bundled", "extraneous", "peer"}

// Edge is a dependency of a package or of the root on another package, by
// name. Resolving a name to a Package is the ecosystem's business (npm's
// node_modules lookup, dune's one-version-per-name).
type Edge struct {
	Name string
	Kind DepKind
	// Spec is the requested range or specifier as written ("^1.2.0",
	// "npm:foo@1", "file:../x"); it may be empty.
	Spec string
}

// DepKind says which kind of dependency an Edge is.
type DepKind uint8

// Dependency kinds, in the order edges are sorted.
const (
	DepProd DepKind = iota
	DepDev
	DepOptional
	DepPeer
	DepPeerOptional
)

// String returns the kind's name as generated files write it: prod, dev,
// optional, peer, peerOptional.
func (k DepKind) String() string {
	switch k {
	case DepProd:
		return "prod"
	case DepDev:
		return "dev"
	case DepOptional:
		return "optional"
	case DepPeer:
		return "peer"
	case DepPeerOptional:
		return "peerOptional"
	}
	return "unknown"
}

// Platform lists the systems a package is meant for. Each list holds the
// ecosystem's own names (npm: Node's process.platform and process.arch
// values, "glibc"/"musl"); an entry "!x" excludes x. Empty lists allow all.
type Platform struct {
	OS   []string
	CPU  []string
	Libc []string
}

// IsZero reports whether the platform allows every system.
func (p Platform) IsZero() bool { return len(p.OS)+len(p.CPU)+len(p.Libc) == 0 }

// Engine is a runtime a package needs and the versions of it it accepts.
type Engine struct {
	// Name is the runtime's name, such as "node".
	Name string
	// Range is the version range as the lockfile writes it.
	Range string
	// Versions is Range decoded: a release version is accepted when it
	// passes every comparison of one of the alternatives. Nil when the
	// parser could not decode Range, which then restricts nothing.
	Versions [][]Comparison
}

// Comparison is "Op Version": Op is <, <=, >, >= or =, and Version a
// release "major.minor.patch".
type Comparison struct{ Op, Version string }

// Bin is an executable a package provides.
type Bin struct {
	// Name is the command name, as linked into a bin directory.
	Name string
	// Path is the target relative to the package root.
	Path string
}

// Sort puts packages, installs, edges and bins into their canonical order so
// that output derived from the graph is deterministic.
func (g *Graph) Sort() {
	slices.SortFunc(g.Packages, func(a, b *Package) int { return cmp.Compare(a.ID, b.ID) })
	sortEdges(g.Root.Deps)
	slices.Sort(g.Root.Workspaces)
	for _, p := range g.Packages {
		slices.SortFunc(p.Installs, func(a, b Install) int { return cmp.Compare(a.Path, b.Path) })
		sortEdges(p.Deps)
		slices.SortFunc(p.Bins, func(a, b Bin) int { return cmp.Compare(a.Name, b.Name) })
		slices.SortFunc(p.Engines, func(a, b Engine) int { return cmp.Compare(a.Name, b.Name) })
	}
}

func sortEdges(es []Edge) {
	slices.SortFunc(es, func(a, b Edge) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Kind, b.Kind))
	})
}

// Package returns the package with the given ID, or nil.
func (g *Graph) Package(id string) *Package {
	i, ok := slices.BinarySearchFunc(g.Packages, id, func(p *Package, id string) int { return cmp.Compare(p.ID, id) })
	if !ok {
		return nil
	}
	return g.Packages[i]
}
