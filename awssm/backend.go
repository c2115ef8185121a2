package awssm

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/driver"
	"github.com/tokenstore-go/tokenstore/driver/kvstore"
)

// backend adapts Secrets Manager to the engine every store shares (see
// internal/kvstore). Records are secrets of their own; index entries are
// secrets of their own for user names and refresh tokens, entries of a
// grants shard for grant tokens, and access tokens have none: they change
// hourly, so they are found by scanning, and an entry of theirs exists
// only while an insert keyed by one is under way. The catalog lists the
// record IDs for ListRecords.
//
// Entry names, as the engine and tombstones know them, are relative to the
// prefix: "index/<digest>" for an index secret, "grants/<NN>#<key>" for a
// grants entry ('#' never occurs in a secret name).
type backend struct{ s *Store }

var _ kvstore.Backend = backend{}

// A revision is "<ARN>|<version ID>" of the secret read; for a grants
// entry, its nonce. An index secret holding a tombstone (being deleted)
// has the revision "t|<ARN>|<version ID>".
const tombRev = "t|"

func secretRev(sec secret) string { return sec.arn + "|" + sec.version }

// secretOf turns a revision back into what put and remove address.
func secretOf(name, rev string) (secret, error) {
	arn, version, ok := strings.Cut(strings.TrimPrefix(rev, tombRev), "|")
	if !ok {
		return secret{}, fmt.Errorf("revision %q is not a secret version", rev)
	}
	return secret{name: name, arn: arn, version: version}, nil
}

// stale turns the outcomes of a refused conditional call into the
// engine's lost race.
func stale(err error) error {
	if errors.Is(err, errStale) || errors.Is(err, errGone) || errors.Is(err, errExists) {
		return fmt.Errorf("%w: %w", kvstore.ErrStale, err)
	}
	return err
}

func (b backend) GetRecord(ctx context.Context, id string) (kvstore.Rec, error) {
	sec, ok, err := b.s.get(ctx, b.s.names.record(id))
	if err != nil || !ok {
		return kvstore.Rec{}, err
	}
	return recOf(sec), nil
}

// recOf turns a record secret's value into what the engine reads: a
// tombstone for a tombstone value, the record it frames otherwise (see
// stamped).
func recOf(sec secret) kvstore.Rec {
	r := kvstore.Rec{State: kvstore.Live, Rev: secretRev(sec)}
	if m, ok := decodeTombstone(sec.value); ok {
		r.State, r.Index = kvstore.Tomb, m.Index
		return r
	}
	r.Body = unframed(sec.value)
	return r
}

// GetRecords reads up to maxBatch records in one BatchGetSecretValue.
func (b backend) GetRecords(ctx context.Context, ids []string) ([]kvstore.Rec, error) {
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = b.s.names.record(id)
	}
	got, err := b.s.batchGet(ctx, names)
	if err != nil {
		return nil, err
	}
	out := make([]kvstore.Rec, len(ids))
	for i, name := range names {
		if sec, ok := got[name]; ok {
			out[i] = recOf(sec)
		}
	}
	return out, nil
}

// PutRecord writes a record or a tombstone. Over a revision it is a
// compare-and-swap (see put). Without one it creates the secret, listing
// the ID in the catalog first, so that every record is listed; a name
// held by a deleted record (scheduled for deletion, or a tombstone)
// is restored and written over from the tombstone read, which is as
// create-only as a fresh name: of concurrent writers exactly one wins.
func (b backend) PutRecord(ctx context.Context, id string, r kvstore.Rec, rev string) error {
	s := b.s
	value := tombstoneValue(r.Index)
	if r.State == kvstore.Live {
		var err error
		if value, err = stamped(r.Body); err != nil {
			return err
		}
	}
	name := s.names.record(id)
	if rev != "" {
		base, err := secretOf(name, rev)
		if err != nil {
			return err
		}
		_, err = s.put(ctx, base, value)
		return stale(err)
	}
	if r.State == kvstore.Live {
		if err := s.catalogAdd(ctx, id); err != nil {
			return err
		}
	}
	_, err := s.create(ctx, name, value, kindRecord)
	if !errors.Is(err, errExists) {
		return err
	}
	// Taken: by a record or a tombstone (a lost race: the engine reads
	// again), or by a secret scheduled for deletion, which reads as absent.
	// Only the last is written over, once restored, and only if it holds a
	// tombstone: a purged record, whose index entries are gone. A tombstone
	// that is not scheduled for deletion is a delete in progress or a
	// retired ID, and must stay.
	if _, ok, err := s.get(ctx, name); err != nil || ok {
		return orStale(err, id)
	}
	if err := s.restore(ctx, name); err != nil && !isGone(err) {
		return err
	}
	sec, ok, err := s.get(ctx, name)
	if err != nil || !ok {
		return orStale(err, id)
	}
	if _, tomb := decodeTombstone(sec.value); !tomb || r.State == kvstore.Tomb {
		return orStale(nil, id)
	}
	_, err = s.put(ctx, sec, value)
	return stale(err)
}

// orStale is err, or when there is none, the engine's lost race on record
// id.
func orStale(err error, id string) error {
	if err != nil {
		return err
	}
	return fmt.Errorf("%w: record %s exists", kvstore.ErrStale, id)
}

// PurgeRecord deletes the record secret read at rev (by its ARN, so that
// a late purge cannot delete a record created again since), at once or
// after the recovery window as Options say, then takes its ID out of the
// catalog, unless DeleteTokens is purging all (its Sweep deletes the
// catalog shards).
func (b backend) PurgeRecord(ctx context.Context, id, rev string, all bool) error {
	s := b.s
	target := s.names.record(id)
	if rev != "" {
		sec, err := secretOf(target, rev)
		if err != nil {
			return err
		}
		target = sec.id()
	}
	if err := s.remove(ctx, target, s.opts.ForceDelete); err != nil || all {
		return err
	}
	return s.catalogRemove(ctx, id)
}

// ListRecords reads the catalog: one BatchGetSecretValue.
func (b backend) ListRecords(ctx context.Context) ([]string, error) { return b.s.catalogIDs(ctx) }

func (b backend) IndexName(k tokenstore.Key) (string, bool) {
	d := driver.Digest(k, b.s.opts.Pepper)
	if k.Kind == tokenstore.KeyGrantToken {
		return fmt.Sprintf("grants/%02d#%s", shard(d, grantShards), d[:grantKeyLen]), true
	}
	return "index/" + d, k.Kind != tokenstore.KeyAccessToken
}

// slotOf parses an entry name; ok is false for a name IndexName could not
// have made (tombstones are read back from the service).
func (b backend) slotOf(name string) (sl slot, ok bool) {
	full := b.s.opts.Prefix + name
	if before, key, shared := strings.Cut(full, "#"); shared {
		return slot{name: before, key: key}, b.s.names.kind(before) == kindGrants && len(key) == grantKeyLen && isLowerHex(key)
	}
	return slot{name: full}, b.s.names.kind(full) == kindIndex
}

func (b backend) GetEntry(ctx context.Context, name string) (kvstore.Entry, error) {
	sl, ok := b.slotOf(name)
	if !ok {
		// Only a damaged tombstone names one: there is no such entry, and
		// its record must stay deletable.
		return kvstore.Entry{}, nil
	}
	if sl.shared() {
		g, ok, err := b.s.readGrant(ctx, sl)
		if err != nil || !ok {
			return kvstore.Entry{}, err
		}
		return kvstore.Entry{Target: g.ID, Rev: g.N}, nil
	}
	sec, ok, err := b.s.get(ctx, sl.name)
	if err != nil || !ok {
		return kvstore.Entry{}, err
	}
	target := decodeIndex(sec.value)
	if target == "" {
		return kvstore.Entry{Rev: tombRev + secretRev(sec)}, nil
	}
	return kvstore.Entry{Target: target, Rev: secretRev(sec)}, nil
}

// PutEntry creates an index secret (no revision), writes over one by
// compare-and-swap, or, over a tombstone, finishes its deletion (by ARN)
// and creates the secret anew. A grants entry changes by compare-and-swap
// of its shard, its nonce standing for the revision.
func (b backend) PutEntry(ctx context.Context, name, target, rev string) error {
	s := b.s
	sl, ok := b.slotOf(name)
	if !ok {
		return fmt.Errorf("%w: index name %q", tokenstore.ErrCorrupt, name)
	}
	if sl.shared() {
		return stale(s.editGrant(ctx, sl, func(cur grantEntry, ok bool) (grantEntry, bool, error) {
			if (ok && cur.N != rev) || (!ok && rev != "") {
				return grantEntry{}, false, errStale
			}
			return grantEntry{ID: target, N: nonce()}, true, nil
		}))
	}
	if rev == "" {
		_, err := s.create(ctx, sl.name, encodeIndex(target), kindIndex)
		return stale(err)
	}
	base, err := secretOf(sl.name, rev)
	if err != nil {
		return err
	}
	if strings.HasPrefix(rev, tombRev) {
		// A tombstone only ever goes away: deleting it by its ARN cannot
		// touch an entry created since, and anyone may finish the job.
		if err := s.remove(ctx, base.id(), true); err != nil {
			return err
		}
		_, err := s.create(ctx, sl.name, encodeIndex(target), kindIndex)
		return stale(err)
	}
	_, err = s.put(ctx, base, encodeIndex(target))
	return stale(err)
}

// DropEntry writes a tombstone over the index secret by compare-and-swap
// (so an entry another writer took over since stays theirs), then deletes
// the secret by its ARN. A grants entry leaves its shard by
// compare-and-swap.
func (b backend) DropEntry(ctx context.Context, name, rev string) error {
	s := b.s
	sl, ok := b.slotOf(name)
	if !ok {
		return nil // a tombstone naming something this package never wrote
	}
	if sl.shared() {
		return stale(s.editGrant(ctx, sl, func(cur grantEntry, ok bool) (grantEntry, bool, error) {
			if !ok || cur.N != rev {
				return grantEntry{}, false, errStale
			}
			return grantEntry{}, false, nil
		}))
	}
	base, err := secretOf(sl.name, rev)
	if err != nil {
		return err
	}
	if !strings.HasPrefix(rev, tombRev) {
		if base, err = s.put(ctx, base, encodeIndex("")); err != nil {
			return stale(err)
		}
	}
	return s.remove(ctx, base.id(), true)
}
