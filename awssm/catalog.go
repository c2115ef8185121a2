package awssm

import (
	"context"
	"encoding/json"
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

func decodeCatalog(v string) ([]string, error) {
	var cv catalogValue
	if err := json.Unmarshal([]byte(v), &cv); err != nil || cv.V != 1 {
		return nil, fmt.Errorf("%w: catalog shard is not a version 1 catalog", tokenstore.ErrCorrupt)
	}
	return cv.IDs, nil
}

func encodeCatalog(ids []string) string {
	b, _ := json.Marshal(catalogValue{V: 1, IDs: ids}) // cannot fail: strings only
	return string(b)
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
	return s.editShard(ctx, s.names.catalog(shard(id, catalogShards)), kindCatalog, func(cur string, exists bool) (string, bool, error) {
		var ids []string
		if exists {
			var err error
			if ids, err = decodeCatalog(cur); err != nil {
				return "", false, err
			}
		}
		ids, changed := edit(ids)
		return encodeCatalog(ids), changed, nil
	})
}

// catalogIDs returns every ID in the catalog, sorted, with one call.
func (s *Store) catalogIDs(ctx context.Context) ([]string, error) {
	ids, _, err := s.readCatalog(ctx)
	return ids, err
}

// readCatalog returns every ID in the catalog, sorted, and the names of the
// shards that exist, with one call.
func (s *Store) readCatalog(ctx context.Context) (ids, shards []string, err error) {
	got, err := s.batchGet(ctx, shardNames(s.names.catalog, catalogShards))
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
