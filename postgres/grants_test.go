package postgres

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tokenstore-go/tokenstore"
)

// TestGrants runs every operation as a role that holds exactly the grants
// the package doc lists (SELECT, INSERT, UPDATE, DELETE on the table, and
// nothing on the identity column's sequence), and checks that without
// DELETE a delete fails with the server's error reachable.
func TestGrants(t *testing.T) {
	owner := testPool(t)
	table := testTable(t, owner)
	ctx := context.Background()

	app := testRole(t, owner, table, "SELECT, INSERT, UPDATE, DELETE")
	s, err := New(app, &Options{Table: table, Prefix: "grants"})
	if err != nil {
		t.Fatal(err)
	}
	a := fullToken("g", 1)
	if err := s.SaveToken(ctx, &a); err != nil {
		t.Fatalf("SaveToken: %v", err)
	}
	if _, err := s.FindToken(ctx, tokenstore.Token{AccessToken: a.AccessToken}); err != nil {
		t.Errorf("FindToken: %v", err)
	}
	if _, err := s.UpdateToken(ctx, a.ID, func(r tokenstore.Record) (tokenstore.Record, error) {
		r.Token.RefreshToken += "-new"
		return r, nil
	}); err != nil {
		t.Errorf("UpdateToken: %v", err)
	}
	if _, err := s.GetTokens(ctx); err != nil {
		t.Errorf("GetTokens: %v", err)
	}
	if err := s.DeleteToken(ctx, a.ID); err != nil {
		t.Errorf("DeleteToken: %v", err)
	}
	if err := s.DeleteTokens(ctx); err != nil {
		t.Errorf("DeleteTokens: %v", err)
	}

	noDelete := testRole(t, owner, table, "SELECT, INSERT, UPDATE")
	s, err = New(noDelete, &Options{Table: table, Prefix: "grants"})
	if err != nil {
		t.Fatal(err)
	}
	err = s.DeleteTokens(ctx)
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "42501" {
		t.Errorf("DeleteTokens without DELETE: got %v; want a reachable *pgconn.PgError with SQLSTATE 42501", err)
	}
}

// testRole creates a login role holding privileges on table and nothing
// else, and returns a pool connected as it; both go when t ends.
func testRole(t *testing.T, owner *pgxpool.Pool, table, privileges string) *pgxpool.Pool {
	t.Helper()
	ctx := context.Background()
	role, password := "ts_app_"+randHex(4), randHex(16)
	for _, q := range []string{
		"CREATE ROLE " + role + " LOGIN PASSWORD '" + password + "'", // hex: nothing to quote
		"GRANT " + privileges + " ON " + table + " TO " + role,
	} {
		if _, err := owner.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	t.Cleanup(func() {
		for _, q := range []string{"REVOKE ALL ON " + table + " FROM " + role, "DROP ROLE " + role} {
			if _, err := owner.Exec(context.Background(), q); err != nil {
				t.Errorf("cleanup: %s: %v", q, err)
			}
		}
	})
	return testPool(t, func(c *pgxpool.Config) { c.ConnConfig.User, c.ConnConfig.Password = role, password })
}
