// Command depreport prints a dependency report of an npm project: each
// locked package with its source and hash, as JSON or as a Graphviz DOT
// graph. It uses only lock2nix's public API (npmlock and lockfile), as
// another generator would.
//
//	depreport [-format json|dot] [-registry URL] DIR
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/lock2nix/lock2nix/lockfile"
	"github.com/lock2nix/lock2nix/npmlock"
)

type pkgReport struct {
	ID       string   `json:"id"`
	Source   string   `json:"source"`
	URL      string   `json:"url,omitempty"`
	Rev      string   `json:"rev,omitempty"`
	Path     string   `json:"path,omitempty"`
	Hash     string   `json:"hash,omitempty"`
	WeakHash bool     `json:"weakHash,omitempty"`
	Installs []string `json:"installs,omitempty"`
	Deps     []string `json:"deps,omitempty"`
}

func report(g *lockfile.Graph) []pkgReport {
	var out []pkgReport
	for _, p := range g.Packages {
		r := pkgReport{
			ID: p.ID, Source: p.Source.Kind.String(), URL: p.Source.URL, Rev: p.Source.Rev,
			Path: p.Source.Path, Hash: p.Source.Hash.String(), WeakHash: p.Source.Hash.Algo.Weak(),
		}
		for _, in := range p.Installs {
			r.Installs = append(r.Installs, in.Path)
		}
		for _, e := range p.Deps {
			r.Deps = append(r.Deps, e.Name)
		}
		out = append(out, r)
	}
	return out
}

func writeDOT(w io.Writer, g *lockfile.Graph) {
	fmt.Fprintln(w, "digraph deps {")
	byName := map[string][]string{}
	for _, p := range g.Packages {
		byName[p.Name] = append(byName[p.Name], p.ID)
		fmt.Fprintf(w, "  %s [label=%s];\n", strconv.Quote(p.ID), strconv.Quote(p.ID+"\n"+p.Source.Kind.String()))
	}
	for _, p := range g.Packages {
		for _, e := range p.Deps {
			// Without install paths a name may match several versions;
			// draw an edge to each.
			for _, id := range byName[e.Name] {
				fmt.Fprintf(w, "  %s -> %s [label=%s];\n", strconv.Quote(p.ID), strconv.Quote(id), strconv.Quote(e.Kind.String()))
			}
		}
	}
	fmt.Fprintln(w, "}")
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("depreport", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "json", "json or dot")
	registry := fs.String("registry", "", "registry URL for entries without a resolved URL")
	if err := fs.Parse(args); err != nil || fs.NArg() != 1 {
		fmt.Fprintln(stderr, "usage: depreport [-format json|dot] [-registry URL] DIR")
		return 2
	}
	g, err := npmlock.ParseFS(os.DirFS(fs.Arg(0)), npmlock.Options{Registry: npmlock.Registry{URL: *registry}})
	if err != nil {
		fmt.Fprintln(stderr, "depreport:", err)
		return 1
	}
	switch *format {
	case "json":
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(report(g)); err != nil {
			fmt.Fprintln(stderr, "depreport:", err)
			return 1
		}
	case "dot":
		writeDOT(stdout, g)
	default:
		fmt.Fprintf(stderr, "depreport: unknown format %q\n", *format)
		return 2
	}
	return 0
}

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }
