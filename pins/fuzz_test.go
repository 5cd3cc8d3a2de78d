package pins

import (
	"bytes"
	"testing"
)

// FuzzParse: Parse never panics, and what it accepts Encode writes in a
// form that reads back to the same bytes.
func FuzzParse(f *testing.F) {
	f.Add([]byte(canonical))
	f.Add([]byte("[pins]\npiaf = \"" + commitA + "\"\n"))
	f.Add([]byte("[tarball]\n\"a\\u0001\\\"b\" = { hash = \"" + sha256 + "\", weak = \"" + md5 + "\" }\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse("f.toml", data)
		if err != nil {
			return
		}
		var once, twice bytes.Buffer
		if err := p.Encode(&once); err != nil {
			t.Fatal(err)
		}
		q, err := Parse("f.toml", once.Bytes())
		if err != nil {
			t.Fatalf("Encode wrote what Parse rejects: %v\n%s", err, once.Bytes())
		}
		if err := q.Encode(&twice); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(once.Bytes(), twice.Bytes()) {
			t.Fatalf("not stable:\n%s\n%s", once.Bytes(), twice.Bytes())
		}
	})
}
