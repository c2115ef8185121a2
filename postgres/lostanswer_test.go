package postgres

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/storetest"
)

// lostOp is one write operation on records a and b.
type lostOp struct {
	name string
	run  func(ctx context.Context, s *Store, a tokenstore.Token) error
	// want is record a after one run; ok false when a is gone.
	want func(a tokenstore.Token) (tokenstore.Token, bool)
}

var lostOps = []lostOp{
	{name: "Insert",
		run: func(ctx context.Context, s *Store, a tokenstore.Token) error {
			c := fullToken(a.ID, 3)
			return s.SaveToken(ctx, &c)
		}},
	{name: "NewAccessToken", // the hourly refresh: one key changes
		run: func(ctx context.Context, s *Store, a tokenstore.Token) error {
			u := tokenstore.Token{UserName: a.UserName, AccessToken: a.AccessToken + "-new", Expiry: a.Expiry.Add(time.Hour)}
			return s.SaveToken(ctx, &u)
		},
		want: func(a tokenstore.Token) (tokenstore.Token, bool) {
			a.AccessToken += "-new"
			a.Expiry = a.Expiry.Add(time.Hour)
			return a, true
		}},
	{name: "Rename", // by ID; the user name and refresh token change
		run: func(ctx context.Context, s *Store, a tokenstore.Token) error {
			u := tokenstore.Token{ID: a.ID, UserName: "moved-" + a.UserName, RefreshToken: a.RefreshToken + "-new"}
			return s.SaveToken(ctx, &u)
		},
		want: func(a tokenstore.Token) (tokenstore.Token, bool) {
			a.UserName = "moved-" + a.UserName
			a.RefreshToken += "-new"
			return a, true
		}},
	{name: "UpdateToken", // not idempotent: applied twice, it appends twice
		run: func(ctx context.Context, s *Store, a tokenstore.Token) error {
			_, err := s.UpdateToken(ctx, a.ID, func(r tokenstore.Record) (tokenstore.Record, error) {
				r.Token.APIDomain += "/x"
				return r, nil
			})
			return err
		},
		want: func(a tokenstore.Token) (tokenstore.Token, bool) { a.APIDomain += "/x"; return a, true }},
	{name: "DeleteToken",
		run:  func(ctx context.Context, s *Store, a tokenstore.Token) error { return s.DeleteToken(ctx, a.ID) },
		want: func(tokenstore.Token) (tokenstore.Token, bool) { return tokenstore.Token{}, false }},
}

// fullToken has every lookup key.
func fullToken(tag string, i int) tokenstore.Token {
	return tokenstore.Token{
		UserName:     fmt.Sprintf("user-%d-%s@example.com", i, tag),
		ClientID:     "1000.client",
		ClientSecret: "secret-cs",
		RefreshToken: fmt.Sprintf("secret-rt-%d-%s", i, tag),
		AccessToken:  fmt.Sprintf("secret-at-%d-%s", i, tag),
		GrantToken:   fmt.Sprintf("secret-gt-%d-%s", i, tag),
		Expiry:       time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC),
		APIDomain:    "https://www.zohoapis.com",
	}
}

// TestLostAnswer breaks the connection after the server applied each
// write of each operation in turn (lossyProxy) and checks that the
// operation succeeds as if nothing had happened and applies once: the
// statement is sent again, refused for its own first copy, and recognised
// (a record by its nonce, an entry by its target); an UpdateToken that
// took the refusal for a lost race would append twice.
func TestLostAnswer(t *testing.T) {
	direct := testPool(t)
	table := testTable(t, direct)
	cfg := direct.Config()
	proxy := newLossyProxy(t, net.JoinHostPort(cfg.ConnConfig.Host, strconv.Itoa(int(cfg.ConnConfig.Port))))
	lossy := testPool(t, func(c *pgxpool.Config) {
		c.ConnConfig.Host, c.ConnConfig.Port = "127.0.0.1", proxy.port()
		c.ConnConfig.TLSConfig, c.ConnConfig.Fallbacks = nil, nil // the proxy reads the protocol in clear
	})
	ctx := context.Background()
	for _, op := range lostOps {
		t.Run(op.name, func(t *testing.T) {
			w := newLostWorld(t, direct, lossy, table)
			proxy.arm(0)
			if err := op.run(ctx, w.lossy, w.a); err != nil {
				t.Fatalf("without a fault: %v", err)
			}
			writes, _ := proxy.seen()
			t.Logf("%s: %d writes", op.name, writes)
			for n := 1; n <= writes; n++ {
				t.Run(fmt.Sprintf("Write%d", n), func(t *testing.T) {
					w := newLostWorld(t, direct, lossy, table)
					proxy.arm(n)
					err := op.run(ctx, w.lossy, w.a)
					_, fired := proxy.seen()
					proxy.arm(0)
					if fired != 1 {
						t.Fatalf("the answer to write %d was lost %d times; want once", n, fired)
					}
					if err != nil {
						t.Fatalf("got %v; want success: the write was sent again and recognised", err)
					}
					w.check(t, op)
				})
			}
		})
	}
}

// lostWorld is a namespace of its own holding records a and b, with a
// store on the direct pool and one through the proxy.
type lostWorld struct {
	clean, lossy *Store
	a, b         tokenstore.Token
}

func newLostWorld(t *testing.T, direct, lossy *pgxpool.Pool, table string) *lostWorld {
	t.Helper()
	o := &Options{Table: table, Prefix: "lost/" + randHex(4), RetryDelay: time.Millisecond, MaxRetryDelay: 5 * time.Millisecond}
	w := &lostWorld{a: fullToken("l", 1), b: fullToken("l", 2)}
	var err error
	if w.clean, err = New(direct, o); err != nil {
		t.Fatal(err)
	}
	if w.lossy, err = New(lossy, o); err != nil {
		t.Fatal(err)
	}
	for _, p := range []*tokenstore.Token{&w.a, &w.b} {
		if err := w.clean.SaveToken(context.Background(), p); err != nil {
			t.Fatalf("seed: %v", err)
		}
	}
	t.Cleanup(func() {
		if err := w.clean.DeleteTokens(context.Background()); err != nil {
			t.Errorf("cleanup: %v", err)
		}
	})
	return w
}

// check verifies, through the direct pool, that op applied exactly once.
func (w *lostWorld) check(t *testing.T, op lostOp) {
	t.Helper()
	ctx := context.Background()
	all := storetest.WantCoherent(t, ctx, w.clean)
	if got, err := w.clean.FindTokenByID(ctx, w.b.ID); err != nil || !got.Equal(w.b) {
		t.Errorf("the other record: %v, %v; want it unchanged", got, err)
	}
	if op.want == nil { // Insert
		if len(all) != 3 {
			t.Errorf("%d records; want 3", len(all))
		}
		storetest.WantFound(t, ctx, w.clean, fullToken(w.a.ID, 3), "the inserted record")
		return
	}
	want, exists := op.want(w.a)
	got, err := w.clean.FindTokenByID(ctx, w.a.ID)
	switch {
	case !exists && !errors.Is(err, tokenstore.ErrNotFound):
		t.Errorf("record a after the delete: %v, %v; want not found", got, err)
	case exists && err != nil:
		t.Errorf("record a: %v", err)
	case exists && !got.Equal(want):
		t.Errorf("record a is %v; want %v (applied once)", got, want)
	}
}
