package storetest

import (
	"testing"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/driver"
)

// queries returns a query for each lookup key of tok.
func queries(tok tokenstore.Token) []tokenstore.Token {
	return []tokenstore.Token{
		{ID: tok.ID},
		{UserName: tok.UserName},
		{AccessToken: tok.AccessToken},
		{GrantToken: tok.GrantToken, ClientID: tok.ClientID, ClientSecret: tok.ClientSecret},
		{RefreshToken: tok.RefreshToken, ClientID: tok.ClientID, ClientSecret: tok.ClientSecret},
	}
}

// wantGone fails the test unless no lookup key of tok finds a record.
func wantGone(t *testing.T, e *env, tok tokenstore.Token) {
	t.Helper()
	for _, q := range queries(tok) {
		_, err := e.s.FindToken(e.ctx, q)
		wantErr(t, "FindToken(deleted)", err, tokenstore.ErrNotFound, tok)
	}
	_, err := e.s.FindTokenByID(e.ctx, tok.ID)
	wantErr(t, "FindTokenByID(deleted)", err, tokenstore.ErrNotFound, tok)
}

var deleteCases = []testCase{
	{"DeleteToken/RemovesRecordAndKeys", func(t *testing.T, e *env) {
		a := save(t, e, e.s, e.token(1))
		b := save(t, e, e.s, e.token(2))
		if err := e.s.DeleteToken(e.ctx, a.ID); err != nil {
			t.Fatalf("DeleteToken: %v", err)
		}
		wantGone(t, e, a)
		wantIDs(t, "GetTokens", list(t, e, e.s), b.ID)
		for _, q := range queries(b) {
			wantToken(t, "FindToken(other record)", find(t, e, e.s, q), b)
		}
	}, false},
	{"DeleteToken/Miss", func(t *testing.T, e *env) {
		a := save(t, e, e.s, e.token(1))
		err := e.s.DeleteToken(e.ctx, tokenstore.NewID())
		wantErr(t, "DeleteToken(unknown)", err, tokenstore.ErrNotFound, a)
		wantIDs(t, "GetTokens", list(t, e, e.s), a.ID)
	}, false},
	{"DeleteToken/Twice", func(t *testing.T, e *env) {
		a := save(t, e, e.s, e.token(1))
		if err := e.s.DeleteToken(e.ctx, a.ID); err != nil {
			t.Fatalf("DeleteToken: %v", err)
		}
		err := e.peer(t).DeleteToken(e.ctx, a.ID)
		wantErr(t, "DeleteToken(again)", err, tokenstore.ErrNotFound, a)
	}, false},
	{"DeleteToken/ThenSaveSameUser", func(t *testing.T, e *env) {
		in := e.token(1)
		a := save(t, e, e.s, in)
		if err := e.s.DeleteToken(e.ctx, a.ID); err != nil {
			t.Fatalf("DeleteToken: %v", err)
		}
		b := save(t, e, e.s, in)
		if b.ID == a.ID {
			t.Fatalf("re-saved record reuses deleted ID %q; want a new one", a.ID)
		}
		for _, q := range queries(b) {
			wantToken(t, "FindToken(re-saved)", find(t, e, e.s, q), b)
		}
		wantIDs(t, "GetTokens", list(t, e, e.s), b.ID)
	}, false},
	{"DeleteToken/ThenSaveSameID", func(t *testing.T, e *env) {
		in := e.token(1)
		in.ID = "fixed-" + e.tag
		save(t, e, e.s, in)
		if err := e.s.DeleteToken(e.ctx, in.ID); err != nil {
			t.Fatalf("DeleteToken: %v", err)
		}
		in.AccessToken = "secret-at-again-" + e.tag
		b := save(t, e, e.s, in)
		wantToken(t, "re-saved", find(t, e, e.s, tokenstore.Token{ID: in.ID}), b)
	}, false},
	{"DeleteTokens/RemovesAll", func(t *testing.T, e *env) {
		var all []tokenstore.Token
		for i := range 5 {
			all = append(all, save(t, e, e.s, e.token(i)))
		}
		if err := e.peer(t).DeleteTokens(e.ctx); err != nil {
			t.Fatalf("DeleteTokens: %v", err)
		}
		wantIDs(t, "GetTokens", list(t, e, e.s))
		for _, tok := range all {
			wantGone(t, e, tok)
		}
	}, false},
	{"DeleteTokens/EmptyStore", func(t *testing.T, e *env) {
		if err := e.s.DeleteTokens(e.ctx); err != nil {
			t.Fatalf("DeleteTokens on an empty store: %v", err)
		}
		wantIDs(t, "GetTokens", list(t, e, e.s))
	}, false},
	{"DeleteTokens/ThenSave", func(t *testing.T, e *env) {
		in := e.token(1)
		save(t, e, e.s, in)
		if err := e.s.DeleteTokens(e.ctx); err != nil {
			t.Fatalf("DeleteTokens: %v", err)
		}
		b := save(t, e, e.s, in)
		for _, q := range queries(b) {
			wantToken(t, "FindToken(after DeleteTokens)", find(t, e, e.s, q), b)
		}
	}, false},
}

var listCases = []testCase{
	{"GetTokens/Empty", func(t *testing.T, e *env) {
		if got := list(t, e, e.s); len(got) != 0 {
			t.Fatalf("GetTokens on an empty store: %d records; want 0", len(got))
		}
	}, false},
	{"GetTokens/OrderedByID", func(t *testing.T, e *env) {
		// More than 20 records, so a store that reads in batches of 20
		// (Secrets Manager's BatchGetSecretValue) crosses a batch edge.
		var want []tokenstore.Token
		for i := range 23 {
			in := e.token(i)
			if i%3 == 0 {
				in.ID = "id-" + e.tag + "-" + string(rune('z'-i))
			}
			want = append(want, save(t, e, e.s, in))
		}
		driver.SortByID(want)
		got := list(t, e, e.s)
		if len(got) != len(want) {
			t.Fatalf("GetTokens: %d records; want %d", len(got), len(want))
		}
		for i := range want {
			wantToken(t, "GetTokens record", got[i], want[i])
		}
	}, false},
	{"GetTokens/SeesPeerWrites", func(t *testing.T, e *env) {
		a := save(t, e, e.peer(t), e.token(1))
		b := save(t, e, e.peer(t), e.token(2))
		want := []tokenstore.Token{a, b}
		driver.SortByID(want)
		wantIDs(t, "GetTokens", list(t, e, e.s), want[0].ID, want[1].ID)
	}, false},
}
