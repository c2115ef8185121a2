package vault

import (
	"strings"

	"github.com/tokenstore-go/tokenstore"
)

// The KV data each path holds. A record path holds either a record or, while
// DeleteToken runs (and after it stopped, or when a save retired the ID), a
// tombstone; an index path holds the ID of the record it points to.
const (
	fieldRecord    = "record"    // driver.EncodeRecord output, as a string
	fieldTombstone = "tombstone" // the record's index names (indexRel), space-separated
	fieldID        = "id"        // index entry: the record ID
	fieldNonce     = "nonce"     // random, tells one write of a record or tombstone from another
)

// recordData is a record as KV data, with a fresh nonce: put recognizes
// its own write by it (see put), so two writes of the same record are
// never taken for one. Records written without one still read.
func recordData(encoded []byte) map[string]any {
	return map[string]any{fieldRecord: string(encoded), fieldNonce: tokenstore.NewID()}
}

// tombstoneData is a tombstone listing index, with a fresh nonce: put
// recognizes its own tombstone by it, and a tombstone without one (written
// before nonces, or by an older retire) still reads as a tombstone.
func tombstoneData(index []string) map[string]any {
	return map[string]any{fieldTombstone: strings.Join(index, " "), fieldNonce: tokenstore.NewID()}
}

func entryData(id string) map[string]any { return map[string]any{fieldID: id} }
