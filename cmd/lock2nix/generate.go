package main

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	iofs "io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/lock2nix/lock2nix/internal/gitignore"
	"github.com/lock2nix/lock2nix/internal/oneline"
	"github.com/lock2nix/lock2nix/internal/shell"
	"github.com/lock2nix/lock2nix/report"
	"github.com/spf13/pflag"
)

const generateHelp = `Usage: lock2nix generate [ROOT] [flags]

Find every lockfile lock2nix reads below the repository at ROOT (default:
the current folder) and write each project's Nix file beside it, as
"lock2nix npm DIR" (yarn, pnpm, dune) run in each would: with the
project's own pins file (DIR/lock2nix-pins.toml) and npm configuration
(DIR/.npmrc), and the flags ROOT/lock2nix.toml gives it.

The walk skips what git ignores (.gitignore files from the repository's
top down, and .git/info/exclude), node_modules, _build, _opam and .git
folders, and lockfiles in a folder that another project's lock installs
as a workspace (npm installs those from the workspace root's lock). It
prints one line per project: its format, folder, what was done and the
file.

ROOT/lock2nix.toml (optional):

  # folders or files to leave out, as .gitignore patterns from ROOT
  exclude = ["examples/", "legacy/app"]

  # flags for one project: a table per format, keyed by the folder
  [npm."web"]
  flags = ["--registry", "https://npm.example.org/"]

  # a folder the walk would not find (a lock directory of another name)
  [dune."ocaml"]
  flags = ["--lock-dir", "dev.lock"]

Examples:
  # write every project's Nix file
  lock2nix generate

  # in CI (offline): list every stale file with its diff, exit 1
  lock2nix generate --check

  # what every lock makes Nix fetch and run, and which files serve which
  # projects, as one JSON document
  lock2nix generate --report=json

  # record hashes the lockfiles leave out, in each project's pins file
  lock2nix generate --prefetch
`

// configName is the config file's name at the root.
const configName = "lock2nix.toml"

// alwaysSkipped are folders never walked: installed dependencies and
// build trees, which hold copies of lockfiles that belong to no project
// of the repository.
var alwaysSkipped = []string{".git", "node_modules", "_build", "_opam"}

// project is one lockfile that generate translates.
type project struct {
	c *command
	// dir is the folder, slash-separated and relative to the root ("."
	// for the root).
	dir   string
	flags []string
}

// skipped is a lockfile left out, and why.
type skipped struct {
	Project string `json:"project"`
	Format  string `json:"format"`
	Reason  string `json:"reason"`
}

type generateFlags struct {
	check, strict, quiet, help, version bool
	report                              reportFormat
	prefetch, config                    string
	jobs                                int
}

func runGenerate(args []string, stdout, stderr io.Writer) int {
	fs := pflag.NewFlagSet("lock2nix generate", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.SortFlags = false
	var gf generateFlags
	fs.BoolVar(&gf.check, "check", false, "write nothing; list every stale file with a diff and exit 1")
	fs.Var(&gf.report, "report", "write nothing; print every project's report, as `FORMAT` text (the default) or json")
	fs.Lookup("report").NoOptDefVal = "text"
	fs.BoolVar(&gf.strict, "strict", false, "with --report: exit 1 when a project's lock pins a source weakly or not at all, or is out of sync")
	fs.StringVar(&gf.prefetch, "prefetch", "", "download what each lockfile leaves unpinned into its project's pins file (`MODE` \"weak\": also upgrade md5/sha1-only sources)")
	fs.Lookup("prefetch").NoOptDefVal = prefetchUnpinned
	fs.StringVar(&gf.config, "config", "", "read exclusions and projects' flags from `FILE` (default: ROOT/"+configName+")")
	fs.IntVarP(&gf.jobs, "jobs", "j", 0, "translate `N` projects at once (default: as many as there are CPUs)")
	fs.BoolVarP(&gf.quiet, "quiet", "q", false, "print only problems: no line per project, no progress")
	fs.BoolVarP(&gf.help, "help", "h", false, "show this help")
	fs.BoolVar(&gf.version, "version", false, "print lock2nix's version")
	if err := fs.Parse(args); err != nil {
		fmt.Fprintf(stderr, "lock2nix generate: %v\nRun \"lock2nix generate --help\" for usage.\n", err)
		return exitUsage
	}
	switch {
	case gf.help:
		fmt.Fprintf(stdout, "%s\nFlags:\n%s", generateHelp, flagUsages(fs))
		return exitOK
	case gf.version:
		fmt.Fprintf(stdout, "lock2nix %s\n", version)
		return exitOK
	case fs.NArg() > 1:
		fmt.Fprintf(stderr, "lock2nix generate: want at most one ROOT, got %d arguments\n", fs.NArg())
		return exitUsage
	case gf.jobs < 0:
		fmt.Fprintf(stderr, "lock2nix generate: --jobs %d: want at least 1\n", gf.jobs)
		return exitUsage
	case gf.jobs == 0:
		gf.jobs = runtime.GOMAXPROCS(0)
	}
	rf := reportFlags{format: gf.report, strict: gf.strict}
	if msg := rf.usageError(gf.check, false, gf.prefetch != ""); msg != "" {
		fmt.Fprintf(stderr, "lock2nix generate: %s\n", msg)
		return exitUsage
	}
	if gf.check && gf.prefetch != "" {
		fmt.Fprintf(stderr, "lock2nix generate: --check never uses the network: run --prefetch without --check first\n")
		return exitUsage
	}
	root := "."
	if fs.NArg() == 1 {
		root = fs.Arg(0)
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "lock2nix generate: %v\n", err)
		return exitFailure
	}
	if fi, err := os.Stat(root); err != nil {
		return fail(err)
	} else if !fi.IsDir() {
		return fail(fmt.Errorf("%s is not a folder", root))
	}
	cfgName, cfgGiven := gf.config, gf.config != ""
	if !cfgGiven {
		cfgName = filepath.Join(root, configName)
	}
	cfg, err := readConfig(cfgName, cfgGiven)
	if err != nil {
		return fail(err)
	}
	projects, err := discover(root, cfg)
	if err != nil {
		return fail(err)
	}
	if len(projects) == 0 {
		return fail(fmt.Errorf("no lockfile lock2nix reads below %s (%s)", root, knownLockfiles()))
	}
	// The flags generate passes on to every project.
	var pass []string
	if gf.check {
		pass = append(pass, "--check")
	}
	if gf.report != "" {
		pass = append(pass, "--report="+string(gf.report))
	}
	if gf.prefetch != "" {
		pass = append(pass, "--prefetch="+gf.prefetch)
	}
	if gf.quiet {
		pass = append(pass, "--quiet")
	}
	invs := make([]*invocation, len(projects))
	var usage []string
	for i, p := range projects {
		dir := filepath.Join(root, filepath.FromSlash(p.dir))
		// The config's flags alone first: those generate gives every
		// project have no place there.
		var msg bytes.Buffer
		own, code := parseInvocation(p.c, append([]string{dir}, p.flags...), io.Discard, &msg)
		if own == nil {
			if code == exitOK {
				msg.WriteString("--help and --version have no place here")
			}
			usage = append(usage, fmt.Sprintf("[%s.%q] flags: %s", p.c.name, p.dir, strings.TrimSpace(msg.String())))
			continue
		}
		bad := false
		for _, name := range []string{"output", "check", "report", "strict", "prefetch", "quiet"} {
			if own.fs.Changed(name) {
				usage = append(usage, fmt.Sprintf("[%s.%q] flags: --%s is generate's to give", p.c.name, p.dir, name))
				bad = true
			}
		}
		if bad {
			continue
		}
		inv, _ := parseInvocation(p.c, append(append([]string{dir}, fromProject(dir, p.flags)...), pass...), io.Discard, &msg)
		if inv == nil {
			usage = append(usage, fmt.Sprintf("[%s.%q] flags: %s", p.c.name, p.dir, strings.TrimSpace(msg.String())))
			continue
		}
		inv.repoRoot = root
		inv.collect = true
		invs[i] = inv
	}
	if len(usage) > 0 {
		return fail(fmt.Errorf("%s:\n  %s", cfgName, strings.Join(usage, "\n  ")))
	}
	g := &generation{root: root, gf: gf, projects: projects, invs: invs, stdout: stdout, stderr: stderr}
	for i, p := range projects {
		if unprintable(p.dir) {
			if g.refused == nil {
				g.refused = make([]bool, len(projects))
			}
			g.refused[i] = true
		}
	}
	if !gf.quiet && isTerminal(stderr) {
		g.progress = stderr
	}
	return g.run()
}

// pathFlags are the shared flags whose value is a path, which the config
// file gives relative to the project.
var pathFlags = []string{"--pins", "--root"}

// fromProject rewrites the relative paths among flags, relative to the
// project in dir, as paths from the working folder, as the run reads them.
func fromProject(dir string, flags []string) []string {
	out := slices.Clone(flags)
	for i := 0; i < len(out); i++ {
		name, value, hasValue := strings.Cut(out[i], "=")
		if !slices.Contains(pathFlags, name) {
			continue
		}
		if !hasValue {
			if i++; i >= len(out) {
				break
			}
			value = out[i]
		}
		if !filepath.IsAbs(value) {
			value = filepath.Join(dir, filepath.FromSlash(value))
		}
		if hasValue {
			out[i] = name + "=" + value
		} else {
			out[i] = value
		}
	}
	return out
}

// knownLockfiles names what the walk looks for.
func knownLockfiles() string {
	var names []string
	for _, c := range commands {
		names = append(names, c.lockfiles...)
	}
	return strings.Join(names, ", ")
}

// generation is one run of generate over its projects.
type generation struct {
	root           string
	gf             generateFlags
	projects       []project
	invs           []*invocation
	stdout, stderr io.Writer
	progress       io.Writer
	// refused marks the projects whose folder's path does not print
	// (unprintable); nil when none is.
	refused []bool
}

// unprintable reports whether a folder's path (found by the walk, or
// named by the config file: as untrusted as the repository's lockfiles)
// holds a character that does not print (oneline.Escape's rule: a control
// character, a line separator, invalid UTF-8). Every message about a
// project and every command it suggests names its folder, so generate
// refuses such a project rather than escape each of them.
func unprintable(dir string) bool { return oneline.Escape(dir) != dir }

// result is a project's run: its outcome and what it printed.
type result struct {
	translated *translation
	o          outcome
	out, err   bytes.Buffer
	member     string // the project whose workspace holds it, or ""
}

// run translates every project (in parallel), leaves out workspace
// members, then writes, checks or reports the rest (in parallel), and
// prints what each did in the projects' order.
func (g *generation) run() int {
	res := make([]*result, len(g.projects))
	for i := range res {
		res[i] = &result{}
	}
	g.parallel("reading", func(i int) {
		r := res[i]
		if g.refused != nil && g.refused[i] {
			fmt.Fprintf(&r.err, "lock2nix %s: %s: the folder's path holds characters that do not print, so no message or command could name it; generate leaves it out: rename it\n", g.projects[i].c.name, oneline.Escape(g.invs[i].dir))
			r.o = outcome{code: exitFailure, state: "failed"}
			return
		}
		t, err := g.invs[i].translate(g.invs[i].dir, &r.err)
		if err != nil {
			fmt.Fprintf(&r.err, "lock2nix %s: %v\n", g.projects[i].c.name, err)
			r.o = outcome{code: exitFailure, state: "failed"}
			return
		}
		r.translated = t
	})
	var skips []skipped
	for i, p := range g.projects {
		for j, q := range g.projects {
			if t := res[j].translated; i != j && t != nil {
				for _, ws := range t.graph.Root.Workspaces {
					// A member path that leads up (..) is no member:
					// it must lie strictly below the root's folder.
					if m := path.Join(q.dir, ws); below(q.dir, m) && within(m, p.dir) {
						res[i].member = q.dir
					}
				}
			}
		}
		if m := res[i].member; m != "" {
			skips = append(skips, skipped{Project: g.invs[i].dir, Format: p.c.name, Reason: fmt.Sprintf("a workspace of %s, installed from its lock", filepath.Join(g.root, filepath.FromSlash(m)))})
		}
	}
	g.parallel("writing", func(i int) {
		r := res[i]
		if r.translated == nil || r.member != "" {
			return
		}
		r.o = g.invs[i].finish(r.translated, &r.out, &r.err)
	})
	return g.summarize(res, skips)
}

// within reports whether the slash path p is dir or lies below it.
func within(dir, p string) bool {
	return dir == p || dir == "." || strings.HasPrefix(p, dir+"/")
}

// below reports whether the slash path p lies strictly below dir.
func below(dir, p string) bool {
	if dir == "." {
		return p != "." && p != ".." && !strings.HasPrefix(p, "../")
	}
	return strings.HasPrefix(p, dir+"/")
}

// parallel runs f for every project on up to --jobs goroutines, and
// shows how far it got on a terminal.
func (g *generation) parallel(what string, f func(i int)) {
	n := len(g.projects)
	next := make(chan int)
	var wg sync.WaitGroup
	var mu sync.Mutex
	done := 0
	for range min(g.gf.jobs, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				f(i)
				mu.Lock()
				done++
				if g.progress != nil {
					fmt.Fprintf(g.progress, "\r\033[Klock2nix generate: %s %d/%d projects", what, done, n)
				}
				mu.Unlock()
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	if g.progress != nil {
		fmt.Fprint(g.progress, "\r\033[K")
	}
}

// summarize prints each project's line, messages and output in order,
// then the totals, and returns the exit code.
func (g *generation) summarize(res []*result, skips []skipped) int {
	// Folder names come from the repository, as untrusted as its
	// lockfiles: each line shows them escaped (see lockfile.Error).
	esc := oneline.Escape
	width := 0
	for _, inv := range g.invs {
		width = max(width, len(esc(inv.dir)))
	}
	counts := map[string]int{}
	var stale, failed []string
	var reports []*report.Report
	code := exitOK
	for i, r := range res {
		p, inv := g.projects[i], g.invs[i]
		if r.member != "" {
			continue
		}
		counts[r.o.state]++
		switch r.o.state {
		case "stale":
			stale = append(stale, esc(cmp.Or(r.o.stale, inv.out)))
		case "failed":
			failed = append(failed, esc(inv.dir))
		}
		if r.o.rep != nil {
			reports = append(reports, r.o.rep)
			if g.gf.strict && !r.o.rep.Strict() {
				r.err.WriteString(fmt.Sprintf("lock2nix %s: --strict: %s pins some sources weakly or not at all, or is out of sync (see the report)\n", p.c.name, r.o.rep.Lock))
				r.o.code = exitFailure
			}
		}
		if r.o.code != exitOK {
			code = exitFailure
		}
		if !g.gf.quiet {
			line := fmt.Sprintf("%-5s %-*s  %-9s %s", p.c.name, width, esc(inv.dir), r.o.state, esc(inv.out))
			if t := r.translated; t != nil && r.o.state != "failed" {
				line += fmt.Sprintf(" (%s)", plural(len(t.graph.Packages), "package", "packages"))
			}
			fmt.Fprintln(g.stderr, line)
		}
		g.stderr.Write(r.err.Bytes())
		g.stdout.Write(r.out.Bytes())
	}
	if !g.gf.quiet {
		for _, s := range skips {
			fmt.Fprintf(g.stderr, "%-5s %-*s  skipped   %s\n", s.Format, width, esc(s.Project), esc(s.Reason))
		}
	}
	if g.gf.report != "" {
		if err := g.writeReports(reports, skips); err != nil {
			fmt.Fprintf(g.stderr, "lock2nix generate: %v\n", err)
			return exitFailure
		}
	}
	var parts []string
	for _, s := range []string{"written", "unchanged", "current", "stale", "reported", "failed"} {
		if counts[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[s], s))
		}
	}
	total := len(res) - len(skips)
	if !g.gf.quiet || code != exitOK {
		fmt.Fprintf(g.stderr, "lock2nix generate: %s: %s\n", plural(total, "project", "projects"), strings.Join(parts, ", "))
	}
	if len(stale) > 0 {
		regen := "lock2nix generate"
		if g.root != "." {
			regen += " " + shell.Word(g.root)
		}
		if g.gf.config != "" {
			regen += " --config " + shell.Word(g.gf.config)
		}
		fmt.Fprintf(g.stderr, "lock2nix generate: stale: %s; regenerate with: %s\n", strings.Join(stale, ", "), regen)
	}
	if len(failed) > 0 {
		fmt.Fprintf(g.stderr, "lock2nix generate: failed: %s\n", strings.Join(failed, ", "))
	}
	return code
}

// writeReports prints the projects' reports: as text one after the
// other, as JSON one document.
func (g *generation) writeReports(reports []*report.Report, skips []skipped) error {
	if g.gf.report == "json" {
		if skips == nil {
			skips = []skipped{}
		}
		if reports == nil {
			reports = []*report.Report{}
		}
		b, err := json.MarshalIndent(struct {
			Root     string           `json:"root"`
			Projects []*report.Report `json:"projects"`
			Skipped  []skipped        `json:"skipped"`
		}{g.root, reports, skips}, "", "  ")
		if err != nil {
			return err
		}
		_, err = g.stdout.Write(append(b, '\n'))
		return err
	}
	for i, r := range reports {
		if i > 0 {
			fmt.Fprintln(g.stdout)
		}
		if err := r.WriteText(g.stdout); err != nil {
			return err
		}
	}
	return nil
}

// discover walks root for the projects' lockfiles, in the walk's order
// (folders by name, depth first; in one folder, formats in the order of
// commands), and adds the config file's projects.
func discover(root string, cfg *config) ([]project, error) {
	prefix, ign, err := ignoresAbove(root)
	if err != nil {
		return nil, err
	}
	found := map[string]bool{}
	var projects []project
	add := func(c *command, dir string) {
		key := c.name + "\x00" + dir
		if found[key] {
			return
		}
		found[key] = true
		projects = append(projects, project{c: c, dir: dir, flags: cfg.flags(c.name, dir)})
	}
	byName := map[string][]*command{}
	for _, c := range commands {
		for _, n := range c.lockfiles {
			byName[n] = append(byName[n], c)
		}
	}
	err = filepath.WalkDir(root, func(name string, d iofs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, name)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if rel != "." {
			if d.IsDir() && slices.Contains(alwaysSkipped, d.Name()) ||
				ign.Ignored(path.Join(prefix, rel), d.IsDir()) || cfg.exclude.Ignored(rel, d.IsDir()) {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
		}
		if cs := byName[d.Name()]; len(cs) > 0 && rel != "." {
			for _, c := range cs {
				add(c, path.Dir(rel))
			}
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if data, err := os.ReadFile(filepath.Join(name, ".gitignore")); err == nil {
				base := path.Join(prefix, rel)
				if base == "." {
					base = ""
				}
				ign.Add(base, data)
			} else if !errors.Is(err, iofs.ErrNotExist) {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Projects the config file names that the walk did not find (a lock
	// directory of another name, a folder git ignores).
	for _, c := range commands {
		for _, dir := range cfg.dirs(c.name) {
			if cfg.exclude.Ignored(dir, true) {
				continue
			}
			fi, err := os.Stat(filepath.Join(root, filepath.FromSlash(dir)))
			if err != nil || !fi.IsDir() {
				return nil, fmt.Errorf("%s: [%s.%q]: no folder %s", cfg.name, c.name, dir, filepath.Join(root, filepath.FromSlash(dir)))
			}
			add(c, dir)
		}
	}
	// Folders in the walk's order, formats in the order of commands.
	order := map[string]int{}
	for i, c := range commands {
		order[c.name] = i
	}
	slices.SortStableFunc(projects, func(a, b project) int {
		if a.dir != b.dir {
			// By component: a/b before a-b, as the walk goes.
			return slices.Compare(strings.Split(a.dir, "/"), strings.Split(b.dir, "/"))
		}
		return order[a.c.name] - order[b.c.name]
	})
	return projects, nil
}

// ignoresAbove finds the repository holding root (the nearest folder with
// .git, root or above) and reads its .git/info/exclude and the .gitignore
// files on the way down to root (root's own comes with the walk). Names
// given to the matcher are relative to that top: prefix leads from it to
// root.
func ignoresAbove(root string) (prefix string, m *gitignore.Matcher, err error) {
	m = &gitignore.Matcher{}
	abs, err := filepath.Abs(root)
	if err != nil {
		return "", nil, err
	}
	top := abs
	for d := abs; ; d = filepath.Dir(d) {
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			top = d
			break
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	rel, err := filepath.Rel(top, abs)
	if err != nil {
		return "", nil, err
	}
	prefix = filepath.ToSlash(rel)
	if prefix == "." {
		prefix = ""
	}
	if data, err := os.ReadFile(filepath.Join(top, ".git", "info", "exclude")); err == nil {
		m.Add("", data)
	}
	if prefix != "" {
		dirs := append([]string{""}, strings.Split(prefix, "/")...)
		for i := range dirs[:len(dirs)-1] {
			base := path.Join(dirs[:i+1]...)
			if data, err := os.ReadFile(filepath.Join(top, filepath.FromSlash(base), ".gitignore")); err == nil {
				m.Add(base, data)
			}
		}
	}
	return prefix, m, nil
}
