package awssm

import (
	"context"
	"errors"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/driver"
)

// insert writes t as a new record. It claims the record's index entries
// (the lookup key's first: losing that race means another writer inserted
// the record meanwhile), lists the ID in the catalog, then creates the
// record secret. A crash in between leaves entries that point at a missing
// record: misses for readers, repaired by later claims.
func (s *Store) insert(ctx context.Context, st *saveState, t tokenstore.Token, k tokenstore.Key, hasKey bool) (tokenstore.Token, error) {
	rec := t
	if rec.ID == "" {
		if st.newID == "" {
			st.newID = tokenstore.NewID()
		}
		rec.ID = st.newID
	}
	body, err := driver.EncodeRecord(rec)
	if err != nil {
		return tokenstore.Token{}, err
	}
	for _, key := range claimOrder(s.indexedKeys(rec), k, hasKey) {
		_, owned, err := s.claim(ctx, st, key, rec.ID)
		switch {
		case err != nil:
			return tokenstore.Token{}, err
		case !owned:
		case hasKey && key == k:
			return tokenstore.Token{}, errRetryNow
		case key.Kind == tokenstore.KeyUserName:
			return tokenstore.Token{}, tokenstore.ErrDuplicate
		}
		// A grant or refresh token that another record holds too keeps
		// pointing there: which of two such records a lookup finds is
		// unspecified.
	}
	if hasKey && !s.indexed(k.Kind) && k.Kind != tokenstore.KeyID {
		if err := s.claimScanned(ctx, st, k, rec.ID); err != nil {
			return tokenstore.Token{}, err
		}
	}
	if err := s.catalogAdd(ctx, rec.ID); err != nil {
		return tokenstore.Token{}, err
	}
	st.listed = rec.ID
	st.send(rec.ID)
	if err := s.createRecord(ctx, rec.ID, string(body)); err != nil {
		return tokenstore.Token{}, err
	}
	if err := s.verifyClaims(ctx, st, rec.ID); err != nil {
		return tokenstore.Token{}, err
	}
	return driver.DecodeRecord(body)
}

// claimScanned serialises inserts keyed by a key without a lasting index
// (an access token, which changes hourly): the insert holds a claim on the
// key's index entry until its record exists, and scans again once it holds
// it, so a concurrent insert with the same key either loses the claim or
// finds the record. The entry is released when the save ends.
func (s *Store) claimScanned(ctx context.Context, st *saveState, k tokenstore.Key, id string) error {
	_, owned, err := s.claim(ctx, st, k, id)
	if err != nil {
		return err
	}
	if owned {
		return errRetryNow
	}
	if _, ok, err := s.scan(ctx, k); err != nil || ok {
		if err == nil {
			err = errRetryNow
		}
		return err
	}
	return nil
}

// verifyClaims checks, after an insert slower than half the claim timeout,
// that no other writer took over its index entries as abandoned. If one
// did, the insert is undone and retried, which finds that writer's record.
func (s *Store) verifyClaims(ctx context.Context, st *saveState, id string) error {
	if s.opts.Now().Sub(st.start) <= s.opts.ClaimTimeout/2 {
		return nil
	}
	for sl := range st.claims {
		e, ok, err := s.readSlot(ctx, sl)
		if err != nil {
			return err
		}
		if !ok || e.target != id {
			delete(st.claims, sl)
			st.newID = ""
			if err := s.remove(ctx, s.names.record(id), true); err != nil {
				return err
			}
			return errors.Join(errRetryNow, s.catalogRemove(ctx, id))
		}
	}
	return nil
}
