package kvstore

import (
	"context"
	"errors"

	"github.com/tokenstore-go/tokenstore"
)

// ErrStale is what a Backend returns when a conditional write or drop
// finds the name no longer at the revision the caller read: another writer
// got there first, and this write certainly did not land. The engine reads
// again and starts the attempt over.
var ErrStale = errors.New("changed since it was read")

func isStale(err error) bool { return errors.Is(err, ErrStale) }

// State is what a record name holds.
type State int

const (
	// Absent: nothing, or a value the backend has deleted but may still
	// keep (a soft-deleted version, a secret scheduled for deletion). Its
	// Rev, if any, is what a write over it must name.
	Absent State = iota
	// Live: a record.
	Live
	// Tomb: a tombstone. The record is being deleted (Index lists the
	// index entries to drop), or its ID was retired before any record was
	// written there (Index empty). Either way it reads as not found.
	Tomb
	// Corrupt: a value that does not decode. It reads as not found for
	// lookups, is reported by GetTokens and removed by DeleteToken.
	Corrupt
)

// Rec is one read of a record name, or what to write there.
type Rec struct {
	State State
	Body  []byte   // Live: the encoded record (driver.EncodeRecordMeta)
	Index []string // Tomb: names of index entries still to drop
	Rev   string   // as read: what a conditional write over it must name
	Err   error    // Corrupt: why, without any of the value
}

// Entry is one read of an index entry: the ID of the record it points at
// ("" for none, which includes a removed entry the backend still keeps)
// and its revision.
type Entry struct {
	Target string
	Rev    string
}

// Backend is what a store adapts its service to; the package
// documentation describes the protocol the Engine runs over it. Names of
// index entries come from IndexName; records are named by their ID. Every
// method is one request, or a few when the service needs them; none
// retries on ErrStale, and every one runs under the caller's context.
//
// A conditional write names the revision it replaces; "" means the name
// must hold nothing the backend has a revision for. ErrStale means
// certainly not written: a refused copy of the backend's own write, resent
// after a lost answer, is success or another error (see Compare-and-swap).
// A revision never comes back (see Revisions never come back).
type Backend interface {
	// GetRecord reads record id.
	GetRecord(ctx context.Context, id string) (Rec, error)
	// GetRecords reads the records of ids, in that order; at most
	// Options.BatchSize at once.
	GetRecords(ctx context.Context, ids []string) ([]Rec, error)
	// PutRecord writes r (Live or Tomb) at id if id is still at rev.
	PutRecord(ctx context.Context, id string, r Rec, rev string) error
	// PurgeRecord removes record id, as read at rev ("" when not read);
	// an absent one is not an error. A backend that can address one
	// incarnation of a name (an ARN) purges only the one read, so that a
	// purge that arrives late cannot remove a record created since. With
	// all set, DeleteTokens is purging every record and calls Sweep after:
	// bookkeeping Sweep removes wholesale (a catalog) may be left.
	PurgeRecord(ctx context.Context, id, rev string, all bool) error
	// ListRecords returns the IDs of the namespace's records. It may
	// include IDs without a record (readers skip them) but must include
	// every record written.
	ListRecords(ctx context.Context) ([]string, error)

	// IndexName returns the name of k's index entry, and whether keys of
	// its kind keep one while a record holds them. Keys that do not (say,
	// access tokens in a store that finds them by scanning) still get an
	// entry while an insert keyed by them is under way.
	IndexName(k tokenstore.Key) (name string, lasting bool)
	// GetEntry reads the index entry name. A name the backend could not
	// have written (only a damaged tombstone names one) reads as absent,
	// Entry{} and no error: the record must stay deletable.
	GetEntry(ctx context.Context, name string) (Entry, error)
	// PutEntry points name at target if it is still at rev.
	PutEntry(ctx context.Context, name, target, rev string) error
	// DropEntry removes name if it is still at rev; if it is not, it is
	// another writer's and stays (DropEntry returns nil or ErrStale).
	DropEntry(ctx context.Context, name, rev string) error

	// Sweep removes, after DeleteTokens has deleted every listed record,
	// what else of the namespace the backend holds: index entries, records
	// a crash left outside ListRecords (each through purge), bookkeeping.
	Sweep(ctx context.Context, purge func(ctx context.Context, id string) error) error
}
