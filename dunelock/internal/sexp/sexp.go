// Package sexp reads the S-expressions of dune's lock files: atoms, quoted
// strings with OCaml escapes, block strings, comments, and %{…} templates,
// with a line and column on every node.
package sexp

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
)

// Pos is a 1-based line and byte column.
type Pos struct{ Line, Col int }

func (p Pos) String() string { return fmt.Sprintf("%d:%d", p.Line, p.Col) }

// Kind says what a Node is.
type Kind uint8

const (
	// Atom is an unquoted word.
	Atom Kind = iota
	// String is a quoted or block string.
	String
	// List is a parenthesised list.
	List
)

// Node is one S-expression.
type Node struct {
	Pos  Pos
	Kind Kind
	// Parts is an atom's or string's text: literal runs and %{…}
	// variables. A plain word has one literal part.
	Parts []Part
	// List holds a list's elements.
	List []*Node
}

// Part is a run of literal text, or a %{Var} template variable.
type Part struct {
	Lit string
	// Var is the text between %{ and }, such as "prefix" or
	// "pkg:ocaml:version"; empty for a literal part.
	Var string
}

// IsTemplate reports whether n is an atom or string with a variable in it.
func (n *Node) IsTemplate() bool {
	for _, p := range n.Parts {
		if p.Var != "" {
			return true
		}
	}
	return false
}

// Text returns an atom's or string's literal text, and false when n is a
// list or holds a template.
func (n *Node) Text() (string, bool) {
	if n.Kind == List || n.IsTemplate() {
		return "", false
	}
	var b strings.Builder
	for _, p := range n.Parts {
		b.WriteString(p.Lit)
	}
	return b.String(), true
}

// Head returns the first element of a list when it is a plain atom.
func (n *Node) Head() string {
	if n.Kind != List || len(n.List) == 0 || n.List[0].Kind != Atom {
		return ""
	}
	s, _ := n.List[0].Text()
	return s
}

// String prints n back in dune's syntax.
func (n *Node) String() string {
	switch n.Kind {
	case List:
		parts := make([]string, len(n.List))
		for i, c := range n.List {
			parts[i] = c.String()
		}
		return "(" + strings.Join(parts, " ") + ")"
	case String:
		var b strings.Builder
		b.WriteByte('"')
		for _, p := range n.Parts {
			if p.Var != "" {
				b.WriteString("%{" + p.Var + "}")
				continue
			}
			r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\t", `\t`, "\r", `\r`, "%{", `\%{`)
			b.WriteString(r.Replace(p.Lit))
		}
		b.WriteByte('"')
		return b.String()
	}
	var b strings.Builder
	for _, p := range n.Parts {
		if p.Var != "" {
			b.WriteString("%{" + p.Var + "}")
		} else {
			b.WriteString(p.Lit)
		}
	}
	return b.String()
}

// Error is a syntax error at a place in a file.
type Error struct {
	File string
	Pos  Pos
	Msg  string
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Pos.Line, e.Pos.Col, e.Msg)
}

// Parse reads every S-expression in data. file names it in errors.
func Parse(file string, data []byte) ([]*Node, error) {
	l := &lexer{file: file, data: data, line: 1, col: 1}
	var top []*Node
	for {
		l.space()
		if l.err != nil {
			return nil, l.err
		}
		if l.off >= len(l.data) {
			return top, nil
		}
		n := l.node()
		if l.err != nil {
			return nil, l.err
		}
		if n != nil {
			top = append(top, n)
		}
	}
}

// maxDepth bounds the nesting of lists and #; comments, which the lexer
// reads by recursion: far beyond any lock file, far below what exhausts
// the stack.
const maxDepth = 1000

type lexer struct {
	file      string
	data      []byte
	off       int
	line, col int
	err       error
	depth     int
	// nodes hands out Nodes in blocks; stack holds the elements of the
	// lists being read, each copied out whole when its list closes.
	nodes []Node
	stack []*Node
}

// newNode returns a Node from the current block.
func (l *lexer) newNode(n Node) *Node {
	if len(l.nodes) == cap(l.nodes) {
		l.nodes = make([]Node, 0, 128)
	}
	l.nodes = append(l.nodes, n)
	return &l.nodes[len(l.nodes)-1]
}

func (l *lexer) pos() Pos { return Pos{l.line, l.col} }

func (l *lexer) fail(p Pos, format string, args ...any) {
	if l.err == nil {
		l.err = &Error{l.file, p, fmt.Sprintf(format, args...)}
	}
}

func (l *lexer) peek(k int) byte {
	if l.off+k < len(l.data) {
		return l.data[l.off+k]
	}
	return 0
}

func (l *lexer) advance() byte {
	c := l.data[l.off]
	l.off++
	if c == '\n' {
		l.line++
		l.col = 1
	} else {
		l.col++
	}
	return c
}

// space skips white space and comments.
func (l *lexer) space() {
	for l.off < len(l.data) && l.err == nil {
		c := l.peek(0)
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			l.advance()
		case c == ';':
			for l.off < len(l.data) && l.peek(0) != '\n' {
				l.advance()
			}
		case c == '#' && l.peek(1) == '|':
			start := l.pos()
			l.advance()
			l.advance()
			for {
				if l.off >= len(l.data) {
					l.fail(start, "unterminated block comment: want |#")
					return
				}
				if l.peek(0) == '|' && l.peek(1) == '#' {
					l.advance()
					l.advance()
					break
				}
				l.advance()
			}
		case c == '#' && l.peek(1) == ';':
			// The datum commented out may start with #; itself: each
			// one is a level of recursion, counted as a list's is.
			start := l.pos()
			l.advance()
			l.advance()
			if l.depth++; l.depth > maxDepth {
				l.fail(start, "lists and #; comments nested more than %d deep", maxDepth)
				return
			}
			l.space()
			if l.off >= len(l.data) {
				l.fail(l.pos(), "#; comments out nothing")
				return
			}
			l.node() // the commented-out datum
			l.depth--
		default:
			return
		}
	}
}

// node reads one atom, string or list.
func (l *lexer) node() *Node {
	start := l.pos()
	c := l.peek(0)
	switch {
	case c == '(':
		l.advance()
		l.depth++
		if l.depth > maxDepth {
			l.fail(start, "lists and #; comments nested more than %d deep", maxDepth)
			return nil
		}
		n := l.newNode(Node{Pos: start, Kind: List})
		mark := len(l.stack)
		defer func() { l.stack = l.stack[:mark] }()
		for {
			l.space()
			if l.err != nil {
				return nil
			}
			if l.off >= len(l.data) {
				l.fail(start, "unclosed parenthesis: want )")
				return nil
			}
			if l.peek(0) == ')' {
				l.advance()
				l.depth--
				if len(l.stack) > mark {
					n.List = slices.Clone(l.stack[mark:])
				}
				return n
			}
			child := l.node()
			if l.err != nil {
				return nil
			}
			l.stack = append(l.stack, child)
		}
	case c == ')':
		l.fail(start, "unexpected ): no list is open")
		return nil
	case c == '"':
		if (l.peek(1) == '\\') && (l.peek(2) == '|' || l.peek(2) == '>') {
			return l.block()
		}
		return l.quoted()
	}
	return l.atom()
}

func atomByte(c byte) bool {
	return c > ' ' && c < 0x7f && c != '(' && c != ')' && c != '"' && c != ';'
}

func (l *lexer) atom() *Node {
	start := l.pos()
	from := l.off
	for l.off < len(l.data) && atomByte(l.peek(0)) {
		l.advance()
	}
	if l.off == from {
		c := l.peek(0)
		if c >= 0x80 {
			l.fail(start, "non-ASCII byte 0x%02x outside a quoted string", c)
		} else {
			l.fail(start, "unexpected character %q", c)
		}
		return nil
	}
	text := string(l.data[from:l.off])
	parts, err := templates(text, nil)
	if err != "" {
		l.fail(start, "%s", err)
		return nil
	}
	return l.newNode(Node{Pos: start, Kind: Atom, Parts: parts})
}

// quoted reads "…" with dune's escapes. A %{ written \%{ is literal text.
func (l *lexer) quoted() *Node {
	start := l.pos()
	l.advance()
	// Most strings have no escape: their text is taken as it stands.
	if end := bytes.IndexAny(l.data[l.off:], "\"\\"); end >= 0 && l.data[l.off+end] == '"' {
		text := string(l.data[l.off : l.off+end])
		for range end + 1 {
			l.advance()
		}
		parts, err := templates(text, nil)
		if err != "" {
			l.fail(start, "%s", err)
			return nil
		}
		return l.newNode(Node{Pos: start, Kind: String, Parts: parts})
	}
	var b []byte
	var literalPct []int // offsets in b of % that came from \%
	for {
		if l.off >= len(l.data) {
			l.fail(start, "unterminated string: want \"")
			return nil
		}
		c := l.advance()
		if c == '"' {
			break
		}
		if c != '\\' {
			b = append(b, c)
			continue
		}
		if l.off >= len(l.data) {
			l.fail(start, "unterminated string: want \"")
			return nil
		}
		escPos := Pos{l.line, l.col - 1}
		e := l.advance()
		if v, ok := escaped(e); ok {
			b = append(b, v)
			continue
		}
		switch e {
		case '%':
			literalPct = append(literalPct, len(b))
			b = append(b, '%')
		case '\n':
			for l.off < len(l.data) && (l.peek(0) == ' ' || l.peek(0) == '\t') {
				l.advance()
			}
		case 'x':
			h1, h2 := l.peek(0), l.peek(1)
			v, ok := hexByte(h1, h2)
			if !ok {
				l.fail(escPos, `invalid escape \x%c%c: want two hexadecimal digits`, h1, h2)
				return nil
			}
			l.advance()
			l.advance()
			b = append(b, v)
		default:
			if e >= '0' && e <= '9' {
				d2, d3 := l.peek(0), l.peek(1)
				if d2 < '0' || d2 > '9' || d3 < '0' || d3 > '9' {
					l.fail(escPos, `invalid escape \%c: want three decimal digits`, e)
					return nil
				}
				v := int(e-'0')*100 + int(d2-'0')*10 + int(d3-'0')
				if v > 255 {
					l.fail(escPos, `invalid escape \%c%c%c: over 255`, e, d2, d3)
					return nil
				}
				l.advance()
				l.advance()
				b = append(b, byte(v))
				continue
			}
			l.fail(escPos, `unknown escape \%c in a string`, e)
			return nil
		}
	}
	parts, err := templates(string(b), literalPct)
	if err != "" {
		l.fail(start, "%s", err)
		return nil
	}
	return &Node{Pos: start, Kind: String, Parts: parts}
}

// block reads consecutive "\| and "\> lines, joined with newlines: "\|
// lines keep escapes and templates, "\> lines are raw.
func (l *lexer) block() *Node {
	start := l.pos()
	var parts []Part
	first := true
	for {
		// At "\| or "\>.
		l.advance()
		l.advance()
		raw := l.advance() == '>'
		if c := l.peek(0); c == ' ' {
			l.advance()
		} else if c != '\n' && l.off < len(l.data) {
			l.fail(start, `a block string line must start with "\| or "\> and a space`)
			return nil
		}
		from := l.off
		for l.off < len(l.data) && l.peek(0) != '\n' {
			l.advance()
		}
		text := string(l.data[from:l.off])
		var line []Part
		if raw {
			line = []Part{{Lit: text}}
		} else {
			decoded, pct, err := unescapeLine(text)
			if err != "" {
				l.fail(start, "%s", err)
				return nil
			}
			var terr string
			line, terr = templates(decoded, pct)
			if terr != "" {
				l.fail(start, "%s", terr)
				return nil
			}
		}
		if !first {
			parts = append(parts, Part{Lit: "\n"})
		}
		first = false
		parts = append(parts, line...)
		// Another block line follows after blanks and a newline?
		save, sl, sc := l.off, l.line, l.col
		if l.off < len(l.data) {
			l.advance()
		}
		for l.off < len(l.data) && (l.peek(0) == ' ' || l.peek(0) == '\t') {
			l.advance()
		}
		if l.peek(0) == '"' && l.peek(1) == '\\' && (l.peek(2) == '|' || l.peek(2) == '>') {
			continue
		}
		l.off, l.line, l.col = save, sl, sc
		return &Node{Pos: start, Kind: String, Parts: merge(parts)}
	}
}

func unescapeLine(s string) (string, []int, string) {
	var b []byte
	var pct []int
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 >= len(s) {
			b = append(b, s[i])
			continue
		}
		i++
		if v, ok := escaped(s[i]); ok {
			b = append(b, v)
			continue
		}
		switch s[i] {
		case '%':
			pct = append(pct, len(b))
			b = append(b, '%')
		default:
			return "", nil, fmt.Sprintf(`unknown escape \%c in a block string`, s[i])
		}
	}
	return string(b), pct, ""
}

// escaped returns the byte a one-character escape (\\ \" \' \n \t \b \r)
// stands for, in quoted and block strings alike.
func escaped(c byte) (byte, bool) {
	switch c {
	case '\\', '"', '\'':
		return c, true
	case 'n':
		return '\n', true
	case 't':
		return '\t', true
	case 'b':
		return '\b', true
	case 'r':
		return '\r', true
	}
	return 0, false
}

func hexByte(a, b byte) (byte, bool) {
	h := func(c byte) (byte, bool) {
		switch {
		case c >= '0' && c <= '9':
			return c - '0', true
		case c >= 'a' && c <= 'f':
			return c - 'a' + 10, true
		case c >= 'A' && c <= 'F':
			return c - 'A' + 10, true
		}
		return 0, false
	}
	x, ok1 := h(a)
	y, ok2 := h(b)
	return x<<4 | y, ok1 && ok2
}

// templates splits text into literal and %{…} parts; a % at an offset in
// literal came from \% and starts no variable.
func templates(text string, literal []int) ([]Part, string) {
	if !strings.Contains(text, "%{") {
		return []Part{{Lit: text}}, ""
	}
	isLiteral := func(i int) bool {
		for _, o := range literal {
			if o == i {
				return true
			}
		}
		return false
	}
	var parts []Part
	var lit strings.Builder
	for i := 0; i < len(text); i++ {
		if text[i] == '%' && i+1 < len(text) && text[i+1] == '{' && !isLiteral(i) {
			end := strings.IndexByte(text[i+2:], '}')
			if end < 0 {
				return nil, "unterminated %{: want }"
			}
			name := text[i+2 : i+2+end]
			if err := checkVar(name); err != "" {
				return nil, err
			}
			if lit.Len() > 0 {
				parts = append(parts, Part{Lit: lit.String()})
				lit.Reset()
			}
			parts = append(parts, Part{Var: name})
			i += 2 + end
			continue
		}
		lit.WriteByte(text[i])
	}
	if lit.Len() > 0 || len(parts) == 0 {
		parts = append(parts, Part{Lit: lit.String()})
	}
	return parts, ""
}

func checkVar(v string) string {
	name, payload, hasPayload := strings.Cut(v, ":")
	// Names and payloads are atom bytes; a name has no %, { or }.
	for i := 0; i < len(v); i++ {
		if !atomByte(v[i]) || v[i] == '{' || v[i] == '}' || v[i] == '\\' || (i < len(name) && v[i] == '%') {
			return fmt.Sprintf("invalid variable %%{%s}", v)
		}
	}
	if name == "" {
		return fmt.Sprintf("invalid variable %%{%s}", v)
	}
	if hasPayload && payload == "" {
		return fmt.Sprintf("variable %%{%s} has an empty payload", v)
	}
	return ""
}

func merge(parts []Part) []Part {
	var out []Part
	for _, p := range parts {
		if n := len(out); n > 0 && p.Var == "" && out[n-1].Var == "" {
			out[n-1].Lit += p.Lit
			continue
		}
		out = append(out, p)
	}
	return out
}
