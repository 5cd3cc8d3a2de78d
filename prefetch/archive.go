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
	_, err := unpack(r, dir)
	return err
}

// unpack is unpackArchive, which returns its unpacker too (for the
// tests).
func unpack(r io.Reader, dir string) (*unpacker, error) {
	u := &unpacker{kinds: map[string]byte{}, links: map[string]string{}}
	return u, u.unpack(r, dir)
}

// unpack does unpackArchive's work.
func (u *unpacker) unpack(r io.Reader, dir string) error {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return fmt.Errorf("not a gzipped tar: %w", err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	defer root.Close()
	u.root = root
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
	// steps counts the names checkLinks walked (for the tests).
	steps int
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

// errLinkLoop is a link's that goes round, or through too many links.
var errLinkLoop = fmt.Errorf("goes round in links, or through more than %d of them", maxLinks)

// checkLinks refuses a symbolic link that leads out of the top folder,
// following the links it meets on the way as the system would (a link
// "a" to "." makes "a/.." the folder above), at most maxLinks in all for
// one link. The first by path is named.
//
// The walk goes by the tree's nodes, ".." to a node's parent, and where
// a link leads (or why it fails) is found once and kept: it is the same
// wherever the walk comes from, the link's target being read in the
// folder that holds it. So the work is the length of the targets, however
// many links lead through a long chain of others, and the links followed
// on the way wait on a list, not on the call stack.
func (u *unpacker) checkLinks() error {
	root := &node{}
	for _, p := range slices.Sorted(maps.Keys(u.kinds)) {
		n := root
		for part := range strings.SplitSeq(p, "/") {
			next := n.kids[part]
			if next == nil {
				if n.kids == nil {
					n.kids = map[string]*node{}
				}
				next = &node{parent: n}
				n.kids[part] = next
			}
			n = next
		}
		if target, ok := u.links[p]; ok {
			n.link, n.target = true, target
		}
	}
	for _, p := range slices.Sorted(maps.Keys(u.links)) {
		n := root
		for part := range strings.SplitSeq(p, "/") {
			n = n.kids[part]
		}
		if err := u.resolve(n).err; err != nil {
			return fmt.Errorf("%q: a link to %q, which %w", u.top+"/"+p, u.links[p], err)
		}
	}
	return nil
}

// node is a member of the unpacked tree, for checkLinks: a folder with
// its entries, a file, or a link with its target and, once resolved,
// where it leads.
type node struct {
	parent *node
	kids   map[string]*node
	link   bool
	target string
	state  uint8 // for a link: 0, resolving, resolved
	leads  leads
}

const (
	resolving = 1
	resolved  = 2
)

// leads is where a link leads: the node reached, and past a name that
// does not exist, how many names more (taken as written: nothing
// below a missing name is a link); the links it passed, itself not
// counted; or why it fails.
type leads struct {
	at      *node
	extra   int
	follows int
	err     error
}

// frame is a link being resolved: the rest of its target to walk and
// where the walk is.
type frame struct {
	link *node
	rest string
	at   leads
}

// resolve returns where the link l leads, resolving on the way the
// links its target passes, each once.
func (u *unpacker) resolve(l *node) leads {
	if l.state == resolved {
		return l.leads
	}
	l.state = resolving
	stack := []frame{{link: l, rest: l.target, at: leads{at: l.parent}}}
	var done leads
	// pass moves the walk f to where a link it met leads, r, or returns
	// why f fails instead, and false.
	pass := func(f *frame, r leads) (leads, bool) {
		if r.err != nil {
			return leads{err: r.err}, false
		}
		if f.at.follows += 1 + r.follows; f.at.follows > maxLinks {
			return leads{err: errLinkLoop}, false
		}
		f.at.at, f.at.extra = r.at, r.extra
		return leads{}, true
	}
	// end ends the top frame: its link leads to r. The frame below, which
	// met that link, goes on from there, or ends too when that fails it.
	end := func(r leads) {
		for {
			top := &stack[len(stack)-1]
			top.link.state, top.link.leads = resolved, r
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				done = r
				return
			}
			var ok bool
			if r, ok = pass(&stack[len(stack)-1], r); ok {
				return
			}
		}
	}
	for len(stack) > 0 {
		f := &stack[len(stack)-1]
		if f.rest == "" {
			end(f.at)
			continue
		}
		var part string
		part, f.rest, _ = strings.Cut(f.rest, "/")
		u.steps++
		switch {
		case part == "" || part == ".":
		case part == "..":
			switch {
			case f.at.extra > 0:
				f.at.extra--
			case f.at.at.parent == nil:
				end(leads{err: errors.New("leads out of the archive's top folder")})
			default:
				f.at.at = f.at.at.parent
			}
		case f.at.extra > 0:
			f.at.extra++
		default:
			c := f.at.at.kids[part]
			switch {
			case c == nil:
				f.at.extra = 1
			case !c.link:
				f.at.at = c
			case c.state == resolved:
				if r, ok := pass(f, c.leads); !ok {
					end(r)
				}
			case c.state == resolving:
				// c's walk led here, and this one leads back to c.
				end(leads{err: errLinkLoop})
			default:
				c.state = resolving
				stack = append(stack, frame{link: c, rest: c.target, at: leads{at: c.parent}})
			}
		}
	}
	return done
}
