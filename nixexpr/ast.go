// Package nixexpr writes Nix: a small syntax tree, a printer that lays it
// out in nixfmt (RFC 166) style, and what every emitter needs (the header
// of a generated file, fetchers for a lockfile.Source, derivation names).
//
// The printer escapes every string and attribute name it is given, so no
// lockfile content can become Nix code. This package knows no lockfile
// format: each ecosystem's emitter, in a subpackage (nixexpr/npm,
// nixexpr/dune), turns its graph into a file with these pieces.
package nixexpr

// Expr is a Nix expression.
type Expr interface{ expr() }

// Ident is a variable reference such as lib or fetchurl.
type Ident struct{ Name string }

// String is a double-quoted string; the printer escapes its value.
type String struct{ Value string }

// Path is a path literal such as ./a/b.
type Path struct{ Value string }

// Int is an integer literal.
type Int struct{ Value int64 }

// Bool is true or false.
type Bool struct{ Value bool }

// Null is null.
type Null struct{}

// List is [ … ].
type List struct{ Items []Expr }

// AttrSet is { … } or rec { … }. Bindings print in the order given.
type AttrSet struct {
	Rec      bool
	Bindings []Binding
}

// Let is let … in Body.
type Let struct {
	Bindings []Binding
	Body     Expr
}

// Func is a function: "Param: Body" when Formals is nil and Ellipsis is
// false; otherwise "{ formals }: Body", with "@Param" when Param is set.
type Func struct {
	Param    string
	Formals  []Formal
	Ellipsis bool
	Body     Expr
}

// Formal is one named argument of a function, with an optional default.
type Formal struct {
	Name    string
	Default Expr
}

// Apply is a function call: Func Args[0] Args[1] ….
type Apply struct {
	Func Expr
	Args []Expr
}

// Select is Expr.a."b c", or Expr.a or Default.
type Select struct {
	Expr    Expr
	Attrs   []string
	Default Expr
}

// BinOp is Left Op Right for one of + // ++ == != && || ->.
type BinOp struct {
	Op          string
	Left, Right Expr
}

// Not is !Expr.
type Not struct{ Expr Expr }

// If is if Cond then Then else Else.
type If struct{ Cond, Then, Else Expr }

// Raw is Nix text that lock2nix itself wrote (builder code), printed
// re-indented to where it stands. Never put lockfile data in a Raw.
type Raw struct{ Text string }

// Lines is a multi-line string whose lines are made as it is printed, so
// that a text of megabytes (a data file's package records) is never held
// whole. Each yields the lines without their newlines; the slice it yields
// may be reused once yield returns. The printer escapes every line and
// writes the text as an indented string, each line followed by a newline;
// it refuses a text that would not read back unchanged: a line holding a
// newline, carriage return or NUL byte, a line of blanks only or starting
// with a tab, or no line at the left edge.
type Lines struct {
	Each func(yield func(line []byte) bool)
}

func (Ident) expr()   {}
func (String) expr()  {}
func (Path) expr()    {}
func (Int) expr()     {}
func (Bool) expr()    {}
func (Null) expr()    {}
func (List) expr()    {}
func (AttrSet) expr() {}
func (Let) expr()     {}
func (Func) expr()    {}
func (Apply) expr()   {}
func (Select) expr()  {}
func (BinOp) expr()   {}
func (Not) expr()     {}
func (If) expr()      {}
func (Raw) expr()     {}
func (Lines) expr()   {}

// Binding is one entry of an attribute set or let: an Attr or an Inherit.
type Binding interface{ binding() }

// Attr is Path = Value; with an optional comment line above it.
type Attr struct {
	Path    []string
	Value   Expr
	Comment string
}

// Inherit is inherit Names; or inherit (From) Names;.
type Inherit struct {
	From  Expr
	Names []string
}

func (Attr) binding()    {}
func (Inherit) binding() {}

// File is a whole .nix file: comment lines, then the expression.
type File struct {
	Comments []string
	Body     Expr
}
