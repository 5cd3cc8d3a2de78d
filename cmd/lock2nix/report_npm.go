package main

import (
	"cmp"
	"net/url"
	"strings"

	"github.com/lock2nix/lock2nix/lockfile"
	"github.com/lock2nix/lock2nix/nixexpr/npm"
	"github.com/lock2nix/lock2nix/report"
)

// npmFacts are what --report needs to know of npm besides the graph: the
// registry's host (--registry's, or else the host that serves most
// tarballs at npm's registry paths, <name>/-/<file>.tgz), and which Nix
// systems get each package that names os, cpu or libc.
func npmFacts(g *lockfile.Graph, registry string) report.Facts {
	f := report.Facts{Platforms: map[string]report.Restriction{}}
	if u, err := url.Parse(registry); err == nil && u.Host != "" {
		f.Registry = u.Host
	} else {
		f.Registry = busiestRegistryHost(g)
	}
	for _, p := range g.Packages {
		if p.Platform.IsZero() {
			continue
		}
		var rule []string
		for _, l := range []struct {
			name string
			list []string
		}{{"os", p.Platform.OS}, {"cpu", p.Platform.CPU}, {"libc", p.Platform.Libc}} {
			if len(l.list) > 0 {
				rule = append(rule, l.name+" "+strings.Join(l.list, "|"))
			}
		}
		var hosts []string
		for _, h := range npm.Hosts {
			if h.Supports(p.Platform.OS, p.Platform.CPU, p.Platform.Libc) {
				hosts = append(hosts, h.System)
			}
		}
		f.Platforms[p.ID] = report.Restriction{Rule: strings.Join(rule, ", "), Hosts: hosts}
	}
	return f
}

// busiestRegistryHost is the host serving the most tarballs at npm's
// registry paths, the first by name on a tie; "" when none does.
func busiestRegistryHost(g *lockfile.Graph) string {
	n := map[string]int{}
	for _, p := range g.Packages {
		u, err := url.Parse(p.Source.URL)
		if p.Source.Kind == lockfile.Tarball && err == nil && strings.Contains(u.Path, "/-/") && strings.HasSuffix(u.Path, ".tgz") {
			n[u.Host]++
		}
	}
	best := ""
	for h, c := range n {
		if c > n[best] || (c == n[best] && cmp.Less(h, best)) {
			best = h
		}
	}
	return best
}
