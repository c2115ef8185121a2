package integration_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/vault/api"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/driver"
	"github.com/tokenstore-go/tokenstore/vault"
)

// kvFixture is a KV mount of its own on a Vault server, a prefix in it, and
// a token whose only policy is the one the vault package doc prescribes for
// that prefix.
type kvFixture struct {
	srv     vaultServer
	root    *api.Client
	version int
	mount   string
	base    string // every store of the fixture lives below it
	policy  string // the policy's HCL
	token   string // holds only that policy
}

func randHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

func newKVFixture(t testing.TB, srv vaultServer, version int) *kvFixture {
	t.Helper()
	ctx := context.Background()
	f := &kvFixture{srv: srv, version: version,
		mount: fmt.Sprintf("ts-kv%d-%s", version, randHex(4)), base: "apps/crm-" + randHex(3)}
	f.root, _ = f.client(t, srv.rootToken)
	err := f.root.Sys().MountWithContext(ctx, f.mount, &api.MountInput{
		Type: "kv", Options: map[string]string{"version": fmt.Sprint(version)},
	})
	if err != nil {
		t.Fatalf("mount KV v%d at %s: %v", version, f.mount, err)
	}
	t.Cleanup(func() { _ = f.root.Sys().UnmountWithContext(context.Background(), f.mount) })
	if version == 2 {
		f.waitKVv2(t)
		// Every write the store makes must carry cas; make Vault insist.
		if _, err := f.root.Logical().WriteWithContext(ctx, f.mount+"/config", map[string]any{"cas_required": true}); err != nil {
			t.Fatalf("config cas_required: %v", err)
		}
	}
	var err2 error
	f.policy, err2 = vault.Policy(&vault.Options{Mount: f.mount, KVVersion: version, Prefix: f.base})
	if err2 != nil {
		t.Fatalf("policy: %v", err2)
	}
	name := "tokenstore-" + f.mount
	if err := f.root.Sys().PutPolicyWithContext(ctx, name, f.policy); err != nil {
		t.Fatalf("put policy: %v", err)
	}
	sec, err := f.root.Auth().Token().CreateWithContext(ctx, &api.TokenCreateRequest{
		Policies: []string{name}, NoDefaultPolicy: true, TTL: "2h",
	})
	if err != nil {
		t.Fatalf("create token with only the store policy: %v", err)
	}
	f.token = sec.Auth.ClientToken
	return f
}

// waitKVv2 waits until a new KV v2 mount has finished its set-up; until
// then Vault refuses writes with "upgrading" errors.
func (f *kvFixture) waitKVv2(t testing.TB) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, err := f.root.Logical().WriteWithContext(context.Background(), f.mount+"/data/probe",
			map[string]any{"data": map[string]any{}})
		if err == nil {
			_, _ = f.root.Logical().DeleteWithContext(context.Background(), f.mount+"/metadata/probe")
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("KV v2 mount %s not ready: %v", f.mount, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// client returns a client with token whose requests c counts.
func (f *kvFixture) client(t testing.TB, token string) (*api.Client, *counter) {
	t.Helper()
	cfg := api.DefaultConfig()
	cfg.Address = f.srv.addr
	c := &counter{base: cfg.HttpClient.Transport}
	cfg.HttpClient.Transport = c
	client, err := api.NewClient(cfg)
	if err != nil {
		t.Fatalf("vault client: %v", err)
	}
	client.SetToken(token)
	client.ClearNamespace()
	return client, c
}

// opts returns store options for namespace ns of the fixture.
func (f *kvFixture) opts(ns string) *vault.Options {
	return &vault.Options{Mount: f.mount, KVVersion: f.version, Prefix: f.base + "/" + ns}
}

// store returns a store in ns using the least-privilege token.
func (f *kvFixture) store(t testing.TB, o *vault.Options) (*vault.Store, *counter) {
	t.Helper()
	client, c := f.client(t, f.token)
	s, err := vault.New(client, o)
	if err != nil {
		t.Fatalf("vault.New: %v", err)
	}
	return s, c
}

// storeOver returns a store in o with the least-privilege token whose
// requests go through rt (a FaultTransport, say). The client keeps its
// default retries (after a connection error it sends the request again),
// unless tune changes its configuration.
func (f *kvFixture) storeOver(t testing.TB, o *vault.Options, rt http.RoundTripper, tune ...func(*api.Config)) *vault.Store {
	t.Helper()
	cfg := api.DefaultConfig()
	cfg.Address = f.srv.addr
	cfg.HttpClient.Transport = rt
	for _, f := range tune {
		f(cfg)
	}
	client, err := api.NewClient(cfg)
	if err != nil {
		t.Fatalf("vault client: %v", err)
	}
	client.SetToken(f.token)
	client.ClearNamespace()
	s, err := vault.New(client, o)
	if err != nil {
		t.Fatalf("vault.New: %v", err)
	}
	return s
}

// dataPath is the KV API path of a store path: mount/data/p on v2.
func (f *kvFixture) dataPath(p string) string {
	if f.version == 2 {
		return f.mount + "/data/" + p
	}
	return f.mount + "/" + p
}

// indexPath is where a store with prefix and no pepper keeps k's entry,
// as the package doc lays it out.
func indexPath(prefix string, k tokenstore.Key) string {
	return prefix + "/index/" + k.Kind.String() + "/" + driver.Digest(k, nil)
}

// rawWrite writes data at a store path with the root token, as a crashed or
// foreign writer would.
func (f *kvFixture) rawWrite(t *testing.T, p string, data map[string]any) {
	t.Helper()
	body := data
	if f.version == 2 {
		body = map[string]any{"data": data}
	}
	if _, err := f.root.Logical().WriteWithContext(context.Background(), f.dataPath(p), body); err != nil {
		// cas_required: read the version and try again with it.
		sec, _ := f.root.Logical().ReadWithContext(context.Background(), f.dataPath(p))
		ver := 0
		if sec != nil {
			if md, ok := sec.Data["metadata"].(map[string]any); ok {
				fmt.Sscan(fmt.Sprint(md["version"]), &ver)
			}
		}
		body["options"] = map[string]any{"cas": ver}
		if _, err := f.root.Logical().WriteWithContext(context.Background(), f.dataPath(p), body); err != nil {
			t.Fatalf("raw write %s: %v", p, err)
		}
	}
}

// walk returns every path below dir in the mount, with the root token.
func (f *kvFixture) walk(t *testing.T, dir string) []string {
	t.Helper()
	list := f.mount + "/" + dir
	if f.version == 2 {
		list = f.mount + "/metadata/" + dir
	}
	sec, err := f.root.Logical().ListWithContext(context.Background(), list)
	if err != nil {
		t.Fatalf("list %s: %v", dir, err)
	}
	var out []string
	if sec == nil {
		return out
	}
	keys, _ := sec.Data["keys"].([]any)
	for _, k := range keys {
		name := fmt.Sprint(k)
		p := strings.TrimSuffix(dir, "/") + "/" + name
		if dir == "" {
			p = name
		}
		if strings.HasSuffix(name, "/") {
			out = append(out, f.walk(t, p)...)
			continue
		}
		out = append(out, p)
	}
	return out
}

// counter counts the HTTP requests of one client. Vault's LIST goes out as
// GET ?list=true, so reads are GETs and writes are everything else.
type counter struct {
	base http.RoundTripper

	reads, writes, casRefused atomic.Int64
	inFlight, peak            atomic.Int64

	mu     sync.Mutex
	before func(*http.Request) // called before each request, when set
}

func (c *counter) RoundTrip(r *http.Request) (*http.Response, error) {
	c.mu.Lock()
	before := c.before
	c.mu.Unlock()
	if before != nil {
		before(r)
	}
	if r.Method == http.MethodGet {
		c.reads.Add(1)
	} else {
		c.writes.Add(1)
	}
	n := c.inFlight.Add(1)
	for p := c.peak.Load(); n > p && !c.peak.CompareAndSwap(p, n); p = c.peak.Load() {
	}
	defer c.inFlight.Add(-1)
	resp, err := c.base.RoundTrip(r)
	if err == nil && resp.StatusCode == http.StatusBadRequest {
		c.casRefused.Add(1)
	}
	return resp, err
}

func (c *counter) total() int64 { return c.reads.Load() + c.writes.Load() }

func (c *counter) setBefore(f func(*http.Request)) {
	c.mu.Lock()
	c.before = f
	c.mu.Unlock()
}
