package vault

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/hashicorp/vault/api"
)

// These tests check how answers are mapped, against canned answers in the
// shape Vault gives them. That the store works is proven against a real
// Vault in the integration module.

// cannedClient returns a client for a server that answers every request with
// status and body, and records the requests it saw as "METHOD path?query".
func cannedClient(t *testing.T, status int, body string) (*api.Client, *[]string) {
	t.Helper()
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		line := r.Method + " " + r.URL.Path
		if r.URL.RawQuery != "" {
			line += "?" + r.URL.RawQuery
		}
		seen = append(seen, line)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprint(w, body)
	}))
	c := serverClient(t, srv)
	return c, &seen
}

func TestKVv2Read(t *testing.T) {
	tests := []struct {
		name    string
		status  int
		body    string
		wantNil bool
		wantVer int
	}{
		{"live", 200, `{"data":{"data":{"id":"x"},"metadata":{"version":4,"deletion_time":""}}}`, false, 4},
		{"soft-deleted latest", 404, `{"data":{"data":null,"metadata":{"version":3,"deletion_time":"2026-11-23T10:00:00Z","destroyed":false}}}`, true, 3},
		{"destroyed latest", 404, `{"data":{"data":null,"metadata":{"version":2,"deletion_time":"","destroyed":true}}}`, true, 2},
		{"absent", 404, `{"errors":[]}`, true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, seen := cannedClient(t, tt.status, tt.body)
			data, ver, err := kvV2{logical: c.Logical(), mount: "kv"}.read(context.Background(), "p/records/x")
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			if (data == nil) != tt.wantNil || ver != tt.wantVer {
				t.Errorf("read = %v, version %d; want nil %v, version %d", data, ver, tt.wantNil, tt.wantVer)
			}
			if want := "GET /v1/kv/data/p/records/x"; len(*seen) != 1 || (*seen)[0] != want {
				t.Errorf("requests %q; want [%q]", *seen, want)
			}
		})
	}
}

func TestKVv2WriteCASMismatch(t *testing.T) {
	c, _ := cannedClient(t, 400, `{"errors":["check-and-set parameter did not match the current version"]}`)
	err := kvV2{logical: c.Logical(), mount: "kv"}.write(context.Background(), "p/x", map[string]any{"id": "a"}, 0)
	if !errors.Is(err, errCAS) {
		t.Errorf("got %v; want errCAS", err)
	}
	var re *api.ResponseError
	if !errors.As(err, &re) || re.StatusCode != 400 {
		t.Errorf("got %v; want a reachable *api.ResponseError with status 400", err)
	}
}

func TestKVv2WriteOtherErrors(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
	}{
		{"permission denied", 403, `{"errors":["1 error occurred:\n\t* permission denied\n\n"]}`},
		{"other bad request", 400, `{"errors":["no data provided"]}`},
		{"a KV v1 mount", 204, ``},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := cannedClient(t, tt.status, tt.body)
			err := kvV2{logical: c.Logical(), mount: "kv"}.write(context.Background(), "p/x", map[string]any{"id": "a"}, 1)
			if err == nil || errors.Is(err, errCAS) {
				t.Errorf("got %v; want an error that is not errCAS", err)
			}
		})
	}
}

func TestKVv2RequestShapes(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		call func(k kvV2) error
		want string
	}{
		{"list", func(k kvV2) error { _, err := k.list(ctx, "p/records"); return err }, "GET /v1/kv/metadata/p/records?list=true"},
		{"remove", func(k kvV2) error { return k.remove(ctx, "p/records/x") }, "DELETE /v1/kv/metadata/p/records/x"},
		{"destroy", func(k kvV2) error { return k.destroy(ctx, "p/index/user_name/d", 7) }, "PUT /v1/kv/destroy/p/index/user_name/d"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, seen := cannedClient(t, 204, ``)
			if err := tt.call(kvV2{logical: c.Logical(), mount: "kv"}); err != nil {
				t.Fatalf("call: %v", err)
			}
			if len(*seen) != 1 || (*seen)[0] != tt.want {
				t.Errorf("requests %q; want [%q]", *seen, tt.want)
			}
		})
	}
}

func TestListAbsentIsEmpty(t *testing.T) {
	c, _ := cannedClient(t, 404, `{"errors":[]}`)
	keys, err := kvV2{logical: c.Logical(), mount: "kv"}.list(context.Background(), "p/records")
	if err != nil || len(keys) != 0 {
		t.Errorf("list = %q, %v; want empty, nil", keys, err)
	}
}

func TestKVv1CreateOnlyOnExisting(t *testing.T) {
	c, seen := cannedClient(t, 200, `{"data":{"id":"x"}}`)
	err := kvV1{logical: c.Logical(), mount: "kv1"}.write(context.Background(), "p/x", map[string]any{"id": "y"}, 0)
	if !errors.Is(err, errCAS) {
		t.Errorf("got %v; want errCAS", err)
	}
	if want := "GET /v1/kv1/p/x"; len(*seen) != 1 || (*seen)[0] != want {
		t.Errorf("requests %q; want only [%q]", *seen, want)
	}
}

// A Vault Enterprise namespace set on the client reaches every request.
func TestNamespaceHeader(t *testing.T) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.Header.Get("X-Vault-Namespace"))
		w.WriteHeader(http.StatusNotFound)
	}))
	defer srv.Close()
	cfg := api.DefaultConfig()
	cfg.Address = srv.URL
	c, err := api.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c.SetToken("test")
	s, err := New(c.WithNamespace("team-a/"), nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = s.FindTokenByID(context.Background(), "x")
	_, _ = s.GetTokens(context.Background())
	if len(got) != 2 || got[0] != "team-a/" || got[1] != "team-a/" {
		t.Errorf("X-Vault-Namespace headers %q; want team-a/ on both requests", got)
	}
}
