package tokenstore_test

import (
	"errors"
	"testing"
	"time"

	"github.com/tokenstore-go/tokenstore"
)

func secretToken() tokenstore.Token {
	return tokenstore.Token{
		ID:           "rec1",
		UserName:     "ann@example.com",
		ClientID:     "1000.CLIENT",
		ClientSecret: "SECRET-client-secret",
		RefreshToken: "SECRET-refresh",
		AccessToken:  "SECRET-access",
		GrantToken:   "SECRET-grant",
		Expiry:       time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		RedirectURL:  "https://example.com/cb",
		APIDomain:    "https://www.zohoapis.com",
	}
}

func TestLookup(t *testing.T) {
	tests := []struct {
		name string
		q    tokenstore.Token
		want tokenstore.Key
	}{
		{"id wins", tokenstore.Token{ID: "a", UserName: "u", AccessToken: "at"}, tokenstore.Key{Kind: tokenstore.KeyID, Value: "a"}},
		{"user name", tokenstore.Token{UserName: "u", AccessToken: "at"}, tokenstore.Key{Kind: tokenstore.KeyUserName, Value: "u"}},
		{"access token", tokenstore.Token{AccessToken: "at", RefreshToken: "rt"}, tokenstore.Key{Kind: tokenstore.KeyAccessToken, Value: "at"}},
		{"grant before refresh", tokenstore.Token{AccessToken: "at", GrantToken: "gt", RefreshToken: "rt", ClientID: "c", ClientSecret: "s"},
			tokenstore.Key{Kind: tokenstore.KeyGrantToken, Value: "gt", ClientID: "c"}},
		{"refresh", tokenstore.Token{RefreshToken: "rt", ClientID: "c", ClientSecret: "s"},
			tokenstore.Key{Kind: tokenstore.KeyRefreshToken, Value: "rt", ClientID: "c"}},
	}
	for _, tt := range tests {
		got, err := tokenstore.Lookup(tt.q)
		if err != nil || got != tt.want {
			t.Errorf("%s: Lookup = %v %+v, %v; want %+v", tt.name, got, got.Kind, err, tt.want.Kind)
		}
	}
	for _, q := range []tokenstore.Token{
		{}, {ClientID: "c", ClientSecret: "s"}, {AccessToken: "at", ClientID: "c"},
		{RefreshToken: "rt", ClientID: "c"}, {GrantToken: "gt", ClientSecret: "s"}, {ID: "../x"},
	} {
		if _, err := tokenstore.Lookup(q); !errors.Is(err, tokenstore.ErrInvalidToken) {
			t.Errorf("Lookup(%v) error %v; want ErrInvalidToken", q, err)
		}
	}
}

func TestNewID(t *testing.T) {
	seen := make(map[string]bool)
	for range 1000 {
		id := tokenstore.NewID()
		if err := tokenstore.ValidateID(id); err != nil || len(id) != 32 || seen[id] {
			t.Fatalf("NewID() = %q, %v, seen before %v; want 32 unique valid characters", id, err, seen[id])
		}
		seen[id] = true
	}
}

func TestValidate(t *testing.T) {
	for name, tok := range map[string]tokenstore.Token{
		"no token":     {UserName: "u"},
		"bad id":       {ID: "a/b", AccessToken: "a"},
		"bad utf8":     {UserName: "\xff", AccessToken: "a"},
		"bad utf8 sec": {AccessToken: "a\xc3"},
		"expiry 10000": {AccessToken: "a", Expiry: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)},
	} {
		err := tokenstore.Validate(tok)
		if !errors.Is(err, tokenstore.ErrInvalidToken) {
			t.Errorf("%s: Validate error %v; want ErrInvalidToken", name, err)
		}
	}
	if err := tokenstore.Validate(tokenstore.Token{RefreshToken: "r"}); err != nil {
		t.Errorf("Validate(refresh token only) = %v; want nil", err)
	}
}

func TestExpired(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		tok  tokenstore.Token
		want bool
	}{
		{tokenstore.Token{AccessToken: "a", Expiry: now.Add(time.Hour)}, false},
		{tokenstore.Token{AccessToken: "a", Expiry: now.Add(time.Minute)}, true},
		{tokenstore.Token{AccessToken: "a"}, false},
		{tokenstore.Token{Expiry: now.Add(time.Hour)}, true},
	}
	for i, tt := range tests {
		if got := tt.tok.Expired(now, 2*time.Minute); got != tt.want {
			t.Errorf("case %d: Expired = %v; want %v", i, got, tt.want)
		}
	}
}

func TestTokenEqual(t *testing.T) {
	at := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	a := tokenstore.Token{ID: "x", AccessToken: "at", Expiry: at}
	b := a
	b.Expiry = at.In(time.FixedZone("X", 3600))
	if !a.Equal(b) {
		t.Errorf("same instant in another zone: not Equal")
	}
	b.AccessToken = "other"
	if a.Equal(b) {
		t.Errorf("different access tokens: Equal")
	}
	b = a
	b.Expiry = at.Add(time.Nanosecond)
	if a.Equal(b) {
		t.Errorf("different instants: Equal")
	}
}
