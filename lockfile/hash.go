package lockfile

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
)

// Algo is a hash algorithm, ordered from weakest to strongest.
type Algo uint8

// Hash algorithms lockfiles carry.
const (
	NoAlgo Algo = iota
	MD5
	SHA1
	SHA256
	SHA384
	SHA512
)

var algos = [...]struct {
	name string
	size int
}{
	NoAlgo: {"", 0},
	MD5:    {"md5", 16},
	SHA1:   {"sha1", 20},
	SHA256: {"sha256", 32},
	SHA384: {"sha384", 48},
	SHA512: {"sha512", 64},
}

// String returns the algorithm's name as SRI writes it ("sha512").
func (a Algo) String() string { return algos[a].name }

// Size is the digest length in bytes.
func (a Algo) Size() int { return algos[a].size }

// Weak reports whether the algorithm no longer resists collisions (md5,
// sha1). Lockfiles still carry such hashes; callers should warn about them.
func (a Algo) Weak() bool { return a == MD5 || a == SHA1 }

func algoByName(name string) Algo {
	for a := MD5; a <= SHA512; a++ {
		if algos[a].name == name {
			return a
		}
	}
	return NoAlgo
}

// Hash is a content digest. The zero Hash means "no hash".
type Hash struct {
	Algo   Algo
	Digest []byte
}

// IsZero reports whether h holds no hash.
func (h Hash) IsZero() bool { return h.Algo == NoAlgo }

// String returns h in SRI form ("sha512-<base64>"), or "" for the zero Hash.
func (h Hash) String() string {
	if h.IsZero() {
		return ""
	}
	return h.Algo.String() + "-" + base64.StdEncoding.EncodeToString(h.Digest)
}

// AppendText appends h as String returns it (encoding.TextAppender).
func (h Hash) AppendText(b []byte) ([]byte, error) {
	if h.IsZero() {
		return b, nil
	}
	b = append(b, h.Algo.String()...)
	b = append(b, '-')
	return base64.StdEncoding.AppendEncode(b, h.Digest), nil
}

// Equal reports whether two hashes have the same algorithm and digest.
func (h Hash) Equal(o Hash) bool { return h.Algo == o.Algo && string(h.Digest) == string(o.Digest) }

// HashError reports a hash string that could not be parsed.
type HashError struct {
	Input  string
	Reason string
}

// Error says which hash is invalid and why.
func (e *HashError) Error() string { return fmt.Sprintf("invalid hash %q: %s", e.Input, e.Reason) }

// ParseSRI parses one Subresource Integrity string ("sha512-<base64>"). An
// option suffix ("?foo") is ignored, as the SRI specification says.
func ParseSRI(s string) (Hash, error) {
	name, b64, ok := strings.Cut(s, "-")
	if !ok {
		return Hash{}, &HashError{s, `want "<algorithm>-<base64 digest>"`}
	}
	algo := algoByName(name)
	if algo == NoAlgo {
		return Hash{}, &HashError{s, fmt.Sprintf("unknown algorithm %q", name)}
	}
	b64, _, _ = strings.Cut(b64, "?")
	digest, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return Hash{}, &HashError{s, "digest is not base64"}
	}
	if len(digest) != algo.Size() {
		return Hash{}, &HashError{s, fmt.Sprintf("%s digest has %d bytes, want %d", name, len(digest), algo.Size())}
	}
	return Hash{algo, digest}, nil
}

// ParseIntegrity parses an SRI integrity attribute: one or more SRI
// strings separated by white space. It returns the strongest of them; every
// one must be valid.
func ParseIntegrity(s string) (Hash, error) {
	if strings.TrimSpace(s) == "" {
		return Hash{}, &HashError{s, "empty integrity"}
	}
	var best Hash
	for f := range strings.FieldsSeq(s) {
		h, err := ParseSRI(f)
		if err != nil {
			return Hash{}, err
		}
		if h.Algo > best.Algo {
			best = h
		}
	}
	return best, nil
}

// ParseHex parses the "algo=hex" form ("sha256=ab12…", "md5=…").
func ParseHex(s string) (Hash, error) {
	name, hx, ok := strings.Cut(s, "=")
	if !ok {
		return Hash{}, &HashError{s, `want "<algorithm>=<hex digest>"`}
	}
	algo := algoByName(name)
	if algo == NoAlgo {
		return Hash{}, &HashError{s, fmt.Sprintf("unknown algorithm %q", name)}
	}
	digest, err := hex.DecodeString(hx)
	if err != nil {
		return Hash{}, &HashError{s, "digest is not hexadecimal"}
	}
	if len(digest) != algo.Size() {
		return Hash{}, &HashError{s, fmt.Sprintf("%s digest has %d bytes, want %d", name, len(digest), algo.Size())}
	}
	return Hash{algo, digest}, nil
}
