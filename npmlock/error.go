package npmlock

import (
	"bytes"
	"fmt"
	"unicode/utf8"
)

// Error is a problem in a lockfile, with the place it was found.
type Error struct {
	File string
	// Line and Col are 1-based; Col counts characters. Both are zero when
	// the problem has no single place.
	Line, Col int
	Msg       string
}

// Error returns "file:line:col: message", or "file: message" without a place.
func (e *Error) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
}

// position turns a byte offset into a 1-based line and column.
func position(data []byte, off int) (line, col int) {
	if off > len(data) {
		off = len(data)
	}
	if off < 0 {
		off = 0
	}
	before := data[:off]
	line = 1 + bytes.Count(before, []byte{'\n'})
	start := bytes.LastIndexByte(before, '\n') + 1
	col = 1 + utf8.RuneCount(before[start:])
	return line, col
}
