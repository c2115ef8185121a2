package vault

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/driver/kvstore"
)

// backend adapts a KV mount to the engine every store shares (see
// internal/kvstore): records at <prefix>/records/<ID>, index entries at
// <prefix>/index/<kind>/<digest>, a KV v2 version as the revision of each.
// Access tokens have lasting entries only with Options.IndexAccessTokens:
// they change at every refresh, and an entry would cost that refresh two
// writes and a read.
type backend struct{ s *Store }

var _ kvstore.Backend = backend{}

func rev(ver int) string {
	if ver == 0 {
		return ""
	}
	return strconv.Itoa(ver)
}

// cas turns a revision back into the cas parameter of a write.
func cas(rev string) (int, error) {
	if rev == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(rev)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("revision %q is not a KV version", rev)
	}
	return n, nil
}

// stale turns a refused check-and-set into the engine's lost race.
func stale(err error) error {
	if errors.Is(err, errCAS) {
		return fmt.Errorf("%w: %w", kvstore.ErrStale, err)
	}
	return err
}

func (b backend) GetRecord(ctx context.Context, id string) (kvstore.Rec, error) {
	s := b.s
	data, ver, err := s.kv.read(ctx, s.layout.recordPath(id))
	if err != nil {
		return kvstore.Rec{}, err
	}
	r := kvstore.Rec{Rev: rev(ver)}
	if data == nil {
		return r, nil // absent, soft-deleted or destroyed
	}
	if tomb, ok := data[fieldTombstone].(string); ok {
		r.State, r.Index = kvstore.Tomb, strings.Fields(tomb)
		return r, nil
	}
	raw, ok := data[fieldRecord].(string)
	if !ok {
		r.State, r.Err = kvstore.Corrupt, fmt.Errorf("%w: record %s: path holds no record", tokenstore.ErrCorrupt, id)
		return r, nil
	}
	r.State, r.Body = kvstore.Live, []byte(raw)
	return r, nil
}

// GetRecords reads one record (Options.BatchSize is 1: KV has no batch
// read; the engine runs ReadParallelism of them at once).
func (b backend) GetRecords(ctx context.Context, ids []string) ([]kvstore.Rec, error) {
	out := make([]kvstore.Rec, len(ids))
	for i, id := range ids {
		var err error
		if out[i], err = b.GetRecord(ctx, id); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// PutRecord writes with put, not a bare write: a refusal may be the
// client's resend of this very write, whose first copy landed.
func (b backend) PutRecord(ctx context.Context, id string, r kvstore.Rec, revision string) error {
	ver, err := cas(revision)
	if err != nil {
		return err
	}
	data := recordData(r.Body)
	if r.State == kvstore.Tomb {
		data = tombstoneData(r.Index)
	}
	return stale(b.s.put(ctx, b.s.layout.recordPath(id), data, ver))
}

// PurgeRecord destroys every version of the record, up to the one after
// rev (the tombstone written over it), so no token material stays in
// Vault's version history. The path keeps its metadata, an empty shell
// that reads as absent, so that its version numbers never start over: a
// writer that read the record before the delete holds a version the path
// has left behind for good, and its check-and-set can never land on what
// comes after (a retired ID's tombstone, a record saved anew under the
// ID). Deleting the metadata would restart them at 1. DeleteTokens, which
// runs alone, removes paths whole (all).
func (b backend) PurgeRecord(ctx context.Context, id, revision string, all bool) error {
	path := b.s.layout.recordPath(id)
	ver, err := cas(revision)
	if err != nil {
		return err
	}
	if all || b.s.v1 || ver == 0 {
		return b.s.kv.remove(ctx, path)
	}
	return b.s.kv.destroyUpTo(ctx, path, ver+1)
}

// ListRecords is one LIST of the records directory.
func (b backend) ListRecords(ctx context.Context) ([]string, error) {
	names, err := b.s.kv.list(ctx, b.s.layout.recordsPath())
	return filter(names, isID), err
}

// IndexName names every key's entry; access tokens keep theirs only with
// Options.IndexAccessTokens, and are otherwise found by scanning.
func (b backend) IndexName(k tokenstore.Key) (string, bool) {
	return b.s.layout.indexRel(k), k.Kind != tokenstore.KeyAccessToken || b.s.byAccess
}

func (b backend) GetEntry(ctx context.Context, name string) (kvstore.Entry, error) {
	path, ok := b.s.layout.indexPath(name)
	if !ok {
		// Only a damaged tombstone names one: there is no such entry, and
		// its record must stay deletable.
		return kvstore.Entry{}, nil
	}
	data, ver, err := b.s.kv.read(ctx, path)
	if err != nil {
		return kvstore.Entry{}, err
	}
	id, _ := data[fieldID].(string)
	return kvstore.Entry{Target: id, Rev: rev(ver)}, nil
}

func (b backend) PutEntry(ctx context.Context, name, target, revision string) error {
	path, ok := b.s.layout.indexPath(name)
	if !ok {
		return fmt.Errorf("%w: index name %q", tokenstore.ErrCorrupt, name)
	}
	ver, err := cas(revision)
	if err != nil {
		return err
	}
	return stale(b.s.kv.write(ctx, path, entryData(target), ver))
}

// DropEntry destroys the version read of an entry, the one conditional
// delete KV v2 has: another record may claim the key at any moment (a user
// saved again after a delete, with the same refresh and grant tokens), and
// its version survives. The path stays as an empty shell (metadata and
// destroyed versions, no data), which reads as absent and which the next
// claim of the key reuses. Access tokens change every hour and never come
// back, so their entries go entirely, leaving no shell per refresh.
func (b backend) DropEntry(ctx context.Context, name, revision string) error {
	path, ok := b.s.layout.indexPath(name)
	if !ok {
		return nil // a tombstone naming something this package never wrote
	}
	ver, err := cas(revision)
	if err != nil {
		return err
	}
	if strings.HasPrefix(name, tokenstore.KeyAccessToken.String()+"/") {
		return b.s.kv.remove(ctx, path)
	}
	return b.s.kv.destroy(ctx, path, ver)
}

// Sweep removes every index entry, each with all its versions, with
// ReadParallelism requests in flight; names this package could not have
// written are left alone, so a store whose prefix lies below this one's is
// not touched.
func (b backend) Sweep(ctx context.Context, _ func(context.Context, string) error) error {
	for _, k := range indexKinds {
		dir := b.s.layout.indexKindPath(k.String())
		names, err := b.s.kv.list(ctx, dir)
		if err != nil {
			return err
		}
		names = filter(names, isDigest)
		err = kvstore.ForEach(ctx, len(names), b.s.parallel, func(ctx context.Context, i int) error {
			return b.s.kv.remove(ctx, dir+"/"+names[i])
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func isID(name string) bool { return tokenstore.ValidateID(name) == nil }

func filter(names []string, keep func(string) bool) []string {
	out := names[:0]
	for _, n := range names {
		if keep(n) {
			out = append(out, n)
		}
	}
	return out
}
