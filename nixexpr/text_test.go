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

// TestTextSink: with a sink, the blocks reach it in order as they fill,
// and the text is not kept.
func TestTextSink(t *testing.T) {
	var out, want bytes.Buffer
	got := text{sink: &out}
	for i := range 3000 {
		s := strings.Repeat(string(rune('a'+i%26)), i%97)
		switch i % 3 {
		case 0:
			got.WriteString(s)
		case 1:
			got.Write(append(got.AvailableBuffer(), s...))
		case 2:
			s = strings.Repeat("x", chunkSize+i)
			got.Write(append(got.AvailableBuffer(), s...))
		}
		want.WriteString(s)
		if got.Len() != want.Len() {
			t.Fatalf("after %d writes: Len = %d, want %d", i+1, got.Len(), want.Len())
		}
	}
	got.flush()
	if len(got.full) > 0 {
		t.Errorf("%d blocks kept", len(got.full))
	}
	if !bytes.Equal(out.Bytes(), want.Bytes()) {
		t.Error("the sink got other bytes than were written")
	}
}

// TestStream: Stream writes what Print writes, in blocks.
func TestStream(t *testing.T) {
	ls := make([]string, 20000)
	for i := range ls {
		ls[i] = hostile[i%len(hostile)] + strings.Repeat("x", i%50)
	}
	var items []Expr
	for _, s := range ls {
		items = append(items, String{s})
	}
	f := &File{Comments: []string{"a\nb"}, Body: AttrSet{Bindings: []Binding{attr("l", List{Items: items}), attr("n", Int{1})}}}
	var want bytes.Buffer
	if err := Print(&want, f); err != nil {
		t.Fatal(err)
	}
	writes := 0
	var got bytes.Buffer
	if err := Stream(writerFunc(func(p []byte) (int, error) { writes++; return got.Write(p) }), f); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want.Bytes()) || writes < 2 {
		t.Errorf("Stream wrote %d bytes in %d writes, Print %d", got.Len(), writes, want.Len())
	}
	f.Body = AttrSet{Bindings: []Binding{attr("l", List{Items: items}), attr("n", String{"\x00"})}}
	if err := Stream(&got, f); err == nil {
		t.Error("Stream printed a NUL")
	}
}

type writerFunc func(p []byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
