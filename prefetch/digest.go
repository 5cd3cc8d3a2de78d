package prefetch

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"hash"

	"github.com/lock2nix/lock2nix/lockfile"
)

// digester hashes one stream with several algorithms at once.
type digester struct {
	algos []lockfile.Algo
	hs    []hash.Hash
}

func newDigester(algos []lockfile.Algo) *digester {
	d := &digester{algos: algos}
	for _, a := range algos {
		var h hash.Hash
		switch a {
		case lockfile.MD5:
			h = md5.New()
		case lockfile.SHA1:
			h = sha1.New()
		case lockfile.SHA256:
			h = sha256.New()
		case lockfile.SHA384:
			h = sha512.New384()
		case lockfile.SHA512:
			h = sha512.New()
		default:
			panic("prefetch: no hash algorithm " + a.String())
		}
		d.hs = append(d.hs, h)
	}
	return d
}

func (d *digester) Write(p []byte) (int, error) {
	for _, h := range d.hs {
		h.Write(p)
	}
	return len(p), nil
}

// sums returns the digests, in the order of the algorithms.
func (d *digester) sums() []lockfile.Hash {
	out := make([]lockfile.Hash, len(d.hs))
	for i, h := range d.hs {
		out[i] = lockfile.Hash{Algo: d.algos[i], Digest: h.Sum(nil)}
	}
	return out
}
