package vault

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/hashicorp/vault/api"
)

// fakeKV is a fake Vault (fakevault_test.go) with a KV version 2 engine at
// mount "kv" that requires check-and-set on every write, as the
// integration tests configure theirs. Its maxVersions field is the mount's
// max_versions (0: Vault's default, 10).
type fakeKV struct {
	*fakeMount
	vault *fakeVault
	url   string
}

// newFakeKV starts a fake Vault, stopped when the test ends.
func newFakeKV(t *testing.T) *fakeKV {
	t.Helper()
	v := newFakeVault(t)
	m := v.mount("kv", 2)
	m.casRequired = true
	return &fakeKV{fakeMount: m, vault: v, url: v.URL}
}

// client returns a client of f. maxRetries is the client's own retry count
// after a failed request; its waits are a millisecond. wrap, when not nil,
// wraps the client's transport.
func (f *fakeKV) client(t *testing.T, maxRetries int, wrap func(http.RoundTripper) http.RoundTripper) *api.Client {
	t.Helper()
	return f.vault.client(t, func(cfg *api.Config) {
		cfg.MaxRetries = maxRetries
		cfg.MinRetryWait, cfg.MaxRetryWait = time.Millisecond, time.Millisecond
		if wrap != nil {
			cfg.HttpClient.Transport = wrap(cfg.HttpClient.Transport)
		}
	})
}

// store returns a Store on f's mount whose backoff does not sleep.
func (f *fakeKV) store(t *testing.T, c *api.Client) *Store {
	t.Helper()
	s, err := New(c, &Options{Mount: "kv"})
	if err != nil {
		t.Fatal(err)
	}
	s.sleep = func(ctx context.Context, _ time.Duration) error { return ctx.Err() }
	return s
}

// put writes data at p as a raw client would, bypassing the store and
// check-and-set.
func (f *fakeKV) put(p string, data map[string]any) { f.vault.putV2("kv", p, data) }

// versions returns how many versions p has had.
func (f *fakeKV) versions(p string) int { return f.vault.currentVersion("kv", p) }

// ---- direct access to a fake Vault, for tests ----

// copyFrom replaces f's mounts with a deep copy of src's, so that many tests
// can start from one seeded state without replaying it.
func (f *fakeVault) copyFrom(src *fakeVault) {
	src.mu.Lock()
	defer src.mu.Unlock()
	f.mu.Lock()
	defer f.mu.Unlock()
	f.mounts = map[string]*fakeMount{}
	for name, m := range src.mounts {
		c := *m
		c.keys = make(map[string]*fakeKey, len(m.keys))
		for p, k := range m.keys {
			kc := *k
			kc.versions = make(map[int]*fakeVersion, len(k.versions))
			for n, v := range k.versions {
				vc := *v
				kc.versions[n] = &vc
			}
			c.keys[p] = &kc
		}
		c.v1 = maps.Clone(m.v1)
		f.mounts[name] = &c
	}
}

// putV2 stores data as a new version of p on a KV v2 mount, bypassing
// check-and-set, as a person with the vault CLI may.
func (f *fakeVault) putV2(mount, p string, data map[string]any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, err := json.Marshal(map[string]any{"data": data})
	if err != nil {
		panic(err)
	}
	m := f.mounts[mount]
	cas := m.casRequired
	m.casRequired = false
	defer func() { m.casRequired = cas }()
	if k := m.keys[p]; k != nil && k.casRequired {
		k.casRequired = false
		defer func() { k.casRequired = true }()
	}
	if a := m.write(p, b); a.status != http.StatusOK {
		panic(fmt.Sprintf("fake vault: put %s: %v", p, a.body))
	}
}

// currentVersion returns the current_version of p on a KV v2 mount: how
// many versions it has had; 0 when it has no metadata.
func (f *fakeVault) currentVersion(mount, p string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	if k := f.mounts[mount].keys[p]; k != nil {
		return k.current
	}
	return 0
}

// pathsHolding returns the paths of mount that hold s in any version that
// is kept (soft-deleted ones included) or, on KV v1, in their value.
func (f *fakeVault) pathsHolding(mount, s string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	m := f.mounts[mount]
	var out []string
	for p, v := range m.v1 {
		if bytes.Contains(v, []byte(s)) {
			out = append(out, p)
		}
	}
	for p, k := range m.keys {
		for _, v := range k.versions {
			if bytes.Contains(v.data, []byte(s)) {
				out = append(out, p)
				break
			}
		}
	}
	slices.Sort(out)
	return out
}
