package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/driver"
)

// ops calls each of the six operations with ctx and returns their errors.
func ops(ctx context.Context, s tokenstore.Store, a tokenstore.Token, in tokenstore.Token) map[string]error {
	errs := make(map[string]error)
	_, errs["FindToken"] = s.FindToken(ctx, tokenstore.Token{UserName: a.UserName})
	_, errs["FindTokenByID"] = s.FindTokenByID(ctx, a.ID)
	_, errs["GetTokens"] = s.GetTokens(ctx)
	errs["SaveToken"] = s.SaveToken(ctx, &in)
	errs["DeleteToken"] = s.DeleteToken(ctx, a.ID)
	errs["DeleteTokens"] = s.DeleteTokens(ctx)
	return errs
}

func contextCase(t *testing.T, e *env, ctx context.Context, want error) {
	t.Helper()
	a := save(t, e, e.s, e.token(1))
	in := e.token(2)
	for op, err := range ops(ctx, e.s, a, in) {
		if !errors.Is(err, want) {
			t.Errorf("%s: got error %v; want %v", op, err, want)
		}
		noLeak(t, op, err, a, in)
	}
	// Nothing was written or removed.
	wantIDs(t, "GetTokens", list(t, e, e.s), a.ID)
	wantToken(t, "record", find(t, e, e.s, tokenstore.Token{ID: a.ID}), a)
}

var contextCases = []testCase{
	{"Context/Cancelled", func(t *testing.T, e *env) {
		ctx, cancel := context.WithCancel(e.ctx)
		cancel()
		contextCase(t, e, ctx, context.Canceled)
	}, false},
	{"Context/DeadlineExceeded", func(t *testing.T, e *env) {
		ctx, cancel := context.WithDeadline(e.ctx, time.Unix(1, 0))
		defer cancel()
		contextCase(t, e, ctx, context.DeadlineExceeded)
	}, false},
}

var readCases = []testCase{
	{"Reads/NeverWrite", func(t *testing.T, e *env) {
		if e.h.Writes == nil {
			t.Skip("Harness.Writes is not set: this store does not count its backend writes")
		}
		a := save(t, e, e.s, e.token(1))
		save(t, e, e.s, e.token(2))
		r := e.peer(t)
		before := e.h.Writes(r)
		x := e.token(9)
		for _, q := range append(queries(a), queries(x)...) {
			_, _ = r.FindToken(e.ctx, q)
		}
		_, _ = r.FindToken(e.ctx, tokenstore.Token{})
		_, _ = r.FindTokenByID(e.ctx, a.ID)
		_, _ = r.FindTokenByID(e.ctx, tokenstore.NewID())
		_, _ = r.GetTokens(e.ctx)
		if got := e.h.Writes(r) - before; got != 0 {
			t.Fatalf("reads made %d backend writes; want 0", got)
		}
		// The counter must count: one save is at least one write.
		save(t, e, r, e.token(3))
		if e.h.Writes(r) == before {
			t.Fatal("Harness.Writes did not move after a save; it counts nothing")
		}
	}, false},
	{"Reads/DanglingNothing", func(t *testing.T, e *env) {
		// After a sequence of key changes and deletes, every query either
		// finds the record that holds the key or misses: never another one.
		a := save(t, e, e.s, e.token(1))
		b := save(t, e, e.s, e.token(2))
		old := a
		a = save(t, e, e.s, tokenstore.Token{ID: a.ID, UserName: "renamed-" + e.tag, RefreshToken: "secret-rt-r-" + e.tag})
		if err := e.s.DeleteToken(e.ctx, b.ID); err != nil {
			t.Fatalf("DeleteToken: %v", err)
		}
		for _, q := range append(queries(old), queries(b)...) {
			got, err := e.s.FindToken(e.ctx, q)
			if err == nil {
				k, _ := tokenstore.Lookup(q)
				if !driver.Matches(k, got) {
					t.Fatalf("FindToken by %v returned a record that does not hold that key", k)
				}
				continue
			}
			wantErr(t, "FindToken(stale key)", err, tokenstore.ErrNotFound, old, b)
		}
	}, false},
}
