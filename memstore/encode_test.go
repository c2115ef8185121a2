package memstore

import (
	"testing"
	"time"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/driver"
)

// TestEncodeSkipsDecodeFaithfully: the record encode keeps without
// decoding is exactly what decoding its encoding gives.
func TestEncodeSkipsDecodeFaithfully(t *testing.T) {
	loc := time.FixedZone("x", 5*3600+1800)
	for _, in := range []tokenstore.Token{
		{ID: "a", AccessToken: "secret-at"},
		{ID: "b", UserName: "ü@example.com", ClientID: "c", ClientSecret: "s", RefreshToken: "r", AccessToken: "a",
			GrantToken: "g", Expiry: time.Date(2026, 1, 2, 3, 4, 5, 123456789, loc), RedirectURL: "https://x/<cb>&", APIDomain: "d"},
		{ID: "c", RefreshToken: "r", Expiry: time.Now()}, // a monotonic reading
	} {
		r, err := encode(in, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, err := driver.EncodeRecord(in)
		if err != nil {
			t.Fatal(err)
		}
		want, err := driver.DecodeRecord(b)
		if err != nil || r.tok != want {
			t.Fatalf("encode kept %#v; decoding gives %#v (%v)", r.tok, want, err)
		}
	}
}
