package tokenstore_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tokenstore-go/tokenstore"
	_ "github.com/tokenstore-go/tokenstore/memstore" // registers mem://
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

// A program opens the store an operator names by URL; the store package's
// import registers its scheme.
func ExampleOpenStore() {
	ctx := context.Background()
	store, err := tokenstore.OpenStore(ctx, "mem://", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	tok := tokenstore.Token{UserName: "ann@example.com", AccessToken: "1000.a1b2c3"}
	fmt.Println(store.SaveToken(ctx, &tok))

	_, err = tokenstore.OpenStore(ctx, "mem://?namespace=a;b", nil)
	fmt.Println(errors.Is(err, tokenstore.ErrBadURL))
	// Output:
	// <nil>
	// true
}
