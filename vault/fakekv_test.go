package vault

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/vault/api"
)

// fakeKV is a KV version 2 engine at mount "kv", honest enough for the store:
// versions, check-and-set on every write, reading a given version, LIST on
// metadata/, deleting metadata and destroying a version. It answers as
// Vault 1.21 does (kv_test.go checks the shapes the store relies on).
type fakeKV struct {
	url         string
	maxVersions int // like the mount's max_versions: older versions are pruned; 0 keeps all

	mu    sync.Mutex
	paths map[string]*fakePath
}

type fakePath struct {
	versions []map[string]any // versions[i] is version i+1; nil once destroyed
	pruned   int              // versions 1..pruned are gone (max_versions)
}

// newFakeKV starts a fake Vault, stopped when the test ends.
func newFakeKV(t *testing.T) *fakeKV {
	t.Helper()
	f := &fakeKV{paths: map[string]*fakePath{}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	f.url = srv.URL
	return f
}

// client returns a client of f. maxRetries is the client's own retry count
// after a failed request; its waits are a millisecond. wrap, when not nil,
// wraps the client's transport.
func (f *fakeKV) client(t *testing.T, maxRetries int, wrap func(http.RoundTripper) http.RoundTripper) *api.Client {
	t.Helper()
	cfg := api.DefaultConfig()
	cfg.Address = f.url
	cfg.MaxRetries = maxRetries
	cfg.MinRetryWait, cfg.MaxRetryWait = time.Millisecond, time.Millisecond
	if wrap != nil {
		cfg.HttpClient.Transport = wrap(cfg.HttpClient.Transport)
	}
	c, err := api.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c.SetToken("test")
	return c
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

func (f *fakeKV) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	rest, ok := strings.CutPrefix(r.URL.Path, "/v1/kv/")
	if !ok {
		answer(w, http.StatusNotFound, `{"errors":["no handler for route"]}`)
		return
	}
	kind, p, _ := strings.Cut(rest, "/")
	switch {
	case kind == "data" && r.Method == http.MethodGet:
		f.read(w, p, r.URL.Query().Get("version"))
	case kind == "data" && (r.Method == http.MethodPut || r.Method == http.MethodPost):
		f.write(w, r, p)
	case kind == "metadata" && r.Method == http.MethodGet && r.URL.Query().Get("list") == "true":
		f.list(w, strings.TrimSuffix(p, "/")+"/")
	case kind == "metadata" && r.Method == http.MethodDelete:
		delete(f.paths, p)
		w.WriteHeader(http.StatusNoContent)
	case kind == "destroy" && r.Method == http.MethodPut:
		var body struct{ Versions []int }
		_ = json.NewDecoder(r.Body).Decode(&body)
		if fp := f.paths[p]; fp != nil {
			for _, v := range body.Versions {
				if v >= 1 && v <= len(fp.versions) {
					fp.versions[v-1] = nil
				}
			}
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		answer(w, http.StatusMethodNotAllowed, `{"errors":["unsupported"]}`)
	}
}

func (f *fakeKV) read(w http.ResponseWriter, p, version string) {
	fp := f.paths[p]
	if fp == nil || len(fp.versions) == 0 {
		answer(w, http.StatusNotFound, `{"errors":[]}`)
		return
	}
	v := len(fp.versions)
	if version != "" && version != "0" {
		v, _ = strconv.Atoi(version)
		if v <= fp.pruned || v > len(fp.versions) {
			answer(w, http.StatusNotFound, `{"errors":[]}`)
			return
		}
	}
	data := fp.versions[v-1]
	body, _ := json.Marshal(map[string]any{"data": map[string]any{
		"data":     data,
		"metadata": map[string]any{"version": v, "destroyed": data == nil},
	}})
	status := http.StatusOK
	if data == nil {
		status = http.StatusNotFound
	}
	answer(w, status, string(body))
}

func (f *fakeKV) write(w http.ResponseWriter, r *http.Request, p string) {
	var body struct {
		Data    map[string]any `json:"data"`
		Options struct {
			CAS *int `json:"cas"`
		} `json:"options"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Data == nil {
		answer(w, http.StatusBadRequest, `{"errors":["no data provided"]}`)
		return
	}
	fp := f.paths[p]
	if fp == nil {
		fp = &fakePath{}
	}
	if body.Options.CAS == nil || *body.Options.CAS != len(fp.versions) {
		answer(w, http.StatusBadRequest, `{"errors":["check-and-set parameter did not match the current version"]}`)
		return
	}
	fp.versions = append(fp.versions, body.Data)
	if f.maxVersions > 0 {
		fp.pruned = max(fp.pruned, len(fp.versions)-f.maxVersions)
	}
	f.paths[p] = fp
	answer(w, http.StatusOK, fmt.Sprintf(`{"data":{"version":%d}}`, len(fp.versions)))
}

func (f *fakeKV) list(w http.ResponseWriter, dir string) {
	var keys []string
	for p := range f.paths {
		name, ok := strings.CutPrefix(p, dir)
		if !ok {
			continue
		}
		if sub, _, nested := strings.Cut(name, "/"); nested {
			name = sub + "/"
		}
		if !slices.Contains(keys, name) {
			keys = append(keys, name)
		}
	}
	if len(keys) == 0 {
		answer(w, http.StatusNotFound, `{"errors":[]}`)
		return
	}
	slices.Sort(keys)
	body, _ := json.Marshal(map[string]any{"data": map[string]any{"keys": keys}})
	answer(w, http.StatusOK, string(body))
}

// put writes data at p as a raw client would, bypassing the store.
func (f *fakeKV) put(p string, data map[string]any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fp := f.paths[p]
	if fp == nil {
		fp = &fakePath{}
		f.paths[p] = fp
	}
	fp.versions = append(fp.versions, data)
}

// versions returns how many versions p has had.
func (f *fakeKV) versions(p string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	if fp := f.paths[p]; fp != nil {
		return len(fp.versions)
	}
	return 0
}

func answer(w http.ResponseWriter, status int, body string) {
	w.WriteHeader(status)
	fmt.Fprint(w, body)
}
