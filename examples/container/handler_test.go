package main

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tokenstore-go/tokenstore/memstore"
	"github.com/tokenstore-go/tokenstore/zoho"
)

// The HTTP API on the in-memory store; the same service against a real
// Vault, logged in with AppRole, is tested in the integration module.
func TestHandler(t *testing.T) {
	srv := httptest.NewServer(newHandler(memstore.New(nil), slog.New(slog.NewTextHandler(io.Discard, nil)), zoho.US.Endpoint()))
	defer srv.Close()
	const user = "ann%40example.com"
	body := `{"client_id":"1000.X","client_secret":"SECRET-cs","refresh_token":"SECRET-rt","access_token":"SECRET-at","expiry":"2026-11-23T12:00:00Z"}`
	tests := []struct {
		method, path, body string
		status             int
		want               string
	}{
		{"GET", "/users/" + user + "/token", "", 404, ""},
		{"PUT", "/users/" + user + "/token", body, 200, `"has_access_token":true`},
		{"GET", "/users/" + user + "/token", "", 200, `"user_name":"ann@example.com"`},
		{"PUT", "/users/" + user + "/token", `{"access_token":"SECRET-at2"}`, 200, `"has_refresh_token":true`},
		{"GET", "/users", "", 200, `"client_id":"1000.X"`},
		{"PUT", "/users/" + user + "/token", `{"redirect_url":"x"}`, 400, ""},
		{"PUT", "/users/" + user + "/token", `{"bogus":1}`, 400, ""},
		{"DELETE", "/users/" + user + "/token", "", 204, ""},
		{"DELETE", "/users/" + user + "/token", "", 404, ""},
		{"GET", "/users", "", 200, `[]`},
		{"GET", "/healthz", "", 200, ""},
		{"GET", "/readyz", "", 200, ""},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest(tt.method, srv.URL+tt.path, strings.NewReader(tt.body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.status || !strings.Contains(string(b), tt.want) {
			t.Errorf("%s %s: got %d %s; want %d containing %s", tt.method, tt.path, resp.StatusCode, b, tt.status, tt.want)
		}
		if strings.Contains(string(b), "SECRET") {
			t.Errorf("%s %s: response shows a secret: %s", tt.method, tt.path, b)
		}
	}
}
