package awssm

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/tokenstore-go/tokenstore"
)

// deleteWorkers bounds the concurrent calls of DeleteTokens, well under the
// account's 50 writes per second.
const deleteWorkers = 4

// DeleteToken removes the record with the given ID and its index entries.
// The record is first overwritten with a deletion marker by
// compare-and-swap (so a concurrent update either lands before the delete
// or fails and retries), then deleted as Options say: at once, or after the
// recovery window, during which its name reads as not found and saving the
// same ID restores and overwrites it.
func (s *Store) DeleteToken(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return wrap("delete", err)
	}
	if err := tokenstore.ValidateID(id); err != nil {
		return wrap("delete", err)
	}
	for attempt := 0; ; attempt++ {
		err := s.deleteOnce(ctx, id)
		retry, wait := retryable(err)
		if !retry {
			return wrap("delete", err)
		}
		if attempt+1 >= s.opts.MaxAttempts {
			return wrap("delete", fmt.Errorf("%w after %d attempts: %w", tokenstore.ErrConflict, attempt+1, err))
		}
		if wait {
			if err := s.pause(ctx, attempt); err != nil {
				return wrap("delete", err)
			}
		}
	}
}

func (s *Store) deleteOnce(ctx context.Context, id string) error {
	r, ok, err := s.readRecord(ctx, id)
	switch {
	case errors.Is(err, tokenstore.ErrCorrupt) && r.sec.version != "":
		// Unreadable: delete it all the same. Its keys are unknown, so
		// its index entries stay, pointing at a missing record: misses
		// for readers, taken over by the next claim of their key.
	case err != nil:
		return err
	case !ok:
		return tokenstore.ErrNotFound
	}
	if _, err := s.put(ctx, r.sec, deletionMarker()); err != nil {
		return err
	}
	if err := s.remove(ctx, r.sec.id(), s.opts.ForceDelete); err != nil {
		return err
	}
	// The record is gone; what follows only tidies up. An entry left
	// behind by a failure here is a miss for readers.
	var errs []error
	for _, k := range s.indexedKeys(r.tok) {
		sl := s.slotOf(k)
		e, ok, err := s.readSlot(ctx, sl)
		if err == nil && ok && e.target == id {
			err = s.releaseSlot(ctx, sl, e)
		}
		errs = append(errs, err)
	}
	errs = append(errs, s.catalogRemove(ctx, id))
	return errors.Join(errs...)
}

// DeleteTokens removes every record of the namespace, with its index
// entries and shards, and nothing else. It is meant for clearing a
// namespace, not to run alongside saves into it: it deletes index entries
// without the compare-and-swap that DeleteToken uses. It reads the catalog,
// then also lists the prefix (ListSecrets, which may lag) to remove what a
// crash left outside the catalog.
func (s *Store) DeleteTokens(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return wrap("delete all", err)
	}
	ids, shards, err := s.readCatalog(ctx)
	if err != nil {
		return wrap("delete all", err)
	}
	grants, err := s.batchGet(ctx, shardNames(s.names.grants, grantShards))
	if err != nil {
		return wrap("delete all", err)
	}
	for name := range grants {
		shards = append(shards, name)
	}
	var recs []record
	bad, err := s.eachRecordBatch(ctx, ids, func(batch []record) bool {
		recs = append(recs, batch...)
		return true
	})
	if err != nil {
		return wrap("delete all", err)
	}
	// Unreadable records go too; their index secrets are found by the
	// listing below, their grants entries go with the shards.
	for _, u := range bad {
		recs = append(recs, record{sec: u.sec})
	}
	err = parallel(ctx, len(recs), func(i int) error { return s.wipe(ctx, recs[i]) })
	if err != nil {
		return wrap("delete all", err)
	}
	left, err := s.listPrefix(ctx)
	if err != nil {
		return wrap("delete all", err)
	}
	err = parallel(ctx, len(left), func(i int) error { return s.wipeName(ctx, left[i]) })
	if err != nil {
		return wrap("delete all", err)
	}
	for _, name := range left {
		if k := s.names.kind(name); (k == kindCatalog || k == kindGrants) && !slices.Contains(shards, name) {
			shards = append(shards, name)
		}
	}
	// The shards go last, so a DeleteTokens cut short can be run again.
	err = parallel(ctx, len(shards), func(i int) error { return s.remove(ctx, shards[i], true) })
	return wrap("delete all", err)
}

// wipe deletes record r (deletion marker first) and its index entries.
func (s *Store) wipe(ctx context.Context, r record) error {
	if err := s.markDeleted(ctx, r); err != nil {
		return err
	}
	if err := s.remove(ctx, r.sec.id(), s.opts.ForceDelete); err != nil {
		return err
	}
	for _, k := range s.indexedKeys(r.tok) {
		if sl := s.slotOf(k); !sl.shared() {
			if err := s.remove(ctx, sl.name, true); err != nil {
				return err
			}
		}
	}
	return nil // grants entries go with their shards
}

// markDeleted writes the deletion marker over r, rereading it if it changed.
func (s *Store) markDeleted(ctx context.Context, r record) error {
	for range 3 {
		_, err := s.put(ctx, r.sec, deletionMarker())
		if !errors.Is(err, errStale) {
			if errors.Is(err, errGone) {
				return nil
			}
			return err
		}
		sec, ok, err := s.get(ctx, r.sec.name)
		if err != nil || !ok {
			return err
		}
		r.sec = sec
	}
	return fmt.Errorf("%w: record kept changing while being deleted", tokenstore.ErrConflict)
}

// wipeName deletes a secret the listing found under the prefix.
func (s *Store) wipeName(ctx context.Context, name string) error {
	switch s.names.kind(name) {
	case kindRecord:
		sec, ok, err := s.get(ctx, name)
		if err != nil || !ok {
			return err
		}
		if err := s.markDeleted(ctx, record{sec: sec}); err != nil {
			return err
		}
		return s.remove(ctx, sec.id(), s.opts.ForceDelete)
	case kindIndex:
		return s.remove(ctx, name, true)
	}
	return nil // shards go last; other names are not ours
}

// listPrefix returns the names of the secrets under the prefix that this
// namespace made, as ListSecrets sees them (it may lag behind).
func (s *Store) listPrefix(ctx context.Context) ([]string, error) {
	in := &secretsmanager.ListSecretsInput{
		Filters: []types.Filter{{Key: types.FilterNameStringTypeName, Values: []string{s.opts.Prefix}}},
	}
	var out []string
	p := secretsmanager.NewListSecretsPaginator(s.api, in, func(o *secretsmanager.ListSecretsPaginatorOptions) {
		o.StopOnDuplicateToken = true
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx, s.callOpts...)
		if err != nil {
			return nil, err
		}
		for _, e := range page.SecretList {
			if name := aws.ToString(e.Name); s.names.kind(name) != kindNone {
				out = append(out, name)
			}
		}
	}
	return out, nil
}

// parallel runs f(0..n-1) on up to deleteWorkers goroutines and joins their
// errors; it stops starting new calls once ctx is done.
func parallel(ctx context.Context, n int, f func(int) error) error {
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	sem := make(chan struct{}, deleteWorkers)
	for i := 0; i < n && ctx.Err() == nil; i++ {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := f(i); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return errors.Join(append(errs, ctx.Err())...)
}
