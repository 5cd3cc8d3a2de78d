package dunelock

import "fmt"

// The closed sets of dune's recipe language. Each set is a uint8 type
// whose String gives dune's spelling; one table per set serves both the
// parser (spelling to value) and String (value to spelling), and the
// functions ActionKinds, TermForms, CondOps and EnvOps list every value,
// so that a compiler can be checked to handle them all.

// ActionKind is one of the actions a lock file's build and install fields
// hold: every action dune's decoder for package actions accepts
// (src/dune_lang/action.ml, decode_pkg), and the build field's (dune).
type ActionKind uint8

const (
	Run                   ActionKind = iota // (run <program> <arg>…)
	Runexec                                 // (runexec <program> <arg>…): run, on the build machine
	Progn                                   // (progn <action>…): in order
	Concurrent                              // (concurrent <action>…): in any order
	System                                  // (system <script>): sh -c <script>
	Bash                                    // (bash <script>): bash -e -u -o pipefail -c <script>
	Patch                                   // (patch <file>): apply a unified diff
	Substitute                              // (substitute <in> <out>): opam's %{var}% interpolation
	Withenv                                 // (withenv (<update>…) <action>)
	Setenv                                  // (setenv <var> <value> <action>)
	When                                    // (when <condition> <action>)
	Chdir                                   // (chdir <dir> <action>)
	WriteFile                               // (write-file <path> <text>)
	Echo                                    // (echo <text>…): the texts, separated by spaces
	Cat                                     // (cat <file>…)
	Copy                                    // (copy <from> <to>)
	CopyLineDirective                       // (copy# <from> <to>), or copy-and-add-line-directive
	Diff                                    // (diff <a> <b>): fails when the files differ
	DiffOptional                            // (diff? <a> <b>): diff, when b exists
	Cmp                                     // (cmp <a> <b>): diff, byte for byte
	WithStdoutTo                            // (with-stdout-to <file> <action>)
	WithStderrTo                            // (with-stderr-to <file> <action>)
	WithOutputsTo                           // (with-outputs-to <file> <action>)
	WithStdinFrom                           // (with-stdin-from <file> <action>)
	IgnoreStdout                            // (ignore-stdout <action>)
	IgnoreStderr                            // (ignore-stderr <action>)
	IgnoreOutputs                           // (ignore-outputs <action>)
	NoInfer                                 // (no-infer <action>): the action
	PipeStdout                              // (pipe-stdout <action> <action>…)
	PipeStderr                              // (pipe-stderr <action> <action>…)
	PipeOutputs                             // (pipe-outputs <action> <action>…)
	WithAcceptedExitCodes                   // (with-accepted-exit-codes <codes> <action>)
	Cram                                    // (cram <file>): dune's cram test runner
	FormatDuneFile                          // (format-dune-file <in> <out>): dune's formatter
	DynamicRun                              // (dynamic-run <program> <arg>…): an action plugin
	// Dune is the build field's default, (dune) or ((dune)): dune builds
	// the package with "dune build -p <name>".
	Dune
	numActionKinds
)

var actionNames = [numActionKinds]string{
	Run: "run", Runexec: "runexec", Progn: "progn", Concurrent: "concurrent", System: "system", Bash: "bash",
	Patch: "patch", Substitute: "substitute", Withenv: "withenv", Setenv: "setenv", When: "when", Chdir: "chdir",
	WriteFile: "write-file", Echo: "echo", Cat: "cat", Copy: "copy", CopyLineDirective: "copy#",
	Diff: "diff", DiffOptional: "diff?", Cmp: "cmp",
	WithStdoutTo: "with-stdout-to", WithStderrTo: "with-stderr-to", WithOutputsTo: "with-outputs-to",
	WithStdinFrom: "with-stdin-from", IgnoreStdout: "ignore-stdout", IgnoreStderr: "ignore-stderr",
	IgnoreOutputs: "ignore-outputs", NoInfer: "no-infer", PipeStdout: "pipe-stdout", PipeStderr: "pipe-stderr",
	PipeOutputs: "pipe-outputs", WithAcceptedExitCodes: "with-accepted-exit-codes", Cram: "cram",
	FormatDuneFile: "format-dune-file", DynamicRun: "dynamic-run", Dune: "dune",
}

func (k ActionKind) String() string { return spelling(actionNames[:], k) }

// ActionKinds lists every ActionKind.
func ActionKinds() []ActionKind { return values[ActionKind](numActionKinds) }

// TermForm is the form of an argument term (dune's slang).
type TermForm uint8

const (
	TermText              TermForm = iota // text with variables (Term.Parts)
	TermConcat                            // (concat <term>…)
	TermWhen                              // (when <condition> <term>): the term or nothing
	TermIf                                // (if <condition> <then> <else>)
	TermCatchUndefinedVar                 // (catch_undefined_var <term> <fallback>)
	TermHasUndefinedVar                   // (has_undefined_var <term>)
	TermCond                              // a condition, as the text true or false
	numTermForms
)

// termNames spells the forms; the two without a keyword of their own are
// in angle brackets, which no atom can match.
var termNames = [numTermForms]string{
	TermText: "<text>", TermConcat: "concat", TermWhen: "when", TermIf: "if",
	TermCatchUndefinedVar: "catch_undefined_var", TermHasUndefinedVar: "has_undefined_var", TermCond: "<condition>",
}

func (f TermForm) String() string { return spelling(termNames[:], f) }

// TermForms lists every TermForm.
func TermForms() []TermForm { return values[TermForm](numTermForms) }

// CondOp is the operator of a condition (dune's blang).
type CondOp uint8

const (
	CondTrue      CondOp = iota // true
	CondFalse                   // false
	CondAnd                     // (and <condition>…)
	CondOr                      // (or <condition>…)
	CondNot                     // (not <condition>)
	CondAndAbsorb               // (and_absorb_undefined_var <condition>…): false wins over undefined
	CondOrAbsorb                // (or_absorb_undefined_var <condition>…): true wins over undefined
	CondEq                      // (= <a> <b>), and the other comparisons: of the terms' texts
	CondNe                      // (<> <a> <b>)
	CondLt                      // (< <a> <b>)
	CondLe                      // (<= <a> <b>)
	CondGt                      // (> <a> <b>)
	CondGe                      // (>= <a> <b>)
	CondTerm                    // a term that must give true or false
	numCondOps
)

var condNames = [numCondOps]string{
	CondTrue: "true", CondFalse: "false", CondAnd: "and", CondOr: "or", CondNot: "not",
	CondAndAbsorb: "and_absorb_undefined_var", CondOrAbsorb: "or_absorb_undefined_var",
	CondEq: "=", CondNe: "<>", CondLt: "<", CondLe: "<=", CondGt: ">", CondGe: ">=", CondTerm: "<term>",
}

func (o CondOp) String() string { return spelling(condNames[:], o) }

// IsComparison reports whether o compares two terms.
func (o CondOp) IsComparison() bool { return o >= CondEq && o <= CondGe }

// CondOps lists every CondOp.
func CondOps() []CondOp { return values[CondOp](numCondOps) }

// EnvOp is an environment update's operator (opam's, which dune keeps).
type EnvOp uint8

const (
	EnvEq       EnvOp = iota // = sets
	EnvPlusEq                // += prepends, with no separator when the variable is empty
	EnvEqPlus                // =+ appends, likewise
	EnvColonEq               // := prepends, leaving a trailing separator when it is empty
	EnvEqColon               // =: appends, leaving a leading separator when it is empty
	EnvEqPlusEq              // =+=
	numEnvOps
)

var envNames = [numEnvOps]string{
	EnvEq: "=", EnvPlusEq: "+=", EnvEqPlus: "=+", EnvColonEq: ":=", EnvEqColon: "=:", EnvEqPlusEq: "=+=",
}

func (o EnvOp) String() string { return spelling(envNames[:], o) }

// EnvOps lists every EnvOp.
func EnvOps() []EnvOp { return values[EnvOp](numEnvOps) }

func spelling[K ~uint8](names []string, k K) string {
	if int(k) < len(names) {
		return names[k]
	}
	return fmt.Sprintf("%T(%d)", k, uint8(k))
}

// lookup finds the value dune spells s.
func lookup[K ~uint8](names []string, s string) (K, bool) {
	for i, n := range names {
		if n == s {
			return K(i), true
		}
	}
	return 0, false
}

func values[K ~uint8](n K) []K {
	out := make([]K, n)
	for i := range out {
		out[i] = K(i)
	}
	return out
}
