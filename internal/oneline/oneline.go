// Package oneline keeps a message that holds what an input says to one
// line of plain text. Lockfiles are untrusted: a package name, URL,
// version or path in one may hold a newline, which would forge a message
// line of its own ("lock2nix npm: error: …"), or a terminal's escape
// sequences. Whatever formats a message (lockfile.Error, the sync checks'
// lines, warnings, the CLI's lists, the text report) passes it through
// Escape.
package oneline

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Escape returns s with each character that is not printable (control
// characters, the line and paragraph separators, format characters,
// invalid UTF-8) written as Go writes it in a quoted string: \n, \r, \t,
// \x1b, \u2028, \xff. A string with none comes back as it is, as nearly
// every message does. Backslashes are left alone, so that escaping twice
// changes nothing and messages that quote a string (%q) stay readable.
func Escape(s string) string {
	i := 0
	for i < len(s) && ' ' <= s[i] && s[i] < 0x7f {
		i++
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			b.WriteString(`\x`)
			b.WriteString(strconv.FormatUint(uint64(s[i])>>4, 16))
			b.WriteString(strconv.FormatUint(uint64(s[i])&15, 16))
		case strconv.IsPrint(r):
			b.WriteString(s[i : i+n])
		default:
			q := strconv.QuoteRuneToASCII(r) // '\n', '\x1b', '\u2028'
			b.WriteString(q[1 : len(q)-1])
		}
		i += n
	}
	return b.String()
}

// EscapeAll escapes each line of lines (see Escape), in place.
func EscapeAll(lines []string) []string {
	for i, l := range lines {
		lines[i] = Escape(l)
	}
	return lines
}
