package awssm

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/tokenstore-go/tokenstore"
)

// Grant tokens are written once, when a user first authorises the app, and
// never change; lookups by them come at start-up, when an app configured
// with a grant token asks for the record it led to. So their index entries
// share 20 secrets per namespace instead of taking one each: a grants shard
// maps the leading 32 hex digits of a grant key's digest to its record ID.
// A lookup reads the one shard the digest names, then the record: two
// calls, as with an index secret of its own, with one secret fewer per
// record. Entries are claimed, taken over and released by compare-and-swap
// of the shard, with the entry's nonce standing for the revision of an
// index secret (see backend).

// grantKeyLen is how many hex digits of the digest key a grants entry:
// 128 bits, so that two grant tokens of a namespace never share one.
const grantKeyLen = 32

// grantEntry is one grant key's entry: the record ID, and a nonce that
// changes with every write of the entry and serves as its revision. T, the
// write time, is no longer written; entries that have it still decode.
type grantEntry struct {
	ID string `json:"id"`
	N  string `json:"n"`
	T  int64  `json:"t,omitempty"`
}

type grantsValue struct {
	V    int                   `json:"v"`
	Keys map[string]grantEntry `json:"keys"`
}

func decodeGrants(v string) (map[string]grantEntry, error) {
	var gv grantsValue
	if err := json.Unmarshal([]byte(v), &gv); err != nil || gv.V != 1 {
		return nil, fmt.Errorf("%w: grant index shard is not a version 1 shard", tokenstore.ErrCorrupt)
	}
	if gv.Keys == nil {
		gv.Keys = make(map[string]grantEntry)
	}
	return gv.Keys, nil
}

func encodeGrants(keys map[string]grantEntry) string {
	b, _ := json.Marshal(grantsValue{V: 1, Keys: keys}) // cannot fail: strings and ints
	return string(b)
}

// readGrant reads the entry of sl from its shard.
func (s *Store) readGrant(ctx context.Context, sl slot) (grantEntry, bool, error) {
	sec, ok, err := s.get(ctx, sl.name)
	if err != nil || !ok {
		return grantEntry{}, false, err
	}
	keys, err := decodeGrants(sec.value)
	if err != nil {
		return grantEntry{}, false, err
	}
	g, ok := keys[sl.key]
	return g, ok, nil
}

// editGrant changes the entry of sl by compare-and-swap of its shard.
// change gets the current entry (ok false when there is none) and returns
// the new one (keep false to delete it) or an error, which ends the edit.
func (s *Store) editGrant(ctx context.Context, sl slot, change func(cur grantEntry, ok bool) (next grantEntry, keep bool, err error)) error {
	return s.editShard(ctx, sl.name, kindGrants, func(cur string, exists bool) (string, bool, error) {
		keys := make(map[string]grantEntry)
		if exists {
			var err error
			if keys, err = decodeGrants(cur); err != nil {
				return "", false, err
			}
		}
		g, ok := keys[sl.key]
		next, keep, err := change(g, ok)
		switch {
		case err != nil:
			return "", false, err
		case keep:
			keys[sl.key] = next
		case !ok:
			return "", false, nil
		default:
			delete(keys, sl.key)
		}
		return encodeGrants(keys), true, nil
	})
}
