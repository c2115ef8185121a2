package vault

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/hashicorp/vault/api"
	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/driver"
)

// serverClient returns a client of srv that never retries, closing srv when
// the test ends.
func serverClient(t *testing.T, srv *httptest.Server) *api.Client {
	t.Helper()
	t.Cleanup(srv.Close)
	cfg := api.DefaultConfig()
	cfg.Address = srv.URL
	cfg.MaxRetries = 0
	c, err := api.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c.SetToken("test")
	return c
}

// noCallClient returns a client whose server fails the test on any request.
func noCallClient(t *testing.T) *api.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("unexpected request %s %s", r.Method, r.URL.Path)
		w.WriteHeader(http.StatusInternalServerError)
	}))
	c := serverClient(t, srv)
	return c
}

func TestNewOptions(t *testing.T) {
	c := noCallClient(t)
	tests := []struct {
		name string
		opts *Options
		ok   bool
	}{
		{"nil options", nil, true},
		{"v1 with mount and prefix", &Options{Mount: "kv1", KVVersion: KVv1, Prefix: "apps/crm"}, true},
		{"v2", &Options{KVVersion: KVv2}, true},
		{"version 3", &Options{KVVersion: 3}, false},
		{"prefix escapes", &Options{Prefix: "a/../../b"}, false},
		{"prefix with percent", &Options{Prefix: "%2e%2e"}, false},
		{"mount with space", &Options{Mount: "my kv"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := New(c, tt.opts)
			if (err == nil) != tt.ok {
				t.Fatalf("New: got error %v; want ok %v", err, tt.ok)
			}
			if err != nil && !strings.HasPrefix(err.Error(), "vault: ") {
				t.Errorf("error %q does not start with \"vault: \"", err)
			}
			if s != nil && s.layout.prefix == "" {
				t.Errorf("store has an empty prefix")
			}
		})
	}
	if _, err := New(nil, nil); err == nil {
		t.Error("New(nil client): got no error")
	}
}

func TestDefaults(t *testing.T) {
	for _, o := range []Options{{MaxAttempts: -1}, {RetryDelay: -1}, {MaxRetryDelay: -1}, {ReadParallelism: -1}} {
		if _, err := New(noCallClient(t), &o); err == nil || !strings.Contains(err.Error(), "negative") {
			t.Errorf("New(%+v): got %v; want an error about a negative option", o, err)
		}
	}
	s, err := New(noCallClient(t), &Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.layout.prefix != DefaultPrefix || s.parallel != DefaultReadParallelism {
		t.Errorf("prefix %q, parallelism %d; want the defaults", s.layout.prefix, s.parallel)
	}
	if k, ok := s.kv.(kvV2); !ok || k.mount != DefaultMount {
		t.Errorf("kv %#v; want KV v2 at %q", s.kv, DefaultMount)
	}
}

func TestFromEnvMakesNoRequest(t *testing.T) {
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { calls.Add(1) }))
	defer srv.Close()
	t.Setenv("VAULT_ADDR", srv.URL)
	t.Setenv("VAULT_TOKEN", "from-env")
	t.Setenv("VAULT_NAMESPACE", "team-a")
	s, err := FromEnv(context.Background(), &Options{Prefix: "x"})
	if err != nil {
		t.Fatalf("FromEnv: %v", err)
	}
	if s == nil || calls.Load() != 0 {
		t.Errorf("FromEnv made %d requests; want 0", calls.Load())
	}
}

// Input refused by the contract, a cancelled context and a record too large
// fail before any request.
func TestRefusedBeforeAnyRequest(t *testing.T) {
	s, err := New(noCallClient(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	ok := tokenstore.Token{UserName: "u", AccessToken: "at"}
	huge := ok
	huge.AccessToken = strings.Repeat("x", driver.MaxRecordSize)
	tests := []struct {
		name string
		call func() error
		want error
	}{
		{"FindTokenByID bad ID", func() error { _, err := s.FindTokenByID(ctx, "../x"); return err }, tokenstore.ErrInvalidToken},
		{"FindToken no key", func() error { _, err := s.FindToken(ctx, tokenstore.Token{}); return err }, tokenstore.ErrInvalidToken},
		{"FindToken bad ID", func() error { _, err := s.FindToken(ctx, tokenstore.Token{ID: "a/b"}); return err }, tokenstore.ErrInvalidToken},
		{"SaveToken nil", func() error { return s.SaveToken(ctx, nil) }, tokenstore.ErrInvalidToken},
		{"SaveToken no token", func() error { return s.SaveToken(ctx, &tokenstore.Token{UserName: "u"}) }, tokenstore.ErrInvalidToken},
		{"SaveToken too large", func() error { return s.SaveToken(ctx, &huge) }, tokenstore.ErrTooLarge},
		{"DeleteToken bad ID", func() error { return s.DeleteToken(ctx, "%2e%2e") }, tokenstore.ErrInvalidToken},
		{"FindToken cancelled", func() error { _, err := s.FindToken(cancelled, ok); return err }, context.Canceled},
		{"FindTokenByID cancelled", func() error { _, err := s.FindTokenByID(cancelled, "x"); return err }, context.Canceled},
		{"SaveToken cancelled", func() error { in := ok; return s.SaveToken(cancelled, &in) }, context.Canceled},
		{"DeleteToken cancelled", func() error { return s.DeleteToken(cancelled, "x") }, context.Canceled},
		{"GetTokens cancelled", func() error { _, err := s.GetTokens(cancelled); return err }, context.Canceled},
		{"DeleteTokens cancelled", func() error { return s.DeleteTokens(cancelled) }, context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v; want %v", err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "vault: ") {
				t.Errorf("error %q does not start with \"vault: \"", err)
			}
		})
	}
}
