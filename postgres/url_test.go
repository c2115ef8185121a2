package postgres

import (
	"context"
	"errors"
	"io"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/tokenstore-go/tokenstore"
)

func TestOptionsOf(t *testing.T) {
	for _, c := range []struct {
		url, table, prefix string
	}{
		{"pg://tokens/crm/prod", "tokens", "crm/prod"},
		{"pg://auth.tokens/app/", "auth.tokens", "app"},
		{"pg://tokenstore", "tokenstore", ""},
		{"pg://t_1/a-b_c.d", "t_1", "a-b_c.d"},
	} {
		u, err := url.Parse(c.url)
		if err != nil {
			t.Fatal(err)
		}
		o, err := optionsOf(u)
		if err != nil || o.Table != c.table || o.Prefix != c.prefix {
			t.Errorf("%s: got %+v, %v; want table %q, prefix %q", c.url, o, err, c.table, c.prefix)
		}
	}
	for _, bad := range []string{
		"pg:///crm",                    // no table
		"pg://user:secret@tokens/crm",  // credentials
		"pg://db.example.com:5432/crm", // a libpq URL's host and port
		"pg://db.example.com/crm",      // three parts
		"pg://Tokens/crm",              // not lowercase
		"pg://tokens/crm?sslmode=disable",
		"pg://tokens/crm?",
		"pg://tokens/crm#x",
		"pg://tokens/with%20space",
		"pg://tokens/" + strings.Repeat("p", maxPrefixLen+1),
		"pg:tokens",
	} {
		u, err := url.Parse(bad)
		if err != nil {
			t.Fatal(err)
		}
		_, err = optionsOf(u)
		if !errors.Is(err, tokenstore.ErrBadURL) {
			t.Errorf("%s: got %v; want an error matching tokenstore.ErrBadURL", bad, err)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("%s: error %q shows the password", bad, err)
		}
	}
}

// TestOpenStore opens stores through tokenstore.OpenStore with the
// connection from the PG* variables: a table made with CreateTable works,
// a missing one fails at open as a bad URL, and a wrong password as
// something else, without showing it.
func TestOpenStore(t *testing.T) {
	pool := testPool(t)
	table := testTable(t, pool)
	ctx := context.Background()

	s, err := tokenstore.OpenStore(ctx, "pg://"+table+"/open/"+randHex(4), &tokenstore.OpenOptions{Pepper: []byte("a pepper of at least 16 bytes")})
	if err != nil {
		t.Fatalf("OpenStore: %v", err)
	}
	defer s.(io.Closer).Close()
	tok := fullToken("open", 1)
	if err := s.SaveToken(ctx, &tok); err != nil {
		t.Fatal(err)
	}
	if got, err := s.FindToken(ctx, tokenstore.Token{UserName: tok.UserName}); err != nil || !got.Equal(tok) {
		t.Errorf("FindToken: %v, %v; want %v", got, err, tok)
	}
	if err := s.DeleteTokens(ctx); err != nil {
		t.Fatal(err)
	}

	_, err = tokenstore.OpenStore(ctx, "pg://no_such_table_"+randHex(4)+"/x", nil)
	if !errors.Is(err, tokenstore.ErrBadURL) {
		t.Errorf("missing table: got %v; want an error matching tokenstore.ErrBadURL", err)
	}

	t.Setenv("PGPASSWORD", "wrong-"+os.Getenv("PGPASSWORD"))
	_, err = tokenstore.OpenStore(ctx, "pg://"+table+"/x", nil)
	switch {
	case err == nil:
		t.Error("wrong password: no error")
	case errors.Is(err, tokenstore.ErrBadURL):
		t.Errorf("wrong password: got %v; want an error that is not about the URL", err)
	case strings.Contains(err.Error(), os.Getenv("PGPASSWORD")):
		t.Errorf("wrong password: error %q shows it", err)
	}
}
