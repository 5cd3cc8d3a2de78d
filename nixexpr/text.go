package nixexpr

import "io"

// chunkSize is the size of text's blocks: large enough that writing them
// takes few system calls, small enough that the last one wastes little.
const chunkSize = 64 << 10

// text is the printer's output, held in blocks: a generated file runs to
// megabytes, and a single growing buffer would copy it again and again
// as it doubles, touching twice the memory it keeps.
type text struct {
	full [][]byte // filled blocks
	cur  []byte   // the block being filled
	n    int      // bytes in full, or written to sink
	// sink, when set, takes each block as it fills, and the block is
	// used again: the text is not kept (Stream). err is its first error.
	sink io.Writer
	err  error
}

// room makes cur hold n more bytes, starting a new block when it cannot.
func (t *text) room(n int) {
	if len(t.cur)+n <= cap(t.cur) {
		return
	}
	if t.sink != nil {
		t.flush()
		if n <= cap(t.cur) {
			return
		}
	} else if len(t.cur) > 0 {
		t.full = append(t.full, t.cur)
		t.n += len(t.cur)
	}
	t.cur = make([]byte, 0, max(chunkSize, n))
}

// flush writes cur to sink and empties it.
func (t *text) flush() {
	if t.err == nil && len(t.cur) > 0 {
		_, t.err = t.sink.Write(t.cur)
	}
	t.n += len(t.cur)
	t.cur = t.cur[:0]
}

func (t *text) WriteString(s string) {
	t.room(len(s))
	t.cur = append(t.cur, s...)
}

func (t *text) WriteByte(c byte) error {
	t.room(1)
	t.cur = append(t.cur, c)
	return nil
}

// Write appends b, which may be AvailableBuffer's, appended to.
func (t *text) Write(b []byte) {
	if len(b) <= cap(t.cur)-len(t.cur) {
		t.cur = append(t.cur, b...) // in place when b is AvailableBuffer's
		return
	}
	t.room(len(b))
	t.cur = append(t.cur, b...)
}

// AvailableBuffer is an empty slice to append to and then pass to Write;
// as with bytes.Buffer, appending in place spares a copy.
func (t *text) AvailableBuffer() []byte { return t.cur[len(t.cur):] }

// Len is the number of bytes written.
func (t *text) Len() int { return t.n + len(t.cur) }

// Bytes returns the text as one slice; not with a sink.
func (t *text) Bytes() []byte {
	if len(t.full) == 0 {
		return t.cur
	}
	b := make([]byte, 0, t.Len())
	for _, c := range t.full {
		b = append(b, c...)
	}
	return append(b, t.cur...)
}

// WriteTo writes the blocks in order; not with a sink.
func (t *text) WriteTo(w io.Writer) (int64, error) {
	var n int64
	for i := 0; i <= len(t.full); i++ {
		c := t.cur
		if i < len(t.full) {
			c = t.full[i]
		}
		m, err := w.Write(c)
		n += int64(m)
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
