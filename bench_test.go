package tokenstore_test

import (
	"testing"
	"time"

	"github.com/tokenstore-go/tokenstore"
)

// BenchmarkValidate times the check every save runs before it writes.
func BenchmarkValidate(b *testing.B) {
	tok := tokenstore.Token{ID: "0123456789abcdefABCDEF", UserName: "user-500@example.com", ClientID: "1000.BENCHCLIENTID0000000000000000",
		ClientSecret: "0123456789abcdef0123456789abcdef0123456789",
		RefreshToken: "1000.0123456789abcdef0123456789abcdef.0123456789abcdef0123456789abcdef",
		AccessToken:  "1000.fedcba9876543210fedcba9876543210.fedcba9876543210fedcba9876543210",
		Expiry:       time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC), APIDomain: "https://www.zohoapis.com"}
	b.ReportAllocs()
	for b.Loop() {
		if err := tokenstore.Validate(tok); err != nil {
			b.Fatal(err)
		}
	}
}
