// Package report says what a lockfile will make Nix fetch and run: counts
// of packages and sources, the packages that run code at build time, the
// sources that no strong hash or commit pins, git sources, hosts other
// than the registry, packages for some platforms only, and entries that
// look damaged.
//
// It reads a lockfile.Graph and what only the ecosystem knows, which the
// caller passes in as Facts; it imports no parser and no emitter.
package report

import (
	"cmp"
	"net/url"
	"slices"

	"github.com/lock2nix/lock2nix/lockfile"
)

// Facts are what the graph does not say, given by the ecosystem's caller.
type Facts struct {
	// Ecosystem names the command ("npm", "dune"); Lock is the file or
	// folder read.
	Ecosystem, Lock string
	// Project is the project's folder and Output the Nix file generated
	// for it, as the caller names them.
	Project, Output string
	// Registry is the host that serves the ecosystem's registry tarballs,
	// "" when the ecosystem has none.
	Registry string
	// Scripts says, by package ID, what a package runs at build time. When
	// nil, packages with HasInstallScript are listed as running "install
	// scripts".
	Scripts map[string]string
	// Platforms holds, by package ID, the packages meant for some
	// platforms only.
	Platforms map[string]Restriction
	// Extra are sources fetched besides the packages' own (dune's
	// extra_sources).
	Extra []Extra
	// OutOfSync lists the ways the lock disagrees with the project's
	// manifest, one sentence each; the caller fills it once it checks.
	OutOfSync []string
	// Damaged lists the entries the package manager drops as damaged
	// (npm: {} entries), by key.
	Damaged []string
}

// Restriction is a package's platform rule and the Nix systems whose
// builds get the package.
type Restriction struct {
	Rule  string
	Hosts []string
}

// Extra is a source a package fetches besides its own, placed at Path.
type Extra struct {
	Package, Path string
	Source        lockfile.Source
}

// Report is the result. Every list is sorted and never nil, so that the
// JSON form always has the same keys.
type Report struct {
	Ecosystem string `json:"ecosystem"`
	// Project is the project's folder; Output the file generated for it;
	// Workspaces the folders, relative to the project, that the same
	// lock installs (npm workspaces), which the file serves too.
	Project    string   `json:"project"`
	Lock       string   `json:"lock"`
	Output     string   `json:"output"`
	Workspaces []string `json:"workspaces"`
	// Registry is Facts.Registry: "" when none is known.
	Registry string `json:"registry"`
	Counts   Counts `json:"counts"`
	// Scripts are the packages that run code at build time.
	Scripts []Script `json:"installScripts"`
	// Unpinned are the sources the lock pins by no hash, a weak one, or no
	// commit.
	Unpinned []Unpinned `json:"notStronglyPinned"`
	Git      []Git      `json:"git"`
	// Hosts are the hosts of fetched sources other than the registry.
	Hosts      []Host       `json:"otherHosts"`
	Platforms  []Platform   `json:"platformSpecific"`
	Extraneous []Extraneous `json:"extraneous"`
	Damaged    []string     `json:"damaged"`
	OutOfSync  []string     `json:"outOfSync"`
}

// Counts are the report's totals.
type Counts struct {
	Packages int `json:"packages"`
	// Dev and Optional count packages that every install marks so.
	Dev              int `json:"dev"`
	Optional         int `json:"optional"`
	PlatformSpecific int `json:"platformSpecific"`
	// Sources counts distinct sources, extra sources included.
	Sources Sources `json:"sources"`
	// Hashes counts the fetched archives by their hash.
	Hashes Hashes `json:"hashes"`
}

// Sources counts sources by kind. Git counts git dependencies, those
// fetched as their host's archive of the commit too, which URL does not
// count.
type Sources struct {
	Total    int `json:"total"`
	Registry int `json:"registryTarball"`
	URL      int `json:"otherURL"`
	Git      int `json:"git"`
	Local    int `json:"local"`
}

// Hashes counts fetched archives by hash algorithm.
type Hashes struct {
	SHA512 int `json:"sha512"`
	SHA384 int `json:"sha384"`
	SHA256 int `json:"sha256"`
	SHA1   int `json:"sha1"`
	MD5    int `json:"md5"`
	None   int `json:"none"`
}

// Script is a package that runs code at build time.
type Script struct {
	Package string `json:"package"`
	Runs    string `json:"runs"`
}

// Unpinned is a source the lock does not pin strongly. Problem is "no
// hash", "md5", "sha1" or "no commit"; PinnedBy is "pin" when the user's
// pin covers it, else "".
type Unpinned struct {
	Package  string `json:"package"`
	Source   string `json:"source"`
	Problem  string `json:"problem"`
	PinnedBy string `json:"pinnedBy"`
}

// Git is a git source and the commit it is fetched at.
type Git struct {
	Package string `json:"package"`
	URL     string `json:"url"`
	Commit  string `json:"commit"`
	// PinnedBy says where the commit comes from: "lock" or "pin"; "" when
	// there is none (Commit then holds the branch or tag the lock names,
	// or nothing).
	PinnedBy string `json:"pinnedBy"`
	// Archive is the URL of the git host's archive of the commit that is
	// fetched instead of the repository (lockfile.Source.Repo: npm's and yarn's
	// GitHub dependencies), which Counts.Sources counts as git, and
	// Counts.Hashes and Hosts as the archive fetched; "" (and left out of
	// the JSON) for a git source fetched as one.
	Archive string `json:"archive,omitempty"`
	// Dir is the folder of the repository that is the package
	// (lockfile.Source.Dir: npm's "#COMMIT::path:DIR"); "" (and left out
	// of the JSON) for the whole repository.
	Dir string `json:"dir,omitempty"`
}

// Host is a host other than the registry and the packages fetched from it.
type Host struct {
	Host     string   `json:"host"`
	Packages []string `json:"packages"`
}

// Platform is a package meant for some platforms only.
type Platform struct {
	Package string   `json:"package"`
	Rule    string   `json:"rule"`
	Hosts   []string `json:"hosts"`
}

// Extraneous is an entry the lock keeps although nothing requires it.
type Extraneous struct {
	Package string `json:"package"`
	Path    string `json:"path"`
}

// source is one fetch and the package (or "package (extra: path)") that
// names it first, with that package's name ("" for an extra source).
type source struct {
	owner, name string
	src         lockfile.Source
}

// New computes the report of g.
func New(g *lockfile.Graph, f Facts) *Report {
	r := &Report{
		Ecosystem: f.Ecosystem, Project: f.Project, Lock: f.Lock, Output: f.Output, Registry: f.Registry,
		Workspaces: append([]string{}, g.Root.Workspaces...),
		Scripts:    []Script{}, Unpinned: []Unpinned{}, Git: []Git{}, Hosts: []Host{},
		Platforms: []Platform{}, Extraneous: []Extraneous{}, OutOfSync: slices.Clone(f.OutOfSync),
		Damaged: append([]string{}, f.Damaged...),
	}
	if r.OutOfSync == nil {
		r.OutOfSync = []string{}
	}
	r.Counts.Packages = len(g.Packages)
	var srcs []source
	for _, p := range g.Packages {
		r.packageFacts(p, f)
		if p.Source.Kind != lockfile.NoSource && p.Source.Kind != lockfile.Bundled {
			srcs = append(srcs, source{p.ID, p.Name, p.Source})
		}
	}
	for _, e := range f.Extra {
		srcs = append(srcs, source{e.Package + " (extra: " + e.Path + ")", "", e.Source})
	}
	r.sources(srcs, f)
	for id, rs := range f.Platforms {
		r.Platforms = append(r.Platforms, Platform{Package: id, Rule: rs.Rule, Hosts: nonNil(rs.Hosts)})
	}
	slices.SortFunc(r.Platforms, func(a, b Platform) int { return cmp.Compare(a.Package, b.Package) })
	r.Counts.PlatformSpecific = len(r.Platforms)
	slices.Sort(r.OutOfSync)
	return r
}

// packageFacts counts p's flags and lists its scripts and extraneous
// entries.
func (r *Report) packageFacts(p *lockfile.Package, f Facts) {
	if every(p.Installs, lockfile.FlagDev, lockfile.FlagDevOptional) {
		r.Counts.Dev++
	}
	if every(p.Installs, lockfile.FlagOptional, lockfile.FlagDevOptional) {
		r.Counts.Optional++
	}
	switch runs, ok := f.Scripts[p.ID]; {
	case ok:
		r.Scripts = append(r.Scripts, Script{p.ID, runs})
	case f.Scripts == nil && p.HasInstallScript:
		r.Scripts = append(r.Scripts, Script{p.ID, "install scripts"})
	}
	for _, in := range p.Installs {
		if in.Flags.Has(lockfile.FlagExtraneous) {
			r.Extraneous = append(r.Extraneous, Extraneous{p.ID, in.Path})
		}
	}
}

// every reports whether each install has one of the flags; false for a
// package without installs.
func every(ins []lockfile.Install, a, b lockfile.Flags) bool {
	for _, in := range ins {
		if !in.Flags.Has(a) && !in.Flags.Has(b) {
			return false
		}
	}
	return len(ins) > 0
}

// sources counts each distinct source once, and lists weak pins (under
// the first package that names the source), and git sources and other
// hosts (under every package).
func (r *Report) sources(srcs []source, f Facts) {
	seen := map[lockfile.SourceID]bool{}
	hosts := map[string][]string{}
	for _, s := range srcs {
		if seen[s.src.ID()] {
			// Counted once; listed under every package that names it.
			switch s.src.Kind {
			case lockfile.Tarball:
				if host := hostOf(s.src.URL); host != f.Registry {
					hosts[host] = append(hosts[host], s.owner)
				}
				r.archive(s)
			case lockfile.Git:
				hosts[hostOf(s.src.URL)] = append(hosts[hostOf(s.src.URL)], s.owner)
				r.Git = append(r.Git, Git{Package: s.owner, URL: s.src.URL, Commit: s.src.Rev, PinnedBy: gitPinnedBy(s.src), Dir: s.src.Dir})
			}
			continue
		}
		seen[s.src.ID()] = true
		c := &r.Counts.Sources
		c.Total++
		switch s.src.Kind {
		case lockfile.Tarball:
			host := hostOf(s.src.URL)
			switch {
			case s.src.Repo != "":
				// A git dependency fetched as its host's archive of the
				// commit: one git source, whose archive has a hash and a
				// host.
				c.Git++
			case host == f.Registry:
				c.Registry++
			default:
				c.URL++
			}
			if host != f.Registry {
				hosts[host] = append(hosts[host], s.owner)
			}
			r.hashOf(s)
			r.archive(s)
		case lockfile.Git:
			c.Git++
			hosts[hostOf(s.src.URL)] = append(hosts[hostOf(s.src.URL)], s.owner)
			r.git(s, f)
		default:
			c.Local++
		}
	}
	for h, owners := range hosts {
		slices.Sort(owners)
		r.Hosts = append(r.Hosts, Host{h, owners})
	}
	slices.SortFunc(r.Hosts, func(a, b Host) int { return cmp.Compare(a.Host, b.Host) })
	slices.SortFunc(r.Unpinned, func(a, b Unpinned) int { return cmp.Compare(a.Package, b.Package) })
	slices.SortFunc(r.Git, func(a, b Git) int { return cmp.Compare(a.Package, b.Package) })
}

// archive lists a git host's archive of a commit under the git sources
// too: the repository and the commit the lock names, and the archive
// fetched for them.
func (r *Report) archive(s source) {
	if s.src.Repo != "" {
		r.Git = append(r.Git, Git{Package: s.owner, URL: s.src.Repo, Commit: s.src.Rev, PinnedBy: gitPinnedBy(s.src.AsGit()), Archive: s.src.URL, Dir: s.src.Dir})
	}
}

// hashOf counts a fetched archive's hash and lists it when it is weak or
// missing.
func (r *Report) hashOf(s source) {
	h := &r.Counts.Hashes
	problem := ""
	switch s.src.Hash.Algo {
	case lockfile.SHA512:
		h.SHA512++
	case lockfile.SHA384:
		h.SHA384++
	case lockfile.SHA256:
		h.SHA256++
	case lockfile.SHA1:
		h.SHA1++
		problem = "sha1"
	case lockfile.MD5:
		h.MD5++
		problem = "md5"
	case lockfile.NoAlgo:
		h.None++
		problem = "no hash"
	}
	switch {
	case s.src.FromPins:
		// The lock had no strong hash; the pins file (or --pin) has one.
		r.Unpinned = append(r.Unpinned, Unpinned{Package: s.owner, Source: s.src.URL, Problem: "no strong hash in the lock", PinnedBy: "pin"})
	case problem != "":
		r.Unpinned = append(r.Unpinned, Unpinned{Package: s.owner, Source: s.src.URL, Problem: problem})
	}
}

// git lists a git source, and as not pinned by the lock when its commit
// came from a pin or is missing (dune's development pins, with a branch
// or nothing after "#").
func (r *Report) git(s source, f Facts) {
	by := gitPinnedBy(s.src)
	switch by {
	case "pin":
		r.Unpinned = append(r.Unpinned, Unpinned{Package: s.owner, Source: s.src.URL, Problem: "no commit", PinnedBy: by})
	case "":
		r.Unpinned = append(r.Unpinned, Unpinned{Package: s.owner, Source: s.src.URL, Problem: "no commit"})
	}
	r.Git = append(r.Git, Git{Package: s.owner, URL: s.src.URL, Commit: s.src.Rev, PinnedBy: by, Dir: s.src.Dir})
}

// gitPinnedBy says where a git source's commit comes from: "lock", "pin",
// or "" when it has none.
func gitPinnedBy(src lockfile.Source) string {
	switch {
	case src.FromPins:
		return "pin"
	case !lockfile.IsCommit(src.Rev):
		return ""
	}
	return "lock"
}

// Strict reports whether --strict passes: every source pinned strongly by
// the lock or the user, and the lock in sync with the manifest.
func (r *Report) Strict() bool {
	for _, u := range r.Unpinned {
		if u.PinnedBy == "" {
			return false
		}
	}
	return len(r.OutOfSync) == 0
}

// hostOf is a URL's host, or the URL itself when it has none.
func hostOf(u string) string {
	if p, err := url.Parse(u); err == nil && p.Host != "" {
		return p.Host
	}
	return u
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
