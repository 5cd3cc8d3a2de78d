package lockfile

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseIntegrity(t *testing.T) {
	sha1 := "sha1-" + "2jmj7l5rSw0yVb/vlWAYkK/YBwk="
	sha512 := "sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg=="
	tests := []struct {
		in      string
		want    string
		wantErr string
	}{
		{in: sha512, want: sha512},
		{in: sha1, want: sha1},
		{in: sha1 + " " + sha512, want: sha512},
		{in: sha512 + "  " + sha1, want: sha512},
		{in: sha512 + "?opt", want: sha512},
		{in: "", wantErr: "empty integrity"},
		{in: "sha512-abc", wantErr: "not base64"},
		{in: "sha512-AAAA", wantErr: "digest has 3 bytes, want 64"},
		{in: "crc32-AAAA", wantErr: `unknown algorithm "crc32"`},
		{in: "deadbeef", wantErr: "want"},
		{in: sha1 + " sha256-nope", wantErr: "sha256 digest has 3 bytes"},
	}
	for _, tt := range tests {
		h, err := ParseIntegrity(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseIntegrity(%q) error = %v, want one containing %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseIntegrity(%q): %v", tt.in, err)
			continue
		}
		if diff := cmp.Diff(tt.want, h.String()); diff != "" {
			t.Errorf("ParseIntegrity(%q) (-want +got):\n%s", tt.in, diff)
		}
		if b, _ := h.AppendText([]byte("x")); string(b) != "x"+tt.want {
			t.Errorf("ParseIntegrity(%q).AppendText = %q, want x%s", tt.in, b, tt.want)
		}
	}
}

func TestAppendTextZero(t *testing.T) {
	if b, _ := (Hash{}).AppendText([]byte("x")); string(b) != "x" {
		t.Errorf("the zero Hash appends %q", b)
	}
}

func TestParseHex(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr string
	}{
		// The digests of the empty string, in SRI form as nix hash convert prints them.
		{in: "md5=d41d8cd98f00b204e9800998ecf8427e", want: "md5-1B2M2Y8AsgTpgAmY7PhCfg=="},
		{in: "sha256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", want: "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="},
		{in: "sha512=cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e", want: "sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg=="},
		{in: "sha256=zz", wantErr: "not hexadecimal"},
		{in: "sha256=abcd", wantErr: "digest has 2 bytes, want 32"},
		{in: "blake3=abcd", wantErr: `unknown algorithm "blake3"`},
		{in: "sha256", wantErr: "want"},
	}
	for _, tt := range tests {
		h, err := ParseHex(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseHex(%q) error = %v, want one containing %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseHex(%q): %v", tt.in, err)
			continue
		}
		if diff := cmp.Diff(tt.want, h.String()); diff != "" {
			t.Errorf("ParseHex(%q) (-want +got):\n%s", tt.in, diff)
		}
		back, err := ParseSRI(h.String())
		if err != nil || !back.Equal(h) {
			t.Errorf("ParseSRI(%q) = %v, %v; want the same hash back", h.String(), back, err)
		}
	}
}

func TestWeak(t *testing.T) {
	for a, want := range map[Algo]bool{MD5: true, SHA1: true, SHA256: false, SHA384: false, SHA512: false} {
		if a.Weak() != want {
			t.Errorf("%v.Weak() = %v, want %v", a, a.Weak(), want)
		}
	}
}
