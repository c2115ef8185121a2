package kvstore_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/storetest"
)

// crashOp is one operation of the crash tests: run does it once (through
// store s, whose backend may fault), check verifies afterwards, with a
// healthy store, that it either happened or did not, and retry does it
// again and must succeed.
type crashOp struct {
	name  string
	run   func(ctx context.Context, s *fixture) error
	check func(t *testing.T, s *fixture)
}

// fixture is a namespace holding bystanders and a target record.
type fixture struct {
	m          *memKV
	bystanders []tokenstore.Token
	target     tokenstore.Token
}

func tok(i int, tag string) tokenstore.Token {
	return tokenstore.Token{
		ClientID: "client", ClientSecret: "secret", UserName: fmt.Sprintf("user-%d", i),
		AccessToken: fmt.Sprintf("1000.access-%s-%d", tag, i), RefreshToken: fmt.Sprintf("1000.refresh-%d", i),
		GrantToken: fmt.Sprintf("1000.grant-%d", i), Expiry: time.Unix(1_900_000_000, 0).UTC(),
	}
}

func newFixture(t *testing.T, scanned bool) *fixture {
	t.Helper()
	f := &fixture{m: newMemKV()}
	f.m.scanned[tokenstore.KeyAccessToken] = scanned
	e := newEngine(t, f.m)
	ctx := context.Background()
	for i := range 3 {
		b := tok(i, "a")
		if err := e.SaveToken(ctx, &b); err != nil {
			t.Fatal(err)
		}
		f.bystanders = append(f.bystanders, b)
	}
	f.target = tok(9, "a")
	if err := e.SaveToken(ctx, &f.target); err != nil {
		t.Fatal(err)
	}
	return f
}

var crashOps = []crashOp{
	{name: "Insert", run: func(ctx context.Context, f *fixture) error {
		n := tok(5, "a")
		return newEngineQuiet(f.m).SaveToken(ctx, &n)
	}, check: func(t *testing.T, f *fixture) {
		n := tok(5, "a")
		wantOneByUser(t, f, n.UserName)
	}},
	{name: "InsertByAccessToken", run: func(ctx context.Context, f *fixture) error {
		n := tokenstore.Token{AccessToken: "1000.access-only", Expiry: time.Unix(1_900_000_000, 0).UTC()}
		return newEngineQuiet(f.m).SaveToken(ctx, &n)
	}, check: func(t *testing.T, f *fixture) {
		all := list(t, f)
		n := 0
		for _, r := range all {
			if r.AccessToken == "1000.access-only" {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d records hold the access token; want 1", n)
		}
	}},
	saveOp("UpdateSameKeys", func(f *fixture) tokenstore.Token {
		return tokenstore.Token{UserName: f.target.UserName, AccessToken: "1000.access-new", Expiry: f.target.Expiry}
	}, func(got tokenstore.Token) bool { return got.AccessToken == "1000.access-new" }),
	saveOp("UpdateKeyChange", func(f *fixture) tokenstore.Token {
		return tokenstore.Token{UserName: f.target.UserName, RefreshToken: "1000.refresh-new", ClientID: "client", ClientSecret: "secret", Expiry: f.target.Expiry}
	}, func(got tokenstore.Token) bool { return got.RefreshToken == "1000.refresh-new" }),
	{name: "UpdateToken", run: func(ctx context.Context, f *fixture) error {
		_, err := newEngineQuiet(f.m).UpdateToken(ctx, f.target.ID, func(r tokenstore.Record) (tokenstore.Record, error) {
			r.Token.AccessToken = "1000.access-rmw"
			r.Token.RefreshToken = "1000.refresh-rmw"
			return r, nil
		})
		return err
	}, check: func(t *testing.T, f *fixture) {
		got := findID(t, f, f.target.ID)
		if got.AccessToken != "1000.access-rmw" || got.RefreshToken != "1000.refresh-rmw" {
			t.Errorf("after retry: record not updated")
		}
	}},
	{name: "DeleteToken", run: func(ctx context.Context, f *fixture) error {
		err := newEngineQuiet(f.m).DeleteToken(ctx, f.target.ID)
		if errors.Is(err, tokenstore.ErrNotFound) {
			return nil
		}
		return err
	}, check: func(t *testing.T, f *fixture) {
		if _, err := newEngineQuiet(f.m).FindTokenByID(context.Background(), f.target.ID); !errors.Is(err, tokenstore.ErrNotFound) {
			t.Errorf("after retry: FindTokenByID = %v; want ErrNotFound", err)
		}
		again := tok(9, "b")
		if err := newEngineQuiet(f.m).SaveToken(context.Background(), &again); err != nil {
			t.Errorf("saving the deleted user again: %v", err)
		}
		wantOneByUser(t, f, again.UserName)
	}},
	{name: "DeleteTokens", run: func(ctx context.Context, f *fixture) error {
		f.bystanders = nil // it may have deleted any of them
		return newEngineQuiet(f.m).DeleteTokens(ctx)
	}, check: func(t *testing.T, f *fixture) {
		if all := list(t, f); len(all) != 0 {
			t.Errorf("after retry: %d records left", len(all))
		}
		f.bystanders = nil
	}},
}

// saveOp is an update of the target record by SaveToken of in(f); updated
// tells whether the stored record shows it.
func saveOp(name string, in func(f *fixture) tokenstore.Token, updated func(tokenstore.Token) bool) crashOp {
	return crashOp{name: name, run: func(ctx context.Context, f *fixture) error {
		u := in(f)
		return newEngineQuiet(f.m).SaveToken(ctx, &u)
	}, check: func(t *testing.T, f *fixture) {
		if !updated(findID(t, f, f.target.ID)) {
			t.Errorf("after retry: record not updated")
		}
	}}
}

// TestCrashAtEveryCall runs each operation with each fault at each of its
// calls, then checks with a healthy store that nothing was lost, doubled
// or left dangling, that the operation returned within its deadline, and
// that running it again succeeds with no wait on a clock.
func TestCrashAtEveryCall(t *testing.T) {
	const deadline = 50 * time.Millisecond
	for _, scanned := range []bool{false, true} {
		for _, op := range crashOps {
			// Count the calls the operation makes without a fault.
			f := newFixture(t, scanned)
			before, _ := f.m.count()
			if err := op.run(context.Background(), f); err != nil {
				t.Fatalf("%s without fault: %v", op.name, err)
			}
			after, _ := f.m.count()
			n := after - before
			for _, fk := range []fault{failBefore, loseAnswer, stall, applyStall} {
				for at := 1; at <= n; at++ {
					name := fmt.Sprintf("%s/scanned=%v/%s/call%d", op.name, scanned, fk, at)
					t.Run(name, func(t *testing.T) {
						f := newFixture(t, scanned)
						f.m.arm(at, fk)
						ctx, cancel := context.WithTimeout(context.Background(), deadline)
						start := time.Now()
						_ = op.run(ctx, f)
						took := time.Since(start)
						cancel()
						if faulted, _ := f.m.disarm(); !faulted {
							return // the faulted run took another path with fewer calls
						}
						if took > deadline+50*time.Millisecond {
							t.Errorf("returned after %v; deadline %v", took, deadline)
						}
						wantConsistent(t, f)
						if err := op.run(context.Background(), f); err != nil {
							t.Fatalf("running it again: %v", err)
						}
						op.check(t, f)
						wantConsistent(t, f)
					})
				}
			}
		}
	}
}

// newEngineQuiet is newEngine for code without a testing.TB at hand.
func newEngineQuiet(m *memKV) interface {
	tokenstore.Store
	tokenstore.Updater
} {
	e, err := newEngineErr(m)
	if err != nil {
		panic(err)
	}
	return e
}

// wantConsistent checks the namespace from a healthy store: every reader
// sees one record per user name and each listed record by every key
// (storetest.WantCoherent), and the bystanders are intact.
func wantConsistent(t *testing.T, f *fixture) {
	t.Helper()
	ctx := context.Background()
	s := newEngineQuiet(f.m)
	storetest.WantCoherent(t, ctx, s)
	for _, b := range f.bystanders {
		storetest.WantFound(t, ctx, s, b, "bystander")
	}
}

func list(t *testing.T, f *fixture) []tokenstore.Token {
	t.Helper()
	all, err := newEngineQuiet(f.m).GetTokens(context.Background())
	if err != nil {
		t.Fatalf("GetTokens: %v", err)
	}
	return all
}

func findID(t *testing.T, f *fixture, id string) tokenstore.Token {
	t.Helper()
	got, err := newEngineQuiet(f.m).FindTokenByID(context.Background(), id)
	if err != nil {
		t.Fatalf("FindTokenByID: %v", err)
	}
	return got
}

func wantOneByUser(t *testing.T, f *fixture, user string) {
	t.Helper()
	n := 0
	for _, r := range list(t, f) {
		if r.UserName == user {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d records hold user %s; want 1", n, user)
	}
}
