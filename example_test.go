package tokenstore_test

import (
	"fmt"
	"time"

	"github.com/tokenstore-go/tokenstore"
)

// Tokens print with their secrets redacted, whatever the verb.
func ExampleToken_String() {
	tok := tokenstore.Token{
		ID:          "42",
		UserName:    "ann@example.com",
		AccessToken: "1000.a1b2c3",
		Expiry:      time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC),
	}
	fmt.Println(tok)
	// Output:
	// Token{ID:42 UserName:ann@example.com ClientID: ClientSecret: RefreshToken: AccessToken:[redacted] GrantToken: Expiry:2026-11-23T12:00:00Z RedirectURL: APIDomain:}
}

// Lookup tells which rule a query falls under.
func ExampleLookup() {
	for _, q := range []tokenstore.Token{
		{UserName: "ann@example.com"},
		{AccessToken: "1000.a1b2c3"},
		{RefreshToken: "1000.r", ClientID: "1000.C", ClientSecret: "s"},
		{RefreshToken: "1000.r"},
	} {
		k, err := tokenstore.Lookup(q)
		fmt.Println(k.Kind, err != nil)
	}
	// Output:
	// user_name false
	// access_token false
	// refresh_token false
	// invalid true
}
