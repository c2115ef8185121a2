package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/awssm"
	"github.com/tokenstore-go/tokenstore/examples/lambda/fakeoauth"
)

// localStack returns a store on the LocalStack at AWS_ENDPOINT_URL under a
// prefix of its own, or skips (fails with TOKENSTORE_INTEGRATION=required).
func localStack(t testing.TB, prefix string) *awssm.Store {
	t.Helper()
	if os.Getenv("AWS_ENDPOINT_URL") == "" {
		if os.Getenv("TOKENSTORE_INTEGRATION") == "required" {
			t.Fatal("TOKENSTORE_INTEGRATION=required but AWS_ENDPOINT_URL is not set")
		}
		t.Skip("AWS_ENDPOINT_URL is not set: no LocalStack to run the example against")
	}
	for k, v := range map[string]string{"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"} {
		if os.Getenv(k) == "" {
			t.Setenv(k, v)
		}
	}
	s, err := awssm.FromEnv(context.Background(), &awssm.Options{Prefix: prefix, ForceDelete: true})
	if err != nil {
		t.Fatalf("awssm.FromEnv: %v", err)
	}
	return s
}

func uniquePrefix(t *testing.T) string {
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "tokenstore-example-test/" + hex.EncodeToString(b) + "/"
}

// fixture is the example wired to LocalStack and a fake OAuth server, with
// a clock the test moves.
type fixture struct {
	fake   *fakeoauth.Server
	store  *awssm.Store
	prefix string
	mu     sync.Mutex
	now    time.Time
	h      *Handler
}

func newFixture(t *testing.T, rotate bool) *fixture {
	t.Helper()
	f := &fixture{
		fake: &fakeoauth.Server{ClientID: "example-client", ClientSecret: "example-secret", RotateRefreshTokens: rotate},
		now:  time.Now(),
	}
	f.prefix = uniquePrefix(t)
	f.store = localStack(t, f.prefix)
	t.Cleanup(func() { _ = f.store.DeleteTokens(context.Background()) })
	srv := httptest.NewServer(f.fake.Handler())
	t.Cleanup(srv.Close)
	f.h = f.handler(srv.URL, f.store)
	return f
}

func (f *fixture) handler(url string, store tokenstore.Store) *Handler {
	return &Handler{
		Store: store,
		OAuth: oauth2.Config{
			ClientID: f.fake.ClientID, ClientSecret: f.fake.ClientSecret,
			Endpoint: oauth2.Endpoint{TokenURL: url + "/oauth/v2/token", AuthStyle: oauth2.AuthStyleInParams},
		},
		APIURL:          url + "/api/me",
		AllowAPIDomains: []string{url},
		Now: func() time.Time {
			f.mu.Lock()
			defer f.mu.Unlock()
			return f.now
		},
	}
}

func (f *fixture) advance(d time.Duration) {
	f.mu.Lock()
	f.now = f.now.Add(d)
	f.mu.Unlock()
}

const user = "alice@example.com"

func TestHandlerRefreshesAndSaves(t *testing.T) {
	f := newFixture(t, false) // Zoho's refresh tokens do not rotate
	ctx := context.Background()
	var out bytes.Buffer
	if err := runLocal(ctx, f.h, []string{"seed", "-user", user, "-refresh-token", "rt-seeded"}, &out); err != nil {
		t.Fatalf("seed: %v", err)
	}

	// First invocation: no access token yet, so it refreshes, saves, calls.
	r, err := f.h.Handle(ctx, Event{User: user})
	if err != nil || !r.Refreshed || r.APIStatus != 200 {
		t.Fatalf("first invocation: %+v, %v; want a refresh and API status 200", r, err)
	}
	stored, err := f.store.FindToken(ctx, tokenstore.Token{UserName: user})
	if err != nil || stored.AccessToken == "" || stored.RefreshToken != "rt-seeded" || !stored.Expiry.Equal(r.Expiry) {
		t.Fatalf("stored after refresh: %v, %v; want the new access token and expiry, the refresh token kept", stored, err)
	}

	// Second: the stored token is fresh, so no refresh.
	r, err = f.h.Handle(ctx, Event{User: user})
	if err != nil || r.Refreshed || r.APIStatus != 200 || f.fake.Refreshes() != 1 {
		t.Fatalf("second invocation: %+v, %v, %d refreshes; want no refresh", r, err, f.fake.Refreshes())
	}

	// An hour later: expired, refreshed again.
	f.advance(time.Hour)
	r, err = f.h.Handle(ctx, Event{User: user})
	if err != nil || !r.Refreshed || r.APIStatus != 200 || f.fake.Refreshes() != 2 {
		t.Fatalf("after expiry: %+v, %v, %d refreshes; want a second refresh", r, err, f.fake.Refreshes())
	}
	again, err := f.store.FindToken(ctx, tokenstore.Token{UserName: user})
	if err != nil || again.AccessToken == stored.AccessToken || again.ID != stored.ID {
		t.Fatalf("stored after the second refresh: %v, %v; want a new access token in the same record", again, err)
	}
}

// TestConcurrentColdStarts runs four "Lambda instances" (handlers with
// stores of their own on one prefix) on one expired token at once: one
// refresh between them.
func TestConcurrentColdStarts(t *testing.T) {
	f := newFixture(t, false)
	ctx := context.Background()
	seed := tokenstore.Token{UserName: user, RefreshToken: "rt-seeded", ClientID: f.fake.ClientID, ClientSecret: f.fake.ClientSecret}
	if err := f.store.SaveToken(ctx, &seed); err != nil {
		t.Fatalf("seed: %v", err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		h := *f.h
		h.Store = localStack(t, f.prefix)
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := h.Handle(ctx, Event{User: user})
			if err == nil && r.APIStatus != 200 {
				err = &statusError{r.APIStatus}
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("invocation: %v", err)
		}
	}
	all, err := f.store.GetTokens(ctx)
	if err != nil || len(all) != 1 || all[0].ID != seed.ID || all[0].AccessToken == "" {
		t.Fatalf("after concurrent refreshes: %d records, %v; want the one seeded record with an access token", len(all), err)
	}
	if n := f.fake.Refreshes(); n != 1 {
		t.Fatalf("4 concurrent instances made %d refreshes; want 1", n)
	}
}

type statusError struct{ code int }

func (e *statusError) Error() string { return "API status " + http.StatusText(e.code) }

func TestLocalInvokeCommand(t *testing.T) {
	f := newFixture(t, true)
	ctx := context.Background()
	var out bytes.Buffer
	if err := runLocal(ctx, f.h, []string{"invoke", `{"user":"nobody@example.com"}`}, &out); err == nil || !strings.Contains(err.Error(), "seed") {
		t.Fatalf("invoke for an unknown user: %v; want the advice to seed", err)
	}
	if err := runLocal(ctx, f.h, []string{"seed", "-user", user, "-refresh-token", "rt-1"}, &out); err != nil {
		t.Fatalf("seed: %v", err)
	}
	out.Reset()
	if err := runLocal(ctx, f.h, []string{"invoke", `{"user":"` + user + `"}`}, &out); err != nil {
		t.Fatalf("invoke: %v", err)
	}
	var r Response
	if err := json.Unmarshal(out.Bytes(), &r); err != nil || !r.Refreshed || r.APIStatus != 200 {
		t.Fatalf("invoke printed %s (%v); want a refreshed token and status 200", out.String(), err)
	}
	if strings.Contains(out.String(), "at-") || strings.Contains(out.String(), "rt-") {
		t.Fatalf("invoke output shows a token: %s", out.String())
	}
}
