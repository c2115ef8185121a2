package postgres

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/tokenstore-go/tokenstore"
)

// TestREADMETable keeps the README's CREATE TABLE the one CreateTable
// runs.
func TestREADMETable(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```sql\n(CREATE TABLE.*?)\n```").FindSubmatch(readme)
	if m == nil {
		t.Fatal("README.md has no ```sql block with CREATE TABLE")
	}
	if want := fmt.Sprintf(tableSQL, DefaultTable) + ";"; string(m[1]) != want {
		t.Errorf("README.md's table:\n%s\nCreateTable's:\n%s", m[1], want)
	}
}

func TestCreateTable(t *testing.T) {
	pool := testPool(t)
	table := testTable(t, pool)
	ctx := context.Background()
	if err := CreateTable(ctx, pool, table); err != nil {
		t.Errorf("CreateTable over an existing table: %v; want nil (IF NOT EXISTS)", err)
	}
	for _, bad := range []string{"Tokens", "a.b.c", "tokens; DROP TABLE x", `"quoted"`, "1tokens"} {
		if err := CreateTable(ctx, pool, bad); err == nil {
			t.Errorf("CreateTable(%q): no error", bad)
		}
	}
	s, err := New(pool, &Options{Table: table, Prefix: "check"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.check(ctx); err != nil {
		t.Errorf("check of a table CreateTable made: %v", err)
	}
	if _, err := pool.Exec(ctx, "ALTER TABLE "+table+" DROP COLUMN nonce"); err != nil {
		t.Fatal(err)
	}
	if err := s.check(ctx); !errors.Is(err, tokenstore.ErrBadURL) {
		t.Errorf("check of a table without a column: %v; want an error matching tokenstore.ErrBadURL", err)
	}
}

// TestRows checks what a record with every key leaves in the table: no
// row but the record's holds a token or the user name, and no row name
// does; index rows are small and the record's row is its envelope plus a
// little (the README gives the figures).
func TestRows(t *testing.T) {
	pool := testPool(t)
	table := testTable(t, pool)
	ctx := context.Background()
	s, _ := costStore(t, pool, table)
	a, err := stored(ctx, s, 1)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := pool.Query(ctx, `SELECT name, value, pg_column_size(t.*) FROM `+table+` t WHERE namespace = $1`, s.ns)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var (
			name  string
			value []byte
			size  int
		)
		if err := rows.Scan(&name, &value, &size); err != nil {
			t.Fatal(err)
		}
		n++
		record := name == recordPrefix+a.ID
		for _, v := range []string{a.UserName, a.AccessToken, a.RefreshToken, a.GrantToken, a.ClientSecret} {
			if strings.Contains(name, v) || !record && strings.Contains(string(value), v) {
				t.Errorf("row %s holds a token or the user name", name)
			}
		}
		switch {
		case record && size-len(value) > 150:
			t.Errorf("the record's row takes %d bytes for an envelope of %d", size, len(value))
		case !record && size > 200:
			t.Errorf("index row %s takes %d bytes; want at most 200", name, size)
		}
		t.Logf("%-90s %4d bytes", name, size)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n != 5 {
		t.Errorf("%d rows; want 5", n)
	}
}
