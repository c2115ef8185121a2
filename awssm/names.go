package awssm

import (
	"fmt"
	"hash/fnv"
	"strings"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/driver"
)

// catalogShards is how many catalog secrets a namespace may have. It equals
// the BatchGetSecretValue limit, so one call reads the whole catalog.
const catalogShards = maxBatch

// The kinds of secret a store creates, as told apart by name.
type secretKind int

const (
	kindNone secretKind = iota
	kindRecord
	kindIndex
	kindCatalog
	kindGrants
)

// Descriptions put on created secrets: fixed text, never token data.
var descriptions = map[secretKind]string{
	kindRecord:  "tokenstore: OAuth token record",
	kindIndex:   "tokenstore: lookup index entry",
	kindCatalog: "tokenstore: record catalog shard",
	kindGrants:  "tokenstore: grant token index shard",
}

// names derives every secret name of a namespace. The layout:
//
//	<prefix>token/<id>/record    one record, encoded by driver.EncodeRecord
//	<prefix>index/<hex digest>   one lookup key → the ID of its record
//	<prefix>catalog/<00..19>     the IDs of the records, sharded by ID
//	<prefix>grants/<00..19>      grant tokens → record IDs, sharded by digest
//
// IDs pass tokenstore.ValidateID and digests are 64 hex characters, so no
// input can add a path segment or leave the prefix. Every name ends in a
// fixed part of at least 7 characters whose first is not '-', so no name
// ends in '-' plus 6 characters, which Secrets Manager would take for the
// random suffix of an ARN.
type names struct {
	prefix string
	pepper []byte
}

func (n names) record(id string) string { return n.prefix + "token/" + id + "/record" }

func (n names) index(k tokenstore.Key) string {
	return n.prefix + "index/" + driver.Digest(k, n.pepper)
}

func (n names) catalog(shard int) string { return fmt.Sprintf("%scatalog/%02d", n.prefix, shard) }

func (n names) grants(shard int) string { return fmt.Sprintf("%sgrants/%02d", n.prefix, shard) }

// shardNames returns the names of the count shards that name makes:
// shardNames(n.catalog, catalogShards) is the whole catalog.
func shardNames(name func(int) string, count int) []string {
	out := make([]string, count)
	for i := range out {
		out[i] = name(i)
	}
	return out
}

// grantShards is how many grants shards a namespace may have. Each is
// read alone, so the number is free; it matches the catalog's.
const grantShards = 20

// shard returns the shard, of n, that s belongs to: the catalog shard of
// an ID, the grants shard of a digest.
func shard(s string, n int) int {
	h := fnv.New32a()
	h.Write([]byte(s))
	return int(h.Sum32() % uint32(n))
}

// kind tells what a secret named name is to this namespace, and kindNone
// for names it did not make (such as those of a longer prefix).
func (n names) kind(name string) secretKind {
	rest, ok := strings.CutPrefix(name, n.prefix)
	if !ok {
		return kindNone
	}
	switch {
	case strings.HasPrefix(rest, "token/") && strings.HasSuffix(rest, "/record"):
		id := strings.TrimSuffix(strings.TrimPrefix(rest, "token/"), "/record")
		if tokenstore.ValidateID(id) == nil {
			return kindRecord
		}
	case strings.HasPrefix(rest, "index/"):
		if d := strings.TrimPrefix(rest, "index/"); len(d) == 64 && isLowerHex(d) {
			return kindIndex
		}
	case strings.HasPrefix(rest, "catalog/"):
		if shardNumber(strings.TrimPrefix(rest, "catalog/"), catalogShards) {
			return kindCatalog
		}
	case strings.HasPrefix(rest, "grants/"):
		if shardNumber(strings.TrimPrefix(rest, "grants/"), grantShards) {
			return kindGrants
		}
	}
	return kindNone
}

// shardNumber reports whether d is a two-digit shard number below n.
func shardNumber(d string, n int) bool {
	return len(d) == 2 && isDigit(d[0]) && isDigit(d[1]) && int(d[0]-'0')*10+int(d[1]-'0') < n
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
