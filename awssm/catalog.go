package awssm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/tokenstore-go/tokenstore"
)

// The catalog lists the IDs of a namespace's records, so GetTokens,
// DeleteTokens and access-token lookups never depend on ListSecrets, which
// can lag minutes behind. It is split into catalogShards secrets by a hash
// of the ID, which spreads the writes of inserts and deletes, and all
// shards are read with one BatchGetSecretValue call.
//
// An ID enters the catalog before its record is created and leaves after
// the record is deleted, so every record is listed; an ID whose record is
// missing (an insert that failed, a crash) is skipped by readers.

type catalogValue struct {
	V   int      `json:"v"`
	IDs []string `json:"ids"`
}

// catalogRetries bounds the compare-and-swap attempts of one catalog edit.
// A shard takes the inserts of 1/catalogShards of the namespace, so
// contention on it is rare outside bulk loads.
const catalogRetries = 50

func decodeCatalog(v string) ([]string, error) {
	var cv catalogValue
	if err := json.Unmarshal([]byte(v), &cv); err != nil || cv.V != 1 {
		return nil, fmt.Errorf("%w: catalog shard is not a version 1 catalog", tokenstore.ErrCorrupt)
	}
	return cv.IDs, nil
}

func encodeCatalog(ids []string) (string, error) {
	b, err := json.Marshal(catalogValue{V: 1, IDs: ids})
	if err != nil {
		return "", err
	}
	if len(b) > tokenstore.MaxRecordSize {
		return "", fmt.Errorf("%w: catalog shard full (%d IDs); use another prefix", tokenstore.ErrTooLarge, len(ids))
	}
	return string(b), nil
}

// catalogAdd lists id in its shard.
func (s *Store) catalogAdd(ctx context.Context, id string) error {
	return s.catalogEdit(ctx, id, func(ids []string) ([]string, bool) {
		i, found := slices.BinarySearch(ids, id)
		if found {
			return ids, false
		}
		return slices.Insert(ids, i, id), true
	})
}

// catalogRemove drops id from its shard.
func (s *Store) catalogRemove(ctx context.Context, id string) error {
	return s.catalogEdit(ctx, id, func(ids []string) ([]string, bool) {
		i, found := slices.BinarySearch(ids, id)
		if !found {
			return ids, false
		}
		return slices.Delete(ids, i, i+1), true
	})
}

// catalogEdit applies edit to the shard of id with compare-and-swap,
// retrying while other writers change the shard.
func (s *Store) catalogEdit(ctx context.Context, id string, edit func([]string) ([]string, bool)) error {
	name := s.names.catalog(shard(id))
	for attempt := range catalogRetries {
		sec, ok, err := s.get(ctx, name)
		if err != nil {
			return err
		}
		if !ok && attempt >= 3 {
			// Still refused after retries: the shard is scheduled for
			// deletion rather than on its way out. Its IDs are only ever
			// a superset of the live records, so restoring it is safe.
			_ = s.restore(ctx, name)
		}
		var ids []string
		if ok {
			if ids, err = decodeCatalog(sec.value); err != nil {
				return err
			}
		}
		ids, changed := edit(ids)
		if !changed {
			return nil
		}
		v, err := encodeCatalog(ids)
		if err != nil {
			return err
		}
		if ok {
			_, err = s.put(ctx, sec, v)
		} else {
			_, err = s.create(ctx, name, v, kindCatalog)
		}
		switch {
		case err == nil:
			return nil
		case !errors.Is(err, errStale) && !errors.Is(err, errExists) && !errors.Is(err, errGone):
			return err
		}
		if err := s.pause(ctx, attempt); err != nil {
			return err
		}
	}
	return fmt.Errorf("%w: catalog shard kept changing", tokenstore.ErrConflict)
}

// catalogIDs returns every ID in the catalog, sorted, with one call.
func (s *Store) catalogIDs(ctx context.Context) ([]string, error) {
	ids, _, err := s.readCatalog(ctx)
	return ids, err
}

// readCatalog returns every ID in the catalog, sorted, and the names of the
// shards that exist, with one call.
func (s *Store) readCatalog(ctx context.Context) (ids, shards []string, err error) {
	got, err := s.batchGet(ctx, s.names.catalogAll())
	if err != nil {
		return nil, nil, err
	}
	for name, sec := range got {
		part, err := decodeCatalog(sec.value)
		if err != nil {
			return nil, nil, err
		}
		ids = append(ids, part...)
		shards = append(shards, name)
	}
	slices.Sort(ids)
	return slices.Compact(ids), shards, nil
}
