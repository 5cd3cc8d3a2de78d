// Package pnpmlock reads pnpm-lock.yaml (lockfileVersion 6.x of pnpm 8 and
// 9.0 of pnpm 9 and later), with pnpm-workspace.yaml, the importers'
// package.json files and the project's .npmrc, into a lockfile.Graph and
// the pnpm facts the layout needs: importers, snapshots (one per
// peer-resolved instance of a package) and the settings that shape
// node_modules.
//
// The graph holds one Package per locked artifact (the lock's packages
// section: name@version); its Installs are the virtual-store folders of its
// snapshots, node_modules/.pnpm/<dir>/node_modules/<name>.
package pnpmlock

import (
	"github.com/lock2nix/lock2nix/lockfile"
)

// LockFile is the name of pnpm's lockfile.
const LockFile = "pnpm-lock.yaml"

// WorkspaceFile is the name of pnpm's workspace settings.
const WorkspaceFile = "pnpm-workspace.yaml"

// Lock is a pnpm lockfile read with the files beside it.
type Lock struct {
	// Graph holds the packages: one per artifact, with the snapshots'
	// folders as Installs, the root importer as Root.
	Graph *lockfile.Graph
	// Version is the lockfileVersion as written ("6.0", "9.0").
	Version string
	// Importers are the projects of the workspace, "." first, then by
	// path.
	Importers []Importer
	// Snapshots are the peer-resolved instances of packages, by Key.
	Snapshots []Snapshot
	// Settings shape the layout.
	Settings Settings
	// Patches are the patch files patchedDependencies names, by path.
	Patches []Patch
	// Overrides are the lock's overrides section (pnpm records the values
	// resolved: catalog: entries as their specifiers), by selector.
	Overrides map[string]string
	// AutoInstallPeers is the lock's settings.autoInstallPeers: an
	// importer's peerDependencies count as its dependencies.
	AutoInstallPeers bool
	// HasBin holds the IDs of the packages the lock says have executables.
	HasBin map[string]bool
}

// Importer is one project of the workspace.
type Importer struct {
	// Path is the project's folder relative to the lockfile's, "." for
	// the root, with forward slashes.
	Path string
	// Name is the name its package.json gives ("" when none).
	Name string
	Deps []Dep
	// Bins are the executables its package.json names, by name, each a
	// path relative to the project's folder.
	Bins map[string]string
	Pos  lockfile.Pos
}

// Dep is a dependency of an importer or a snapshot: an alias resolved to
// a snapshot or to a folder.
type Dep struct {
	// Alias is the name it is installed under.
	Alias string
	Kind  lockfile.DepKind
	// Spec is what the importer asked for ("^1.2.0", "workspace:*",
	// "catalog:"); empty for snapshots' dependencies.
	Spec string
	// Snapshot is the key of the snapshot it resolves to; empty for a
	// link.
	Snapshot string
	// Link is the project-relative folder a link: dependency points to.
	Link string
	// Injected is set for a dependency on a workspace project that pnpm
	// copies instead of linking (dependenciesMeta.injected).
	Injected bool
	Pos      lockfile.Pos
}

// Snapshot is one instance of a package with its dependencies resolved.
type Snapshot struct {
	// Key is the snapshot's dependency path: name@version with its peer
	// suffix, "(react@18.3.1)", and patch hash, "(patch_hash=…)".
	Key string
	// Dir is its folder in the virtual store, node_modules/.pnpm/<Dir>.
	Dir string
	// Package is the ID of its artifact in the graph.
	Package string
	// Name is the package's name, as installed below Dir/node_modules.
	Name string
	// Deps are its dependencies and optional dependencies.
	Deps []Dep
	// Optional: only optional dependencies lead to it.
	Optional bool
	// Patch is the project-relative path of the patch applied to it.
	Patch string
	Pos   lockfile.Pos
}

// Patch is a patch file of patchedDependencies.
type Patch struct {
	// Key is the patchedDependencies key: "name@version", "name@range" or
	// "name".
	Key string
	// Path is the patch file, relative to the lockfile's folder.
	Path string
	// Hash is the hash the lock records for it.
	Hash string
	// SHA256 is the sha256 of the file's bytes as lock2nix read (and
	// checked against Hash) them: the build applies the file from the
	// project, which must still hold those bytes.
	SHA256 []byte
	Pos    lockfile.Pos
}

// Settings are the pnpm settings that shape node_modules, read from the
// project's .npmrc, pnpm-workspace.yaml and package.json's "pnpm" field,
// with pnpm's defaults for the version that wrote the lock.
type Settings struct {
	// NodeLinker is "isolated" (the default), "hoisted" or "pnp".
	NodeLinker string
	// HoistPattern selects the packages linked into
	// node_modules/.pnpm/node_modules; PublicHoistPattern those linked
	// into the root node_modules (shamefully-hoist: "*").
	HoistPattern, PublicHoistPattern []string
	// HoistWorkspacePackages links the workspace's projects into
	// node_modules/.pnpm/node_modules too.
	HoistWorkspacePackages bool
	// VirtualStoreDirMaxLength bounds the virtual store's folder names.
	VirtualStoreDirMaxLength int
	// BuildPolicy says which packages run install scripts: "all" (pnpm 9
	// and earlier), or "allowlist" (pnpm 10 and later: only
	// OnlyBuiltDependencies).
	BuildPolicy string
	// OnlyBuiltDependencies and NeverBuiltDependencies name packages
	// (name or name@version) whose scripts run, or never run.
	OnlyBuiltDependencies, NeverBuiltDependencies []string
	// DangerouslyAllowAllBuilds runs every package's scripts (pnpm 10).
	DangerouslyAllowAllBuilds bool
}
