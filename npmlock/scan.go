package npmlock

import (
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/lock2nix/lock2nix/internal/jsondepth"
	"github.com/lock2nix/lock2nix/lockfile"
	"github.com/tidwall/gjson"
)

// The scan reads a lockfile's text once. It checks the JSON as strictly as
// [parser.validate] does (gjson.Valid's grammar, UTF-8, no \u0000), reads
// the members of the top level, and reads each entry of a version 2 or 3
// file's "packages" as it reaches it. gjson alone walks the text once per
// level instead (the check, the top level, the keys of "packages", each
// entry's members), each walk skipping over what the next one reads.
// Values come out as the gjson.Results gjson's ForEach gives, so that what
// reads them afterwards cannot tell the two apart.
//
// The scan stops at the first byte that strict JSON does not allow there;
// the parse then starts again on the slow path ([parser.validate], then
// gjson), which says what is wrong. FuzzScan holds the two paths to the
// same results.

// scanner walks JSON text. Once failed, it stays at the end of the text,
// where every loop stops.
type scanner struct {
	data   string
	i      int
	failed bool
	// depth counts the objects open around s.i.
	depth int
}

func (s *scanner) fail() {
	s.failed = true
	s.i = len(s.data)
}

func (s *scanner) peek() byte {
	if s.i < len(s.data) {
		return s.data[s.i]
	}
	return 0
}

func (s *scanner) ws() { s.i = skipWS(s.data, s.i) }

func skipWS(d string, i int) int {
	for i < len(d) && space[d[i]] {
		i++
	}
	return i
}

// space marks JSON's white space.
var space = [256]bool{' ': true, '\n': true, '\t': true, '\r': true}

// at sets s.i to i, an index a skip function returned: -1 fails.
func (s *scanner) at(i int) bool {
	if i < 0 {
		s.fail()
		return false
	}
	s.i = i
	return true
}

// plain marks the bytes a string holds as they are: printable ASCII but
// the quote and the backslash.
var plain = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// The skip functions check the value at d[i] and return the index after
// it, or -1: they pass indexes rather than share a scanner, which keeps
// them to registers.

// skipString checks the string whose quote is at d[i], and reports whether
// it holds escapes.
func skipString(d string, i int) (end int, esc bool) {
	i++
	for {
		for i < len(d) && plain[d[i]] {
			i++
		}
		if i >= len(d) {
			return -1, false
		}
		switch c := d[i]; {
		case c == '"':
			return i + 1, esc
		case c == '\\':
			esc = true
			if i+1 >= len(d) {
				return -1, false
			}
			switch d[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(d) || !isHex4(d[i+2:i+6]) || d[i+2:i+6] == "0000" {
					return -1, false // (a NUL cannot be held in a Nix string)
				}
				i += 6
			default:
				return -1, false
			}
		case c >= utf8.RuneSelf:
			r, n := utf8.DecodeRuneInString(d[i:])
			if r == utf8.RuneError && n == 1 {
				return -1, false
			}
			i += n
		default: // a control character
			return -1, false
		}
	}
}

func isHex4(h string) bool {
	for i := range 4 {
		c := h[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// skipValue checks the value at d[i] or after space there, inside depth
// open arrays and objects. It fails past jsondepth.Max, before its
// recursion could exhaust the stack: the slow path names the place.
func skipValue(d string, i, depth int) int {
	i = skipWS(d, i)
	if i >= len(d) {
		return -1
	}
	switch d[i] {
	case '"':
		i, _ = skipString(d, i)
		return i
	case '{':
		if depth >= jsondepth.Max {
			return -1
		}
		i = skipWS(d, i+1)
		if i < len(d) && d[i] == '}' {
			return i + 1
		}
		for {
			if i >= len(d) || d[i] != '"' {
				return -1
			}
			if i, _ = skipString(d, i); i < 0 {
				return -1
			}
			i = skipWS(d, i)
			if i >= len(d) || d[i] != ':' {
				return -1
			}
			if i = skipValue(d, i+1, depth+1); i < 0 {
				return -1
			}
			var closed bool
			if i, closed = skipComma(d, i, '}'); closed {
				return i
			}
		}
	case '[':
		if depth >= jsondepth.Max {
			return -1
		}
		i = skipWS(d, i+1)
		if i < len(d) && d[i] == ']' {
			return i + 1
		}
		for {
			if i = skipValue(d, i, depth+1); i < 0 {
				return -1
			}
			var closed bool
			if i, closed = skipComma(d, i, ']'); closed {
				return i
			}
		}
	case 't':
		return skipWord(d, i, "true")
	case 'f':
		return skipWord(d, i, "false")
	case 'n':
		return skipWord(d, i, "null")
	}
	return skipNumber(d, i)
}

// skipComma reads what follows a member or element: a comma and the space
// after it, or the closer end (closed). It returns the index after them.
func skipComma(d string, i int, end byte) (next int, closed bool) {
	i = skipWS(d, i)
	if i < len(d) {
		switch d[i] {
		case ',':
			return skipWS(d, i+1), false
		case end:
			return i + 1, true
		}
	}
	return -1, true
}

func skipWord(d string, i int, word string) int {
	if len(d)-i < len(word) || d[i:i+len(word)] != word {
		return -1
	}
	return i + len(word)
}

// skipNumber checks -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?.
func skipNumber(d string, i int) int {
	if i < len(d) && d[i] == '-' {
		i++
	}
	switch {
	case i >= len(d):
		return -1
	case d[i] == '0':
		i++
	case '1' <= d[i] && d[i] <= '9':
		i = skipDigits(d, i)
	default:
		return -1
	}
	if i < len(d) && d[i] == '.' {
		if i = skipDigits(d, i+1); i < 0 {
			return -1
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		return skipDigits(d, i)
	}
	return i
}

// skipDigits reads one digit or more.
func skipDigits(d string, i int) int {
	start := i
	for i < len(d) && '0' <= d[i] && d[i] <= '9' {
		i++
	}
	if i == start {
		return -1
	}
	return i
}

// str reads the string whose quote is at s.i: its value, and its text
// with the quotes (raw).
func (s *scanner) str() (str, raw string) {
	start := s.i
	end, esc := skipString(s.data, s.i)
	if !s.at(end) {
		return "", ""
	}
	raw = s.data[start:end]
	if esc {
		return gjson.Parse(raw).Str, raw // gjson's own unescaping
	}
	return raw[1 : len(raw)-1], raw
}

// jsonKey is a member's key as the scan reads it: what gjson would give as a
// gjson.Result, made (result) only where one is needed.
type jsonKey struct {
	str, raw string
	at       int
}

func (k jsonKey) result() gjson.Result {
	return gjson.Result{Type: gjson.String, Str: k.str, Raw: k.raw, Index: k.at}
}

// value reads the value at s.i (after any space), as gjson's ForEach
// gives it.
func (s *scanner) value() gjson.Result {
	var r gjson.Result
	s.valueInto(&r)
	return r
}

// valueInto is value, written to *r: a gjson.Result is 80 bytes, which
// a return would copy once more.
func (s *scanner) valueInto(r *gjson.Result) {
	s.ws()
	start := s.i
	if s.i >= len(s.data) {
		s.fail()
		*r = gjson.Result{}
		return
	}
	var t gjson.Type
	switch s.data[s.i] {
	case '"':
		str, raw := s.str()
		if s.failed {
			*r = gjson.Result{}
			return
		}
		*r = gjson.Result{Type: gjson.String, Str: str, Raw: raw, Index: start}
		return
	case '{', '[':
		t = gjson.JSON
	case 't':
		t = gjson.True
	case 'f':
		t = gjson.False
	case 'n':
		t = gjson.Null
	default:
		t = gjson.Number
	}
	if !s.at(skipValue(s.data, s.i, s.depth)) {
		*r = gjson.Result{}
		return
	}
	*r = gjson.Result{Type: t, Raw: s.data[start:s.i], Index: start}
	if t == gjson.Number {
		r.Num, _ = strconv.ParseFloat(r.Raw, 64)
	}
}

// skip reads past the value at s.i (after any space), checking it.
func (s *scanner) skip() { s.at(skipValue(s.data, s.i, s.depth)) }

// object reads the object whose brace is at s.i, calling member with each
// key; member reads the value that follows.
func (s *scanner) object(member func(k jsonKey)) {
	s.depth++
	defer func() { s.depth-- }()
	s.i++
	s.ws()
	if s.peek() == '}' {
		s.i++
		return
	}
	for !s.failed {
		if s.peek() != '"' {
			s.fail()
			return
		}
		at := s.i
		str, raw := s.str()
		s.ws()
		if s.peek() != ':' {
			s.fail()
			return
		}
		s.i++
		s.ws()
		member(jsonKey{str, raw, at})
		i, closed := skipComma(s.data, s.i, '}')
		if !s.at(i) || closed {
			return
		}
	}
}

// emptyObject reports whether the object whose brace is at s.i is {}.
func (s *scanner) emptyObject() bool {
	for j := s.i + 1; j < len(s.data); j++ {
		switch s.data[j] {
		case ' ', '\t', '\n', '\r':
		case '}':
			return true
		default:
			return false
		}
	}
	return false
}

// collected holds the entries of "packages" as read: by key, and in file
// order (an entry's path is its key).
type collected struct {
	entries map[string]*entry
	order   []*entry
}

// scan reads the whole text: the top level's members that lock2nix reads,
// and, when lockfileVersion 2 or 3 comes before "packages", as npm writes
// it, every entry of "packages" (c; nil otherwise, for parseV2 to read).
// ok is false when the text is not JSON as the scan reads it.
func (p *parser) scan() (t top, c *collected, ok bool) {
	s := &scanner{data: p.data}
	s.ws()
	if s.peek() != '{' {
		s.skip()
	} else {
		s.object(func(k jsonKey) {
			r := t.slot(k.str)
			switch {
			case r == nil || r.Exists():
				s.skip() // as with gjson's Get, the first of two members counts
			case r == &t.packages && s.peek() == '{' && isV2(t.lockfileVersion):
				start := s.i
				c = p.scanPackages(s)
				*r = gjson.Result{Type: gjson.JSON, Raw: s.data[start:s.i], Index: start}
			default:
				*r = s.value()
			}
		})
	}
	s.ws()
	if s.failed || s.i != len(s.data) {
		return top{}, nil, false
	}
	return t, c, true
}

func isV2(v gjson.Result) bool {
	return v.Type == gjson.Number && (v.Num == 2 || v.Num == 3)
}

// scanPackages reads the entries of the "packages" object at s.i, as
// parseV2 reads them from gjson.
func (p *parser) scanPackages(s *scanner) *collected {
	c := &collected{order: make([]*entry, 0, p.sizeHint)}
	f := &p.fields
	var keys keyRuns
	s.object(func(sk jsonKey) {
		k, key := sk.result(), sk.str
		if keys.has(c.order, key) {
			p.fail(k, "packages key %q appears twice", key)
			s.skip()
			return
		}
		if s.peek() != '{' {
			v := s.value()
			p.fail(v, "packages[%q] must be an object, not %s", key, kind(v))
			return
		}
		if key != "" && s.emptyObject() {
			p.empty = append(p.empty, key)
			s.skip()
			return
		}
		if !p.checkKey(k) {
			s.skip()
			return
		}
		start := s.i
		f.clear()
		s.object(func(fk jsonKey) {
			r := f.slot(fk.str)
			if r == nil {
				s.skip()
				return
			}
			f.set = append(f.set, r)
			if i := f.edgeIndex(r); i >= 0 {
				f.spans[i] = edgeSpan{} // (the last of two members counts)
				if s.peek() == '{' {
					start := s.i
					p.scanEdges(s, i)
					*r = gjson.Result{Type: gjson.JSON, Raw: s.data[start:s.i], Index: start}
					return
				}
			}
			s.valueInto(r)
		})
		if s.failed {
			return
		}
		key = p.tab.copy(key)
		e := p.entries.one()
		v := gjson.Result{Type: gjson.JSON, Raw: s.data[start:s.i], Index: start}
		c.order = append(c.order, e)
		p.fromFields(e, key, v)
		keys.add(c.order)
	})
	c.entries = keys.m
	if c.entries == nil {
		// Made once the entries are counted: a map grown entry by entry
		// leaves its smaller tables behind.
		c.entries = make(map[string]*entry, len(c.order))
		for _, e := range c.order {
			c.entries[e.path] = e
		}
	}
	return c
}

// keyRuns finds a key of "packages" given twice without a map while the
// keys come in order, as npm writes them (sorted, save a few places
// where its collation is not the bytes'): it knows where each ascending
// run of keys starts, and looks a key up in each run whose range holds it.
// Past maxRuns runs it keeps a map.
type keyRuns struct {
	starts []int
	m      map[string]*entry
}

const maxRuns = 16

// has reports whether key is the path of one of the entries read.
func (r *keyRuns) has(order []*entry, key string) bool {
	if r.m != nil {
		_, ok := r.m[key]
		return ok
	}
	for i, start := range r.starts {
		end := len(order)
		if i+1 < len(r.starts) {
			end = r.starts[i+1]
		}
		run := order[start:end]
		if key < run[0].path || key > run[len(run)-1].path {
			continue
		}
		if _, ok := slices.BinarySearchFunc(run, key, func(e *entry, key string) int { return strings.Compare(e.path, key) }); ok {
			return true
		}
	}
	return false
}

// add notes the entry order ends with.
func (r *keyRuns) add(order []*entry) {
	n := len(order)
	switch {
	case r.m != nil:
		r.m[order[n-1].path] = order[n-1]
	case n == 1 || order[n-1].path <= order[n-2].path:
		r.starts = append(r.starts, n-1)
		if len(r.starts) > maxRuns {
			r.m = make(map[string]*entry, cap(order))
			for _, e := range order {
				r.m[e.path] = e
			}
		}
	}
}

// scanEdges reads the dependency object at s.i, edgeFields[i]'s, into
// p.fields.edges as edges reads it with gjson: a member whose value is a
// string is an edge (v1 nests whole entries under "dependencies"). The
// kind of a peer is decided once the entry is read, by edges: its
// peerDependenciesMeta may come after it.
func (p *parser) scanEdges(s *scanner, i int) {
	f := &p.fields
	start := len(f.edges)
	kind := edgeFields[i].kind
	s.object(func(k jsonKey) {
		if s.peek() != '"' {
			s.skip()
			return
		}
		if v, _ := s.str(); !s.failed {
			f.edges = append(f.edges, lockfile.Edge{Name: p.tab.intern(k.str), Kind: kind, Spec: p.tab.intern(v)})
		}
	})
	f.spans[i] = edgeSpan{start: start, end: len(f.edges), ok: true}
}
