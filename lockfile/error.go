package lockfile

import (
	"bytes"
	"fmt"
	"unicode/utf8"

	"github.com/lock2nix/lock2nix/internal/oneline"
)

// Error is a problem in a lockfile at a place. Every parser returns its
// problems as *Error values (several joined with errors.Join), so callers
// can find the file and position with errors.As.
type Error struct {
	// File names the file as the parser was told it.
	File string
	// Line and Col are 1-based; Col counts characters. Both are zero when
	// the problem has no single place.
	Line, Col int
	Msg       string
}

// Error returns "file:line:col: message", or "file: message" without a
// place, on one line: what the message quotes from the lockfile (a name,
// a URL, a path) may hold a newline or a terminal's escape sequence,
// which would forge a message of its own, so characters that do not print
// are written as Go escapes ("\n", "\x1b"). A message without any is
// returned as it is.
func (e *Error) Error() string {
	if e.Line == 0 {
		return oneline.Escape(e.File + ": " + e.Msg)
	}
	return oneline.Escape(fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg))
}

// Pos is a place in a file: 1-based line and column, the column counted
// in characters; both zero when the place is the whole file.
type Pos struct {
	File      string
	Line, Col int
}

// Errorf returns an *Error at p.
func (p Pos) Errorf(format string, args ...any) *Error {
	return &Error{File: p.File, Line: p.Line, Col: p.Col, Msg: fmt.Sprintf(format, args...)}
}

// Position turns a byte offset into data into a 1-based line and column,
// the column counted in characters.
func Position(data []byte, off int) (line, col int) {
	off = min(max(off, 0), len(data))
	before := data[:off]
	line = 1 + bytes.Count(before, []byte{'\n'})
	start := bytes.LastIndexByte(before, '\n') + 1
	col = 1 + utf8.RuneCount(before[start:])
	return line, col
}
