// Command quickstart walks the Zoho OAuth token lifecycle through a
// tokenstore.Store and prints a redacted transcript.
//
//	go run ./examples/quickstart                 # in memory, no server needed
//	go run ./examples/quickstart -store awssm    # AWS Secrets Manager (AWS_* environment)
//	go run ./examples/quickstart -store vault    # Vault KV (VAULT_ADDR, VAULT_TOKEN)
//
// The store may also be chosen with TOKENSTORE_STORE. The OAuth server is
// simulated: the tokens it "issues" are random strings made here.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/tokenstore-go/tokenstore"
)

func main() {
	def := os.Getenv("TOKENSTORE_STORE")
	if def == "" {
		def = "memstore"
	}
	name := flag.String("store", def, "store to use: "+storeNames())
	flag.Parse()

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, cleanup, err := openStore(ctx, *name)
	if err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(2)
	}
	defer cleanup()
	if err := run(ctx, os.Stdout, s); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

// run is the walk-through: each step is what the Zoho SDK does with its
// token store, printed with secrets redacted.
func run(ctx context.Context, w io.Writer, s tokenstore.Store) error {
	const user = "ann@example.com"
	step := func(format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }

	// 1. The user consented; the grant token was exchanged for tokens.
	tok := tokenstore.Token{
		UserName:     user,
		ClientID:     "1000.QUICKSTART",
		ClientSecret: issue("cs"),
		GrantToken:   issue("gt"),
		RefreshToken: issue("rt"),
		AccessToken:  issue("at"),
		Expiry:       time.Now().Add(time.Hour).Truncate(time.Second),
		RedirectURL:  "https://app.example.com/oauth/callback",
		APIDomain:    "https://www.zohoapis.com",
	}
	if err := s.SaveToken(ctx, &tok); err != nil {
		return fmt.Errorf("save after grant exchange: %w", err)
	}
	step("1. saved the tokens from the grant exchange:\n   %v", tok)

	// 2. Before an API call: find the user's token.
	got, err := s.FindToken(ctx, tokenstore.Token{UserName: user})
	if err != nil {
		return fmt.Errorf("find by user name: %w", err)
	}
	step("2. found by user name: ID %s, access token expires %s", got.ID, got.Expiry.Format(time.RFC3339))

	// 3. Another process knows only the refresh token and the client.
	got, err = s.FindToken(ctx, tokenstore.Token{
		RefreshToken: tok.RefreshToken, ClientID: tok.ClientID, ClientSecret: tok.ClientSecret,
	})
	if err != nil {
		return fmt.Errorf("find by refresh token: %w", err)
	}
	step("3. found by refresh token and client ID: ID %s, user %s", got.ID, got.UserName)

	// 4. The access token expired and was refreshed: save only what changed.
	refreshed := tokenstore.Token{UserName: user, AccessToken: issue("at"), Expiry: time.Now().Add(2 * time.Hour).Truncate(time.Second)}
	if err := s.SaveToken(ctx, &refreshed); err != nil {
		return fmt.Errorf("save refreshed token: %w", err)
	}
	step("4. saved a refreshed access token; same record %v, refresh token kept %v",
		refreshed.ID == tok.ID, refreshed.RefreshToken == tok.RefreshToken)

	// 5. List what the store holds.
	all, err := s.GetTokens(ctx)
	if err != nil {
		return fmt.Errorf("list: %w", err)
	}
	step("5. the store holds %d token(s):", len(all))
	for _, t := range all {
		step("   %v", t)
	}

	// 6. The user logged out.
	if err := s.DeleteToken(ctx, tok.ID); err != nil {
		return fmt.Errorf("delete: %w", err)
	}
	_, err = s.FindTokenByID(ctx, tok.ID)
	step("6. deleted; finding it again says: %v", err)
	if !errors.Is(err, tokenstore.ErrNotFound) {
		return fmt.Errorf("token still there after delete: %v", err)
	}
	return nil
}

// issue stands in for the OAuth server: a random token of the given kind.
func issue(kind string) string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return "1000." + kind + "." + hex.EncodeToString(b)
}
