package vault

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/hashicorp/vault/api"

	"github.com/tokenstore-go/tokenstore"
)

// Malformed vault:// URLs fail before any request.
func TestOpenURLRefusesBeforeAnyRequest(t *testing.T) {
	var calls atomic.Int64
	hc := &http.Client{Transport: roundTrip(func(*http.Request) (*http.Response, error) {
		calls.Add(1)
		return nil, errors.New("no request expected")
	})}
	t.Setenv("VAULT_ADDR", "http://127.0.0.1:1")
	for _, tt := range []struct{ url, want string }{
		{"vault://", "no mount"},
		{"vault:///apps/crm", "no mount"},
		{"vault://secret:8200/apps", "has a ':'"},
		{"vault://secret/apps?kv=3", `kv="3": want a whole number from 1 to 2`},
		{"vault://secret/apps?kv=two", `kv="two"`},
		{"vault://secret/apps?kv=", `"kv" has no value`},
		{"vault://secret/apps?kv=2;cas=true", "not ';'"},
		{"vault://secret/apps?kv=1&kv=2", "given 2 times"},
		{"vault://secret/apps?token=s.x", `unknown parameter "token" (allowed: kv, index-access-tokens)`},
		{"vault://secret/apps?index-access-tokens=maybe", `index-access-tokens`},
		{"vault://secret/apps?namespace=a", `unknown parameter "namespace"`},
		{"vault://secret/../apps", "'.' or '..' segment"},
		{"vault://secret/a//b", "empty, '.' or '..' segment"},
		{"vault://secret/a%21b", "character other than"},
		{"vault://s!/apps", "character other than"},
		{"vault:secret/apps", "want vault://"},
		{"vault://u:p@secret/apps", "holds no credentials"},
	} {
		u, err := url.Parse(tt.url)
		if err != nil {
			t.Fatalf("%q: %v", tt.url, err)
		}
		_, err = OpenURL(context.Background(), u, &tokenstore.OpenOptions{HTTPClient: hc})
		if !errors.Is(err, tokenstore.ErrBadURL) || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "vault: open: ") {
			t.Errorf("OpenURL(%q) = %v; want an ErrBadURL saying %q", tt.url, err, tt.want)
		}
	}
	if calls.Load() != 0 {
		t.Errorf("%d requests; want 0", calls.Load())
	}
}

// TestOptionsOfIndexAccessTokens: the URL sets Options.IndexAccessTokens.
func TestOptionsOfIndexAccessTokens(t *testing.T) {
	for raw, want := range map[string]bool{
		"vault://secret/apps":                           false,
		"vault://secret/apps?index-access-tokens=true":  true,
		"vault://secret/apps?index-access-tokens=false": false,
	} {
		u, _ := url.Parse(raw)
		o, err := optionsOf(u)
		if err != nil || o.IndexAccessTokens != want {
			t.Errorf("optionsOf(%q) = %+v, %v; want IndexAccessTokens %v", raw, o, err, want)
		}
	}
}

type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// realVault returns the address and a client with the token of VAULT_ADDR
// and VAULT_TOKEN, or skips.
func realVault(t *testing.T) (string, *api.Client) {
	t.Helper()
	addr, token := os.Getenv("VAULT_ADDR"), os.Getenv("VAULT_TOKEN")
	if addr == "" || token == "" {
		t.Skip(`VAULT_ADDR or VAULT_TOKEN is not set: no real Vault (scripts/testenv.sh up; eval "$(scripts/testenv.sh env)")`)
	}
	return addr, testClient(t, addr, token)
}

// policyToken returns a token holding only Policy(opts), not even default.
func policyToken(t *testing.T, root *api.Client, opts *Options) string {
	t.Helper()
	ctx := context.Background()
	p, err := Policy(opts)
	if err != nil {
		t.Fatal(err)
	}
	name := "tsurl-" + randomHex(4)
	if err := root.Sys().PutPolicyWithContext(ctx, name, p); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = root.Sys().DeletePolicyWithContext(context.Background(), name) })
	s, err := root.Auth().Token().CreateWithContext(ctx, &api.TokenCreateRequest{
		Policies: []string{name}, NoDefaultPolicy: true, TTL: "10m"})
	if err != nil {
		t.Fatal(err)
	}
	return s.Auth.ClientToken
}

// TestOpenURLChecksTheMount opens URLs against the real Vault with a root
// token and with a token holding only Policy: a missing mount, a mount of
// another engine and a KV version other than kv= fail at open, naming
// VAULT_ADDR and the mount; the rest open a store that works.
func TestOpenURLChecksTheMount(t *testing.T) {
	addr, root := realVault(t)
	v1 := "tsurl-v1-" + randomHex(4)
	mountKV(t, root, v1, 1, true)
	transit := "tsurl-transit-" + randomHex(4)
	if err := root.Sys().MountWithContext(context.Background(), transit, &api.MountInput{Type: "transit"}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = root.Sys().UnmountWithContext(context.Background(), transit) })
	prefix := "tsurl/" + randomHex(4)
	missing := "tsurl-none-" + randomHex(4)

	rootToken := os.Getenv("VAULT_TOKEN")
	// A token holding only Policy for each mount (the fallback check).
	policy := map[string]string{
		DefaultMount: policyToken(t, root, &Options{Mount: DefaultMount, Prefix: prefix}),
		v1:           policyToken(t, root, &Options{Mount: v1, KVVersion: KVv1, Prefix: prefix}),
		missing:      policyToken(t, root, &Options{Mount: missing, Prefix: prefix}),
	}
	for _, who := range []string{"root", "policy"} {
		t.Run(who, func(t *testing.T) {
			token := func(mount string) string {
				if who == "root" {
					return rootToken
				}
				return policy[mount]
			}
			for _, tt := range []struct {
				mount, query string
				version      int    // the store's, when it opens
				err          string // else: what the error says
			}{
				{DefaultMount, "", KVv2, ""},
				{DefaultMount, "?kv=2", KVv2, ""},
				{DefaultMount, "?kv=1", 0, `mount "secret" at ` + addr + ` (VAULT_ADDR) is KV version 2, not 1`},
				{v1, "", KVv1, ""},
				{v1, "?kv=1", KVv1, ""},
				{v1, "?kv=2", 0, fmt.Sprintf(`mount %q at %s (VAULT_ADDR) is KV version 1, not 2`, v1, addr)},
				{missing, "", 0, fmt.Sprintf(`no mount %q at %s (VAULT_ADDR)`, missing, addr)},
				{missing, "?kv=2", 0, fmt.Sprintf(`no mount %q at %s (VAULT_ADDR)`, missing, addr)},
			} {
				t.Setenv("VAULT_TOKEN", token(tt.mount))
				raw := "vault://" + tt.mount + "/" + prefix + tt.query
				u, _ := url.Parse(raw)
				s, err := OpenURL(context.Background(), u, nil)
				if tt.err != "" {
					if !errors.Is(err, tokenstore.ErrBadURL) || !strings.Contains(err.Error(), tt.err) {
						t.Errorf("OpenURL(%s) = %v; want an ErrBadURL saying %q", raw, err, tt.err)
					}
					continue
				}
				if err != nil {
					t.Errorf("OpenURL(%s): %v", raw, err)
					continue
				}
				if s.v1 != (tt.version == KVv1) {
					t.Errorf("OpenURL(%s): v1 %v; want KV version %d", raw, s.v1, tt.version)
				}
				saveAndFind(t, s, raw)
			}
		})
	}

	// Only a token allowed to read sys/mounts learns that a mount exists
	// but holds another engine; a policy token sees no mount it may use.
	t.Setenv("VAULT_TOKEN", rootToken)
	u, _ := url.Parse("vault://" + transit + "/x")
	if _, err := OpenURL(context.Background(), u, nil); !errors.Is(err, tokenstore.ErrBadURL) || !strings.Contains(err.Error(), `is a "transit" engine, not KV`) {
		t.Errorf("OpenURL(%s) = %v; want an ErrBadURL saying it is no KV mount", u, err)
	}
	for _, tok := range []string{"", policyToken(t, root, &Options{Mount: DefaultMount, Prefix: prefix})} {
		t.Setenv("VAULT_TOKEN", tok)
		want := "VAULT_TOKEN's policies grant no path below it"
		if tok == "" {
			want = "VAULT_TOKEN is not set"
		}
		u, _ := url.Parse("vault://" + v1 + "/" + prefix)
		if _, err := OpenURL(context.Background(), u, nil); !errors.Is(err, tokenstore.ErrBadURL) || !strings.Contains(err.Error(), want) {
			t.Errorf("OpenURL(%s) with token set %v = %v; want an ErrBadURL saying %q", u, tok != "", err, want)
		}
	}
}

// saveAndFind checks that s works: a save, a find, and DeleteTokens.
func saveAndFind(t *testing.T, s *Store, what string) {
	t.Helper()
	ctx := context.Background()
	tok := tokenstore.Token{UserName: "ann@example.com", AccessToken: "1000.at"}
	if err := s.SaveToken(ctx, &tok); err != nil {
		t.Errorf("%s: SaveToken: %v", what, err)
		return
	}
	if got, err := s.FindToken(ctx, tokenstore.Token{UserName: "ann@example.com"}); err != nil || got.ID != tok.ID {
		t.Errorf("%s: FindToken: %v, %v", what, got, err)
	}
	if err := s.DeleteTokens(ctx); err != nil {
		t.Errorf("%s: DeleteTokens: %v", what, err)
	}
}

func TestSchemeRegistered(t *testing.T) {
	for _, s := range []string{"vault"} {
		found := false
		for _, r := range tokenstore.DefaultURLMux().Schemes() {
			found = found || r == s
		}
		if !found {
			t.Errorf("scheme %q is not registered", s)
		}
	}
}
