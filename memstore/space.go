package memstore

import (
	"slices"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/driver"
)

// space is one namespace of a Backend: the records by ID, each kept in its
// persisted form (so that memstore enforces the size limit and returns
// values normalised as a server-backed store does) and decoded once, and
// an index from every other lookup key to the IDs of the records that hold
// it, so that lookups and updates take the same time at any size.
type space struct {
	recs map[string]record
	keys map[tokenstore.Key][]string // sorted IDs; several only for shared token values
	seq  uint64                      // the last version put
}

// record is one stored record, as decoding its encoding would give it,
// and its version in the namespace (UpdateToken's compare-and-swap).
type record struct {
	tok  tokenstore.Token
	meta tokenstore.Meta
	ver  uint64
}

func newSpace() *space {
	return &space{recs: make(map[string]record), keys: make(map[tokenstore.Key][]string)}
}

// find returns the record k selects: by ID, or the record with the
// smallest ID among those holding k, so that a key several records share
// always picks the same one.
func (sp *space) find(k tokenstore.Key) (record, bool) {
	if sp == nil {
		return record{}, false
	}
	if k.Kind == tokenstore.KeyID {
		r, ok := sp.recs[k.Value]
		return r, ok
	}
	ids := sp.keys[k]
	if len(ids) == 0 {
		return record{}, false
	}
	return sp.recs[ids[0]], true
}

// put stores r under its ID as a new version, replacing what was there,
// and indexes it.
func (sp *space) put(r record) {
	id := r.tok.ID
	sp.seq++
	r.ver = sp.seq
	if old, ok := sp.recs[id]; ok {
		sp.unindex(old.tok)
	}
	sp.recs[id] = r
	for _, k := range driver.Keys(r.tok) {
		if k.Kind == tokenstore.KeyID {
			continue
		}
		ids := sp.keys[k]
		if i, found := slices.BinarySearch(ids, id); !found {
			sp.keys[k] = slices.Insert(ids, i, id)
		}
	}
}

// remove drops record id and its index entries.
func (sp *space) remove(id string) bool {
	r, ok := sp.recs[id]
	if ok {
		sp.unindex(r.tok)
		delete(sp.recs, id)
	}
	return ok
}

func (sp *space) unindex(t tokenstore.Token) {
	for _, k := range driver.Keys(t) {
		ids := sp.keys[k]
		if i, found := slices.BinarySearch(ids, t.ID); found {
			if ids = slices.Delete(ids, i, i+1); len(ids) == 0 {
				delete(sp.keys, k)
			} else {
				sp.keys[k] = ids
			}
		}
	}
}

// sorted returns the records in ID order.
func (sp *space) sorted() []record {
	if sp == nil {
		return nil
	}
	out := make([]record, 0, len(sp.recs))
	for _, r := range sp.recs {
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b record) int {
		switch {
		case a.tok.ID < b.tok.ID:
			return -1
		case a.tok.ID > b.tok.ID:
			return 1
		}
		return 0
	})
	return out
}

// encode returns the stored form of t with metadata m, the record as a
// store that encodes it would give it back. Without metadata that is t
// with its Expiry in UTC (the codec keeps every other field as it is, and
// tokenstore.Validate, which the caller ran, has refused what it could not
// keep), so neither encoding nor decoding is needed unless the record may
// be near driver.MaxRecordSize: then it is encoded, to refuse it exactly
// as the codec does. Metadata is validated and compacted by the encoder,
// so a record with metadata is encoded and decoded.
func encode(t tokenstore.Token, m tokenstore.Meta) (record, error) {
	if len(m) == 0 && driver.SizeBound(t, nil) <= driver.MaxRecordSize && t.ID != "" {
		if !t.Expiry.IsZero() {
			t.Expiry = t.Expiry.UTC()
		}
		return record{tok: t}, nil
	}
	b, err := driver.EncodeRecordMeta(t, m)
	if err != nil {
		return record{}, err
	}
	tok, meta, err := driver.DecodeRecordMeta(b)
	return record{tok: tok, meta: meta}, err
}
