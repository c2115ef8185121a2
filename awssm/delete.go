package awssm

import (
	"context"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/tokenstore-go/tokenstore/driver/kvstore"
)

// deleteWorkers bounds the concurrent calls of DeleteTokens, well under the
// account's 50 writes per second.
const deleteWorkers = 4

// Sweep removes, after the engine has deleted every record the catalog
// lists, what else of the namespace there is: records and index secrets
// that the listing of the prefix (ListSecrets, which may lag) finds, then
// the grants and catalog shards, last, so that a DeleteTokens cut short
// can be run again.
func (b backend) Sweep(ctx context.Context, purge func(context.Context, string) error) error {
	s := b.s
	var shards []string
	for _, names := range [][]string{shardNames(s.names.catalog, catalogShards), shardNames(s.names.grants, grantShards)} {
		got, err := s.batchGet(ctx, names)
		if err != nil {
			return err
		}
		for name := range got {
			shards = append(shards, name)
		}
	}
	left, err := s.listPrefix(ctx)
	if err != nil {
		return err
	}
	err = kvstore.ForEach(ctx, len(left), deleteWorkers, func(ctx context.Context, i int) error {
		return s.wipeName(ctx, left[i], purge)
	})
	if err != nil {
		return err
	}
	for _, name := range left {
		if k := s.names.kind(name); (k == kindCatalog || k == kindGrants) && !slices.Contains(shards, name) {
			shards = append(shards, name)
		}
	}
	return kvstore.ForEach(ctx, len(shards), deleteWorkers, func(ctx context.Context, i int) error {
		return s.remove(ctx, shards[i], true)
	})
}

// wipeName deletes a secret the listing found under the prefix.
func (s *Store) wipeName(ctx context.Context, name string, purge func(context.Context, string) error) error {
	switch s.names.kind(name) {
	case kindRecord:
		return purge(ctx, strings.TrimSuffix(strings.TrimPrefix(name, s.opts.Prefix+"token/"), "/record"))
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
