package tokenstore

import (
	"context"
	"encoding/json"
	"maps"
)

// Meta is store-level state kept in a record's persisted envelope beside
// the token: what coordinates the processes sharing a record, such as a
// refresh lease, a throttle window or a revocation mark. It is not a Zoho
// field and never appears in a Token: FindToken, GetTokens and SaveToken
// neither show nor change it, and a record written before Meta existed
// loads with none. Each entry is a non-empty name owned by one package
// (say "refresh.lease") and a JSON value, or a store refuses it with
// ErrInvalidToken; it must hold no secret, since logs may show it.
type Meta map[string]json.RawMessage

// Clone returns a copy of m that shares no entry storage with it.
func (m Meta) Clone() Meta {
	if m == nil {
		return nil
	}
	out := make(Meta, len(m))
	for k, v := range m {
		out[k] = append(json.RawMessage(nil), v...)
	}
	return out
}

// Equal reports whether m and o hold the same entries, byte for byte; an
// empty Meta equals nil.
func (m Meta) Equal(o Meta) bool {
	return maps.EqualFunc(m, o, func(a, b json.RawMessage) bool { return string(a) == string(b) })
}

// Record is a stored token with its metadata, as UpdateToken reads and
// writes it.
type Record struct {
	Token Token
	Meta  Meta
}

// Updater is the read-modify-write capability of a Store: what lets
// processes that share a record coordinate through it (a refresh lease,
// say) without a lock service. Every store in this module that offers it
// runs the storetest cases for it. Test for it with a type assertion.
type Updater interface {
	// UpdateToken reads the record with the given ID and calls fn with it.
	// When fn returns a record that differs from what it was given, that
	// record is written only if the stored one has not changed since it
	// was read (compare-and-swap); if it has, fn is called again with the
	// new one. UpdateToken returns the record as stored afterwards, also
	// when fn changed nothing and nothing was written.
	//
	// fn may change every field of the token but the ID, and the metadata;
	// the result must pass Validate (ErrInvalidToken otherwise) and keep
	// its user name unique (ErrDuplicate). An error from fn ends the update
	// with nothing written and is returned wrapped. fn may be called more
	// than once and must have no effect other than its result. A record
	// that does not exist is ErrNotFound, without a call to fn.
	UpdateToken(ctx context.Context, id string, fn func(Record) (Record, error)) (Record, error)
}
