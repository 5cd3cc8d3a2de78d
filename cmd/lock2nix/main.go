// Command lock2nix turns lockfiles into Nix.
//
//	lock2nix npm [DIR]        translate DIR/package-lock.json
//	lock2nix yarn [DIR]       translate DIR/yarn.lock
//	lock2nix dune [DIR]       translate DIR/dune.lock
//	lock2nix pnpm [DIR]       translate DIR/pnpm-lock.yaml
//	lock2nix generate [ROOT]  translate every lockfile below ROOT
//
// Run "lock2nix --help" for the flags and examples.
package main

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"

	"github.com/lock2nix/lock2nix/internal/localpath"
	"github.com/lock2nix/lock2nix/internal/oneline"
	"github.com/lock2nix/lock2nix/internal/shell"
	"github.com/lock2nix/lock2nix/lockfile"
	"github.com/lock2nix/lock2nix/nixexpr"
	"github.com/lock2nix/lock2nix/pins"
	"github.com/lock2nix/lock2nix/report"
	"github.com/rogpeppe/go-internal/diff"
	"github.com/spf13/pflag"
)

// version is lock2nix's release; the generated files' header names it.
const version = "0.2.0"

const usage = `lock2nix turns lockfiles into Nix.

Usage:
  lock2nix npm [DIR] [flags]        translate DIR/package-lock.json (v1, v2, v3)
  lock2nix yarn [DIR] [flags]       translate DIR/yarn.lock (yarn 1 and berry)
  lock2nix dune [DIR] [flags]       translate DIR/dune.lock
  lock2nix pnpm [DIR] [flags]       translate DIR/pnpm-lock.yaml (6.x, 9.0)
  lock2nix generate [ROOT] [flags]  translate every lockfile of the repository at ROOT
  lock2nix --version

Run "lock2nix COMMAND --help" for each command's flags and examples.
`

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

func main() {
	if os.Getenv("GOGC") == "" && len(os.Args) > 1 && os.Args[1] != "generate" {
		// One project's heap is nearly all live until the run ends: the
		// lockfile's text and its graph. Collecting at the runtime's first
		// goals (4 and 6 MB) frees nothing and took a tenth of a run's CPU
		// time; with 400 a lockfile of a few megabytes translates without
		// a collection, and larger ones are still collected, their heap no
		// larger than what they allocate (docs/benchmarks.md). generate
		// makes garbage project after project: it keeps the default.
		debug.SetGCPercent(400)
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	for _, c := range commands {
		if args[0] == c.name {
			return runCommand(c, args[1:], stdout, stderr)
		}
	}
	switch args[0] {
	case "generate":
		return runGenerate(args[1:], stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return exitOK
	case "--version", "version":
		fmt.Fprintf(stdout, "lock2nix %s\n", version)
		return exitOK
	}
	fmt.Fprintf(stderr, "lock2nix: unknown command %q\n\n%s", args[0], usage)
	return exitUsage
}

// commands are the formats lock2nix reads, one entry each: "lock2nix
// NAME" runs one, and "lock2nix generate" finds their lockfiles.
var commands = []*command{npmCommand, yarnCommand, duneCommand, pnpmCommand}

// command is one ecosystem's translation. The run around it (flags
// common to all, the unpinned check, the weak-hash warning, the header's
// regenerate line, writing or checking the file) is shared, so a new
// format is a file with its help text, its flags and a translator.
type command struct {
	name string
	help string
	// defOut is the output file's default path for the project in dir.
	defOut func(dir string) string
	// lockfiles are the names (files or folders) that make a folder a
	// project of this format, for generate.
	lockfiles []string
	// setup registers the command's own flags and returns the translation
	// that uses them; each run gets its own, so runs share no state.
	setup func(fs *pflag.FlagSet) translator
	// prefetchAlgo is the hash --prefetch records for archives.
	prefetchAlgo lockfile.Algo
}

// translator reads and checks the project in dir.
type translator func(dir string, stderr io.Writer) (*translation, error)

// translation is a project read into a graph, ready to be emitted.
type translation struct {
	graph *lockfile.Graph
	// input names what was read, relative to the project (for the
	// header); inputPath is where it lies (for messages).
	input, inputPath string
	// flags are the command's flags that shape the output, as the header's
	// regenerate line repeats them.
	flags []string
	// locals are the local paths the output turns into store paths, each
	// relative to the project, with its place in the lockfile; localSkip
	// names the folders the output leaves out of them (npm: node_modules,
	// .git), which the boundary check need not walk.
	locals    []lockfile.Source
	localSkip []string
	// build makes the Nix file's tree.
	build func(h nixexpr.Header) (*nixexpr.File, error)
	// facts gives --report what only the ecosystem knows; nil for none.
	facts func() report.Facts
	// outOfSync names each dependency the manifest asks for that the
	// lockfile lacks or does not satisfy; the run stops on them unless
	// allowOutOfSync, naming the manifest and the command that relocks.
	outOfSync        []string
	allowOutOfSync   bool
	manifest, relock string
	// extra are sources beside the packages' own (dune's extra files),
	// for the pins to apply to.
	extra []pins.Site
	// pinLocked says the lock fixes each git dependency's files, so that a
	// pin may name only the commit the lock names (berry: yarn checks out
	// the locked commit and checks what it packs against the lock's
	// checksum).
	pinLocked bool
	// siteList holds sites' answer, made once: callers only read it.
	siteList []pins.Site
	// problems are the errors of a lockfile read in part (dune: package
	// files that do not parse), and then of local paths that lead outside
	// the root; the run goes on to find what else is wrong (unpinned
	// sources, actions that do not compile), reports it all at once, and
	// writes nothing.
	problems error
}

// commonFlags are the flags every command shares.
type commonFlags struct {
	output        string
	check         bool
	root          string
	allowUnpinned bool
	help          bool
	version       bool
}

func runCommand(c *command, args []string, stdout, stderr io.Writer) int {
	inv, code := parseInvocation(c, args, stdout, stderr)
	if inv == nil {
		return code
	}
	return inv.run(stdout, stderr).code
}

// invocation is one run of a command on one project, its flags parsed:
// "lock2nix npm DIR …" on its own, or one project of "lock2nix generate".
type invocation struct {
	c         *command
	fs        *pflag.FlagSet
	cf        commonFlags
	translate translator
	pf        *pinFlags
	rf        *reportFlags
	dir, out  string
	// repoRoot is the boundary without --root (generate's ROOT); "" for
	// the repository holding the project, or the project.
	repoRoot string
	// collect keeps --report's report in the outcome instead of printing
	// it (generate prints all projects' reports as one).
	collect bool
}

// outcome is what a run did, for generate's summary.
type outcome struct {
	code int
	// state is "written", "unchanged", "current", "stale", "reported",
	// "printed" or "failed".
	state string
	t     *translation
	rep   *report.Report
	// stale names the stale file when it is not the output (a pins
	// file).
	stale string
}

// parseInvocation parses a command's arguments; it returns nil and the
// exit code when there is nothing more to do (--help, --version, a usage
// error).
func parseInvocation(c *command, args []string, stdout, stderr io.Writer) (*invocation, int) {
	fs := pflag.NewFlagSet("lock2nix "+c.name, pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.SortFlags = false
	inv := &invocation{c: c, fs: fs}
	cf := &inv.cf
	fs.StringVarP(&cf.output, "output", "o", "", "write the Nix to `FILE` (\"-\" for standard output)")
	fs.BoolVar(&cf.check, "check", false, "write nothing; exit 1 with a diff when the output file is stale")
	fs.StringVar(&cf.root, "root", "", "the folder `DIR` that local paths must stay inside (default: the repository holding the project, or the project)")
	inv.translate = c.setup(fs)
	inv.pf = addPinFlags(fs)
	inv.rf = addReportFlags(fs)
	fs.BoolVar(&cf.allowUnpinned, "allow-unpinned", false, "accept sources without a hash and fetch them impurely")
	fs.BoolVarP(&cf.help, "help", "h", false, "show this help")
	fs.BoolVar(&cf.version, "version", false, "print lock2nix's version")
	if err := fs.Parse(args); err != nil {
		fmt.Fprintf(stderr, "lock2nix %s: %v\nRun \"lock2nix %s --help\" for usage.\n", c.name, err, c.name)
		return nil, exitUsage
	}
	if cf.help {
		fmt.Fprintf(stdout, "%s\nFlags:\n%s", c.help, flagUsages(fs))
		return nil, exitOK
	}
	if cf.version {
		fmt.Fprintf(stdout, "lock2nix %s\n", version)
		return nil, exitOK
	}
	if fs.NArg() > 1 {
		fmt.Fprintf(stderr, "lock2nix %s: want at most one DIR, got %d arguments\n", c.name, fs.NArg())
		return nil, exitUsage
	}
	if msg := inv.rf.usageError(cf.check, cf.output != "", inv.pf.prefetch != ""); msg != "" {
		fmt.Fprintf(stderr, "lock2nix %s: %s\n", c.name, msg)
		return nil, exitUsage
	}
	if cf.check && cf.output == "-" {
		fmt.Fprintf(stderr, "lock2nix %s: --check compares with a file; it cannot be used with -o -\n", c.name)
		return nil, exitUsage
	}
	inv.dir = "."
	if fs.NArg() == 1 {
		inv.dir = fs.Arg(0)
	}
	inv.out = cf.output
	if inv.out == "" {
		inv.out = c.defOut(inv.dir)
	}
	return inv, exitOK
}

// run translates the project and writes, prints, checks or reports it.
func (inv *invocation) run(stdout, stderr io.Writer) outcome {
	t, err := inv.translate(inv.dir, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "lock2nix %s: %v\n", inv.c.name, err)
		return outcome{code: exitFailure, state: "failed"}
	}
	return inv.finish(t, stdout, stderr)
}

// finish writes, prints, checks or reports the translated project.
func (inv *invocation) finish(t *translation, stdout, stderr io.Writer) outcome {
	c, cf, pf, rf, dir, out := inv.c, &inv.cf, inv.pf, inv.rf, inv.dir, inv.out
	fail := func(err error) outcome {
		fmt.Fprintf(stderr, "lock2nix %s: %v\n", c.name, err)
		return outcome{code: exitFailure, state: "failed", t: t}
	}
	// The boundary first: nothing, not even the pins file, is written for
	// a lockfile that names paths outside it.
	root, up, err := boundary(dir, cmp.Or(cf.root, inv.repoRoot))
	if err != nil {
		return fail(err)
	}
	t.problems = errors.Join(t.problems, checkLocals(dir, root, t.locals, t.localSkip))
	if t.problems != nil {
		// Nothing is fetched, nor the pins file written, for a lockfile
		// that does not translate: its pins only tell what is unpinned.
		pf.prefetch = ""
	}
	if err := pf.apply(c, dir, t, cf.check, stderr); err != nil {
		o := fail(errors.Join(t.problems, err))
		var sp *stalePinsError
		if t.problems == nil && errors.As(err, &sp) {
			o.state, o.stale = "stale", sp.name
		}
		return o
	}
	if t.problems != nil {
		return fail(t.allProblems(c, dir, cf.allowUnpinned))
	}
	if cf.allowUnpinned {
		// A git host's archive that no pin hashes is fetched as the git
		// commit instead (as the emitters do): the report shows that.
		for _, s := range t.sites() {
			if src := s.Source; src.Kind == lockfile.Tarball && src.Repo != "" && src.Hash.IsZero() {
				*src = src.AsGit()
			}
		}
	}
	if rf.format != "" {
		r := rf.build(c, t, dir, out)
		if inv.collect {
			return outcome{code: exitOK, state: "reported", t: t, rep: r}
		}
		return outcome{code: rf.print(c, r, stdout, stderr), state: "reported", t: t, rep: r}
	}
	if len(t.outOfSync) > 0 {
		msg := fmt.Sprintf("%s is out of sync with %s (%s):\n  %s", t.inputPath, t.manifest,
			plural(len(t.outOfSync), "dependency differs", "dependencies differ"), strings.Join(t.outOfSync, "\n  "))
		if !t.allowOutOfSync {
			return fail(fmt.Errorf("%s\nrun %s to update the lockfile, or pass --allow-out-of-sync", msg, t.relock))
		}
		fmt.Fprintf(stderr, "lock2nix %s: warning: %s\n", c.name, msg)
	}
	if err := unpinnedError(prefetchCommand(c, dir, t), t.sites(), cf.allowUnpinned, t.pinLocked); err != nil {
		return fail(t.allProblems(c, dir, cf.allowUnpinned))
	}
	warnWeak(t.sites(), stderr, c.name, prefetchCommand(c, dir, t)+"=weak")
	// The header's command repeats the flags that shape the output, so
	// that --check and a rerun give the same file.
	regen := append([]string{"lock2nix", c.name}, t.flags...)
	if cf.root != "" {
		// As seen from the project, where the header's command runs.
		regen = append(regen, "--root", shell.Word(cmp.Or(up, ".")))
	}
	if cf.allowUnpinned {
		regen = append(regen, "--allow-unpinned")
	}
	h := nixexpr.Header{Generator: "lock2nix " + version, Input: t.input, Command: strings.Join(regen, " "), RootUp: up}
	f, err := t.build(h)
	if err != nil {
		return fail(err)
	}
	// Standard output gets the text whole or not at all (nixexpr.Print):
	// its reader never sees a part of the file followed by an error. The
	// file on disk is compared with the text as it is laid out
	// (nixexpr.Stream), and a part written is dropped on an error.
	stream := func(w io.Writer) error { return nixexpr.Stream(w, f) }
	switch {
	case out == "-":
		if err := nixexpr.Print(stdout, f); err != nil {
			return fail(err)
		}
		return outcome{code: exitOK, state: "printed", t: t}
	case cf.check:
		same, err := fileHolds(out, stream)
		if err != nil {
			return fail(err)
		}
		if same {
			return outcome{code: exitOK, state: "current", t: t}
		}
		// The regenerate line: the header's, with DIR and -o as given.
		line := append([]string{"lock2nix", c.name}, regen[2:]...)
		if dir != "." {
			line = append(line[:2], append([]string{shell.Word(dir)}, line[2:]...)...)
		}
		if cf.output != "" {
			line = append(line, "-o", shell.Word(cf.output))
		}
		// Stale: the text again, whole, for the diff.
		var buf bytes.Buffer
		if err := nixexpr.Print(&buf, f); err != nil {
			return fail(err)
		}
		code := check(c, out, buf.Bytes(), strings.Join(line, " "), stdout, stderr)
		state := "current"
		if code != exitOK {
			state = "stale"
		}
		return outcome{code: code, state: state, t: t}
	}
	// A file that already holds the text is left alone (and its time).
	written, err := writeAtomic(out, stream)
	if err != nil {
		return fail(err)
	}
	if !written {
		return outcome{code: exitOK, state: "unchanged", t: t}
	}
	return outcome{code: exitOK, state: "written", t: t}
}

// flagUsages lists the flags one a line, aligned: "-o, --output FILE" and
// the usage; booleans show no value, optional values as "[=VALUE]" only
// where they differ from a boolean's.
func flagUsages(fs *pflag.FlagSet) string {
	type row struct{ left, usage string }
	var rows []row
	width := 0
	fs.VisitAll(func(f *pflag.Flag) {
		left := "    "
		if f.Shorthand != "" {
			left = "-" + f.Shorthand + ", "
		}
		left += "--" + f.Name
		name, usage := pflag.UnquoteUsage(f)
		switch {
		case f.Value.Type() == "bool":
		case f.NoOptDefVal != "":
			left += "[=" + name + "]"
		case name != "":
			left += " " + name
		}
		if f.DefValue != "" && f.DefValue != "[]" && f.Value.Type() != "bool" && !strings.Contains(usage, "default") {
			usage += fmt.Sprintf(" (default %q)", f.DefValue)
		}
		rows = append(rows, row{left, usage})
		width = max(width, len(left))
	})
	var b strings.Builder
	for _, r := range rows {
		fmt.Fprintf(&b, "  %-*s  %s\n", width, r.left, r.usage)
	}
	return b.String()
}

// check compares the file on disk with what would be generated.
func check(c *command, out string, want []byte, regen string, stdout, stderr io.Writer) int {
	have, err := os.ReadFile(out)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		fmt.Fprintf(stderr, "lock2nix %s: %v\n", c.name, err)
		return exitFailure
	}
	if bytes.Equal(have, want) {
		return exitOK
	}
	// The path names the project's folder, which may hold what does not
	// print (generate finds folders in an untrusted repository).
	out, regen = oneline.Escape(out), oneline.Escape(regen)
	if err != nil {
		fmt.Fprintf(stdout, "%s does not exist\n", out)
	} else if oldForm(have, want) {
		// A diff of builder code against data says nothing useful.
		fmt.Fprintf(stderr, "lock2nix %s: %s was written in the self-contained form (lock2nix's builders inside, as lock2nix before 0.2 wrote it); lock2nix now writes a data file that its builders read. Regenerate it with: %s, and build it with lock2nix.lib.%s (README: Migrating); or keep the old form with --standalone\n", c.name, out, regen, c.name)
		return exitFailure
	} else {
		stdout.Write(diff.Diff(out, have, out+" (generated)", want))
	}
	fmt.Fprintf(stderr, "lock2nix %s: %s is stale; regenerate it with: %s\n", c.name, out, regen)
	return exitFailure
}

// oldForm reports whether have is a self-contained file ("Generated by
// lock2nix …") where want is a data file.
func oldForm(have, want []byte) bool {
	return bytes.HasPrefix(have, []byte("# Generated by lock2nix ")) && !bytes.HasPrefix(want, []byte("# Generated by lock2nix "))
}

// boundary returns the folder local paths must stay inside (flag, or the
// repository holding dir) and the way up to it from dir ("", "..", …).
func boundary(dir, flag string) (root, up string, err error) {
	if flag == "" {
		root, err = localpath.Root(dir)
	} else if root, err = filepath.Abs(flag); err == nil {
		root, err = filepath.EvalSymlinks(root)
	}
	if err != nil {
		return "", "", err
	}
	abs, err := filepath.Abs(dir)
	if err == nil {
		abs, err = filepath.EvalSymlinks(abs)
	}
	if err != nil {
		return "", "", err
	}
	rel, err := filepath.Rel(root, abs)
	if err != nil || !localpath.Within(root, abs) {
		return "", "", fmt.Errorf("%s is not inside --root %s", dir, flag)
	}
	var ups []string
	if rel != "." {
		for range strings.Split(filepath.ToSlash(rel), "/") {
			ups = append(ups, "..")
		}
	}
	return root, strings.Join(ups, "/"), nil
}

// allProblems joins the problems found while reading, the sources that
// nothing pins and the errors of compiling what was read, so that one run
// names them all.
func (t *translation) allProblems(c *command, dir string, allowUnpinned bool) error {
	errs := []error{t.problems}
	if err := unpinnedError(prefetchCommand(c, dir, t), t.sites(), allowUnpinned, t.pinLocked); err != nil {
		errs = append(errs, fmt.Errorf("%s: %w", t.inputPath, err))
	}
	f, err := t.build(nixexpr.Header{})
	if err == nil {
		err = nixexpr.Print(io.Discard, f)
	}
	errs = append(errs, err)
	return errors.Join(errs...)
}

// checkLocals stops on every local path that leads outside root: the
// generated file would copy what it reaches into the store.
func checkLocals(dir, root string, locals []lockfile.Source, skip []string) error {
	if len(locals) == 0 {
		return nil
	}
	c, err := localpath.NewChecker(root, dir, skip...)
	if err != nil {
		return err
	}
	var errs []error
	// A workspace's folder is named twice (its entry and the link to
	// it): each path is walked once.
	checked := make(map[string]error, len(locals))
	for _, s := range locals {
		err, ok := checked[s.Path]
		if !ok {
			err = c.Check(s.Path)
			checked[s.Path] = err
		}
		var oe *localpath.OutsideError
		// Absolute paths never get here: the parsers stop on them first.
		if errors.As(err, &oe) {
			err = s.Origin.Errorf("the local path %v: the generated file would copy it into the store; move it inside, or name a root that holds it with --root", oe)
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// warnWeak lists sources whose only hash is md5 or sha1, and names the
// command that upgrades them. Each is one line: what the lockfile says
// that does not print is escaped, as in lockfile.Error; so in
// unpinnedError's list.
func warnWeak(sites []pins.Site, stderr io.Writer, cmd, upgrade string) {
	var weak []string
	for _, s := range sites {
		if s.Source.Hash.Algo.Weak() {
			weak = append(weak, oneline.Escape(s.ID+" ("+s.Source.Hash.Algo.String()+")"))
		}
	}
	if len(weak) == 0 {
		return
	}
	fmt.Fprintf(stderr, "lock2nix %s: warning: %s pinned only by a weak hash (md5 or sha1; \"%s\" upgrades %s):\n", cmd, plural(len(weak), "source is", "sources are"), upgrade, agree(len(weak), "it", "them"))
	for i, w := range weak {
		if i == 10 {
			fmt.Fprintf(stderr, "  … and %d more\n", len(weak)-10)
			break
		}
		fmt.Fprintf(stderr, "  %s\n", w)
	}
}

// unpinnedError lists every source that no hash or commit pins, but
// tarballs when allowUnpinned, and names the prefetch command that pins
// them; and apart, the git hosts' archives of commits (npm's and yarn's GitHub
// dependencies) that the pins file has no hash for, which --allow-unpinned
// and --pin fetch as git commits instead (with pinLocked, --pin only at the
// locked commit).
func unpinnedError(prefetch string, sites []pins.Site, allowUnpinned, pinLocked bool) error {
	var bad, archives []string
	tarball, named := false, false
	for _, s := range sites {
		src := s.Source
		if !src.Fetchable() || src.Pinned() {
			continue
		}
		at := ""
		if o := src.Origin; o.File != "" && o.Line > 0 {
			// Where the lockfile states the source, when the parser
			// says (yarn's do; npm's for GitHub archives).
			at = fmt.Sprintf("%s:%d:%d: ", o.File, o.Line, o.Col)
		}
		switch {
		case src.Repo != "":
			if !allowUnpinned {
				archives = append(archives, "  "+oneline.Escape(at+s.ID+": "+src.Repo+"#"+src.Rev+" (as "+src.URL+")"))
			}
		case allowUnpinned && src.Kind == lockfile.Tarball:
		default:
			bad = append(bad, "  "+oneline.Escape(at+s.ID+": "+describe(*src)))
			tarball = tarball || src.Kind == lockfile.Tarball
			named = named || src.Kind == lockfile.Git && s.Name != ""
		}
	}
	var errs []error
	if len(bad) > 0 {
		hint := ""
		if tarball {
			hint += "; or pass --allow-unpinned to fetch tarballs without a hash (impure)"
		}
		if named {
			hint += "; or pin a package's git source by hand with --pin NAME=COMMIT"
		}
		them := agree(len(bad), "it", "them")
		errs = append(errs, fmt.Errorf("%s no hash or commit in the lockfile or the pins file, so Nix cannot fetch %s reproducibly:\n%s\nrun \"%s\" to record %s in %s%s",
			plural(len(bad), "source has", "sources have"), them, strings.Join(bad, "\n"), prefetch, them, pins.FileName, hint))
	}
	if len(archives) > 0 {
		pin := "or pin a package's git source by hand with --pin NAME=COMMIT (fetchGit at that commit)"
		if pinLocked {
			pin = "or fetch one package so with --pin NAME=COMMIT at its locked commit (berry checks each package against the lock's checksum: no other commit builds)"
		}
		n := len(archives)
		errs = append(errs, fmt.Errorf("%s fetched as GitHub's archive of the locked commit, whose hash is not in the pins file:\n%s\nrun \"%s\" to record %s in %s (it downloads %s from GitHub); or pass --allow-unpinned to fetch %s with builtins.fetchGit at the locked commit (pinned, but fetched when Nix evaluates); %s",
			plural(n, "GitHub git source is", "GitHub git sources are"), strings.Join(archives, "\n"), prefetch,
			agree(n, "the archive's hash", "the archives' hashes"), pins.FileName, agree(n, "it", "them"), agree(n, "it", "them"), pin))
	}
	return errors.Join(errs...)
}

func plural(n int, one, many string) string {
	return fmt.Sprintf("%d %s", n, agree(n, one, many))
}

// agree is one when n is 1, else many: the words that follow a count.
func agree(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
