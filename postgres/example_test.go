package postgres_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/postgres"
)

// A store in table tokenstore, below the prefix crm/prod. The pool is
// configured like psql: PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE.
func Example() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, "")
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	// Once, as a user allowed to create tables (or run the README's SQL).
	if err := postgres.CreateTable(ctx, pool, "tokenstore"); err != nil {
		log.Fatal(err)
	}
	store, err := postgres.New(pool, &postgres.Options{Table: "tokenstore", Prefix: "crm/prod"})
	if err != nil {
		log.Fatal(err)
	}
	tok := tokenstore.Token{
		UserName:     "ann@example.com",
		ClientID:     "1000.EXAMPLE",
		ClientSecret: "client-secret",
		RefreshToken: "refresh-token",
		AccessToken:  "access-token",
	}
	if err := store.SaveToken(ctx, &tok); err != nil {
		log.Fatal(err)
	}
	found, err := store.FindToken(ctx, tokenstore.Token{UserName: "ann@example.com"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(found.ID == tok.ID)
}

// A store by URL, as a command-line tool or an agent opens one: the table
// and prefix in the URL, the connection from the PG* variables, the
// pepper from a secret of the deployment.
func Example_openStore() {
	ctx := context.Background()
	store, err := tokenstore.OpenStore(ctx, "pg://tokenstore/crm/prod",
		&tokenstore.OpenOptions{Pepper: []byte(os.Getenv("TOKENSTORE_PEPPER"))})
	if err != nil {
		log.Fatal(err)
	}
	defer store.(io.Closer).Close()
	all, err := store.GetTokens(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(all), "tokens")
}
