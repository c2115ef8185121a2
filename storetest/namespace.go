package storetest

import (
	"testing"

	"github.com/tokenstore-go/tokenstore"
)

var namespaceCases = []testCase{
	{"Namespaces/Isolated", func(t *testing.T, e *env) {
		other := e.store(t, e.ns+"b")
		a := save(t, e, e.s, e.token(1))
		for _, q := range queries(a) {
			_, err := other.FindToken(e.ctx, q)
			wantErr(t, "other namespace FindToken", err, tokenstore.ErrNotFound, a)
		}
		_, err := other.FindTokenByID(e.ctx, a.ID)
		wantErr(t, "other namespace FindTokenByID", err, tokenstore.ErrNotFound, a)
		err = other.DeleteToken(e.ctx, a.ID)
		wantErr(t, "other namespace DeleteToken", err, tokenstore.ErrNotFound, a)
		if got, err := other.GetTokens(e.ctx); err != nil || len(got) != 0 {
			t.Fatalf("other namespace GetTokens: %d records, %v; want none", len(got), err)
		}
		wantToken(t, "record after other namespace's attempts", find(t, e, e.s, tokenstore.Token{ID: a.ID}), a)
	}, false},
	{"Namespaces/SameUserInBoth", func(t *testing.T, e *env) {
		other := e.store(t, e.ns+"b")
		in := e.token(1)
		a := save(t, e, e.s, in)
		in.AccessToken = "secret-at-other-" + e.tag
		b := save(t, e, other, in)
		if a.ID == b.ID {
			t.Fatalf("records in two namespaces share ID %q", a.ID)
		}
		wantToken(t, "first namespace", find(t, e, e.s, tokenstore.Token{UserName: in.UserName}), a)
		wantToken(t, "second namespace", find(t, e, other, tokenstore.Token{UserName: in.UserName}), b)
	}, false},
	{"Namespaces/DeleteTokensStaysInside", func(t *testing.T, e *env) {
		other := e.store(t, e.ns+"b")
		// A namespace whose name extends this one must survive too.
		longer := e.store(t, e.ns+"0")
		a := save(t, e, e.s, e.token(1))
		save(t, e, other, e.token(2))
		c := save(t, e, longer, e.token(3))
		if err := other.DeleteTokens(e.ctx); err != nil {
			t.Fatalf("DeleteTokens: %v", err)
		}
		wantIDs(t, "GetTokens in the cleared namespace", list(t, e, other))
		wantIDs(t, "GetTokens in this namespace", list(t, e, e.s), a.ID)
		wantIDs(t, "GetTokens in the longer namespace", list(t, e, longer), c.ID)
	}, false},
}
