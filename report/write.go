package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/lock2nix/lock2nix/internal/oneline"
)

// WriteJSON writes the report as one indented JSON object (README.md
// documents its shape).
func (r *Report) WriteJSON(w io.Writer) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// hostListed is how many packages of a host the text names.
const hostListed = 5

// WriteText writes the report for people: the counts, then one section
// per list, each saying "none" when empty. Each entry is one line: what
// it quotes from the lock that does not print is escaped, as in
// lockfile.Error. (WriteJSON keeps the strings exact: JSON escapes them.)
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	c := r.Counts
	fmt.Fprintf(&b, "lock2nix %s report: %s\n\n", r.Ecosystem, oneline.Escape(r.Lock))
	fmt.Fprintf(&b, "packages: %d (dev %d, optional %d, platform-specific %d)\n", c.Packages, c.Dev, c.Optional, c.PlatformSpecific)
	s := c.Sources
	fmt.Fprintf(&b, "sources: %d (registry tarballs %d, other URLs %d, git %d, local %d)\n", s.Total, s.Registry, s.URL, s.Git, s.Local)
	h := c.Hashes
	fmt.Fprintf(&b, "archive hashes: sha512 %d, sha384 %d, sha256 %d, sha1 %d, md5 %d, none %d\n", h.SHA512, h.SHA384, h.SHA256, h.SHA1, h.MD5, h.None)
	registry := r.Registry
	if registry == "" {
		registry = "none"
	}
	fmt.Fprintf(&b, "registry: %s\n", oneline.Escape(registry))

	section(&b, "run code at build time", len(r.Scripts), func(i int) string {
		return r.Scripts[i].Package + ": " + r.Scripts[i].Runs
	})
	section(&b, "not strongly pinned", len(r.Unpinned), func(i int) string {
		u := r.Unpinned[i]
		line := u.Package + ": " + u.Problem + " (" + u.Source + ")"
		if u.PinnedBy != "" {
			line += ", covered by a " + u.PinnedBy
		}
		return line
	})
	section(&b, "git sources", len(r.Git), func(i int) string {
		g := r.Git[i]
		folder := ""
		if g.Dir != "" {
			folder = ", its folder " + g.Dir
		}
		if g.PinnedBy == "" && g.Commit != "" {
			return g.Package + ": " + g.URL + " (no commit: names " + g.Commit + ")" + folder
		}
		if g.PinnedBy == "" {
			return g.Package + ": " + g.URL + " (no commit)" + folder
		}
		line := g.Package + ": " + g.URL + " at " + g.Commit + " (commit from the " + g.PinnedBy + ")" + folder
		if g.Archive != "" {
			line += ", fetched as the files of its archive " + g.Archive
		}
		return line
	})
	section(&b, "hosts other than the registry", len(r.Hosts), func(i int) string {
		ps := r.Hosts[i].Packages
		line := fmt.Sprintf("%s: %d (%s", r.Hosts[i].Host, len(ps), strings.Join(ps[:min(len(ps), hostListed)], ", "))
		if len(ps) > hostListed {
			line += fmt.Sprintf(", … and %d more", len(ps)-hostListed)
		}
		return line + ")"
	})
	section(&b, "only for some platforms (→ which of "+strings.Join(Systems, ", ")+" get them)", len(r.Platforms), func(i int) string {
		p := r.Platforms[i]
		hosts := strings.Join(p.Hosts, ", ")
		if hosts == "" {
			hosts = "none"
		}
		return p.Package + ": " + p.Rule + " → " + hosts
	})
	section(&b, "extraneous entries (required by nothing)", len(r.Extraneous), func(i int) string {
		return r.Extraneous[i].Path + " (" + r.Extraneous[i].Package + ")"
	})
	section(&b, "damaged entries (dropped, as npm drops them)", len(r.Damaged), func(i int) string { return r.Damaged[i] })
	section(&b, "out of sync with the manifest", len(r.OutOfSync), func(i int) string { return r.OutOfSync[i] })
	_, err := io.WriteString(w, b.String())
	return err
}

// section writes a heading with the list's length, then its n lines.
func section(b *strings.Builder, title string, n int, line func(int) string) {
	if n == 0 {
		fmt.Fprintf(b, "\n%s: none\n", title)
		return
	}
	fmt.Fprintf(b, "\n%s: %d\n", title, n)
	for i := range n {
		fmt.Fprintf(b, "  %s\n", oneline.Escape(line(i)))
	}
}

// Systems are the Nix systems a Restriction's Hosts are chosen from: those
// lock2nix's flake builds for.
var Systems = []string{"x86_64-linux", "aarch64-linux", "x86_64-darwin", "aarch64-darwin"}
