package storetest

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/tokenstore-go/tokenstore"
)

// Sizes of the concurrency cases.
const (
	writersPerStore = 32
	distinctUsers   = 200
	maxRetries      = 20
)

// saveRetrying saves like a careful caller: it retries ErrConflict, which a
// store returns only when it wrote nothing.
func saveRetrying(e *env, s tokenstore.Store, tok *tokenstore.Token) error {
	var err error
	for range maxRetries {
		in := *tok
		if err = s.SaveToken(e.ctx, &in); !errors.Is(err, tokenstore.ErrConflict) {
			*tok = in
			return err
		}
	}
	return err
}

// hammer runs f(store, i) for i in [0, n) on each of two store values of the
// case's namespace at once, and fails the test on the first error.
func hammer(t *testing.T, e *env, n int, f func(s tokenstore.Store, i int) error) {
	t.Helper()
	stores := []tokenstore.Store{e.s, e.peer(t)}
	var wg sync.WaitGroup
	errs := make(chan error, n*len(stores))
	start := make(chan struct{})
	for si, s := range stores {
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				if err := f(s, si*n+i); err != nil {
					errs <- err
				}
			}()
		}
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("concurrent call: %v", err)
	}
}

// sameKeyCase makes 2×writersPerStore concurrent saves of key, each with an
// access token of its own, and checks they left exactly one record, which
// key finds.
func sameKeyCase(t *testing.T, e *env, key tokenstore.Token) {
	t.Helper()
	var mu sync.Mutex
	ids := make(map[string]bool)
	written := make(map[string]bool)
	hammer(t, e, writersPerStore, func(s tokenstore.Store, i int) error {
		tok := key
		tok.AccessToken = fmt.Sprintf("secret-at-%s-%d", e.tag, i)
		if err := saveRetrying(e, s, &tok); err != nil {
			return err
		}
		mu.Lock()
		ids[tok.ID] = true
		written[tok.AccessToken] = true
		mu.Unlock()
		return nil
	})
	all := list(t, e, e.s)
	if len(all) != 1 || len(ids) != 1 {
		t.Fatalf("concurrent saves of one key left %d records and returned %d IDs; want 1 and 1", len(all), len(ids))
	}
	got := find(t, e, e.s, key)
	if got.ID != all[0].ID || !written[got.AccessToken] {
		t.Fatalf("record %v is not the result of any of the saves", got)
	}
}

var concurrencyCases = []testCase{
	{"Concurrency/SameUserOneRecord", func(t *testing.T, e *env) {
		b := e.token(1)
		sameKeyCase(t, e, tokenstore.Token{UserName: b.UserName, ClientID: b.ClientID, ClientSecret: b.ClientSecret, RefreshToken: b.RefreshToken})
	}, true},
	{"Concurrency/SameRefreshTokenOneRecord", func(t *testing.T, e *env) {
		b := e.token(1)
		sameKeyCase(t, e, tokenstore.Token{ClientID: b.ClientID, ClientSecret: b.ClientSecret, RefreshToken: b.RefreshToken})
	}, true},
	{"Concurrency/SameGrantTokenOneRecord", func(t *testing.T, e *env) {
		b := e.token(1)
		sameKeyCase(t, e, tokenstore.Token{ClientID: b.ClientID, ClientSecret: b.ClientSecret, GrantToken: b.GrantToken})
	}, true},
	{"Concurrency/DistinctUsers", func(t *testing.T, e *env) {
		hammer(t, e, distinctUsers/2, func(s tokenstore.Store, i int) error {
			tok := e.token(i)
			return saveRetrying(e, s, &tok)
		})
		all := list(t, e, e.s)
		if len(all) != distinctUsers {
			t.Fatalf("GetTokens after %d concurrent saves of distinct users: %d records", distinctUsers, len(all))
		}
		for _, i := range []int{0, distinctUsers / 2, distinctUsers - 1} {
			want := e.token(i)
			got := find(t, e, e.s, tokenstore.Token{UserName: want.UserName})
			want.ID = got.ID
			wantToken(t, "FindToken", got, want)
		}
	}, true},
	{"Concurrency/NoLostUpdate", func(t *testing.T, e *env) {
		want := save(t, e, e.s, e.token(1))
		stores := []tokenstore.Store{e.s, e.peer(t)}
		for round := range 3 {
			n := e.token(100 + round)
			// Each update sets one field, keyed by a key no update changes;
			// they run at once, alternating between the two store values.
			updates := []tokenstore.Token{
				{UserName: want.UserName, AccessToken: n.AccessToken},
				{ID: want.ID, RefreshToken: n.RefreshToken},
				{UserName: want.UserName, GrantToken: n.GrantToken},
				{ID: want.ID, ClientSecret: n.ClientSecret, AccessToken: n.AccessToken},
				{UserName: want.UserName, Expiry: n.Expiry, AccessToken: n.AccessToken},
				{ID: want.ID, APIDomain: "https://api-" + n.AccessToken + ".example.com", AccessToken: n.AccessToken},
				{UserName: want.UserName, RedirectURL: "https://cb-" + n.AccessToken + ".example.com", AccessToken: n.AccessToken},
			}
			var wg sync.WaitGroup
			errs := make(chan error, len(updates))
			for j, u := range updates {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs <- saveRetrying(e, stores[j%2], &u)
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatalf("concurrent SaveToken: %v", err)
				}
			}
			for _, u := range updates {
				want = tokenstore.Merge(want, u)
			}
			wantToken(t, fmt.Sprintf("round %d: record after concurrent field updates (lost update)", round),
				find(t, e, e.s, tokenstore.Token{ID: want.ID}), want)
		}
	}, true},
	{"Concurrency/SaveAndDelete", func(t *testing.T, e *env) {
		base := e.token(1)
		hammer(t, e, 8, func(s tokenstore.Store, i int) error {
			for j := range 4 {
				tok := base
				tok.AccessToken = fmt.Sprintf("secret-at-%s-%d-%d", e.tag, i, j)
				tok.APIDomain = "https://" + tok.AccessToken + ".example.com"
				if err := saveRetrying(e, s, &tok); err != nil {
					return err
				}
				if (i+j)%2 == 0 {
					err := s.DeleteToken(e.ctx, tok.ID)
					if err != nil && !errors.Is(err, tokenstore.ErrNotFound) && !errors.Is(err, tokenstore.ErrConflict) {
						return err
					}
				}
			}
			return nil
		})
		all := list(t, e, e.s)
		if len(all) > 1 {
			t.Fatalf("save/delete race left %d records for one user; want at most 1", len(all))
		}
		got, err := e.s.FindToken(e.ctx, tokenstore.Token{UserName: base.UserName})
		if len(all) == 0 {
			wantErr(t, "FindToken after race", err, tokenstore.ErrNotFound, base)
			return
		}
		if err != nil {
			t.Fatalf("FindToken after race: %v; GetTokens has the record", err)
		}
		wantToken(t, "FindToken after race", got, all[0])
		if !strings.Contains(got.APIDomain, got.AccessToken) {
			t.Fatalf("torn record: APIDomain and AccessToken come from different saves")
		}
	}, true},
	{"Concurrency/ReadersSeeWholeRecords", func(t *testing.T, e *env) {
		base := e.token(1)
		// Every version of the record, this first one included, has an
		// APIDomain made from its access token, so a mix is detectable.
		base.APIDomain = "https://" + base.AccessToken + ".example.com"
		base = save(t, e, e.s, base)
		var wg sync.WaitGroup
		stop := make(chan struct{})
		torn := make(chan string, 1)
		r := e.peer(t)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				got, err := r.FindToken(e.ctx, tokenstore.Token{UserName: base.UserName})
				if err == nil && !strings.Contains(got.APIDomain, got.AccessToken) {
					select {
					case torn <- got.ID:
					default:
					}
				}
			}
		}()
		for i := range 20 {
			tok := tokenstore.Token{UserName: base.UserName, AccessToken: fmt.Sprintf("secret-at-%s-w%d", e.tag, i)}
			tok.APIDomain = "https://" + tok.AccessToken + ".example.com"
			if err := saveRetrying(e, e.s, &tok); err != nil {
				close(stop)
				wg.Wait()
				t.Fatalf("SaveToken: %v", err)
			}
		}
		close(stop)
		wg.Wait()
		select {
		case <-torn:
			t.Fatal("a reader saw a record whose fields came from two different saves")
		default:
		}
	}, true},
}
