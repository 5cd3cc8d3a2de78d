package yarnlock

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/lock2nix/lock2nix/lockfile"
)

// node is one entry of a classic lockfile: a key (or several, for lines
// such as `a@^1, "a@^1.2":`) with a scalar value or nested entries.
type node struct {
	keys   []string
	pos    lockfile.Pos // of the first key
	value  string
	vpos   lockfile.Pos
	object bool
	kids   []*node
}

// get returns the child with key k, or nil.
func (n *node) get(k string) *node {
	for _, c := range n.kids {
		for _, ck := range c.keys {
			if ck == k {
				return c
			}
		}
	}
	return nil
}

// parseClassic reads yarn 1's own syntax: two-space indentation, keys
// that may be quoted and comma-separated, scalar values after a space and
// objects after a colon. Every problem is reported, each at its line and
// column.
func parseClassic(file string, data []byte) (*node, []error) {
	root := &node{object: true}
	stack := []*node{root}
	var errs []error
	at := func(line, col int) lockfile.Pos { return lockfile.Pos{File: file, Line: line, Col: col} }
	lines := strings.Split(string(data), "\n")
	for i, raw := range lines {
		ln := i + 1
		text := strings.TrimSuffix(raw, "\r")
		if !utf8.ValidString(text) {
			errs = append(errs, at(ln, 1).Errorf("invalid UTF-8"))
			continue
		}
		trimmed := strings.TrimLeft(text, " ")
		if trimmed == "" || trimmed[0] == '#' {
			continue
		}
		indent := len(text) - len(trimmed)
		if strings.HasPrefix(trimmed, "\t") {
			errs = append(errs, at(ln, indent+1).Errorf("tab in indentation; yarn.lock indents with two spaces"))
			continue
		}
		if indent%2 != 0 {
			errs = append(errs, at(ln, indent+1).Errorf("indentation of %d spaces; want a multiple of two", indent))
			continue
		}
		level := indent / 2
		if level >= len(stack) || !stack[level].object {
			errs = append(errs, at(ln, indent+1).Errorf("unexpected indentation: no entry above this line opens a block"))
			continue
		}
		stack = stack[:level+1]
		n, err := parseLine(trimmed, ln, indent+1, at)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		parent := stack[level]
		parent.kids = append(parent.kids, n)
		if n.object {
			stack = append(stack, n)
		}
	}
	return root, errs
}

// parseLine reads one line (without its indentation): keys, then either a
// colon ending the line or a space and a value.
func parseLine(s string, ln, col int, at func(int, int) lockfile.Pos) (*node, error) {
	n := &node{pos: at(ln, col)}
	i := 0
	for {
		k, next, err := token(s, i)
		if err != nil {
			return nil, at(ln, col+i).Errorf("%v", err)
		}
		if k == "" {
			return nil, at(ln, col+i).Errorf("want a key")
		}
		n.keys = append(n.keys, k)
		i = next
		if i < len(s) && s[i] == ',' {
			i++
			for i < len(s) && s[i] == ' ' {
				i++
			}
			continue
		}
		break
	}
	switch {
	case i < len(s) && s[i] == ':':
		rest := strings.TrimSpace(s[i+1:])
		if rest == "" {
			n.object = true
			return n, nil
		}
		// "key: value", as yarn writes nothing but parses.
		i = len(s) - len(strings.TrimLeft(s[i+1:], " "))
	case i < len(s) && s[i] == ' ':
		i++
	default:
		return nil, at(ln, col+i).Errorf("want \":\" or a value after the key")
	}
	if len(n.keys) > 1 {
		return nil, at(ln, col).Errorf("several keys may only open a block")
	}
	v, next, err := token(s, i)
	if err != nil {
		return nil, at(ln, col+i).Errorf("%v", err)
	}
	if rest := strings.TrimSpace(s[next:]); rest != "" && rest[0] != '#' {
		return nil, at(ln, col+next).Errorf("unexpected %q after the value", rest)
	}
	n.value, n.vpos = v, at(ln, col+i)
	return n, nil
}

// token reads a quoted string (JSON escapes, as yarn's own parser) or a
// bare word, which ends at a space, colon or comma.
func token(s string, i int) (string, int, error) {
	if i >= len(s) {
		return "", i, fmt.Errorf("unexpected end of line")
	}
	if s[i] == '"' {
		j := i + 1
		for j < len(s) && s[j] != '"' {
			if s[j] == '\\' {
				j++
			}
			j++
		}
		if j >= len(s) {
			return "", i, fmt.Errorf("unterminated string")
		}
		v, err := strconv.Unquote(s[i : j+1])
		if err != nil {
			return "", i, fmt.Errorf("invalid string %s", s[i:j+1])
		}
		return v, j + 1, nil
	}
	j := i
	for j < len(s) && s[j] != ' ' && s[j] != ':' && s[j] != ',' {
		j++
	}
	// A bare word may hold a colon that a space or the line's end does not
	// follow ("a@npm:b@^1").
	for j < len(s) && s[j] == ':' && j+1 < len(s) && s[j+1] != ' ' {
		j++
		for j < len(s) && s[j] != ' ' && s[j] != ':' && s[j] != ',' {
			j++
		}
	}
	return s[i:j], j, nil
}
