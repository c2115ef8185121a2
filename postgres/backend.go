package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/driver"
	"github.com/tokenstore-go/tokenstore/driver/kvstore"
)

// backend adapts the table to the engine every store shares: a record is
// the row named record/<ID>, an index entry the row named
// index/<kind>/<digest>, and a row's rev column its revision. Every key
// kind has a lasting index entry, access tokens included: a row is cheap,
// so no lookup scans.
//
// Revisions come from the table's identity column, one sequence for all
// rows, and every write takes the next value: a revision never comes back,
// not even after a row is deleted and made again. A purged record stays as
// a shell (no value, a new revision), so that "" does not come back
// either: a writer that read the ID as absent before the record was made
// (an insert whose claim a repair has since retired) can then never
// create it over what came after. Dropped entries go: see DropEntry.
type backend struct{ s *Store }

var _ kvstore.Backend = backend{}

const (
	recordPrefix = "record/"
	indexPrefix  = "index/"
)

func revOf(n int64) string { return strconv.FormatInt(n, 10) }

// revArg turns a revision back into a statement parameter: nil for "".
func revArg(rev string) (*int64, error) {
	if rev == "" {
		return nil, nil
	}
	n, err := strconv.ParseInt(rev, 10, 64)
	if err != nil || n <= 0 {
		return nil, fmt.Errorf("revision %q is not one of this store's", rev)
	}
	return &n, nil
}

// rec turns a record row into what the engine reads. A row without value
// and not a tombstone is a shell: absent, at its revision.
func rec(value []byte, tomb bool, rev int64) kvstore.Rec {
	r := kvstore.Rec{Rev: revOf(rev)}
	switch {
	case tomb:
		r.State, r.Index = kvstore.Tomb, strings.Fields(string(value))
	case len(value) > 0:
		r.State, r.Body = kvstore.Live, value
	}
	return r
}

func (b backend) GetRecord(ctx context.Context, id string) (kvstore.Rec, error) {
	var (
		value []byte
		tomb  bool
		rev   int64
	)
	err := b.s.queryRow(ctx, b.s.sql.get, []any{b.s.ns, recordPrefix + id}, &value, &tomb, &rev)
	if errors.Is(err, pgx.ErrNoRows) {
		return kvstore.Rec{}, nil
	}
	if err != nil {
		return kvstore.Rec{}, err
	}
	return rec(value, tomb, rev), nil
}

// GetRecords reads up to batchSize records in one statement.
func (b backend) GetRecords(ctx context.Context, ids []string) ([]kvstore.Rec, error) {
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = recordPrefix + id
	}
	var (
		got   map[string]kvstore.Rec
		name  string
		value []byte
		tomb  bool
		rev   int64
	)
	err := b.s.query(ctx, b.s.sql.getMany, []any{b.s.ns, names},
		func() { got = make(map[string]kvstore.Rec, len(ids)) },
		func() error { got[name] = rec(value, tomb, rev); return nil },
		&name, &value, &tomb, &rev)
	if err != nil {
		return nil, err
	}
	out := make([]kvstore.Rec, len(ids))
	for i, n := range names {
		out[i] = got[n] // absent rows: the zero Rec
	}
	return out, nil
}

// PutRecord writes a record or tombstone with a fresh nonce, by which put
// recognises its own write when the answer was lost. A tombstone keeps
// the revision it was written over, so that PurgeRecord, given that
// revision, finds it.
func (b backend) PutRecord(ctx context.Context, id string, r kvstore.Rec, rev string) error {
	old, err := revArg(rev)
	if err != nil {
		return err
	}
	value, tomb, over := r.Body, false, (*int64)(nil)
	if r.State == kvstore.Tomb {
		value, tomb, over = []byte(strings.Join(r.Index, " ")), true, old
	}
	return b.s.put(ctx, recordPrefix+id, old, value, tomb, tokenstore.NewID(), over)
}

// PurgeRecord empties the record's row, if it is still at rev or holds
// the tombstone written over rev: a purge that arrives late leaves alone
// a record made at the ID since. The shell keeps the ID's revisions going
// (see backend). DeleteTokens (all) deletes the row: Sweep removes the
// namespace's shells after it anyway.
func (b backend) PurgeRecord(ctx context.Context, id, rev string, all bool) error {
	if all {
		_, _, err := b.s.exec(ctx, b.s.sql.remove, b.s.ns, recordPrefix+id)
		return err
	}
	old, err := revArg(rev)
	if err != nil {
		return err
	}
	_, _, err = b.s.exec(ctx, b.s.sql.clear, b.s.ns, recordPrefix+id, old)
	return err
}

// ListRecords is one statement over the primary key.
func (b backend) ListRecords(ctx context.Context) ([]string, error) {
	var (
		ids  []string
		name string
	)
	err := b.s.query(ctx, b.s.sql.list, []any{b.s.ns},
		func() { ids = ids[:0] },
		func() error { ids = append(ids, strings.TrimPrefix(name, recordPrefix)); return nil },
		&name)
	return ids, err
}

func (b backend) IndexName(k tokenstore.Key) (string, bool) {
	return k.Kind.String() + "/" + driver.Digest(k, b.s.pepper), true
}

// GetEntry reads an index entry. A name IndexName could not have given
// (read back from a tombstone someone else wrote) is no entry: there is
// nothing of this package's to drop there, and the delete the tombstone
// stands for can finish.
func (b backend) GetEntry(ctx context.Context, name string) (kvstore.Entry, error) {
	if !isIndexName(name) {
		return kvstore.Entry{}, nil
	}
	var (
		value []byte
		tomb  bool
		rev   int64
	)
	err := b.s.queryRow(ctx, b.s.sql.get, []any{b.s.ns, indexPrefix + name}, &value, &tomb, &rev)
	if errors.Is(err, pgx.ErrNoRows) {
		return kvstore.Entry{}, nil
	}
	if err != nil {
		return kvstore.Entry{}, err
	}
	return kvstore.Entry{Target: string(value), Rev: revOf(rev)}, nil
}

// PutEntry points name at target. A write refused after it was sent again
// is reported as a lost race, as the engine asks: it then reads the entry
// and recognises its own target there (IDs are random per save).
func (b backend) PutEntry(ctx context.Context, name, target, rev string) error {
	if !isIndexName(name) {
		return fmt.Errorf("%w: index name %q", tokenstore.ErrCorrupt, name)
	}
	old, err := revArg(rev)
	if err != nil {
		return err
	}
	n, _, err := b.s.write(ctx, indexPrefix+name, old, []byte(target), false, nil, nil)
	if err == nil && n == 0 {
		return kvstore.ErrStale
	}
	return err
}

// DropEntry deletes the entry's row if it is still at rev. The name may
// then read as "" again, unlike a record's: an entry holds nothing but
// its target, so a claim made over "" after a drop claims exactly what it
// read, an unclaimed key. A drop refused after it was sent again is
// reported as done: its first copy may have landed, and the entry is no
// longer this caller's either way.
func (b backend) DropEntry(ctx context.Context, name, rev string) error {
	if !isIndexName(name) {
		return nil // a tombstone naming something this package never wrote
	}
	old, err := revArg(rev)
	if err != nil || old == nil {
		return err
	}
	n, again, err := b.s.exec(ctx, b.s.sql.drop, b.s.ns, indexPrefix+name, old)
	if err == nil && n == 0 && !again {
		return kvstore.ErrStale
	}
	return err
}

// Sweep deletes every row left in the namespace (entries, shells,
// tombstones) in one statement.
func (b backend) Sweep(ctx context.Context, _ func(context.Context, string) error) error {
	_, _, err := b.s.exec(ctx, b.s.sql.sweep, b.s.ns)
	return err
}

// isIndexName reports whether name has the form IndexName gives:
// "<kind>/<digest>" with a kind that has entries. Tombstones are read back
// from the table, so their names are checked before use.
func isIndexName(name string) bool {
	kind, digest, ok := strings.Cut(name, "/")
	if !ok || len(digest) != 64 || strings.Trim(digest, "0123456789abcdef") != "" {
		return false
	}
	for _, k := range []tokenstore.KeyKind{tokenstore.KeyUserName, tokenstore.KeyAccessToken,
		tokenstore.KeyGrantToken, tokenstore.KeyRefreshToken} {
		if k.String() == kind {
			return true
		}
	}
	return false
}
