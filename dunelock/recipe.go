package dunelock

import (
	"github.com/lock2nix/lock2nix/dunelock/internal/sexp"
	"github.com/lock2nix/lock2nix/lockfile"
)

// Lock is a parsed dune lock directory: the graph every emitter reads, and
// what only dune records.
type Lock struct {
	Graph *lockfile.Graph
	// Compiler names the package that provides the OCaml compiler
	// (lock.dune's ocaml field); "" when the lock names none.
	Compiler string
	// Platforms lists the platforms the lock was solved for; nil when the
	// lock is for the platform it was made on only.
	Platforms []PlatformEnv
	// Recipes holds each package's build instructions, by package ID.
	Recipes map[string]*Recipe
}

// Recipe holds the build instructions a lock file records for a package.
type Recipe struct {
	// Depends are the package's dependencies as the lock lists them, with
	// the platforms each applies on; the graph's edges hold their names.
	Depends []Depend
	// Build and Install are run in the unpacked source, build first. Each
	// holds the alternatives for different platforms; the first whose
	// Platforms match applies, and none may. The build field's (dune) is
	// a Build of one Dune action.
	Build, Install []Branch
	// Env is exported to the packages that depend on this one.
	Env []EnvUpdate
	// Extra are files fetched next to the source and copied into it.
	Extra []ExtraSource
	// FilesDir is a folder, relative to the project root, whose contents
	// are copied over the source before building; "" for none.
	FilesDir string
	// Depexts are the system packages the build needs.
	Depexts []Depext
	// repos are the local git repositories (git+file) of the package's
	// sources, relative to the project.
	repos []lockfile.Source
	// Dev marks a package built from a development checkout.
	Dev bool
	// EnabledOn lists the platforms the package is for; nil means all.
	EnabledOn []PlatformEnv
}

// PlatformEnv is one platform as a set of variable values, such as
// os=linux arch=x86_64. It matches a host when every pair is the host's.
type PlatformEnv []VarValue

// VarValue is one variable's value.
type VarValue struct{ Var, Value string }

// Branch is a value that applies on the listed platforms, or on all when
// Platforms is nil.
type Branch struct {
	Platforms []PlatformEnv
	Action    *Action
}

// Action is one step of a recipe.
type Action struct {
	Kind ActionKind
	// Pos is where the action stands.
	Pos lockfile.Pos
	// Args are the terms the action takes, in the lock's order: run's
	// argv, a script, files (patch's, substitute's, copy's, diff's, cat's,
	// a redirection's), chdir's folder, setenv's variable and value,
	// write-file's path and text, echo's texts.
	Args []Term
	// Cond guards a when.
	Cond *Cond
	// Env are withenv's updates.
	Env []EnvUpdate
	// Codes are with-accepted-exit-codes' codes.
	Codes *ExitCodes
	// Body holds the steps of progn, concurrent and the pipes, or the one
	// step of the actions that wrap another.
	Body []*Action
}

// ExitCodes is with-accepted-exit-codes' predicate on an exit code: Code
// itself (Op is CondEq), or the and, the or, or the negated or (CondNot)
// of Args.
type ExitCodes struct {
	Op   CondOp
	Code int
	Args []ExitCodes
}

// Term is an argument: text with variables, or a form that computes one.
type Term struct {
	Form TermForm
	// Parts is the text of a plain term.
	Parts []Part
	// Args are the operand terms: concat's pieces, when's value, if's
	// then and else, catch_undefined_var's value and fallback,
	// has_undefined_var's term.
	Args []Term
	// Cond is when's, if's and cond's condition.
	Cond *Cond
}

// Part is literal text or a variable reference such as "prefix",
// "pkg-self:version" or "pkg:ocaml:lib".
type Part struct {
	Lit string
	Var string
}

// Cond is a condition.
type Cond struct {
	Op CondOp
	// Args are and's, or's and not's operands.
	Args []*Cond
	// Terms are a comparison's two sides, or CondTerm's one term.
	Terms []Term
}

// EnvUpdate changes an environment variable.
type EnvUpdate struct {
	Pos   lockfile.Pos
	Op    EnvOp
	Var   string
	Value Term
}

// ExtraSource is a file fetched on its own and placed at Path, relative to
// the package's source root.
type ExtraSource struct {
	Path   string
	Source lockfile.Source
}

// Depend is one dependency, on the listed platforms or on all when
// Platforms is nil, but not on those Unless lists: the platforms of
// earlier branches of the same choice, which dune takes first (only
// those that a platform of this one's could match too).
type Depend struct {
	Name      string
	Platforms []PlatformEnv
	Unless    []PlatformEnv
}

// Depext names system packages, needed when Cond holds (always when nil).
type Depext struct {
	Names []string
	Cond  *Cond
}

// LocalSources lists every local path the lock names: package sources
// and extra sources that are paths, and the git+file repositories (each
// with its place in the lock), and the .files folders, for a caller that
// checks where they lead.
func (l *Lock) LocalSources() []lockfile.Source {
	var out []lockfile.Source
	for _, p := range l.Graph.Packages {
		if p.Source.Local() {
			out = append(out, p.Source)
		}
		r := l.Recipes[p.ID]
		if r == nil {
			continue
		}
		for _, x := range r.Extra {
			if x.Source.Local() {
				out = append(out, x.Source)
			}
		}
		if r.FilesDir != "" {
			out = append(out, lockfile.Source{Kind: lockfile.Directory, Path: r.FilesDir, Origin: lockfile.Pos{File: r.FilesDir}})
		}
		out = append(out, r.repos...)
	}
	return out
}

// String returns the term as the lock writes it: text with %{var}
// references, or "(<form> …)" for a computed term.
func (t Term) String() string {
	if t.Form != TermText {
		return "(" + t.Form.String() + " …)"
	}
	n := &sexp.Node{Kind: sexp.Atom, Parts: make([]sexp.Part, len(t.Parts))}
	for i, p := range t.Parts {
		n.Parts[i] = sexp.Part{Lit: p.Lit, Var: p.Var}
	}
	return n.String()
}
