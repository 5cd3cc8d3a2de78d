// Package gitignore matches paths against .gitignore patterns, as git
// does, for lock2nix generate's walk of a repository: which folders and
// lockfiles git leaves out, so that lock2nix does too.
//
// It reads the patterns git documents (gitignore(5)): comments, "!"
// negation, a trailing "/" for folders only, a "/" at the start or in the
// middle to anchor a pattern to its file's folder, "*", "?", "[…]" and
// "**". The caller walks from the top and skips an ignored folder, so a
// file in it is never asked about: git cannot re-include such a file
// either.
package gitignore

import (
	"bufio"
	"bytes"
	"regexp"
	"strings"
)

// Matcher holds the patterns of several files, each for its own folder:
// a deeper folder's patterns win over those above it, and in one folder
// later patterns win over earlier ones.
type Matcher struct {
	// byBase holds the patterns of each folder, in the order added.
	byBase map[string][]rule
}

type rule struct {
	re      *regexp.Regexp
	negate  bool
	dirOnly bool
}

// Add reads the patterns of a file that lies in the folder base
// (slash-separated, relative to the walk's top; "" for the top itself).
// Patterns that cannot be read (an unclosed "[") are skipped, as git
// skips them.
func (m *Matcher) Add(base string, data []byte) {
	if m.byBase == nil {
		m.byBase = map[string][]rule{}
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if r, ok := parse(sc.Text()); ok {
			m.byBase[base] = append(m.byBase[base], r)
		}
	}
}

// Ignored reports whether the path (slash-separated, relative to the
// walk's top) is ignored; dir says whether it is a folder.
func (m *Matcher) Ignored(name string, dir bool) bool {
	// The folders that hold name, deepest first: only their patterns apply.
	for base := name; ; {
		i := strings.LastIndexByte(base, '/')
		if i < 0 {
			base = ""
		} else {
			base = base[:i]
		}
		rules := m.byBase[base]
		for j := len(rules) - 1; j >= 0; j-- {
			r := rules[j]
			if r.dirOnly && !dir {
				continue
			}
			rel := name
			if base != "" {
				rel = name[len(base)+1:]
			}
			if r.re.MatchString(rel) {
				return !r.negate
			}
		}
		if base == "" {
			return false
		}
	}
}

// parse reads one line of a .gitignore.
func parse(line string) (rule, bool) {
	line = strings.TrimSuffix(line, "\r")
	line = trimTrailingSpace(line)
	if line == "" || line[0] == '#' {
		return rule{}, false
	}
	var r rule
	if line[0] == '!' {
		r.negate = true
		line = line[1:]
	} else if strings.HasPrefix(line, `\!`) || strings.HasPrefix(line, `\#`) {
		line = line[1:]
	}
	if strings.HasSuffix(line, "/") {
		r.dirOnly = true
		line = strings.TrimRight(line, "/")
	}
	if line == "" {
		return rule{}, false
	}
	// A "/" at the start or in the middle anchors the pattern to its
	// folder; without one it matches at any depth.
	anchored := strings.Contains(line, "/")
	line = strings.TrimPrefix(line, "/")
	expr, ok := translate(line)
	if !ok {
		return rule{}, false
	}
	if !anchored {
		expr = "(?:.*/)?" + expr
	}
	// A class such as [z-a] is no range: git never matches it, and
	// the rule is skipped rather than let it stop the run.
	re, err := regexp.Compile("^" + expr + "$")
	if err != nil {
		return rule{}, false
	}
	r.re = re
	return r, true
}

// trimTrailingSpace drops trailing spaces not escaped by a backslash.
func trimTrailingSpace(s string) string {
	for strings.HasSuffix(s, " ") && !strings.HasSuffix(s, `\ `) {
		s = s[:len(s)-1]
	}
	return s
}

// translate turns a glob into a regular expression: "*" and "?" stop at
// "/", "**" as a whole component spans folders.
func translate(glob string) (string, bool) {
	var b strings.Builder
	parts := strings.Split(glob, "/")
	for i, p := range parts {
		last := i == len(parts)-1
		if p == "**" {
			switch {
			case last && i == 0:
				b.WriteString(".*")
			case last:
				// "a/**": everything inside a.
				b.WriteString(".*")
			default:
				// "**/b", "a/**/b": zero or more folders.
				b.WriteString("(?:.*/)?")
			}
			continue
		}
		if err := component(&b, p); err {
			return "", false
		}
		if !last {
			b.WriteString("/")
		}
	}
	return b.String(), true
}

// component writes one path component's glob; it reports true for a
// pattern git cannot read.
func component(b *strings.Builder, p string) (bad bool) {
	for i := 0; i < len(p); i++ {
		switch c := p[i]; c {
		case '*':
			b.WriteString("[^/]*")
		case '?':
			b.WriteString("[^/]")
		case '\\':
			if i+1 < len(p) {
				i++
				b.WriteString(regexp.QuoteMeta(p[i : i+1]))
			}
		case '[':
			j := i + 1
			if j < len(p) && (p[j] == '!' || p[j] == '^') {
				j++
			}
			if j < len(p) && p[j] == ']' {
				j++
			}
			for j < len(p) && p[j] != ']' {
				j++
			}
			if j >= len(p) {
				return true
			}
			class := p[i+1 : j]
			if class[0] == '!' {
				class = "^" + class[1:]
			}
			class = strings.ReplaceAll(class, `\`, `\\`)
			if strings.HasPrefix(class, "^") {
				// A negated class never matches "/" either.
				class = "^/" + strings.ReplaceAll(class[1:], "[", `\[`)
			} else {
				class = strings.ReplaceAll(class, "[", `\[`)
			}
			b.WriteString("[" + class + "]")
			i = j
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	return false
}
