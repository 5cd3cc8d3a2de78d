package main

import (
	"fmt"
	"io"

	"github.com/lock2nix/lock2nix/report"
	"github.com/spf13/pflag"
)

// reportFlags are --report and --strict, which every command shares: the
// run prints what the lock will make Nix fetch and run instead of writing
// the Nix file.
type reportFlags struct {
	format reportFormat
	strict bool
}

func addReportFlags(fs *pflag.FlagSet) *reportFlags {
	rf := &reportFlags{}
	fs.Var(&rf.format, "report", "write nothing; print what the lock makes Nix fetch and run, as `FORMAT` text (the default) or json")
	fs.Lookup("report").NoOptDefVal = "text"
	fs.BoolVar(&rf.strict, "strict", false, "with --report: exit 1 when a source is not strongly pinned, or the lock is out of sync with its manifest")
	return rf
}

// usageError says what is wrong with the flags' combination, or "".
func (rf *reportFlags) usageError(check, output, prefetch bool) string {
	switch {
	case rf.strict && rf.format == "":
		return "--strict needs --report"
	case rf.format != "" && check:
		return "--report writes no Nix file, so there is nothing to --check"
	case rf.format != "" && output:
		return "--report prints to standard output and writes no Nix file; -o does not apply"
	case rf.format != "" && prefetch:
		return "--report reads the lock and the pins file, never the network; run --prefetch on its own"
	}
	return ""
}

// build makes t's report; dir is the project and out the file the run
// would write.
func (rf *reportFlags) build(c *command, t *translation, dir, out string) *report.Report {
	f := report.Facts{}
	if t.facts != nil {
		f = t.facts()
	}
	f.Ecosystem, f.Lock, f.OutOfSync = c.name, t.inputPath, t.outOfSync
	f.Project, f.Output = dir, out
	return report.New(t.graph, f)
}

// print writes the report and returns the exit code.
func (rf *reportFlags) print(c *command, r *report.Report, stdout, stderr io.Writer) int {
	write := r.WriteText
	if rf.format == "json" {
		write = r.WriteJSON
	}
	if err := write(stdout); err != nil {
		fmt.Fprintf(stderr, "lock2nix %s: %v\n", c.name, err)
		return exitFailure
	}
	if rf.strict && !r.Strict() {
		fmt.Fprintf(stderr, "lock2nix %s: --strict: the lock pins some sources weakly or not at all, or is out of sync (see the report)\n", c.name)
		return exitFailure
	}
	return exitOK
}

// reportFormat is --report's value: text or json.
type reportFormat string

func (f *reportFormat) String() string { return string(*f) }
func (f *reportFormat) Type() string   { return "format" }
func (f *reportFormat) Set(s string) error {
	if s != "text" && s != "json" {
		return fmt.Errorf("want text or json, got %q", s)
	}
	*f = reportFormat(s)
	return nil
}
