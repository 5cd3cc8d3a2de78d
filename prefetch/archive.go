package prefetch

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path"
	"slices"
	"strings"
)

// unpackArchive writes the files of the gzipped tar r under dir (an empty
// folder) as nixpkgs' fetchzip leaves them: the archive's one top folder
// stripped, files executable when their owner may execute them (all a NAR
// keeps of a mode). GitHub's archive of a commit is such a tar: every
// member under REPO-COMMIT/, and a global header with the commit, which
// tar and this skip.
//
// The archive comes from the network, so anything that would leave dir or
// make the files depend on what lies outside it is refused rather than
// unpacked: an absolute member, a ".." in a member's path, more than one
// top entry, a member under a symbolic link, a link whose target is
// absolute or leads out of the top folder or passes through more than 40
// links (the system's most for one path), a hard link to anything but a
// regular file before it, a member given twice (but for folders), and
// devices, FIFOs and the like; and past 8 GiB of files or a million
// members, it stops. Every write goes through an os.Root, which
// never leaves dir whatever the checks miss.
func unpackArchive(r io.Reader, dir string) error {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return fmt.Errorf("not a gzipped tar: %w", err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	defer root.Close()
	u := &unpacker{root: root, kinds: map[string]byte{}, links: map[string]string{}}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("reading the archive: %w", err)
		}
		if err := u.member(h, tr); err != nil {
			return err
		}
	}
	if u.top == "" {
		return errors.New("the archive holds no folder")
	}
	return u.checkLinks()
}

// The most an archive may hold, past which it is refused rather than
// unpacked further: a few kilobytes of gzip may stand for terabytes of
// zeros or millions of empty files, which would fill the temporary
// folder's disk (or memory, a tmpfs) long before the download's timeout.
// A repository that npm or yarn installs is far smaller. Variables for
// the tests.
var (
	maxArchiveBytes   int64 = 8 << 30 // of files, all together
	maxArchiveMembers       = 1 << 20
)

// unpacker unpacks one archive into the folder root, which stands for the
// top folder.
type unpacker struct {
	root *os.Root
	top  string
	// bytes and members count what was unpacked, against the limits.
	bytes   int64
	members int
	// kinds holds every member written, by its path in the stripped tree:
	// tar.TypeDir, tar.TypeReg or tar.TypeSymlink.
	kinds map[string]byte
	// links holds every symbolic link's target, by its path.
	links map[string]string
}

// stripped returns name (a member's path, or a hard link's) without the
// top folder, "." for the folder itself, checking it on the way.
func (u *unpacker) stripped(name string) (string, error) {
	if strings.HasPrefix(name, "/") {
		return "", fmt.Errorf("%q: an absolute path", name)
	}
	for _, part := range strings.Split(name, "/") {
		if part == ".." {
			return "", fmt.Errorf("%q: a path that leads out with ..", name)
		}
	}
	clean := path.Clean(name)
	if clean == "." {
		return "", fmt.Errorf("%q: no top folder", name)
	}
	top, rest, _ := strings.Cut(clean, "/")
	if u.top == "" {
		u.top = top
	} else if top != u.top {
		return "", fmt.Errorf("%q: a second top entry beside %q: fetchzip wants one top folder", name, u.top)
	}
	if rest == "" {
		return ".", nil
	}
	return rest, nil
}

// member writes one member of the archive.
func (u *unpacker) member(h *tar.Header, body io.Reader) error {
	switch h.Typeflag {
	case tar.TypeXGlobalHeader:
		return nil // GitHub's comment with the commit: no file
	case tar.TypeDir, tar.TypeReg, tar.TypeSymlink, tar.TypeLink:
	default:
		return fmt.Errorf("%q: a member of type %q, neither file, folder nor link", h.Name, h.Typeflag)
	}
	if u.members++; u.members > maxArchiveMembers {
		return fmt.Errorf("more than %d members: too many to unpack", maxArchiveMembers)
	}
	if h.Typeflag == tar.TypeReg {
		if u.bytes += h.Size; u.bytes > maxArchiveBytes {
			return fmt.Errorf("%q: more than %d bytes of files: too much to unpack", h.Name, maxArchiveBytes)
		}
	}
	p, err := u.stripped(h.Name)
	if err != nil {
		return err
	}
	if p == "." {
		if h.Typeflag != tar.TypeDir {
			return fmt.Errorf("%q: the top entry is not a folder: fetchzip wants one top folder", h.Name)
		}
		return nil
	}
	// Its folders, made as tar makes them, must be folders, not links
	// (which tar would follow) or files.
	parts := strings.Split(p, "/")
	for i := 1; i < len(parts); i++ {
		parent := strings.Join(parts[:i], "/")
		switch u.kinds[parent] {
		case 0:
			u.kinds[parent] = tar.TypeDir
		case tar.TypeDir:
		default:
			return fmt.Errorf("%q: under %q, which is not a folder", h.Name, parent)
		}
	}
	if k, ok := u.kinds[p]; ok && !(k == tar.TypeDir && h.Typeflag == tar.TypeDir) {
		return fmt.Errorf("%q: given twice", h.Name)
	}
	if err := u.mkdirs(path.Dir(p)); err != nil {
		return err
	}
	switch h.Typeflag {
	case tar.TypeDir:
		u.kinds[p] = tar.TypeDir
		return u.mkdirs(p)
	case tar.TypeSymlink:
		if h.Linkname == "" || strings.HasPrefix(h.Linkname, "/") {
			return fmt.Errorf("%q: a link to %q, an absolute path", h.Name, h.Linkname)
		}
		u.kinds[p], u.links[p] = tar.TypeSymlink, h.Linkname
		return u.root.Symlink(h.Linkname, p)
	case tar.TypeLink:
		target, err := u.stripped(h.Linkname)
		if err != nil {
			return fmt.Errorf("%q: a hard link to %w", h.Name, err)
		}
		if u.kinds[target] != tar.TypeReg {
			return fmt.Errorf("%q: a hard link to %q, not a file before it", h.Name, h.Linkname)
		}
		u.kinds[p] = tar.TypeReg
		return u.root.Link(target, p)
	}
	u.kinds[p] = tar.TypeReg
	mode := os.FileMode(0o644)
	if h.Mode&0o100 != 0 {
		mode = 0o755
	}
	f, err := u.root.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	_, err = io.Copy(f, body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("%q: %w", h.Name, err)
	}
	// The mode past the umask: executable or not is the file's content
	// to Nix.
	return u.root.Chmod(p, mode)
}

// mkdirs makes the folder p of the root and its parents.
func (u *unpacker) mkdirs(p string) error {
	return u.root.MkdirAll(p, 0o755)
}

// maxLinks is how many links one link's target may pass through in all,
// as Linux allows one path (MAXSYMLINKS; ELOOP past it).
const maxLinks = 40

// checkLinks refuses a symbolic link that leads out of the top folder,
// following the links it meets on the way as the system would (a link
// "a" to "." makes "a/.." the folder above), at most maxLinks in all for
// one link. The first by path is named. The walk goes by the tree's
// nodes, never by joining paths, so each step costs one name: a target
// costs its length, a link at most maxLinks targets.
func (u *unpacker) checkLinks() error {
	root := &node{}
	for _, p := range slices.Sorted(maps.Keys(u.kinds)) {
		n := root
		for part := range strings.SplitSeq(p, "/") {
			if n.kids == nil {
				n.kids = map[string]*node{}
			}
			next := n.kids[part]
			if next == nil {
				next = &node{}
				n.kids[part] = next
			}
			n = next
		}
		if target, ok := u.links[p]; ok {
			n.link, n.target = true, target
		}
	}
	for _, p := range slices.Sorted(maps.Keys(u.links)) {
		// The folders from the top to the link's.
		var at []*node
		n := root
		if d := path.Dir(p); d != "." {
			for part := range strings.SplitSeq(d, "/") {
				n = n.kids[part]
				at = append(at, n)
			}
		}
		budget := maxLinks
		if _, err := resolve(root, at, u.links[p], &budget); err != nil {
			return fmt.Errorf("%q: a link to %q, which %w", u.top+"/"+p, u.links[p], err)
		}
	}
	return nil
}

// node is a member of the unpacked tree, for resolve: a folder with its
// entries, a file, or a link with its target.
type node struct {
	kids   map[string]*node
	link   bool
	target string
}

// resolve returns where target, read in the folder at (the nodes from
// the top down, none for the top itself; resolve may reuse its array),
// leads: the nodes from the top down, the links it passes followed, each
// taken from budget. Past a name that does not exist (a nil node) the
// rest is taken as written.
func resolve(root *node, at []*node, target string, budget *int) ([]*node, error) {
	for part := range strings.SplitSeq(target, "/") {
		switch part {
		case "", ".":
			continue
		case "..":
			if len(at) == 0 {
				return nil, errors.New("leads out of the archive's top folder")
			}
			at = at[:len(at)-1]
			continue
		}
		dir := root
		if len(at) > 0 {
			dir = at[len(at)-1]
		}
		var n *node
		if dir != nil {
			n = dir.kids[part]
		}
		if n == nil || !n.link {
			at = append(at, n)
			continue
		}
		if *budget--; *budget < 0 {
			return nil, fmt.Errorf("goes round in links, or through more than %d of them", maxLinks)
		}
		var err error
		if at, err = resolve(root, at, n.target, budget); err != nil {
			return nil, err
		}
	}
	return at, nil
}
