package cache

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tokenstore-go/tokenstore"
)

// fake is a minimal in-memory backend for the cache's unit tests. It
// follows the SaveToken algorithm of the contract, counts calls, and lets
// a test run code after an operation has read or written the records but
// before it returns: blocking there makes a slow load or a slow write.
type fake struct {
	mu   sync.Mutex
	recs map[string]tokenstore.Token

	finds, writes atomic.Int64

	hookMu sync.Mutex
	after  func(op string) // called with no lock held; may block
	fail   error           // if set, every find fails with it
}

func newFake() *fake { return &fake{recs: make(map[string]tokenstore.Token)} }

func (f *fake) setAfter(h func(op string)) {
	f.hookMu.Lock()
	f.after = h
	f.hookMu.Unlock()
}

func (f *fake) setFail(err error) {
	f.hookMu.Lock()
	f.fail = err
	f.hookMu.Unlock()
}

func (f *fake) hook(op string) error {
	f.hookMu.Lock()
	h, fail := f.after, f.fail
	f.hookMu.Unlock()
	if h != nil {
		h(op)
	}
	if op == opFind || op == opFindByID {
		return fail
	}
	return nil
}

func (f *fake) findKey(ctx context.Context, op string, k tokenstore.Key) (tokenstore.Token, error) {
	if err := ctx.Err(); err != nil {
		return tokenstore.Token{}, err
	}
	f.finds.Add(1)
	f.mu.Lock()
	t, ok := f.lookup(k)
	f.mu.Unlock()
	if err := f.hook(op); err != nil {
		return tokenstore.Token{}, err
	}
	// A real backend notices a cancellation during the call too.
	if err := ctx.Err(); err != nil {
		return tokenstore.Token{}, err
	}
	if !ok {
		return tokenstore.Token{}, tokenstore.ErrNotFound
	}
	return t, nil
}

// lookup returns the record k selects. The caller holds f.mu.
func (f *fake) lookup(k tokenstore.Key) (tokenstore.Token, bool) {
	for _, t := range f.recs {
		if k.Matches(t) {
			return t, true
		}
	}
	return tokenstore.Token{}, false
}

func (f *fake) FindToken(ctx context.Context, q tokenstore.Token) (tokenstore.Token, error) {
	k, err := tokenstore.Lookup(q)
	if err != nil {
		return tokenstore.Token{}, err
	}
	return f.findKey(ctx, opFind, k)
}

func (f *fake) FindTokenByID(ctx context.Context, id string) (tokenstore.Token, error) {
	return f.findKey(ctx, opFindByID, tokenstore.Key{Kind: tokenstore.KeyID, Value: id})
}

func (f *fake) SaveToken(ctx context.Context, t *tokenstore.Token) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := tokenstore.Validate(*t); err != nil {
		return err
	}
	f.mu.Lock()
	rec := *t
	if k, err := tokenstore.Lookup(*t); err == nil {
		if stored, ok := f.lookup(k); ok {
			rec = tokenstore.Merge(stored, *t)
		}
	}
	if rec.ID == "" {
		rec.ID = tokenstore.NewID()
	}
	if rec.UserName != "" {
		if other, ok := f.lookup(tokenstore.Key{Kind: tokenstore.KeyUserName, Value: rec.UserName}); ok && other.ID != rec.ID {
			f.mu.Unlock()
			return tokenstore.ErrDuplicate
		}
	}
	rec.Expiry = rec.Expiry.UTC()
	f.recs[rec.ID] = rec
	f.writes.Add(1)
	f.mu.Unlock()
	*t = rec
	return f.hook(opSave)
}

func (f *fake) DeleteToken(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := tokenstore.ValidateID(id); err != nil {
		return err
	}
	f.mu.Lock()
	_, ok := f.recs[id]
	delete(f.recs, id)
	f.writes.Add(1)
	f.mu.Unlock()
	if err := f.hook(opDelete); err != nil {
		return err
	}
	if !ok {
		return tokenstore.ErrNotFound
	}
	return nil
}

func (f *fake) GetTokens(ctx context.Context) ([]tokenstore.Token, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]tokenstore.Token, 0, len(f.recs))
	for _, t := range f.recs {
		out = append(out, t)
	}
	tokenstore.SortByID(out)
	return out, nil
}

func (f *fake) DeleteTokens(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f.mu.Lock()
	clear(f.recs)
	f.writes.Add(1)
	f.mu.Unlock()
	return f.hook(opDeleteAll)
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
	return s
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
