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
	for part := range strings.SplitSeq(s, "||") {
		set, ok := parseSet(strings.Join(strings.Fields(part), " "))
		if !ok {
			return nil, false
		}
		alts = append(alts, set)
	}
	return alts, true
}

// partial is a version with possibly missing or wildcard parts ("1", "1.x",
// "1.2.3-rc.1"); a missing part is nil.
type partial struct {
	nums [3]*int
	pre  bool
}

func (p partial) x(i int) bool { return p.nums[i] == nil }

func (p partial) n(i int) int {
	if p.nums[i] == nil {
		return 0
	}
	return *p.nums[i]
}

func ver(M, m, p int) string {
	return strconv.Itoa(M) + "." + strconv.Itoa(m) + "." + strconv.Itoa(p)
}

// never is a comparison no version passes.
var never = lockfile.Comparison{Op: "<", Version: "0.0.0"}

// parseSet decodes one alternative: space-separated comparators, or a
// hyphen range "A - B". An empty set accepts everything.
func parseSet(s string) ([]lockfile.Comparison, bool) {
	if from, to, ok := strings.Cut(s, " - "); ok {
		f, ok1 := parsePartial(from)
		t, ok2 := parsePartial(to)
		if !ok1 || !ok2 {
			return nil, false
		}
		var out []lockfile.Comparison
		if !f.x(0) {
			out = append(out, lockfile.Comparison{Op: ">=", Version: ver(f.n(0), f.n(1), f.n(2))})
		}
		switch {
		case t.x(0):
		case t.x(1):
			out = append(out, lockfile.Comparison{Op: "<", Version: ver(t.n(0)+1, 0, 0)})
		case t.x(2):
			out = append(out, lockfile.Comparison{Op: "<", Version: ver(t.n(0), t.n(1)+1, 0)})
		case t.pre:
			out = append(out, lockfile.Comparison{Op: "<", Version: ver(t.n(0), t.n(1), t.n(2))})
		default:
			out = append(out, lockfile.Comparison{Op: "<=", Version: ver(t.n(0), t.n(1), t.n(2))})
		}
		return out, true
	}
	var out []lockfile.Comparison
	tokens := strings.Fields(s)
	for i := 0; i < len(tokens); i++ {
		tok := tokens[i]
		// An operator standing alone belongs to the next token: ">= 1.2".
		if isOperator(tok) && i+1 < len(tokens) {
			i++
			tok += tokens[i]
		}
		cs, ok := parseComparator(tok)
		if !ok {
			return nil, false
		}
		out = append(out, cs...)
	}
	return out, true
}

func isOperator(s string) bool {
	switch s {
	case "<", ">", "<=", ">=", "=", "~", "~>", "^":
		return true
	}
	return false
}

// parseComparator decodes one token: ^P, ~P, ~>P, or an optional operator
// (<, <=, >, >=, =) before a partial version.
func parseComparator(tok string) ([]lockfile.Comparison, bool) {
	c := func(op string, M, m, p int) lockfile.Comparison {
		return lockfile.Comparison{Op: op, Version: ver(M, m, p)}
	}
	if caret := strings.HasPrefix(tok, "^"); caret || strings.HasPrefix(tok, "~") {
		rest := tok[1:]
		if !caret {
			rest = strings.TrimPrefix(rest, ">") // ~> is ~
		}
		v, ok := parsePartial(rest)
		if !ok {
			return nil, false
		}
		M, m, p := v.n(0), v.n(1), v.n(2)
		switch {
		case v.x(0):
			return nil, true
		case v.x(1):
			return []lockfile.Comparison{c(">=", M, 0, 0), c("<", M+1, 0, 0)}, true
		}
		// ~ allows patch updates; ^ updates below the first non-zero part.
		upper := c("<", M, m+1, 0)
		switch {
		case !caret:
		case M > 0:
			upper = c("<", M+1, 0, 0)
		case m == 0 && !v.x(2):
			upper = c("<", 0, 0, p+1)
		}
		return []lockfile.Comparison{c(">=", M, m, p), upper}, true
	}
	op := ""
	for _, o := range []string{">=", "<=", ">", "<", "="} {
		if strings.HasPrefix(tok, o) {
			op = o
			break
		}
	}
	v, ok := parsePartial(tok[len(op):])
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
			return []lockfile.Comparison{never}, true
		}
		return nil, true
	case op != "" && anyX:
		switch op {
		case ">":
			if v.x(1) {
				return []lockfile.Comparison{c(">=", M+1, 0, 0)}, true
			}
			return []lockfile.Comparison{c(">=", M, m+1, 0)}, true
		case "<=":
			if v.x(1) {
				return []lockfile.Comparison{c("<", M+1, 0, 0)}, true
			}
			return []lockfile.Comparison{c("<", M, m+1, 0)}, true
		}
		return []lockfile.Comparison{c(op, M, m, 0)}, true
	case v.x(1):
		return []lockfile.Comparison{c(">=", M, 0, 0), c("<", M+1, 0, 0)}, true
	case v.x(2):
		return []lockfile.Comparison{c(">=", M, m, 0), c("<", M, m+1, 0)}, true
	}
	if !v.pre {
		if op == "" {
			op = "="
		}
		return []lockfile.Comparison{c(op, M, m, p)}, true
	}
	// A prerelease bound, for release versions: V >= X-pre and V > X-pre
	// are V >= X; V < X-pre and V <= X-pre are V < X; no release equals
	// a prerelease.
	switch op {
	case ">=", ">":
		return []lockfile.Comparison{c(">=", M, m, p)}, true
	case "<", "<=":
		return []lockfile.Comparison{c("<", M, m, p)}, true
	}
	return []lockfile.Comparison{never}, true
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
	parts := strings.SplitN(s, ".", 3)
	if len(parts) == 3 {
		if i := strings.IndexByte(parts[2], '-'); i >= 0 {
			if !validIdents(parts[2][i+1:], true) {
				return v, false
			}
			parts[2], v.pre = parts[2][:i], true
		}
	}
	wild := false
	for i, p := range parts {
		switch {
		case p == "x" || p == "X" || p == "*":
			wild = true
		case !wild && p != "" && (p == "0" || p[0] != '0') && strings.Trim(p, "0123456789") == "" && len(p) < 16:
			n, _ := strconv.Atoi(p)
			v.nums[i] = &n
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
	for id := range strings.SplitSeq(s, ".") {
		if id == "" || strings.Trim(id, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-") != "" {
			return false
		}
		if pre && len(id) > 1 && id[0] == '0' && strings.Trim(id, "0123456789") == "" {
			return false
		}
	}
	return true
}
