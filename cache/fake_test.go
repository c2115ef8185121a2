package cache

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/memstore"
)

// fake is the backend of the cache's unit tests: a memstore that counts
// finds and lets a test run code after an operation has read or written the
// records but before it returns. Blocking there makes a slow load or a slow
// write.
type fake struct {
	*memstore.Store

	finds atomic.Int64

	mu    sync.Mutex
	after func(op string) // called after the backend call; may block
	fail  error           // if set, every find fails with it
}

func newFake() *fake { return &fake{Store: memstore.New(nil)} }

func (f *fake) setAfter(h func(op string)) {
	f.mu.Lock()
	f.after = h
	f.mu.Unlock()
}

func (f *fake) setFail(err error) {
	f.mu.Lock()
	f.fail = err
	f.mu.Unlock()
}

// hook runs the test's code for op and returns the error op must fail
// with, if any.
func (f *fake) hook(ctx context.Context, op string) error {
	f.mu.Lock()
	h, fail := f.after, f.fail
	f.mu.Unlock()
	if h != nil {
		h(op)
	}
	if fail != nil && (op == opFind || op == opFindByID) {
		return fail
	}
	// A real backend notices a cancellation during the call too.
	return ctx.Err()
}

func (f *fake) FindToken(ctx context.Context, q tokenstore.Token) (tokenstore.Token, error) {
	f.finds.Add(1)
	t, err := f.Store.FindToken(ctx, q)
	if herr := f.hook(ctx, opFind); herr != nil {
		return tokenstore.Token{}, herr
	}
	return t, err
}

func (f *fake) FindTokenByID(ctx context.Context, id string) (tokenstore.Token, error) {
	f.finds.Add(1)
	t, err := f.Store.FindTokenByID(ctx, id)
	if herr := f.hook(ctx, opFindByID); herr != nil {
		return tokenstore.Token{}, herr
	}
	return t, err
}

func (f *fake) SaveToken(ctx context.Context, t *tokenstore.Token) error {
	err := f.Store.SaveToken(ctx, t)
	if herr := f.hook(ctx, opSave); herr != nil && err == nil {
		return herr
	}
	return err
}

func (f *fake) DeleteToken(ctx context.Context, id string) error {
	err := f.Store.DeleteToken(ctx, id)
	if herr := f.hook(ctx, opDelete); herr != nil && err == nil {
		return herr
	}
	return err
}

func (f *fake) DeleteTokens(ctx context.Context) error {
	err := f.Store.DeleteTokens(ctx)
	if herr := f.hook(ctx, opDeleteAll); herr != nil && err == nil {
		return herr
	}
	return err
}

// clock is a settable time source for Options.Now.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// newCache returns a cache over f with jitter off and the clock c, after
// applying the test's option changes.
func newCache(t *testing.T, f tokenstore.Store, c *clock, edit func(*Options)) *Store {
	t.Helper()
	o := &Options{Jitter: -1, Now: c.Now}
	if edit != nil {
		edit(o)
	}
	s, err := New(f, o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return storeOf(s)
}

// storeOf returns the *Store that New returned or wrapped.
func storeOf(c Cache) *Store {
	if p, ok := c.(plain); ok {
		return p.s
	}
	return c.(*Store)
}

// tok returns a complete record for user i, expiring an hour after c's now.
func tok(c *clock, i int) tokenstore.Token {
	u := string(rune('a' + i))
	return tokenstore.Token{
		UserName:     "user-" + u + "@example.com",
		ClientID:     "1000.client-" + u,
		ClientSecret: "secret-cs-" + u,
		RefreshToken: "secret-rt-" + u,
		AccessToken:  "secret-at-" + u,
		GrantToken:   "secret-gt-" + u,
		Expiry:       c.Now().Add(time.Hour),
		APIDomain:    "https://www.zohoapis.com",
	}
}

// seed stores tok in f directly, as another instance would, and returns
// the stored record.
func seed(t *testing.T, f *fake, tok tokenstore.Token) tokenstore.Token {
	t.Helper()
	if err := f.SaveToken(context.Background(), &tok); err != nil {
		t.Fatalf("seed SaveToken: %v", err)
	}
	return tok
}

// queries returns a query for each lookup key of tok.
func queries(tok tokenstore.Token) []tokenstore.Token {
	return []tokenstore.Token{
		{ID: tok.ID},
		{UserName: tok.UserName},
		{AccessToken: tok.AccessToken},
		{GrantToken: tok.GrantToken, ClientID: tok.ClientID, ClientSecret: tok.ClientSecret},
		{RefreshToken: tok.RefreshToken, ClientID: tok.ClientID, ClientSecret: tok.ClientSecret},
	}
}

func mustFind(t *testing.T, s tokenstore.Store, q tokenstore.Token) tokenstore.Token {
	t.Helper()
	got, err := s.FindToken(context.Background(), q)
	if err != nil {
		t.Fatalf("FindToken: %v", err)
	}
	return got
}

func wantNotFound(t *testing.T, s tokenstore.Store, q tokenstore.Token) {
	t.Helper()
	_, err := s.FindToken(context.Background(), q)
	if !errors.Is(err, tokenstore.ErrNotFound) {
		t.Fatalf("FindToken: got error %v; want ErrNotFound", err)
	}
}

func wantSame(t *testing.T, what string, got, want tokenstore.Token) {
	t.Helper()
	if got.ID != want.ID || got.UserName != want.UserName || got.AccessToken != want.AccessToken ||
		got.RefreshToken != want.RefreshToken || got.GrantToken != want.GrantToken ||
		got.ClientID != want.ClientID || got.ClientSecret != want.ClientSecret ||
		!got.Expiry.Equal(want.Expiry) || got.APIDomain != want.APIDomain || got.RedirectURL != want.RedirectURL {
		t.Fatalf("%s: got %v; want %v", what, got, want)
	}
}

func wantFinds(t *testing.T, f *fake, want int64) {
	t.Helper()
	if got := f.finds.Load(); got != want {
		t.Fatalf("backend finds: got %d; want %d", got, want)
	}
}
