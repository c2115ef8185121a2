package tokenstore

import "context"

// Store persists OAuth tokens. It is the Go form of the Zoho CRM SDKs'
// TokenStore: the same six operations with the same lookup and upsert
// semantics, plus a context on every call.
//
// Implementations must be safe for concurrent use by multiple goroutines, and
// several Store values (in several processes) sharing one backend and one
// namespace must together behave as one Store. The storetest package checks
// all of this; every Store in this module runs it.
type Store interface {
	// FindToken returns the stored record matching q under the lookup rules
	// (see Lookup). It returns ErrInvalidToken, without calling the backend,
	// when q has no lookup key, and ErrNotFound when nothing matches.
	FindToken(ctx context.Context, q Token) (Token, error)

	// SaveToken upserts t. The record matching t under the lookup rules is
	// updated: every non-empty field of t replaces the stored one, every
	// empty field keeps it, and the ID stays the stored one. When none
	// matches, t is inserted, with a new ID from NewID if t.ID is empty. On
	// success *t holds exactly what was stored, ID included. A token
	// holding none of the access, refresh and grant tokens is
	// ErrInvalidToken, and so are a nil t and any other token Validate
	// refuses; nothing is written then.
	SaveToken(ctx context.Context, t *Token) error

	// DeleteToken removes the record with the given ID and everything that
	// points to it. It returns ErrNotFound when there is no such record.
	DeleteToken(ctx context.Context, id string) error

	// GetTokens returns every record of the store's namespace, ordered by ID.
	// An empty store yields an empty slice and no error.
	GetTokens(ctx context.Context) ([]Token, error)

	// DeleteTokens removes every record of the store's namespace and nothing
	// else.
	DeleteTokens(ctx context.Context) error

	// FindTokenByID returns the record with the given ID, or ErrNotFound.
	FindTokenByID(ctx context.Context, id string) (Token, error)
}
