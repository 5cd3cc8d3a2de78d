package lockfile

import (
	"errors"
	"strings"
)

// SourceKind says where a package's files come from.
type SourceKind uint8

const (
	// NoSource: nothing to fetch (the root project, or a package whose
	// lockfile entry names no origin).
	NoSource SourceKind = iota
	// Tarball: an archive fetched from URL and checked against Hash.
	Tarball
	// Git: a repository at URL, pinned to the commit Rev.
	Git
	// Directory: a local folder at Path, relative to the project root.
	Directory
	// LocalTarball: a local archive at Path, relative to the project root.
	LocalTarball
	// Link: a symbolic link to a folder of the project (a workspace) at Path.
	Link
	// Bundled: shipped inside the archive of the package that bundles it.
	Bundled
)

// String returns the kind's name: none, tarball, git, directory,
// local-tarball, link, bundled.
func (k SourceKind) String() string {
	switch k {
	case NoSource:
		return "none"
	case Tarball:
		return "tarball"
	case Git:
		return "git"
	case Directory:
		return "directory"
	case LocalTarball:
		return "local-tarball"
	case Link:
		return "link"
	case Bundled:
		return "bundled"
	}
	return "unknown"
}

// Source is the origin of a package's files.
type Source struct {
	Kind SourceKind
	// URL is the archive's address (Tarball) or the repository's (Git), as
	// the lockfile gives it after registry rewriting.
	URL string
	// Hash is the archive's content hash (Tarball, LocalTarball); it may be
	// zero when the lockfile records none.
	Hash Hash
	// Rev is the full commit id of a Git source. When the lockfile names
	// only a branch or tag, Rev holds that ref ("" for the default branch)
	// and the source is not Pinned.
	Rev string
	// Path is a project-relative folder or file (Directory, LocalTarball,
	// Link), with forward slashes.
	Path string
	// Origin is where the lockfile states the source, for messages about
	// it; parsers fill it for local sources. It is not part of the
	// source's identity.
	Origin Pos
	// FromPins reports that Hash or Rev came from a pins file (or a --pin
	// flag), not from the lockfile.
	FromPins bool
	// Repo is set on a Tarball that is a git host's archive of the commit
	// Rev (GitHub's https://codeload.github.com/OWNER/REPO/tar.gz/COMMIT,
	// as npm and yarn 1 fetch GitHub dependencies): the repository's URL.
	// The lockfile names the commit but no archive hash, which the pins
	// file gives; Hash is then the hash of the archive's files (sha256 of
	// their NAR, the archive's one top folder stripped), which Nix fetches
	// unpacked, not of its bytes. Without one, the source may be fetched
	// as that git commit instead (AsGit).
	Repo string
	// Dir is the folder of a Git source's checkout that holds the
	// package, which is installed in place of the whole repository
	// (npm's "#COMMIT::path:DIR"): relative, its names separated by
	// single slashes, none "." or "..". "" is the whole repository. It
	// is not part of the source's identity: packages from two folders
	// of one commit share its fetch.
	Dir string
}

// AsGit returns the git source of an archive of a commit (Repo set): the
// repository at that commit, stated where the archive is.
func (s Source) AsGit() Source {
	return Source{Kind: Git, URL: s.Repo, Rev: s.Rev, Origin: s.Origin, Dir: s.Dir}
}

// Fetchable reports whether the source is fetched from the network.
func (s Source) Fetchable() bool { return s.Kind == Tarball || s.Kind == Git }

// Pinned reports whether the source's content is fixed by the lockfile: a
// tarball with a hash, or a git source with a full commit id.
func (s Source) Pinned() bool {
	switch s.Kind {
	case Tarball:
		return !s.Hash.IsZero()
	case Git:
		return IsCommit(s.Rev)
	}
	return true
}

// SourceID identifies a source: two packages whose sources have equal IDs
// share one fetch. It is comparable, for use as a map key.
type SourceID struct {
	Kind SourceKind
	// Loc is the URL (Tarball, Git) or the path (Directory, LocalTarball,
	// Link); Rev is a Git source's commit.
	Loc, Rev string
}

// ID returns the source's identity. A tarball is identified by its URL
// alone, so that entries that omit the hash share the fetch of those that
// carry it.
func (s Source) ID() SourceID {
	switch s.Kind {
	case Tarball:
		return SourceID{Kind: s.Kind, Loc: s.URL}
	case Git:
		return SourceID{Kind: s.Kind, Loc: s.URL, Rev: s.Rev}
	case Directory, LocalTarball, Link:
		return SourceID{Kind: s.Kind, Loc: s.Path}
	}
	return SourceID{Kind: s.Kind}
}

// String returns the identity as text: "tarball <url>", "git <url>#<rev>",
// "<kind> <path>", or the kind alone.
func (id SourceID) String() string {
	switch id.Kind {
	case Git:
		return "git " + id.Loc + "#" + id.Rev
	case Tarball, Directory, LocalTarball, Link:
		return id.Kind.String() + " " + id.Loc
	}
	return id.Kind.String()
}

// Local reports whether the source is a path of the project.
func (s Source) Local() bool {
	return s.Kind == Directory || s.Kind == LocalTarball || s.Kind == Link
}

// IsCommit reports whether rev is a full hexadecimal git commit id (SHA-1 or
// SHA-256).
func IsCommit(rev string) bool {
	if len(rev) != 40 && len(rev) != 64 {
		return false
	}
	return strings.Trim(rev, "0123456789abcdef") == ""
}

// CheckDir checks a folder of a git checkout that a lockfile names as the
// package (Source.Dir): names separated by single slashes, none empty, "."
// or "..", with no backslash, no "%" (a reader that decodes it would find
// another folder than one that does not), no ":" and no control
// character, so that it stays inside the checkout whoever reads it.
func CheckDir(dir string) error {
	switch {
	case dir == "":
		return errors.New("is empty")
	case dir[0] == '/':
		return errors.New("is absolute")
	case strings.ContainsRune(dir, '\\'):
		return errors.New("holds a backslash")
	case strings.ContainsRune(dir, '%'):
		return errors.New("is percent-encoded")
	case strings.ContainsRune(dir, ':'):
		return errors.New("holds a colon")
	}
	for _, c := range dir {
		if c < 0x20 || c == 0x7f {
			return errors.New("holds a control character")
		}
	}
	for _, name := range strings.Split(dir, "/") {
		switch name {
		case "":
			return errors.New("has an empty name (a doubled or trailing slash)")
		case "..":
			return errors.New(`goes up a folder (".."), maybe out of the repository`)
		case ".":
			return errors.New(`has the name "." (only folder names are taken)`)
		}
	}
	return nil
}
