package nixexpr

import (
	"bytes"
	"strings"
	"testing"
)

// TestText writes pieces of every size, across block boundaries and
// through AvailableBuffer, and compares with what bytes.Buffer holds.
func TestText(t *testing.T) {
	var got text
	var want bytes.Buffer
	for i := range 3000 {
		s := strings.Repeat(string(rune('a'+i%26)), i%97)
		switch i % 4 {
		case 0:
			got.WriteString(s)
		case 1:
			got.WriteByte('\n')
			s = "\n"
		case 2:
			got.Write(append(got.AvailableBuffer(), s...))
		case 3:
			// Larger than a block: a block of its own.
			s = strings.Repeat("x", chunkSize+i)
			got.Write(append(got.AvailableBuffer(), s...))
		}
		want.WriteString(s)
		if got.Len() != want.Len() {
			t.Fatalf("after %d writes: Len = %d, want %d", i+1, got.Len(), want.Len())
		}
	}
	if !bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Error("Bytes differs from what was written")
	}
	var out bytes.Buffer
	if n, err := got.WriteTo(&out); err != nil || n != int64(want.Len()) {
		t.Fatalf("WriteTo = %d, %v; want %d, nil", n, err, want.Len())
	}
	if !bytes.Equal(out.Bytes(), want.Bytes()) {
		t.Error("WriteTo wrote other bytes than were written")
	}
}
