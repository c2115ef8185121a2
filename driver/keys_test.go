package driver

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/tokenstore-go/tokenstore"
)

// TestKeysAgreeWithLookup checks the promise stores build their indexes on:
// a query finds a record exactly when the query's Lookup key is one of the
// record's Keys, and Matches says so too.
func TestKeysAgreeWithLookup(t *testing.T) {
	tok := secretToken()
	keys := Keys(tok)
	if len(keys) != 5 {
		t.Fatalf("Keys: got %d keys; want 5", len(keys))
	}
	for _, k := range keys {
		if !Matches(k, tok) {
			t.Errorf("record does not match its own key %v", k)
		}
		if strings.Contains(k.String(), "SECRET") || strings.Contains(fmt.Sprintf("%v %+v %#v %s", k, k, k, k), "SECRET") {
			t.Errorf("Key formatting shows its value: %v", k)
		}
	}
	for name, q := range map[string]tokenstore.Token{
		"id":           {ID: tok.ID},
		"user name":    {UserName: tok.UserName},
		"access token": {AccessToken: tok.AccessToken},
		"grant token":  {GrantToken: tok.GrantToken, ClientID: tok.ClientID, ClientSecret: "other"},
		"refresh":      {RefreshToken: tok.RefreshToken, ClientID: tok.ClientID, ClientSecret: "other"},
	} {
		k, err := tokenstore.Lookup(q)
		if err != nil || !slices.Contains(keys, k) || !Matches(k, tok) {
			t.Errorf("%s: Lookup key %v (%v) is not among the record's Keys or does not match it", name, k, err)
		}
	}
	other := tokenstore.Token{RefreshToken: tok.RefreshToken, ClientID: "another client", ClientSecret: "s"}
	if k, _ := tokenstore.Lookup(other); Matches(k, tok) {
		t.Errorf("refresh token of another client matches the record")
	}
	if got := len(Keys(tokenstore.Token{ID: "x", RefreshToken: "r"})); got != 1 {
		t.Errorf("refresh token without client ID: got %d keys; want 1 (ID only)", got)
	}
}

func TestSortByID(t *testing.T) {
	toks := []tokenstore.Token{{ID: "b"}, {ID: "B"}, {ID: "a_"}, {ID: "a-"}, {ID: "a"}}
	SortByID(toks)
	var got []string
	for _, tok := range toks {
		got = append(got, tok.ID)
	}
	if want := []string{"B", "a", "a-", "a_", "b"}; !slices.Equal(got, want) {
		t.Errorf("SortByID: got %v; want %v (byte order)", got, want)
	}
}

func TestDigest(t *testing.T) {
	a := tokenstore.Key{Kind: tokenstore.KeyRefreshToken, Value: "b", ClientID: "a"}
	b := tokenstore.Key{Kind: tokenstore.KeyRefreshToken, Value: "", ClientID: "ab"}
	c := tokenstore.Key{Kind: tokenstore.KeyGrantToken, Value: "b", ClientID: "a"}
	da, db, dc := Digest(a, nil), Digest(b, nil), Digest(c, nil)
	if da == db || da == dc {
		t.Errorf("distinct keys share a digest")
	}
	if da != Digest(a, nil) || da == Digest(a, []byte("pepper")) {
		t.Errorf("digest not stable, or ignores the pepper")
	}
	if len(da) != 64 || strings.Trim(da, "0123456789abcdef") != "" {
		t.Errorf("digest %q is not 64 lowercase hex characters", da)
	}
}

func TestQuerySelectsItsKey(t *testing.T) {
	tok := tokenstore.Token{ID: "id1", UserName: "u", AccessToken: "at", GrantToken: "gt", RefreshToken: "rt", ClientID: "c", ClientSecret: "s"}
	for _, k := range Keys(tok) {
		got, err := tokenstore.Lookup(Query(k))
		if err != nil || got != k {
			t.Errorf("Lookup(Query(%v)) = %v, %v", k.Kind, got.Kind, err)
		}
	}
}

// TestAppendKeys: AppendKeys appends exactly Keys, after what the slice
// held, and into a buffer of 5 without allocating.
func TestAppendKeys(t *testing.T) {
	tok := secretToken()
	head := tokenstore.Key{Kind: tokenstore.KeyID, Value: "before"}
	got := AppendKeys([]tokenstore.Key{head}, tok)
	if want := append([]tokenstore.Key{head}, Keys(tok)...); !slices.Equal(got, want) {
		t.Errorf("AppendKeys gave %d keys, not the slice's key and then Keys", len(got))
	}
	var buf [5]tokenstore.Key
	if n := testing.AllocsPerRun(100, func() { _ = AppendKeys(buf[:0], tok) }); n != 0 {
		t.Errorf("AppendKeys into a buffer of 5: %v allocations; want 0", n)
	}
}
