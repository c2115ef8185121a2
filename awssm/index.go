package awssm

import (
	"encoding/json"

	"github.com/tokenstore-go/tokenstore"
)

// An index secret maps one lookup key to a record ID: {"id":"<ID>"}. The
// empty ID is a tombstone, written just before the secret is deleted. The
// nonce N makes every write unique (see put).
type indexValue struct {
	ID string `json:"id"`
	N  string `json:"n,omitempty"`
}

func encodeIndex(id string) string {
	b, _ := json.Marshal(indexValue{ID: id, N: nonce()}) // cannot fail: strings only
	return string(b)
}

// decodeIndex returns the record ID an index value points at, or "" for a
// tombstone or a value this package did not write.
func decodeIndex(v string) string {
	var iv indexValue
	if json.Unmarshal([]byte(v), &iv) != nil || tokenstore.ValidateID(iv.ID) != nil {
		return ""
	}
	return iv.ID
}

// A slot is where the index entry of one key lives: a secret of its own
// (user names, refresh tokens, and access tokens while an insert keyed by
// one is under way), or an entry of a grants shard (grant tokens, see
// grants.go). The backend gives the engine both alike.
type slot struct {
	name string // the index secret, or the grants shard
	key  string // the entry in the shard; "" for an index secret
}

func (sl slot) shared() bool { return sl.key != "" }
