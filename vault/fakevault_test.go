package vault

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/vault/api"
)

// fakeVault is an in-memory Vault server for the KV secrets engine, version
// 2 and version 1, spoken to over HTTP by the real api.Client. It follows
// vault-plugin-secrets-kv v0.25.0 (Vault 1.21) as far as the store and the
// tests reach, and TestFakeMatchesServer compares it with a real server:
//
//   - KV v2: data/ (read, ?version=N, check-and-set write, soft delete of
//     the latest version), metadata/ (read, write of max_versions and
//     cas_required, delete with every version, LIST), destroy/, delete/,
//     undelete/ and config. Versions beyond max_versions (the key's or the
//     mount's, whichever is larger; 10 when neither is set) are pruned at
//     each write.
//   - KV v1: read, write, delete and LIST of one value per path.
//   - sys/mounts/<path>: mounting and unmounting KV engines, so set-up code
//     runs unchanged against both servers.
//
// It checks that a token is sent, not which one: policies are the real
// server's business (the integration tests). fakefaults_test.go adds
// injected failures (see faultKind).
type fakeVault struct {
	URL  string
	done chan struct{} // closed when the test ends: stalled requests give up

	mu     sync.Mutex
	mounts map[string]*fakeMount
	faults faultPlan
}

// newFakeVault starts a fake Vault with KV version 2 mounted at secret/, as
// on a dev server. It stops when the test ends.
func newFakeVault(t testing.TB) *fakeVault {
	t.Helper()
	f := &fakeVault{done: make(chan struct{}), mounts: map[string]*fakeMount{}}
	f.mount("secret", 2)
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(f.done) }) // runs first: frees stalled handlers
	f.URL = srv.URL
	return f
}

// mount mounts a KV engine of the given version at path, replacing
// whatever was there, and returns it.
func (f *fakeVault) mount(path string, version int) *fakeMount {
	f.mu.Lock()
	defer f.mu.Unlock()
	m := &fakeMount{version: version, keys: map[string]*fakeKey{}, v1: map[string]json.RawMessage{}}
	f.mounts[strings.Trim(path, "/")] = m
	return m
}

// client returns a client of f with the api package's defaults (two
// resends after a connection error or a 5xx, waiting at least a second)
// but for the address and the token; tune may change the configuration.
func (f *fakeVault) client(t testing.TB, tune ...func(*api.Config)) *api.Client {
	t.Helper()
	return testClient(t, f.URL, "fake-token", tune...)
}

// testClient returns a client of addr with token and no namespace; tune may
// change its configuration first.
func testClient(t testing.TB, addr, token string, tune ...func(*api.Config)) *api.Client {
	t.Helper()
	cfg := api.DefaultConfig()
	if cfg.Error != nil {
		t.Fatal(cfg.Error)
	}
	cfg.Address = addr
	for _, fn := range tune {
		fn(cfg)
	}
	c, err := api.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c.SetToken(token)
	c.ClearNamespace()
	return c
}

// fakeAnswer is what the engine answers: a status and, unless the status
// is 204, a JSON body.
type fakeAnswer struct {
	status int
	body   any
}

func ansNoContent() fakeAnswer { return fakeAnswer{status: http.StatusNoContent} }

// notFound is Vault's answer for a path that holds nothing.
func ansNotFound() fakeAnswer {
	return fakeAnswer{http.StatusNotFound, map[string]any{"errors": []string{}}}
}

func ansError(status int, msg string) fakeAnswer {
	return fakeAnswer{status, map[string]any{"errors": []string{msg}}}
}

// ok wraps data in the envelope of a successful Vault response.
func ansOK(status int, data any, lease int) fakeAnswer {
	return fakeAnswer{status, map[string]any{
		"request_id": newRequestID(), "lease_id": "", "renewable": false, "lease_duration": lease,
		"data": data, "wrap_info": nil, "warnings": nil, "auth": nil, "mount_type": "kv",
	}}
}

func newRequestID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func (f *fakeVault) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// The whole request is read before any fault, so that "before" means
	// the server had it and did not apply it.
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	fault := f.faults.next(r)
	switch fault {
	case faultUnavailable:
		writeAnswer(w, ansError(http.StatusServiceUnavailable, "fake: injected fault: service unavailable"))
		return
	case faultDropBefore:
		dropConnection(w)
		return
	case faultStall:
		f.stall(r)
		dropConnection(w)
		return
	}
	f.mu.Lock()
	a := f.handle(r, body)
	f.mu.Unlock()
	switch fault {
	case faultLoseAnswer:
		dropConnection(w)
	case faultApplyStall:
		f.stall(r)
		dropConnection(w)
	default:
		writeAnswer(w, a)
	}
}

// stall waits until the client gives up on r (it closes the connection) or
// the test ends.
func (f *fakeVault) stall(r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-f.done:
	}
}

// dropConnection closes the connection without an answer, as a crashed
// server or a reset does.
func dropConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(fmt.Sprintf("fake vault: hijack: %v", err))
	}
	conn.Close()
}

func writeAnswer(w http.ResponseWriter, a fakeAnswer) {
	if a.status == http.StatusNoContent {
		w.WriteHeader(a.status)
		return
	}
	b, err := json.Marshal(a.body)
	if err != nil {
		panic(err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(a.status)
	_, _ = w.Write(append(b, '\n'))
}

// handle applies one request; f.mu is held.
func (f *fakeVault) handle(r *http.Request, body []byte) fakeAnswer {
	if r.Header.Get("X-Vault-Token") == "" {
		return ansError(http.StatusForbidden, "permission denied")
	}
	p, ok := strings.CutPrefix(r.URL.Path, "/v1/")
	if !ok {
		return ansNotFound()
	}
	method := r.Method
	if method == http.MethodGet && r.URL.Query().Get("list") == "true" {
		method = "LIST"
	}
	if mp, ok := strings.CutPrefix(p, "sys/mounts/"); ok {
		return f.sysMount(method, strings.Trim(mp, "/"), body)
	}
	// The longest mount path that prefixes p routes it, as in Vault.
	var name string
	for n := range f.mounts {
		if (p == n || strings.HasPrefix(p, n+"/")) && len(n) > len(name) {
			name = n
		}
	}
	if m := f.mounts[name]; m != nil {
		rest := strings.TrimPrefix(strings.TrimPrefix(p, name), "/")
		if m.version == 1 {
			return m.v1Handle(method, rest, body)
		}
		return m.v2Handle(method, rest, r.URL.Query(), body)
	}
	return ansError(http.StatusNotFound, fmt.Sprintf("no handler for route %q. route entry not found.", p))
}

func (f *fakeVault) sysMount(method, path string, body []byte) fakeAnswer {
	switch method {
	case http.MethodPost, http.MethodPut:
		var in struct {
			Type    string            `json:"type"`
			Options map[string]string `json:"options"`
		}
		if err := json.Unmarshal(body, &in); err != nil || in.Type != "kv" {
			return ansError(http.StatusBadRequest, "fake: only KV engines can be mounted")
		}
		if _, taken := f.mounts[path]; taken {
			return ansError(http.StatusBadRequest, fmt.Sprintf("path is already in use at %s/", path))
		}
		version := 1
		if in.Options["version"] == "2" {
			version = 2
		}
		f.mounts[path] = &fakeMount{version: version, keys: map[string]*fakeKey{}, v1: map[string]json.RawMessage{}}
		return ansNoContent()
	case http.MethodDelete:
		delete(f.mounts, path)
		return ansNoContent()
	}
	return ansError(http.StatusMethodNotAllowed, "unsupported operation")
}

// fakeDecode decodes a JSON request body into a map; an empty body is an
// empty map.
func fakeDecode(body []byte) (map[string]json.RawMessage, error) {
	m := map[string]json.RawMessage{}
	if len(bytes.TrimSpace(body)) == 0 {
		return m, nil
	}
	err := json.Unmarshal(body, &m)
	return m, err
}

func vaultNow() string { return time.Now().UTC().Format(time.RFC3339Nano) }
