package vault

import (
	"context"
	"fmt"
	"strings"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/driver"
)

// The KV data each path holds. A record path holds either a record or, while
// DeleteToken runs (and after it crashed), a tombstone; an index path holds
// the ID of the record it points to.
const (
	fieldRecord    = "record"    // driver.EncodeRecord output, as a string
	fieldTombstone = "tombstone" // the record's index names (indexRel), space-separated
	fieldID        = "id"        // index entry: the record ID
	fieldNonce     = "nonce"     // random, tells one write of a record or tombstone from another
)

// recState is what a record path holds.
type recState int

const (
	recAbsent recState = iota // nothing, or a soft-deleted or destroyed version
	recLive                   // a record
	recTomb                   // a tombstone: the record is being deleted
)

// record is one read of a record path.
type record struct {
	state recState
	tok   tokenstore.Token // when live
	meta  tokenstore.Meta  // when live; see tokenstore.Meta
	index []string         // when a tombstone: index names to clean up
	ver   int              // cas to replace what was read
}

// readRecord reads the record with the given valid ID. A record that does
// not decode is an error wrapping tokenstore.ErrCorrupt that names the ID,
// so that the caller can delete it.
func (s *Store) readRecord(ctx context.Context, id string) (record, error) {
	data, ver, err := s.kv.read(ctx, s.layout.recordPath(id))
	if err != nil || data == nil {
		return record{ver: ver}, err
	}
	r, err := decodeRecord(id, data)
	r.ver = ver
	if err != nil {
		return r, fmt.Errorf("record %s: %w", id, err)
	}
	return r, nil
}

func decodeRecord(id string, data map[string]any) (record, error) {
	if tomb, ok := data[fieldTombstone].(string); ok {
		return record{state: recTomb, index: strings.Fields(tomb)}, nil
	}
	raw, ok := data[fieldRecord].(string)
	if !ok {
		return record{}, fmt.Errorf("%w: record path holds no record", tokenstore.ErrCorrupt)
	}
	tok, meta, err := driver.DecodeRecordMeta([]byte(raw))
	if err != nil {
		return record{}, err
	}
	if tok.ID != id {
		return record{}, fmt.Errorf("%w: record ID differs from its path", tokenstore.ErrCorrupt)
	}
	return record{state: recLive, tok: tok, meta: meta}, nil
}

// recordData is a record as KV data, with a fresh nonce: put recognizes
// its own write by it (see put), so two writes of the same record are
// never taken for one. Records written without one still read.
func recordData(encoded []byte) map[string]any {
	return map[string]any{fieldRecord: string(encoded), fieldNonce: tokenstore.NewID()}
}

// tombstoneData is a tombstone listing index, with a fresh nonce: put
// recognizes its own tombstone by it, and a tombstone without one (written
// before nonces, or by retire) still reads as a tombstone.
func tombstoneData(index []string) map[string]any {
	return map[string]any{fieldTombstone: strings.Join(index, " "), fieldNonce: tokenstore.NewID()}
}

// entry is one read of an index path.
type entry struct {
	id  string // "" when absent; may be malformed if someone else wrote it
	ver int    // cas to replace what was read
}

func (s *Store) readEntry(ctx context.Context, path string) (entry, error) {
	data, ver, err := s.kv.read(ctx, path)
	if err != nil {
		return entry{}, err
	}
	id, _ := data[fieldID].(string)
	return entry{id: id, ver: ver}, nil
}

func entryData(id string) map[string]any { return map[string]any{fieldID: id} }
