// Package localpath draws the boundary for the local paths a lockfile
// names (npm file: and link entries, dune copy and file:// sources): a
// generated file turns them into store paths, which are world-readable and
// often pushed to a binary cache, so each must stay inside a root the user
// chose.
//
// Nix copies a path into the store without following a symbolic link at
// the path itself or inside the folder (the link is copied as a link), but
// follows every link among the path's parents. Check therefore resolves
// the parents, and rejects links inside the folder that lead out too: a
// copied link to /home/user/.ssh still reaches it in a build without a
// sandbox.
package localpath

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Root returns the default boundary for the project in dir: the nearest
// folder, dir itself or one of its parents, that holds .git (the
// repository); dir itself when there is none. The result is absolute and
// free of symbolic links.
func Root(dir string) (string, error) {
	abs, err := realDir(dir)
	if err != nil {
		return "", err
	}
	for d := abs; ; d = filepath.Dir(d) {
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return abs, nil
		}
	}
}

// OutsideError reports a local path that leads outside the root.
type OutsideError struct {
	// Path is the path as the lockfile wrote it; Resolved is where it
	// leads, or the link inside it that leads out (Via).
	Path, Resolved, Via string
	Root                string
}

func (e *OutsideError) Error() string {
	if e.Via != "" {
		return fmt.Sprintf("%s holds the symbolic link %s, which leads to %s, outside %s", e.Path, e.Via, e.Resolved, e.Root)
	}
	return fmt.Sprintf("%s leads to %s, outside %s", e.Path, e.Resolved, e.Root)
}

// Check reports whether rel, a path the lockfile of the project in dir
// names (slash-separated, relative to dir), stays inside root: lexically,
// once the symbolic links among its parents and itself are resolved, and,
// for a folder, through every link inside it, but in the folders named
// skip, which the caller's generated file leaves out. root must come from Root or
// be absolute and free of links. A path that does not exist is checked as
// far as it exists; Nix stops on the rest.
func Check(root, dir, rel string, skip ...string) error {
	c, err := NewChecker(root, dir, skip...)
	if err != nil {
		return err
	}
	return c.Check(rel)
}

// Checker checks the local paths of one project, as Check does: the
// project's folder is resolved once, not once per path (a monorepo's
// lockfile names a hundred).
type Checker struct {
	root, base string
	skip       []string
	// plain holds the folders below base found not to be links, which the
	// paths below them need not look at again.
	plain map[string]bool
}

// NewChecker returns the Checker for the project in dir.
func NewChecker(root, dir string, skip ...string) (*Checker, error) {
	base, err := realDir(dir)
	if err != nil {
		return nil, err
	}
	return &Checker{root: root, base: base, skip: skip, plain: map[string]bool{}}, nil
}

// Check is [Check] for one path of the Checker's project.
func (c *Checker) Check(rel string) error {
	root, base, skip := c.root, c.base, c.skip
	outside := func(resolved, via string) error {
		return &OutsideError{Path: rel, Resolved: resolved, Via: via, Root: root}
	}
	if filepath.IsAbs(rel) || strings.HasPrefix(rel, "/") {
		return outside(rel, "")
	}
	lexical := filepath.Join(base, filepath.FromSlash(rel))
	if !Within(root, lexical) {
		return outside(lexical, "")
	}
	real, exists, fi, err := c.resolveUnder(lexical)
	if err != nil {
		return err
	}
	if !Within(root, real) {
		return outside(real, "")
	}
	if !exists {
		return nil
	}
	if fi == nil {
		if fi, err = os.Stat(real); err != nil {
			return err
		}
	}
	if !fi.IsDir() {
		return nil
	}
	return filepath.WalkDir(real, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && p != real && slices.Contains(skip, d.Name()) {
			// Folders the generated file leaves out (npm's
			// node_modules and .git, which in a monorepo would take
			// long to walk).
			return filepath.SkipDir
		}
		if d.Type()&fs.ModeSymlink == 0 {
			return nil
		}
		target, err := os.Readlink(p)
		if err != nil {
			return err
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(filepath.Dir(p), target)
		}
		if r, err := filepath.EvalSymlinks(target); err == nil {
			target = r
		}
		if !Within(root, target) {
			return outside(target, p)
		}
		return nil
	})
}

// Within reports whether the absolute, clean path p is root or lies
// below it.
func Within(root, p string) bool {
	return p == root || strings.HasPrefix(p, root+string(filepath.Separator)) || root == string(filepath.Separator)
}

// resolve resolves the links of p's longest existing prefix and appends
// the rest, and reports whether p exists. A link whose target does not
// exist (here: it may on the machine that builds) is followed to that
// target, which is resolved in turn.
func resolve(p string) (string, bool, error) {
	rest := ""
	for hops := 0; ; {
		r, err := filepath.EvalSymlinks(p)
		if err == nil {
			return filepath.Join(r, rest), rest == "", nil
		}
		if !errors.Is(err, fs.ErrNotExist) || filepath.Dir(p) == p {
			return "", false, err
		}
		if fi, lerr := os.Lstat(p); lerr == nil && fi.Mode()&fs.ModeSymlink != 0 {
			if hops++; hops > 255 {
				return "", false, fmt.Errorf("%s: too many levels of symbolic links", p)
			}
			target, err := os.Readlink(p)
			if err != nil {
				return "", false, err
			}
			if !filepath.IsAbs(target) {
				target = filepath.Join(filepath.Dir(p), target)
			}
			p = filepath.Clean(target)
			continue
		}
		rest = filepath.Join(filepath.Base(p), rest)
		p = filepath.Dir(p)
	}
}

// resolveUnder is resolve for a path below base, which is free of links:
// only the parts below base are looked at, and of those only the ones no
// earlier path went through. Where one is a link or cannot be looked at,
// resolve works the whole path out instead. It returns what it found at p
// when that is not a link (nil otherwise).
func (c *Checker) resolveUnder(p string) (string, bool, fs.FileInfo, error) {
	rest, ok := strings.CutPrefix(p, c.base+string(filepath.Separator))
	if !ok {
		real, exists, err := resolve(p)
		return real, exists, nil, err
	}
	cur := c.base
	var fi fs.FileInfo
	parts := strings.Split(rest, string(filepath.Separator))
	for i, part := range parts {
		cur = filepath.Join(cur, part)
		last := i == len(parts)-1
		if !last && c.plain[cur] {
			continue
		}
		var err error
		fi, err = os.Lstat(cur)
		if err != nil || fi.Mode()&fs.ModeSymlink != 0 {
			real, exists, err := resolve(p)
			return real, exists, nil, err
		}
		if !last {
			c.plain[cur] = true
		}
	}
	return cur, true, fi, nil
}

func realDir(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	return filepath.EvalSymlinks(abs)
}
