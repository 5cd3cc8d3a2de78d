package pnpmlock

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/lock2nix/lock2nix/internal/yamlerr"
	"github.com/lock2nix/lock2nix/lockfile"
	yaml "go.yaml.in/yaml/v3"
)

// reader walks YAML nodes, collecting every problem with its place.
type reader struct {
	file string
	errs []*lockfile.Error
}

func (r *reader) pos(n *yaml.Node) lockfile.Pos {
	if n == nil {
		return lockfile.Pos{File: r.file}
	}
	return lockfile.Pos{File: r.file, Line: n.Line, Col: n.Column}
}

func (r *reader) errorf(n *yaml.Node, format string, args ...any) {
	r.errs = append(r.errs, r.pos(n).Errorf(format, args...))
}

// err joins the problems in file order, or returns nil.
func (r *reader) err() error {
	if len(r.errs) == 0 {
		return nil
	}
	slices.SortStableFunc(r.errs, func(a, b *lockfile.Error) int {
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		return a.Col - b.Col
	})
	errs := make([]error, len(r.errs))
	for i, e := range r.errs {
		errs[i] = e
	}
	return errors.Join(errs...)
}

// decodeDocs parses every YAML document of data (pnpm 12 writes two in one
// lockfile). A syntax error names its line.
func decodeDocs(file string, data []byte) ([]*yaml.Node, error) {
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	var docs []*yaml.Node
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if err == io.EOF {
			return docs, nil
		}
		if err != nil {
			return nil, yamlerr.At(file, err)
		}
		docs = append(docs, &n)
	}
}

// body returns the document's top node (nil for an empty document),
// following aliases.
func body(doc *yaml.Node) *yaml.Node {
	if doc == nil {
		return nil
	}
	if doc.Kind == yaml.DocumentNode {
		if len(doc.Content) == 0 {
			return nil
		}
		doc = doc.Content[0]
	}
	return deref(doc)
}

func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// isNull reports an absent value or YAML's null.
func isNull(n *yaml.Node) bool {
	n = deref(n)
	return n == nil || n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

// pairs calls f for each key and value of the mapping n (nothing for null);
// anything else is an error naming what.
func (r *reader) pairs(n *yaml.Node, what string, f func(k, v *yaml.Node)) {
	n = deref(n)
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		r.errorf(n, "%s: want a mapping, got %s", what, kindName(n))
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := deref(n.Content[i]), deref(n.Content[i+1])
		if k.Kind != yaml.ScalarNode {
			r.errorf(k, "%s: want a text key, got %s", what, kindName(k))
			continue
		}
		f(k, v)
	}
}

// get returns the value of key in the mapping n, or nil.
func get(n *yaml.Node, key string) *yaml.Node {
	n = deref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return deref(n.Content[i+1])
		}
	}
	return nil
}

// str returns the scalar n as text; anything else is an error.
func (r *reader) str(n *yaml.Node, what string) (string, bool) {
	n = deref(n)
	if isNull(n) {
		return "", false
	}
	if n.Kind != yaml.ScalarNode {
		r.errorf(n, "%s: want text, got %s", what, kindName(n))
		return "", false
	}
	return n.Value, true
}

// boolean returns the scalar n as a boolean.
func (r *reader) boolean(n *yaml.Node, what string) bool {
	n = deref(n)
	if isNull(n) {
		return false
	}
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
		r.errorf(n, "%s: want true or false, got %s", what, kindName(n))
		return false
	}
	return n.Value == "true"
}

// strs returns a sequence of text (a single text value counts as one).
func (r *reader) strs(n *yaml.Node, what string) []string {
	n = deref(n)
	if isNull(n) {
		return nil
	}
	if n.Kind == yaml.ScalarNode {
		return []string{n.Value}
	}
	if n.Kind != yaml.SequenceNode {
		r.errorf(n, "%s: want a list, got %s", what, kindName(n))
		return nil
	}
	var out []string
	for _, c := range n.Content {
		if s, ok := r.str(c, what); ok {
			out = append(out, s)
		}
	}
	return out
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			return "null"
		case "!!bool":
			return "a boolean"
		case "!!int", "!!float":
			return "a number"
		}
		return fmt.Sprintf("%q", n.Value)
	}
	return "something else"
}
