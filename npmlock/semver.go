package npmlock

import (
	"strconv"
	"strings"

	"github.com/lock2nix/lock2nix/lockfile"
)

// parseRange decodes an npm semver range (as in "engines": {"node": …}) the
// way npm's semver package reads it with includePrerelease, as npm checks
// engines, into comparisons that hold for release versions: a version is
// accepted when it passes every comparison of one alternative. Upper bounds
// like <2.0.0-0 become <2.0.0, which is the same for releases. ok is false
// for syntax this decoder does not know; the caller then leaves the range
// undecoded rather than guess.
func parseRange(s string) (alts [][]lockfile.Comparison, ok bool) {
	var buf [4]bound
	for part := range strings.SplitSeq(s, "||") {
		bounds, ok := decodeSet(buf[:0], part)
		if !ok {
			return nil, false
		}
		var set []lockfile.Comparison
		for _, b := range bounds {
			set = append(set, lockfile.Comparison{Op: b.op, Version: ver(b.v[0], b.v[1], b.v[2])})
		}
		alts = append(alts, set)
	}
	return alts, true
}

// rangeAllows reports whether the version passes the range as far as this
// can tell, as satisfies does with parseRange's decoding: a range this does
// not decode, and a version that is not a release, pass. It decodes as it
// goes, into buf (returned for reuse), without allocating: the
// completeness walk asks it for the ranges quickSatisfies does not decide.
func rangeAllows(rng, version string, buf []bound) (bool, []bound) {
	if !isRelease(version) {
		return true, buf
	}
	var v [3]int
	for i := range v {
		var p string
		p, version, _ = strings.Cut(version, ".")
		v[i], _ = strconv.Atoi(p)
	}
	for rest := rng; ; {
		part, more, found := strings.Cut(rest, "||")
		var ok bool
		if buf, ok = decodeSet(buf[:0], part); !ok {
			return true, buf // undecoded
		}
		if allows(buf, v) {
			return true, buf
		}
		if !found {
			return false, buf
		}
		rest = more
	}
}

// allows reports whether the release v passes every bound of a set.
func allows(set []bound, v [3]int) bool {
	for _, b := range set {
		if !holds(b.op, compareNums(v, b.v)) {
			return false
		}
	}
	return true
}

// holds reports whether the comparison op ("<", "<=", ">", ">=", or "="
// when anything else) holds of a release that compares r (-1, 0, 1) with
// the comparison's own.
func holds(op string, r int) bool {
	switch op {
	case "<":
		return r < 0
	case "<=":
		return r <= 0
	case ">":
		return r > 0
	case ">=":
		return r >= 0
	default:
		return r == 0
	}
}

// bound is one comparison of a decoded range: op ("<", "<=", ">", ">=",
// "=") and a release.
type bound struct {
	op string
	v  [3]int
}

func b(op string, M, m, p int) bound { return bound{op, [3]int{M, m, p}} }

// partial is a version with possibly missing or wildcard parts ("1", "1.x",
// "1.2.3-rc.1"); has is false for a missing part.
type partial struct {
	nums [3]int
	has  [3]bool
	pre  bool
}

func (p partial) x(i int) bool { return !p.has[i] }

func (p partial) n(i int) int { return p.nums[i] }

func ver(M, m, p int) string {
	return strconv.Itoa(M) + "." + strconv.Itoa(m) + "." + strconv.Itoa(p)
}

// never is a comparison no version passes.
var never = bound{op: "<"}

// decodeSet appends the bounds of one alternative to buf:
// space-separated comparators, or a hyphen range "A - B". An empty set
// accepts everything. White space is what strings.Fields splits at.
func decodeSet(buf []bound, s string) ([]bound, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			// Unicode white space: rare enough to pay for.
			s = strings.Join(strings.Fields(s), " ")
			break
		}
	}
	// A hyphen range is a field "-" between two others: "A - B" (the
	// first, if there are more; A and B are one field each, or nothing
	// reads).
	var prev string
	n := 0
	for f, rest := nextField(s); f != ""; f, rest = nextField(rest) {
		if f == "-" && n > 0 {
			if to, after := nextField(rest); to != "" {
				if n > 1 {
					return nil, false
				}
				if next, _ := nextField(after); next != "" {
					return nil, false
				}
				return hyphen(buf, prev, to)
			}
		}
		prev = f
		n++
	}
	for f, rest := nextField(s); f != ""; f, rest = nextField(rest) {
		op := ""
		// An operator standing alone belongs to the next field: ">= 1.2".
		if isOperator(f) {
			if next, after := nextField(rest); next != "" {
				op, f, rest = f, next, after
			}
		}
		var ok bool
		if buf, ok = comparator(buf, op, f); !ok {
			return nil, false
		}
	}
	return buf, true
}

// nextField returns the first field of s (ASCII white space around it)
// and what follows; "" when there is none.
func nextField(s string) (field, rest string) {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	j := i
	for j < len(s) && !isSpace(s[j]) {
		j++
	}
	return s[i:j], s[j:]
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// hyphen decodes the hyphen range "from - to".
func hyphen(buf []bound, from, to string) ([]bound, bool) {
	f, ok1 := parsePartial(from)
	t, ok2 := parsePartial(to)
	if !ok1 || !ok2 {
		return nil, false
	}
	if !f.x(0) {
		buf = append(buf, b(">=", f.n(0), f.n(1), f.n(2)))
	}
	switch {
	case t.x(0):
	case t.x(1):
		buf = append(buf, b("<", t.n(0)+1, 0, 0))
	case t.x(2):
		buf = append(buf, b("<", t.n(0), t.n(1)+1, 0))
	case t.pre:
		buf = append(buf, b("<", t.n(0), t.n(1), t.n(2)))
	default:
		buf = append(buf, b("<=", t.n(0), t.n(1), t.n(2)))
	}
	return buf, true
}

func isOperator(s string) bool {
	switch s {
	case "<", ">", "<=", ">=", "=", "~", "~>", "^":
		return true
	}
	return false
}

// comparator appends the bounds of one comparator, the token pre + tok
// (pre is "" or an operator standing alone): ^P, ~P, ~>P, or an optional
// operator (<, <=, >, >=, =) before a partial version.
func comparator(buf []bound, pre, tok string) ([]bound, bool) {
	head := pre
	if head == "" {
		head = tok
	}
	if caret := strings.HasPrefix(head, "^"); caret || strings.HasPrefix(head, "~") {
		rest := tok
		switch pre {
		case "":
			rest = tok[1:]
			if !caret {
				rest = strings.TrimPrefix(rest, ">") // ~> is ~
			}
		case "~":
			rest = strings.TrimPrefix(tok, ">")
		}
		v, ok := parsePartial(rest)
		if !ok {
			return nil, false
		}
		M, m, p := v.n(0), v.n(1), v.n(2)
		switch {
		case v.x(0):
			return buf, true
		case v.x(1):
			return append(buf, b(">=", M, 0, 0), b("<", M+1, 0, 0)), true
		}
		// ~ allows patch updates; ^ updates below the first non-zero part.
		upper := b("<", M, m+1, 0)
		switch {
		case !caret:
		case M > 0:
			upper = b("<", M+1, 0, 0)
		case m == 0 && !v.x(2):
			upper = b("<", 0, 0, p+1)
		}
		return append(buf, b(">=", M, m, p), upper), true
	}
	// The operator: the token's first one or two bytes.
	op, rest := "", tok
	switch pre {
	case "":
		for _, o := range []string{">=", "<=", ">", "<", "="} {
			if strings.HasPrefix(tok, o) {
				op, rest = o, tok[len(o):]
				break
			}
		}
	// An operator standing alone ("<", ">", "<=", ">=", "="): the bound
	// keeps a literal, not a piece of the text.
	case "<":
		op = "<"
		if strings.HasPrefix(tok, "=") {
			op, rest = "<=", tok[1:]
		}
	case ">":
		op = ">"
		if strings.HasPrefix(tok, "=") {
			op, rest = ">=", tok[1:]
		}
	case "<=":
		op = "<="
	case ">=":
		op = ">="
	default:
		op = "="
	}
	v, ok := parsePartial(rest)
	if !ok {
		return nil, false
	}
	M, m, p := v.n(0), v.n(1), v.n(2)
	anyX := v.x(2)
	if op == "=" {
		op = ""
	}
	switch {
	case v.x(0):
		if op == ">" || op == "<" {
			return append(buf, never), true
		}
		return buf, true
	case op != "" && anyX:
		switch op {
		case ">":
			if v.x(1) {
				return append(buf, b(">=", M+1, 0, 0)), true
			}
			return append(buf, b(">=", M, m+1, 0)), true
		case "<=":
			if v.x(1) {
				return append(buf, b("<", M+1, 0, 0)), true
			}
			return append(buf, b("<", M, m+1, 0)), true
		}
		return append(buf, b(op, M, m, 0)), true
	case v.x(1):
		return append(buf, b(">=", M, 0, 0), b("<", M+1, 0, 0)), true
	case v.x(2):
		return append(buf, b(">=", M, m, 0), b("<", M, m+1, 0)), true
	}
	if !v.pre {
		if op == "" {
			op = "="
		}
		return append(buf, b(op, M, m, p)), true
	}
	// A prerelease bound, for release versions: V >= X-pre and V > X-pre
	// are V >= X; V < X-pre and V <= X-pre are V < X; no release equals
	// a prerelease.
	switch op {
	case ">=", ">":
		return append(buf, b(">=", M, m, p)), true
	case "<", "<=":
		return append(buf, b("<", M, m, p)), true
	}
	return append(buf, never), true
}

// parsePartial reads [v=]*XR(.XR(.XR(-pre)?(+build)?)?)?, XR being a
// number without leading zeros, x, X or *.
func parsePartial(s string) (partial, bool) {
	s = strings.TrimLeft(s, "v=")
	var v partial
	if s == "" {
		return v, false
	}
	// Build metadata means nothing to a range, wherever it stands.
	if i := strings.IndexByte(s, '+'); i >= 0 {
		if !validIdents(s[i+1:], false) {
			return v, false
		}
		s = s[:i]
	}
	// Up to three parts; the third holds any further dots.
	var parts [3]string
	np := 0
	for np < 2 {
		p, rest, found := strings.Cut(s, ".")
		if !found {
			break
		}
		parts[np], s = p, rest
		np++
	}
	parts[np] = s
	np++
	if np == 3 {
		if i := strings.IndexByte(parts[2], '-'); i >= 0 {
			if !validIdents(parts[2][i+1:], true) {
				return v, false
			}
			parts[2], v.pre = parts[2][:i], true
		}
	}
	wild := false
	for i, p := range parts[:np] {
		switch {
		case p == "x" || p == "X" || p == "*":
			wild = true
		case !wild && p != "" && (p == "0" || p[0] != '0') && strings.Trim(p, "0123456789") == "" && len(p) < 16:
			v.nums[i], _ = strconv.Atoi(p)
			v.has[i] = true
		default:
			return v, false
		}
	}
	if v.x(2) {
		v.pre = false // "1.2.x-rc" is "1.2.x"
	}
	return v, true
}

// validIdents checks dot-separated prerelease or build identifiers.
func validIdents(s string, pre bool) bool {
	for {
		id, rest, more := strings.Cut(s, ".")
		if id == "" || strings.Trim(id, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-") != "" {
			return false
		}
		if pre && len(id) > 1 && id[0] == '0' && strings.Trim(id, "0123456789") == "" {
			return false
		}
		if !more {
			return true
		}
		s = rest
	}
}
