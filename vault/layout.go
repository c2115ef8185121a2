package vault

import (
	"fmt"
	"strings"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/driver"
)

// Path segments under the store's prefix. Record IDs and key digests are the
// only other segments the store writes, and neither can hold a '/' or a dot
// segment: IDs pass tokenstore.ValidateID and digests are hex.
const (
	recordsDir = "records"
	indexDir   = "index"
)

// indexKinds are the key kinds that have an index directory, in the order
// SaveToken claims them: the user name first, so that ErrDuplicate is found
// before anything is written.
var indexKinds = []tokenstore.KeyKind{
	tokenstore.KeyUserName,
	tokenstore.KeyAccessToken,
	tokenstore.KeyGrantToken,
	tokenstore.KeyRefreshToken,
}

// layout turns record IDs and lookup keys into paths below the prefix.
type layout struct {
	prefix string // validated, no leading or trailing '/'
	pepper []byte
}

// recordPath is where the record with the given (valid) ID lives.
func (l layout) recordPath(id string) string {
	return l.prefix + "/" + recordsDir + "/" + id
}

// recordsPath is the directory listed by GetTokens and DeleteTokens.
func (l layout) recordsPath() string { return l.prefix + "/" + recordsDir }

// indexRel names k's index entry relative to the index directory, as
// "<kind>/<digest>". Tombstones keep these names; they hold no secret.
func (l layout) indexRel(k tokenstore.Key) string {
	return k.Kind.String() + "/" + driver.Digest(k, l.pepper)
}

// indexPath turns a name from indexRel into a full path. It refuses a name
// that indexRel could not have produced, since tombstones are read back
// from the backend.
func (l layout) indexPath(rel string) (string, bool) {
	kind, digest, ok := strings.Cut(rel, "/")
	if !ok || !knownKind(kind) || !isDigest(digest) {
		return "", false
	}
	return l.indexKindPath(kind) + "/" + digest, true
}

// indexKindPath is the directory of one kind's index entries.
func (l layout) indexKindPath(kind string) string {
	return l.prefix + "/" + indexDir + "/" + kind
}

func knownKind(kind string) bool {
	for _, k := range indexKinds {
		if k.String() == kind {
			return true
		}
	}
	return false
}

// isDigest reports whether s has the form of driver.Digest: 64
// lowercase hex characters.
func isDigest(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// cleanPath validates a mount or prefix given in Options: one or more
// '/'-separated segments of ASCII letters, digits, '-', '_' and '.', none of
// them "." or "..". Leading and trailing slashes are dropped. The result can
// be put in a URL path as it is and cannot climb out of its parent.
func cleanPath(what, p string) (string, error) {
	p = strings.Trim(p, "/")
	if p == "" {
		return "", fmt.Errorf("vault: %s is empty", what)
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return "", fmt.Errorf("vault: %s %q has an empty, '.' or '..' segment", what, p)
		}
		for i := 0; i < len(seg); i++ {
			if !pathByte(seg[i]) {
				return "", fmt.Errorf("vault: %s %q has a character other than [A-Za-z0-9._-] in a segment", what, p)
			}
		}
	}
	return p, nil
}

func pathByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.'
}
