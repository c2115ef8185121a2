package storetest

import (
	"testing"

	"github.com/tokenstore-go/tokenstore"
)

var findCases = []testCase{
	{"FindTokenByID/Hit", func(t *testing.T, e *env) {
		a := save(t, e, e.s, e.token(1))
		save(t, e, e.s, e.token(2))
		got, err := e.s.FindTokenByID(e.ctx, a.ID)
		if err != nil {
			t.Fatalf("FindTokenByID: %v", err)
		}
		wantToken(t, "FindTokenByID", got, a)
	}, false},
	{"FindTokenByID/Miss", func(t *testing.T, e *env) {
		a := save(t, e, e.s, e.token(1))
		_, err := e.s.FindTokenByID(e.ctx, tokenstore.NewID())
		wantErr(t, "FindTokenByID", err, tokenstore.ErrNotFound, a)
	}, false},
	{"FindToken/Rule0ID", func(t *testing.T, e *env) {
		a := save(t, e, e.s, e.token(1))
		b := save(t, e, e.s, e.token(2))
		// The ID wins over every other key, even one of another record.
		q := tokenstore.Token{ID: a.ID, UserName: b.UserName, AccessToken: b.AccessToken}
		wantToken(t, "FindToken", find(t, e, e.s, q), a)
	}, false},
	{"FindToken/Rule1UserName", func(t *testing.T, e *env) {
		a := save(t, e, e.s, e.token(1))
		b := save(t, e, e.s, e.token(2))
		q := tokenstore.Token{UserName: a.UserName, AccessToken: b.AccessToken,
			RefreshToken: b.RefreshToken, ClientID: b.ClientID, ClientSecret: b.ClientSecret}
		wantToken(t, "FindToken", find(t, e, e.s, q), a)
	}, false},
	{"FindToken/Rule2AccessToken", func(t *testing.T, e *env) {
		a := save(t, e, e.s, e.token(1))
		b := save(t, e, e.s, e.token(2))
		// Without client credentials the access token wins over the
		// refresh token, which rule 3 could use only with them.
		q := tokenstore.Token{AccessToken: a.AccessToken, RefreshToken: b.RefreshToken}
		wantToken(t, "FindToken", find(t, e, e.s, q), a)
	}, false},
	{"FindToken/Rule2NeedsNoClientCredentials", func(t *testing.T, e *env) {
		a := save(t, e, e.s, e.token(1))
		for _, q := range []tokenstore.Token{
			{AccessToken: a.AccessToken, ClientID: a.ClientID},
			{AccessToken: a.AccessToken, ClientSecret: a.ClientSecret},
			{AccessToken: a.AccessToken, ClientID: a.ClientID, ClientSecret: a.ClientSecret},
		} {
			_, err := e.s.FindToken(e.ctx, q)
			wantErr(t, "FindToken(access token with credentials)", err, tokenstore.ErrInvalidToken, a)
		}
	}, false},
	{"FindToken/Rule2WithCredentialsFallsToRule3", func(t *testing.T, e *env) {
		a := save(t, e, e.s, e.token(1))
		b := save(t, e, e.s, e.token(2))
		q := tokenstore.Token{AccessToken: a.AccessToken, RefreshToken: b.RefreshToken,
			ClientID: b.ClientID, ClientSecret: b.ClientSecret}
		wantToken(t, "FindToken", find(t, e, e.s, q), b)
	}, false},
	{"FindToken/Rule3RefreshToken", func(t *testing.T, e *env) {
		a := save(t, e, e.s, e.token(1))
		save(t, e, e.s, e.token(2))
		q := tokenstore.Token{RefreshToken: a.RefreshToken, ClientID: a.ClientID, ClientSecret: a.ClientSecret}
		wantToken(t, "FindToken", find(t, e, e.s, q), a)
	}, false},
	{"FindToken/Rule3GrantToken", func(t *testing.T, e *env) {
		a := save(t, e, e.s, e.token(1))
		save(t, e, e.s, e.token(2))
		q := tokenstore.Token{GrantToken: a.GrantToken, ClientID: a.ClientID, ClientSecret: a.ClientSecret}
		wantToken(t, "FindToken", find(t, e, e.s, q), a)
	}, false},
	{"FindToken/Rule3GrantBeforeRefresh", func(t *testing.T, e *env) {
		a := save(t, e, e.s, e.token(1))
		b := save(t, e, e.s, e.token(2))
		q := tokenstore.Token{GrantToken: a.GrantToken, RefreshToken: b.RefreshToken,
			ClientID: a.ClientID, ClientSecret: a.ClientSecret}
		wantToken(t, "FindToken", find(t, e, e.s, q), a)
		// A grant token that matches nothing is a miss even though the
		// refresh token would match: only the first rule applies.
		q = tokenstore.Token{GrantToken: "secret-gt-unknown-" + e.tag, RefreshToken: a.RefreshToken,
			ClientID: a.ClientID, ClientSecret: a.ClientSecret}
		_, err := e.s.FindToken(e.ctx, q)
		wantErr(t, "FindToken(unknown grant, known refresh)", err, tokenstore.ErrNotFound, a, b)
	}, false},
	{"FindToken/Rule3SameClientID", func(t *testing.T, e *env) {
		a := save(t, e, e.s, e.token(1))
		q := tokenstore.Token{RefreshToken: a.RefreshToken, ClientID: "1000.other-" + e.tag, ClientSecret: a.ClientSecret}
		_, err := e.s.FindToken(e.ctx, q)
		wantErr(t, "FindToken(other client)", err, tokenstore.ErrNotFound, a)
		// The rule compares the client ID only; the secret may have been
		// rotated since the record was saved.
		q = tokenstore.Token{RefreshToken: a.RefreshToken, ClientID: a.ClientID, ClientSecret: "secret-cs-rotated-" + e.tag}
		wantToken(t, "FindToken(rotated client secret)", find(t, e, e.s, q), a)
	}, false},
	{"FindToken/Rule3NeedsBothCredentials", func(t *testing.T, e *env) {
		a := save(t, e, e.s, e.token(1))
		for _, q := range []tokenstore.Token{
			{RefreshToken: a.RefreshToken, ClientID: a.ClientID},
			{RefreshToken: a.RefreshToken, ClientSecret: a.ClientSecret},
			{GrantToken: a.GrantToken, ClientID: a.ClientID},
			{RefreshToken: a.RefreshToken, GrantToken: a.GrantToken},
		} {
			_, err := e.s.FindToken(e.ctx, q)
			wantErr(t, "FindToken(partial credentials)", err, tokenstore.ErrInvalidToken, a)
		}
	}, false},
	{"FindToken/NoLookupKey", func(t *testing.T, e *env) {
		a := save(t, e, e.s, e.token(1))
		for _, q := range []tokenstore.Token{
			{},
			{ClientID: a.ClientID, ClientSecret: a.ClientSecret},
			{APIDomain: a.APIDomain, RedirectURL: a.RedirectURL, Expiry: a.Expiry},
		} {
			_, err := e.s.FindToken(e.ctx, q)
			wantErr(t, "FindToken(no key)", err, tokenstore.ErrInvalidToken, a)
		}
	}, false},
	{"FindToken/MissEachRule", func(t *testing.T, e *env) {
		a := save(t, e, e.s, e.token(1))
		x := e.token(99) // never saved
		for _, q := range []tokenstore.Token{
			{ID: tokenstore.NewID()},
			{UserName: x.UserName},
			{AccessToken: x.AccessToken},
			{GrantToken: x.GrantToken, ClientID: a.ClientID, ClientSecret: a.ClientSecret},
			{RefreshToken: x.RefreshToken, ClientID: a.ClientID, ClientSecret: a.ClientSecret},
		} {
			_, err := e.s.FindToken(e.ctx, q)
			wantErr(t, "FindToken(miss)", err, tokenstore.ErrNotFound, a, x)
		}
	}, false},
	{"FindToken/ReturnsWholeRecord", func(t *testing.T, e *env) {
		in := e.token(1)
		a := save(t, e, e.s, in)
		got := find(t, e, e.s, tokenstore.Token{UserName: in.UserName})
		in.ID = a.ID
		wantToken(t, "FindToken", got, in)
		if got.Expiry.Location() != nil && got.Expiry.Location().String() != "UTC" {
			t.Fatalf("FindToken: Expiry location %v; want UTC", got.Expiry.Location())
		}
	}, false},
	{"FindToken/FromPeerStore", func(t *testing.T, e *env) {
		a := save(t, e, e.s, e.token(1))
		wantToken(t, "peer FindToken", find(t, e, e.peer(t), tokenstore.Token{UserName: a.UserName}), a)
	}, false},
}
