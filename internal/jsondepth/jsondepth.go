// Package jsondepth bounds how deeply JSON text nests before a reader that
// recurses once per level reads it. gjson.Valid and npmlock's scan do:
// text nested a few million levels deep (a few megabytes of "[") would
// exhaust the goroutine's stack, which Go reports as a fatal error, not as
// a panic that could be recovered.
package jsondepth

import "github.com/tidwall/gjson"

// Max is the deepest nesting lock2nix reads, as dune's S-expressions:
// far beyond any lockfile or package.json (npm's deepest nest a few dozen
// levels), far below what exhausts a stack.
const Max = 1000

// Over returns the offset of the first "[" or "{" outside strings that
// opens a level deeper than Max, or -1. It reads invalid JSON as far as
// it goes; a reader checks the grammar afterwards.
func Over[T string | []byte](data T) int {
	depth := 0
	for i := 0; i < len(data); i++ {
		switch data[i] {
		case '"':
			// Skip the string: a backslash escapes the byte after it.
			for i++; i < len(data) && data[i] != '"'; i++ {
				if data[i] == '\\' {
					i++
				}
			}
		case '[', '{':
			if depth++; depth > Max {
				return i
			}
		case ']', '}':
			// Never below the top: a stray closer must not let the
			// openers after it nest deeper unseen.
			depth = max(depth-1, 0)
		}
	}
	return -1
}

// Valid reports whether data is JSON (gjson.Valid) nested no deeper than
// Max.
func Valid[T string | []byte](data T) bool {
	if Over(data) >= 0 {
		return false
	}
	switch d := any(data).(type) {
	case string:
		return gjson.Valid(d)
	case []byte:
		return gjson.ValidBytes(d)
	}
	return false
}
