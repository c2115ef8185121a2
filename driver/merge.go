package driver

import (
	"cmp"
	"slices"

	"github.com/tokenstore-go/tokenstore"
)

// Merge is tokenstore.Merge, kept for stores written outside this module
// against this package.
//
// Deprecated: use tokenstore.Merge, the upsert rule beside the contract it
// belongs to.
func Merge(stored, update tokenstore.Token) tokenstore.Token { return tokenstore.Merge(stored, update) }

// SortByID sorts tokens by ID in byte order, the order GetTokens returns.
func SortByID(tokens []tokenstore.Token) {
	slices.SortFunc(tokens, func(a, b tokenstore.Token) int { return cmp.Compare(a.ID, b.ID) })
}
