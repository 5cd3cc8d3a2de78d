package nixexpr

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/lock2nix/lock2nix/lockfile"
)

// width is nixfmt's line limit, not counting indentation.
const width = 100

// Error reports a tree the printer cannot write as valid Nix.
type Error struct {
	Msg   string
	Value string
}

// Error says what cannot be written and the value at fault.
func (e *Error) Error() string { return fmt.Sprintf("nixexpr: %s: %q", e.Msg, e.Value) }

// Print writes f: its comments as "# …" lines, a blank line, the body, and
// a final newline. The text is made whole before any of it is written, so
// on an error w receives nothing.
func Print(w io.Writer, f *File) error {
	p := &printer{}
	p.file(f)
	if p.err != nil {
		return p.err
	}
	_, err := p.buf.WriteTo(w)
	return err
}

// Stream writes f as Print does, but a block at a time as the text is laid
// out, holding 64 KiB of it rather than all: on an error w may have
// received a part. It is for writers that can drop a part, such as a
// temporary file, or compare it.
func Stream(w io.Writer, f *File) error {
	p := &printer{buf: text{sink: w}}
	p.file(f)
	p.buf.flush()
	if p.err != nil {
		return p.err
	}
	return p.buf.err
}

// file lays f out.
func (p *printer) file(f *File) {
	for _, c := range f.Comments {
		for _, line := range strings.Split(c, "\n") {
			p.buf.WriteString(strings.TrimRight("# "+line, " ") + "\n")
		}
	}
	if len(f.Comments) > 0 {
		p.buf.WriteString("\n")
	}
	p.top(f.Body, 0)
	p.buf.WriteString("\n")
}

// Format prints one expression at indent 0, without a final newline.
func Format(e Expr) ([]byte, error) {
	p := &printer{}
	p.top(e, 0)
	return p.buf.Bytes(), p.err
}

// Quote returns the Nix string literal for s. Nix strings cannot hold a
// NUL byte, so s must not contain one.
func Quote(s string) (string, error) {
	b, err := appendQuote(make([]byte, 0, len(s)+2), s)
	return string(b), err
}

// appendQuote appends the Nix string literal for s to dst; on an error,
// nothing.
func appendQuote[T string | []byte](dst []byte, s T) ([]byte, error) {
	start := len(dst)
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		// The run up to the next byte to escape is copied whole.
		j := i + plainQuote(s[i:])
		for j < len(s) && !quoteEscapes[s[j]] {
			j++
		}
		dst = append(dst, s[i:j]...)
		if i = j; i == len(s) {
			break
		}
		switch c := s[i]; c {
		case 0:
			return dst[:start], &Error{"a Nix string cannot hold a NUL byte", string(s)}
		case '\\':
			dst = append(dst, `\\`...)
		case '"':
			dst = append(dst, `\"`...)
		case '\n':
			dst = append(dst, `\n`...)
		case '\r':
			dst = append(dst, `\r`...)
		case '\t':
			dst = append(dst, `\t`...)
		case '$':
			if i+1 < len(s) && s[i+1] == '{' {
				dst = append(dst, `\$`...)
			} else {
				dst = append(dst, '$')
			}
		}
	}
	return append(dst, '"'), nil
}

// plainQuote returns a length of s's start, a multiple of eight, that
// appendQuote copies as it is: it reads eight bytes at a time while they
// are ASCII and none is a control character, quote, backslash or dollar.
// URLs, hashes and names run to tens of bytes, nearly all plain.
func plainQuote[T string | []byte](s T) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(s); i += 8 {
		b := s[i : i+8]
		w := uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
			uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
		// A byte below 0x20 gets its high bit set in w-0x20...; so does a
		// quote, backslash or dollar in (w^c...)-1..., where it is 0; a
		// byte of 0x80 and above has it already. Only those bytes borrow,
		// so a word without one is told right.
		if ((w-0x20*ones)|((w^'"'*ones)-ones)|((w^'\\'*ones)-ones)|((w^'$'*ones)-ones)|w)&highs != 0 {
			break
		}
	}
	return i
}

// quoteEscapes marks the bytes appendQuote looks at: those it escapes,
// $ (before {), and NUL, which it refuses.
var quoteEscapes = [256]bool{'\\': true, '"': true, '\n': true, '\r': true, '\t': true, '$': true, 0: true}

var keywords = map[string]bool{
	"if": true, "then": true, "else": true, "assert": true, "with": true,
	"let": true, "in": true, "rec": true, "inherit": true, "or": true,
}

// IsIdent reports whether s can stand bare as a variable or attribute
// name: [a-zA-Z_][a-zA-Z0-9_'-]* and not a keyword.
func IsIdent(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_':
		case i > 0 && (c >= '0' && c <= '9' || c == '\'' || c == '-'):
		default:
			return false
		}
	}
	return !keywords[s] // asked last: most names fail above, without a lookup
}

// AttrName returns s as an attribute name: bare when it is an identifier,
// quoted otherwise.
func AttrName(s string) (string, error) {
	if IsIdent(s) {
		return s, nil
	}
	return Quote(s)
}

func validPath(s string) bool {
	if !(strings.HasPrefix(s, "./") || strings.HasPrefix(s, "../") || strings.HasPrefix(s, "/")) {
		return false
	}
	if strings.HasSuffix(s, "/") || strings.Contains(s, "//") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("._+-/", c) >= 0) {
			return false
		}
	}
	return true
}

// printer lays a tree out into buf; the first problem it meets is kept in
// err, and printing goes on so that callers check once.
type printer struct {
	buf text
	err error
}

func (p *printer) fail(err error) {
	if p.err == nil {
		p.err = err
	}
}

func (p *printer) nl(indent int) {
	p.buf.WriteByte('\n')
	for ; indent > len(spaces)/2; indent -= len(spaces) / 2 {
		p.buf.WriteString(spaces)
	}
	p.buf.WriteString(spaces[:2*indent])
}

// spaces are what nl indents with, cut to length rather than made for
// each of a file's many lines.
const spaces = "                                "

func (p *printer) quote(s string) string {
	q, err := Quote(s)
	if err != nil {
		p.fail(err)
	}
	return q
}

// writeQuote prints s as a string literal, straight into the buffer.
func (p *printer) writeQuote(s string) {
	b, err := appendQuote(p.buf.AvailableBuffer(), s)
	if err != nil {
		p.fail(err)
	}
	p.buf.Write(b)
}

// writeAttrPath prints path straight into the buffer and returns its width.
func (p *printer) writeAttrPath(path []string) int {
	start := p.buf.Len()
	for i, s := range path {
		if i > 0 {
			p.buf.WriteByte('.')
		}
		p.writeAttrName(s)
	}
	return p.buf.Len() - start
}

// writeAttrName prints s as an attribute name: bare or quoted.
func (p *printer) writeAttrName(s string) {
	if IsIdent(s) {
		p.buf.WriteString(s)
	} else {
		p.writeQuote(s)
	}
}

func (p *printer) attrName(s string) string {
	if IsIdent(s) {
		return s
	}
	return p.quote(s)
}

func (p *printer) attrPath(path []string) string {
	parts := make([]string, len(path))
	for i, s := range path {
		parts[i] = p.attrName(s)
	}
	return strings.Join(parts, ".")
}

// flat renders e on one line, or reports that e must span lines.
func (p *printer) flat(e Expr) (string, bool) {
	switch e := e.(type) {
	case Ident:
		if !IsIdent(e.Name) && e.Name != "builtins" {
			p.fail(&Error{"not a valid identifier", e.Name})
		}
		return e.Name, true
	case String:
		if indentable(e.Value) {
			return "", false // written as an indented string
		}
		return p.quote(e.Value), true
	case Path:
		if !validPath(e.Value) {
			p.fail(&Error{"not a valid path literal", e.Value})
		}
		return e.Value, true
	case Int:
		return strconv.FormatInt(e.Value, 10), true
	case Bool:
		return strconv.FormatBool(e.Value), true
	case Null:
		return "null", true
	case List:
		switch len(e.Items) {
		case 0:
			return "[ ]", true
		case 1:
			s, ok := p.flat(e.Items[0])
			if !ok || strings.HasPrefix(s, "[") {
				return "", false
			}
			return "[ " + s + " ]", true
		}
		return "", false
	case sourceSet:
		if len(e.s.added) == 0 {
			return "{ }", true
		}
		return "", false
	case AttrSet:
		if len(e.Bindings) == 0 {
			if e.Rec {
				return "rec { }", true
			}
			return "{ }", true
		}
		return "", false
	case Select:
		base, ok := p.flat(e.Expr)
		if !ok {
			return "", false
		}
		if needsParensSelect(e.Expr) {
			base = "(" + base + ")"
		}
		s := base + "." + p.attrPath(e.Attrs)
		if e.Default != nil {
			d, ok := p.flatOperand(e.Default)
			if !ok {
				return "", false
			}
			s += " or " + d
		}
		return s, true
	case Apply:
		parts := []string{}
		f, ok := p.flatOperand(e.Func)
		if !ok {
			return "", false
		}
		if _, isApply := e.Func.(Apply); isApply {
			f = strings.TrimSuffix(strings.TrimPrefix(f, "("), ")")
		}
		parts = append(parts, f)
		for _, a := range e.Args {
			s, ok := p.flatOperand(a)
			if !ok {
				return "", false
			}
			parts = append(parts, s)
		}
		return strings.Join(parts, " "), true
	case BinOp:
		l, ok1 := p.flatOperand(e.Left)
		r, ok2 := p.flatOperand(e.Right)
		return l + " " + e.Op + " " + r, ok1 && ok2
	case Not:
		s, ok := p.flatOperand(e.Expr)
		return "!" + s, ok
	case Raw:
		if strings.Contains(e.Text, "\n") {
			return "", false
		}
		return e.Text, true
	case Func:
		if e.Formals == nil && !e.Ellipsis {
			body, ok := p.flat(e.Body)
			return e.Param + ": " + body, ok
		}
		return "", false
	}
	return "", false
}

// flatOperand is flat with parentheses where e would otherwise bind wrongly
// as a function argument or operand.
func (p *printer) flatOperand(e Expr) (string, bool) {
	s, ok := p.flat(e)
	switch x := e.(type) {
	case Apply, BinOp, Func, If, Let, Not:
		s = "(" + s + ")"
	case Select:
		if x.Default != nil {
			s = "(" + s + ")"
		}
	case Raw:
		s = "(" + s + ")"
	}
	return s, ok
}

func needsParensSelect(e Expr) bool {
	switch e.(type) {
	case Ident, Select, AttrSet, List, String:
		return false
	}
	return true
}

// top prints e where it starts a line at indent.
func (p *printer) top(e Expr, indent int) {
	if s, ok := p.flat(e); ok && len(s) <= width {
		p.buf.WriteString(s)
		return
	}
	switch e := e.(type) {
	case List:
		p.buf.WriteString("[")
		for _, it := range e.Items {
			p.nl(indent + 1)
			p.operand(it, indent+1)
		}
		p.nl(indent)
		p.buf.WriteString("]")
	case AttrSet:
		if e.Rec {
			p.buf.WriteString("rec ")
		}
		p.buf.WriteString("{")
		p.bindings(e.Bindings, indent+1)
		p.nl(indent)
		p.buf.WriteString("}")
	case Let:
		p.buf.WriteString("let")
		p.bindings(e.Bindings, indent+1)
		p.nl(indent)
		p.buf.WriteString("in")
		p.nl(indent)
		p.top(e.Body, indent)
	case Func:
		p.funcHead(e, indent)
		p.nl(indent)
		p.top(e.Body, indent)
	case Apply:
		// Everything but the last argument on the first line; the last
		// one hugs it when it is a set or list.
		f, _ := p.flatOperand(e.Func)
		if _, isApply := e.Func.(Apply); isApply {
			f = strings.TrimSuffix(strings.TrimPrefix(f, "("), ")")
		}
		p.buf.WriteString(f)
		for i, a := range e.Args {
			p.buf.WriteString(" ")
			if i == len(e.Args)-1 {
				p.operand(a, indent)
			} else {
				s, _ := p.flatOperand(a)
				p.buf.WriteString(s)
			}
		}
	case If:
		p.buf.WriteString("if ")
		p.top(e.Cond, indent)
		p.buf.WriteString(" then")
		p.nl(indent + 1)
		p.top(e.Then, indent+1)
		p.nl(indent)
		p.buf.WriteString("else")
		p.nl(indent + 1)
		p.top(e.Else, indent+1)
	case BinOp:
		p.operand(e.Left, indent)
		p.nl(indent)
		p.buf.WriteString(e.Op + " ")
		p.operand(e.Right, indent)
	case Raw:
		p.raw(e.Text, indent)
	case String:
		p.indented(e, indent)
	case Lines:
		p.lines(e, indent)
	case sourceSet:
		p.sourceSet(e.s, indent)
	default:
		s, _ := p.flat(e)
		p.buf.WriteString(s)
	}
}

// operand prints e, parenthesised when it needs to be.
func (p *printer) operand(e Expr, indent int) {
	switch e.(type) {
	case Apply, BinOp, Func, If, Let, Not, Raw:
		if s, ok := p.flatOperand(e); ok && len(s) <= width {
			p.buf.WriteString(s)
			return
		}
		p.buf.WriteString("(")
		p.nl(indent + 1)
		p.top(e, indent+1)
		p.nl(indent)
		p.buf.WriteString(")")
		return
	}
	p.top(e, indent)
}

func (p *printer) funcHead(f Func, indent int) {
	if f.Formals == nil && !f.Ellipsis {
		p.buf.WriteString(f.Param + ":")
		return
	}
	names := []string{}
	simple := true
	for _, fm := range f.Formals {
		if !IsIdent(fm.Name) {
			p.fail(&Error{"not a valid formal name", fm.Name})
		}
		if fm.Default != nil {
			simple = false
		}
		names = append(names, fm.Name)
	}
	if f.Ellipsis {
		names = append(names, "...")
	}
	suffix := ":"
	if f.Param != "" {
		suffix = "@" + f.Param + ":"
	}
	if simple && len(names) <= 2 {
		if len(names) == 0 {
			p.buf.WriteString("{ }" + suffix)
		} else {
			p.buf.WriteString("{ " + strings.Join(names, ", ") + " }" + suffix)
		}
		return
	}
	p.buf.WriteString("{")
	for _, fm := range f.Formals {
		p.nl(indent + 1)
		p.buf.WriteString(fm.Name)
		if fm.Default != nil {
			p.buf.WriteString(" ? ")
			p.operand(fm.Default, indent+1)
		}
		p.buf.WriteString(",")
	}
	if f.Ellipsis {
		p.nl(indent + 1)
		p.buf.WriteString("...")
	}
	p.nl(indent)
	p.buf.WriteString("}" + suffix)
}

func (p *printer) bindings(bs []Binding, indent int) {
	for _, b := range bs {
		p.binding(b, indent)
	}
}

func (p *printer) binding(b Binding, indent int) {
	switch b := b.(type) {
	case Attr:
		if b.Comment != "" {
			for _, line := range strings.Split(b.Comment, "\n") {
				p.nl(indent)
				p.buf.WriteString(strings.TrimRight("# "+line, " "))
			}
		}
		p.nl(indent)
		if len(b.Path) == 0 {
			p.fail(&Error{"attribute with an empty path", ""})
		}
		n := p.writeAttrPath(b.Path)
		p.buf.WriteString(" =")
		p.value(b.Value, indent, n+3)
		p.buf.WriteString(";")
	case Inherit:
		p.nl(indent)
		head := "inherit"
		if b.From != nil {
			s, _ := p.flat(b.From)
			head += " (" + s + ")"
		}
		names := make([]string, len(b.Names))
		for i, n := range b.Names {
			names[i] = p.attrName(n)
		}
		line := head + " " + strings.Join(names, " ") + ";"
		if len(line) <= width {
			p.buf.WriteString(line)
			return
		}
		p.buf.WriteString(head)
		for _, n := range names {
			p.nl(indent + 1)
			p.buf.WriteString(n)
		}
		p.nl(indent + 1)
		p.buf.WriteString(";")
	}
}

// value prints the right-hand side of a binding whose "name =" takes used
// columns.
func (p *printer) value(e Expr, indent, used int) {
	switch e := e.(type) {
	case String:
		p.stringValue(e.Value, indent)
		return
	case sourceSet:
		if len(e.s.added) > 0 {
			p.buf.WriteByte(' ')
			p.sourceSet(e.s, indent)
			return
		}
	case Lines:
		p.buf.WriteByte(' ')
		p.lines(e, indent)
		return
	case Ident, Path, Int, Bool, Null:
		// An atom cannot be broken; nixfmt leaves it on the line.
		s, _ := p.flat(e)
		p.buf.WriteString(" " + s)
		return
	case AttrSet:
		// A set that is a binding's value is always expanded.
		if len(e.Bindings) > 0 {
			p.buf.WriteString(" ")
			p.top(e, indent)
			return
		}
	case List:
		p.buf.WriteString(" ")
		p.top(e, indent)
		return
	case Apply:
		if s, ok := p.flat(e); ok && used+1+len(s) <= width {
			p.buf.WriteString(" " + s)
			return
		}
		if _, hug := huggable(e); hug {
			p.buf.WriteString(" ")
			p.top(e, indent)
			return
		}
	}
	if s, ok := p.flat(e); ok && used+1+len(s)+1 <= width {
		p.buf.WriteString(" " + s)
		return
	}
	p.nl(indent + 1)
	p.top(e, indent+1)
}

// stringValue prints a String binding's value s.
func (p *printer) stringValue(s string, indent int) {
	p.buf.WriteByte(' ')
	if indentable(s) {
		p.indented(String{s}, indent)
		return
	}
	p.writeQuote(s)
}

// sourceSet prints Sources.Data's set as the printer prints the AttrSet
// dataSet makes, without making it.
func (p *printer) sourceSet(s *Sources, indent int) {
	p.buf.WriteString("{")
	var hash []byte
	for _, a := range s.added {
		p.nl(indent + 1)
		p.writeAttrName(a.name)
		p.buf.WriteString(" = {")
		p.stringAttr("url", a.url, indent+2)
		switch {
		case a.kind == lockfile.Git:
			p.stringAttr("rev", a.rev, indent+2)
		case !a.hash.IsZero():
			if name, ok := storeName(a.url); !ok && !a.unpack {
				p.stringAttr("name", name, indent+2)
			}
			// An SRI hash is one line: written as stringValue would.
			hash, _ = a.hash.AppendText(hash[:0])
			p.nl(indent + 2)
			p.buf.WriteString("hash = ")
			b, err := appendQuote(p.buf.AvailableBuffer(), hash)
			if err != nil {
				p.fail(err)
			}
			p.buf.Write(b)
			p.buf.WriteByte(';')
			if a.unpack {
				p.stringAttr("unpack", ArchiveExt, indent+2)
			}
		}
		p.nl(indent + 1)
		p.buf.WriteString("};")
	}
	p.nl(indent)
	p.buf.WriteString("}")
}

// stringAttr prints the binding name = "v"; at indent.
func (p *printer) stringAttr(name, v string, indent int) {
	p.nl(indent)
	p.buf.WriteString(name)
	p.buf.WriteString(" =")
	p.stringValue(v, indent)
	p.buf.WriteByte(';')
}

// huggable reports whether a call's last argument is a set or list that
// can open on the call's line.
func huggable(a Apply) (Expr, bool) {
	if len(a.Args) == 0 {
		return nil, false
	}
	last := a.Args[len(a.Args)-1]
	switch l := last.(type) {
	case AttrSet, List:
		return last, true
	case String:
		return last, indentable(l.Value)
	case Lines:
		return last, true
	}
	return nil, false
}

// indented writes a multi-line String as an indented string: its opening
// quotes on this line, the text's lines at indent+1, the closing quotes at
// indent.
func (p *printer) indented(e String, indent int) {
	p.buf.WriteString("''")
	for l := range strings.SplitSeq(strings.TrimSuffix(e.Value, "\n"), "\n") {
		if l == "" {
			p.buf.WriteByte('\n')
			continue
		}
		p.nl(indent + 1)
		p.buf.Write(appendIndented(p.buf.AvailableBuffer(), l))
	}
	p.nl(indent)
	p.buf.WriteString("''")
}

// lines writes a Lines as indented writes a String, line by line as Each
// makes them, checking each as indentable checks a String's.
func (p *printer) lines(e Lines, indent int) {
	p.buf.WriteString("''")
	flush := false
	e.Each(func(l []byte) bool {
		if len(l) == 0 {
			p.buf.WriteByte('\n')
			return true
		}
		if bytes.IndexByte(l, '\n') >= 0 || bytes.IndexByte(l, '\r') >= 0 || bytes.IndexByte(l, 0) >= 0 ||
			l[0] == '\t' || len(bytes.TrimLeft(l, " \t")) == 0 {
			p.fail(&Error{"not a line an indented string can hold", string(l)})
			return false
		}
		flush = flush || l[0] != ' '
		p.nl(indent + 1)
		if bytes.IndexByte(l, '\'') < 0 && bytes.IndexByte(l, '$') < 0 {
			// Nothing to escape, as in nearly every line: found by two
			// vector scans rather than appendIndented's byte by byte.
			p.buf.Write(l)
		} else {
			p.buf.Write(appendIndented(p.buf.AvailableBuffer(), l))
		}
		return true
	})
	if !flush {
		p.fail(&Error{"no line of an indented text at the left edge", ""})
	}
	p.nl(indent)
	p.buf.WriteString("''")
}

// raw writes text written by lock2nix, shifted to indent.
func (p *printer) raw(text string, indent int) {
	lines := strings.Split(strings.Trim(text, "\n"), "\n")
	for i, line := range lines {
		if i > 0 {
			if strings.TrimSpace(line) == "" {
				p.buf.WriteByte('\n')
				continue
			}
			p.nl(indent)
		}
		p.buf.WriteString(line)
	}
}

// escapeIndented escapes text for an indented string: ” as ”' and ${ as
// ”${. A run of quotes is escaped pair by pair; an odd quote left at its
// end is written as ”\' when ${ follows, since a plain one would join the
// escape after it (”'${ reads as an escaped ” and then an interpolation).
func escapeIndented(text string) string {
	if !strings.Contains(text, "''") && !strings.Contains(text, "${") {
		return text
	}
	return string(appendIndented(make([]byte, 0, len(text)+16), text))
}

// appendIndented appends text escaped as escapeIndented escapes it.
func appendIndented[T string | []byte](b []byte, text T) []byte {
	for i := 0; i < len(text); {
		// The run up to the next quote or dollar needs no escape.
		j := i
		for j < len(text) && text[j] != '\'' && text[j] != '$' {
			j++
		}
		b = append(b, text[i:j]...)
		if i = j; i == len(text) {
			break
		}
		switch {
		case text[i] == '\'':
			n := 1
			for i+n < len(text) && text[i+n] == '\'' {
				n++
			}
			i += n
			for ; n >= 2; n -= 2 {
				b = append(b, "'''"...)
			}
			if n == 1 && i+1 < len(text) && text[i] == '$' && text[i+1] == '{' {
				b = append(b, `''\'`...)
			} else if n == 1 {
				b = append(b, '\'')
			}
		case i+1 < len(text) && text[i+1] == '{': // ${
			b = append(b, "''${"...)
			i += 2
		default: // a $ on its own
			b = append(b, '$')
			i++
		}
	}
	return b
}

// indentable reports whether s, a multi-line text such as a build script,
// can be written as an indented string and read back unchanged: it
// ends with a newline, has no carriage return or NUL, no line of only
// blanks and none starting with a tab, and some line starts at the left
// edge (Nix strips the indentation all lines share).
func indentable(s string) bool {
	// IndexByte, not ContainsAny: build scripts and package records run to
	// megabytes, and this is asked several times per string.
	if !strings.HasSuffix(s, "\n") || strings.Count(s, "\n") < 2 || strings.IndexByte(s, '\r') >= 0 || strings.IndexByte(s, 0) >= 0 {
		return false
	}
	flush := false
	for line := range strings.SplitSeq(strings.TrimSuffix(s, "\n"), "\n") {
		if line != "" && strings.TrimLeft(line, " \t") == "" {
			return false
		}
		if strings.HasPrefix(line, "\t") {
			return false
		}
		if line != "" && line[0] != ' ' {
			flush = true
		}
	}
	return flush
}
