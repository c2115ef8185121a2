package tokenstore_test

import (
	"testing"
	"time"

	"github.com/tokenstore-go/tokenstore"
)

func TestMerge(t *testing.T) {
	stored := secretToken()
	upd := tokenstore.Token{ID: "other", AccessToken: "new", Expiry: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
	got := tokenstore.Merge(stored, upd)
	want := stored
	want.AccessToken, want.Expiry = "new", upd.Expiry
	if got != want {
		t.Errorf("Merge = %v; want %v", got, want)
	}
	if got := tokenstore.Merge(stored, tokenstore.Token{}); got != stored {
		t.Errorf("Merge with an empty update changed the record: %v", got)
	}
	// Every field but the ID is replaced by a set one.
	full := tokenstore.Token{ID: "x", UserName: "u2", ClientID: "c2", ClientSecret: "s2", RefreshToken: "r2",
		AccessToken: "a2", GrantToken: "g2", Expiry: upd.Expiry, RedirectURL: "https://r2", APIDomain: "https://d2"}
	want = full
	want.ID = stored.ID
	if got := tokenstore.Merge(stored, full); got != want {
		t.Errorf("Merge of a full update = %v; want %v", got, want)
	}
}
