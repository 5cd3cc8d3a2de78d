package npmlock

import (
	"strings"

	"github.com/lock2nix/lock2nix/internal/jsondepth"
	"github.com/tidwall/gjson"
)

// manifestFields are the members of a package.json that CheckSync reads;
// of a name given twice the first counts, as in gjson's Get.
type manifestFields struct {
	name, overrides, workspaces, meta gjson.Result
	peer, prod, optional, dev         gjson.Result
}

// readManifest reads the package.json text data as jsondepth.Valid and
// gjson's Parse, then a Get of each field, would read it, in one pass
// instead of a dozen: a workspace's package.json may be hundreds of
// kilobytes (VS Code's settings of an extension, say). ok is false where
// jsondepth.Valid is: not JSON, or nested deeper than jsondepth.Max.
//
// The fields' offsets (gjson's Index) count from the start of data, as
// those of gjson.Parse(data).Get(field).
func readManifest(data string) (m manifestFields, ok bool) {
	ok = validJSON(data, func(key, value string, at int) {
		if strings.IndexByte(key, '\\') >= 0 {
			key = gjson.Parse(key).Str
		} else {
			key = key[1 : len(key)-1]
		}
		var f *gjson.Result
		switch key {
		case "name":
			f = &m.name
		case "overrides":
			f = &m.overrides
		case "workspaces":
			f = &m.workspaces
		case "peerDependenciesMeta":
			f = &m.meta
		case "peerDependencies":
			f = &m.peer
		case "dependencies":
			f = &m.prod
		case "optionalDependencies":
			f = &m.optional
		case "devDependencies":
			f = &m.dev
		default:
			return
		}
		if !f.Exists() {
			*f = gjson.Parse(value)
			f.Index = at
		}
	})
	if !ok {
		return manifestFields{}, false
	}
	return m, true
}

// validJSON reports whether data is one JSON value, as gjson.Valid says,
// nested no deeper than jsondepth.Max, as jsondepth.Over says: what
// jsondepth.Valid reports, in one pass that does not recurse. It calls
// member with each member of a top-level object: its key (quoted, as
// written) and value (as written), and the offset of the value in data. A
// call may come before the rest of data turns out not to be JSON.
func validJSON(data string, member func(key, value string, at int)) bool {
	t := manifestText(data)
	// open says, for each level entered, whether it is an object.
	var open [jsondepth.Max + 1]bool
	depth := 0
	// key is the key of the top-level object's member being read.
	var key string
	keyAt, valueAt := 0, 0
	i := skipWS(data, 0)
value:
	if i >= len(data) {
		return false
	}
	if depth == 1 && open[1] {
		valueAt = i
	}
	switch c := data[i]; c {
	case '{', '[':
		if depth++; depth > jsondepth.Max {
			return false
		}
		open[depth] = c == '{'
		i = skipWS(data, i+1)
		if i < len(data) && data[i] == c+2 { // '}' or ']'
			i++
			depth--
			goto end
		}
		if c == '[' {
			goto value
		}
		goto key
	case '"':
		var ok bool
		if i, ok = t.str(i + 1); !ok {
			return false
		}
	case 't':
		if !strings.HasPrefix(data[i:], "true") {
			return false
		}
		i += 4
	case 'f':
		if !strings.HasPrefix(data[i:], "false") {
			return false
		}
		i += 5
	case 'n':
		if !strings.HasPrefix(data[i:], "null") {
			return false
		}
		i += 4
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		if i = skipNumber(data, i); i < 0 {
			return false
		}
	default:
		return false
	}
end:
	// A value ends at i, inside the level depth.
	if depth == 0 {
		return skipWS(data, i) == len(data)
	}
	if depth == 1 && open[1] {
		member(key, data[valueAt:i], valueAt)
	}
	i = skipWS(data, i)
	if i >= len(data) {
		return false
	}
	switch data[i] {
	case ',':
		i = skipWS(data, i+1)
		if open[depth] {
			goto key
		}
		goto value
	case '}', ']':
		if (data[i] == '}') != open[depth] {
			return false
		}
		i++
		depth--
		goto end
	}
	return false
key:
	if i >= len(data) || data[i] != '"' {
		return false
	}
	keyAt = i
	{
		var ok bool
		if i, ok = t.str(i + 1); !ok {
			return false
		}
	}
	if depth == 1 {
		key = data[keyAt:i]
	}
	i = skipWS(data, i)
	if i >= len(data) || data[i] != ':' {
		return false
	}
	i = skipWS(data, i+1)
	goto value
}

// manifestText is the text of a package.json, which validJSON reads.
type manifestText string

// str returns the offset just past the string whose opening quote is
// before i, and whether it is a JSON string: no control character,
// escapes of one of "\/bfnrt or u and four hex digits.
func (data manifestText) str(i int) (int, bool) {
	for i < len(data) {
		// Eight bytes a step while none of them ends the string, starts
		// an escape, or is a control character: the text of a string
		// is most of a package.json.
		for i+8 <= len(data) && !swarStringStop(data.load64(i)) {
			i += 8
		}
		if i >= len(data) {
			break
		}
		switch c := data[i]; {
		case c == '"':
			return i + 1, true
		case c < ' ':
			return i, false
		case c == '\\':
			i++
			if i >= len(data) {
				return i, false
			}
			switch data[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+4 >= len(data) || !isHex4(string(data[i+1:i+5])) {
					return i, false
				}
				i += 4
			default:
				return i, false
			}
		}
		i++
	}
	return i, false
}

// load64 reads the eight bytes of s from i, the first lowest.
func (s manifestText) load64(i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

const (
	swarOnes  = 0x0101010101010101
	swarHighs = 0x8080808080808080
)

// stringStop reports whether one of the eight bytes of w is '"', '\\' or
// below ' '. (w-swarOnes*n)&^w&swarHighs is not zero just when a byte of w
// is below n, for n up to 0x80: a byte's high bit is set by the
// subtraction only when it is below n or is 0x80 or more, and ^w keeps it
// only in the first case; the borrow of a byte below n can set higher
// bytes' bits too, but only when there is one.
func swarStringStop(w uint64) bool {
	return swarBelow(w^('"'*swarOnes), 1) || swarBelow(w^('\\'*swarOnes), 1) || swarBelow(w, ' ')
}

func swarBelow(w, n uint64) bool { return (w-swarOnes*n)&^w&swarHighs != 0 }
