package memstore_test

import (
	"context"
	"fmt"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/memstore"
)

func Example() {
	ctx := context.Background()
	s := memstore.New(nil)

	// Save what the grant-token exchange returned.
	tok := tokenstore.Token{
		UserName:     "ann@example.com",
		ClientID:     "1000.CLIENT",
		ClientSecret: "client-secret",
		RefreshToken: "1000.refresh",
		AccessToken:  "1000.access",
	}
	if err := s.SaveToken(ctx, &tok); err != nil {
		panic(err)
	}

	// Later: only the refresh token and client credentials are at hand.
	got, err := s.FindToken(ctx, tokenstore.Token{
		RefreshToken: "1000.refresh", ClientID: "1000.CLIENT", ClientSecret: "client-secret",
	})
	fmt.Println(got.UserName, got.ID == tok.ID, err)

	// Store a refreshed access token; every other field is kept.
	upd := tokenstore.Token{UserName: "ann@example.com", AccessToken: "1000.access2"}
	if err := s.SaveToken(ctx, &upd); err != nil {
		panic(err)
	}
	fmt.Println(upd.RefreshToken == "1000.refresh", upd.AccessToken == "1000.access2")
	// Output:
	// ann@example.com true <nil>
	// true true
}

// Stores on one Shared share records per namespace, like processes
// sharing a server.
func ExampleNewShared() {
	ctx := context.Background()
	b := memstore.NewShared()
	app1 := memstore.New(&memstore.Options{Shared: b, Namespace: "app1"})
	app1Again := memstore.New(&memstore.Options{Shared: b, Namespace: "app1"})
	app2 := memstore.New(&memstore.Options{Shared: b, Namespace: "app2"})

	tok := tokenstore.Token{UserName: "ann@example.com", AccessToken: "1000.access"}
	_ = app1.SaveToken(ctx, &tok)

	_, err1 := app1Again.FindToken(ctx, tokenstore.Token{UserName: "ann@example.com"})
	_, err2 := app2.FindToken(ctx, tokenstore.Token{UserName: "ann@example.com"})
	fmt.Println(err1 == nil, err2)
	// Output:
	// true memstore: find: tokenstore: token not found
}
