package memstore

import (
	"slices"
	"strings"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/driver"
)

// space is one namespace of a Shared: the records by ID, each kept in its
// persisted form (so that memstore enforces the size limit and returns
// values normalised as a server-backed store does) and decoded once, and
// an index from every other lookup key to the records that hold it, so
// that lookups and updates take the same time at any size.
//
// The index has one map per key kind, by the key's value: string keys are
// the map's fast path, and a find is one lookup there, which points at the
// record itself. A save moves only the index entries of keys that changed
// (a refresh: the access token's), and a record keeps its place, updated
// in place, so that saving an existing record allocates nothing.
type space struct {
	recs  map[string]*record              // by ID
	index [maxKind + 1]map[string]holders // by kind, then value; none for KeyID
	seq   uint64                          // the last version put
}

// maxKind is the largest key kind driver.Keys gives.
const maxKind = tokenstore.KeyRefreshToken

// record is one stored record, as decoding its encoding would give it,
// and its version in the namespace (UpdateToken's compare-and-swap).
type record struct {
	tok  tokenstore.Token
	meta tokenstore.Meta
	ver  uint64
}

// holders are the records holding one key value, in ID order: nearly
// always one, which takes no allocation. A value is shared only when
// records share a token, or a grant or refresh token under different
// clients.
type holders struct {
	first *record
	rest  []*record
}

func newSpace() *space {
	sp := &space{recs: make(map[string]*record)}
	for k := tokenstore.KeyUserName; k <= maxKind; k++ {
		sp.index[k] = make(map[string]holders)
	}
	return sp
}

// find returns a copy of the record k selects; see lookup.
func (sp *space) find(k tokenstore.Key) (record, bool) {
	if r := sp.lookup(k); r != nil {
		return *r, true
	}
	return record{}, false
}

// lookup returns the record k selects, or nil: by ID, or the record with
// the smallest ID among those holding k, so that a key several records
// share always picks the same one. The record changes with the next save:
// callers copy what they keep beyond the lock.
func (sp *space) lookup(k tokenstore.Key) *record {
	switch {
	case sp == nil:
		return nil
	case k.Kind == tokenstore.KeyID:
		return sp.recs[k.Value]
	case k.Kind > maxKind:
		return nil
	}
	h := sp.index[k.Kind][k.Value]
	if h.first == nil || driver.Matches(k, h.first.tok) {
		return h.first
	}
	for _, r := range h.rest {
		if driver.Matches(k, r.tok) {
			return r
		}
	}
	return nil
}

// put stores r under its ID as a new version, replacing what was there,
// and indexes it: only the keys that changed move.
func (sp *space) put(r record) {
	sp.seq++
	r.ver = sp.seq
	var oldBuf, newBuf [5]tokenstore.Key
	var old []tokenstore.Key
	p := sp.recs[r.tok.ID]
	if p != nil {
		old = driver.AppendKeys(oldBuf[:0], p.tok)
		*p = r
	} else {
		p = new(record) // not &r, which would move every r to the heap
		*p = r
		sp.recs[r.tok.ID] = p
	}
	keys := driver.AppendKeys(newBuf[:0], p.tok)
	for _, k := range old {
		if !slices.Contains(keys, k) {
			sp.unindex(k, p)
		}
	}
	for _, k := range keys {
		if !slices.Contains(old, k) {
			sp.indexKey(k, p)
		}
	}
}

// remove drops record id and its index entries.
func (sp *space) remove(id string) bool {
	r := sp.recs[id]
	if r == nil {
		return false
	}
	var buf [5]tokenstore.Key
	for _, k := range driver.AppendKeys(buf[:0], r.tok) {
		sp.unindex(k, r)
	}
	delete(sp.recs, id)
	return true
}

// byID orders records by ID.
func byID(a, b *record) int { return strings.Compare(a.tok.ID, b.tok.ID) }

// indexKey adds r under k, keeping the holders in ID order.
func (sp *space) indexKey(k tokenstore.Key, r *record) {
	if k.Kind == tokenstore.KeyID {
		return
	}
	m := sp.index[k.Kind]
	h := m[k.Value]
	switch {
	case h.first == nil:
		h.first = r
	case byID(r, h.first) < 0:
		h.rest = slices.Insert(h.rest, 0, h.first)
		h.first = r
	default:
		i, _ := slices.BinarySearchFunc(h.rest, r, byID)
		h.rest = slices.Insert(h.rest, i, r)
	}
	m[k.Value] = h
}

// unindex removes r from under k.
func (sp *space) unindex(k tokenstore.Key, r *record) {
	if k.Kind == tokenstore.KeyID {
		return
	}
	m := sp.index[k.Kind]
	h := m[k.Value]
	switch {
	case h.first == r && len(h.rest) == 0:
		delete(m, k.Value)
		return
	case h.first == r:
		h.first = h.rest[0] // before Delete, which shifts and clears rest
		h.rest = slices.Delete(h.rest, 0, 1)
	default:
		if i := slices.Index(h.rest, r); i >= 0 {
			h.rest = slices.Delete(h.rest, i, i+1)
		}
	}
	if len(h.rest) == 0 {
		h.rest = nil
	}
	m[k.Value] = h
}

// sorted returns the records in ID order.
func (sp *space) sorted() []*record {
	if sp == nil {
		return nil
	}
	out := make([]*record, 0, len(sp.recs))
	for _, r := range sp.recs {
		out = append(out, r)
	}
	slices.SortFunc(out, byID)
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
