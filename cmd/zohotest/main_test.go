package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// start runs the command with args until the test ends and returns what
// it printed when ready.
func start(t *testing.T, args ...string) ready {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r, w := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- run(ctx, args, w); w.Close() }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	})
	line, err := bufio.NewReader(r).ReadBytes('\n')
	if err != nil {
		t.Fatalf("ready line: %v", err)
	}
	go io.Copy(io.Discard, r)
	var rd ready
	if err := json.Unmarshal(line, &rd); err != nil {
		t.Fatalf("ready line %q: %v", line, err)
	}
	return rd
}

func call(t *testing.T, method, u, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, u, strings.NewReader(body))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var m map[string]any
	b, _ := io.ReadAll(res.Body)
	_ = json.Unmarshal(b, &m)
	return res.StatusCode, m
}

func refresh(t *testing.T, base, id, secret, rt string) map[string]any {
	t.Helper()
	res, err := http.PostForm(base+"/oauth/v2/token", url.Values{"grant_type": {"refresh_token"}, "client_id": {id}, "client_secret": {secret}, "refresh_token": {rt}})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(res.Body).Decode(&m)
	return m
}

func apiStatus(t *testing.T, base, at string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+"/crm/v8/users?type=CurrentUser", nil)
	req.Header.Set("Authorization", "Zoho-oauthtoken "+at)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

func TestRunServesFlagsClients(t *testing.T) {
	rd := start(t, "-client", "1000.A:secret-a", "-refresh-tokens", "2", "-token-lifetime", "30s")
	if !strings.HasPrefix(rd.URL, "http://127.0.0.1:") || !strings.HasPrefix(rd.Control, "http://127.0.0.1:") {
		t.Fatalf("ready: got %+v; want loopback URLs", rd)
	}
	if len(rd.Clients) != 1 || rd.Clients[0].ClientID != "1000.A" || len(rd.Clients[0].RefreshTokens) != 2 {
		t.Fatalf("clients: got %+v; want 1000.A with 2 refresh tokens", rd.Clients)
	}
	m := refresh(t, rd.URL, "1000.A", "secret-a", rd.Clients[0].RefreshTokens[1])
	at, _ := m["access_token"].(string)
	if at == "" || m["expires_in"] != 30.0 || m["api_domain"] != rd.URL {
		t.Fatalf("refresh: got %v; want a token for 30 s on %s", m, rd.URL)
	}
	if s := apiStatus(t, rd.URL, at); s != http.StatusOK {
		t.Fatalf("API: got %d; want 200", s)
	}
	// The clock moves: the token expires at the fake, not for its holder.
	if s, m := call(t, "POST", rd.Control+"/clock", `{"advance":"31s"}`); s != http.StatusOK || m["now"] == nil {
		t.Fatalf("clock: got %d %v", s, m)
	}
	if s := apiStatus(t, rd.URL, at); s != http.StatusUnauthorized {
		t.Fatalf("API after the lifetime: got %d; want 401", s)
	}
	s, st := call(t, "GET", rd.Control+"/stats", "")
	if s != http.StatusOK || st["token_calls"] != 1.0 || st["refreshes"] != 1.0 || st["api_calls"] != 2.0 || st["api_unauthorized"] != 1.0 {
		t.Fatalf("stats: got %d %v", s, st)
	}
}

func TestControl(t *testing.T) {
	rd := start(t, "-tokens-per-window", "2")
	c := rd.Control
	for _, tc := range []struct {
		method, path, body string
		status             int
	}{
		{"POST", "/clients", `{"client_id":"1000.B","client_secret":"sb"}`, 204},
		{"POST", "/clients", `{"client_id":"1000.B"}`, 400},
		{"POST", "/clients", `{"client_id":"1000.C","client_secret":"x","extra":1}`, 400},
		{"POST", "/clients", `not json`, 400},
		{"POST", "/refresh-tokens", `{"client_id":"1000.nobody"}`, 404},
		{"POST", "/grant-codes", `{"client_id":"1000.nobody"}`, 404},
		{"POST", "/clock", `{"advance":"soon"}`, 400},
		{"GET", "/nothing", ``, 404},
	} {
		if s, m := call(t, tc.method, c+tc.path, tc.body); s != tc.status {
			t.Errorf("%s %s %s: got %d %v; want %d", tc.method, tc.path, tc.body, s, m, tc.status)
		}
	}
	_, m := call(t, "POST", c+"/refresh-tokens", `{"client_id":"1000.B"}`)
	rt, _ := m["refresh_token"].(string)
	if rt == "" {
		t.Fatalf("refresh-tokens: got %v", m)
	}
	for i := range 3 {
		m := refresh(t, rd.URL, "1000.B", "sb", rt)
		if throttled := m["error"] == "Access Denied"; throttled != (i == 2) {
			t.Fatalf("refresh %d: got %v; want the third throttled (-tokens-per-window 2)", i, m)
		}
	}
	if _, m := call(t, "GET", c+"/active?refresh_token="+url.QueryEscape(rt), ""); m["active"] != 2.0 {
		t.Errorf("active: got %v; want 2", m)
	}
	if _, m := call(t, "GET", c+"/issued?refresh_token="+url.QueryEscape(rt), ""); len(m["issued"].([]any)) != 2 {
		t.Errorf("issued: got %v; want 2 times", m)
	}
	if s, _ := call(t, "POST", c+"/revoke", `{"refresh_token":"`+rt+`"}`); s != 204 {
		t.Fatalf("revoke: got %d", s)
	}
	if _, m := call(t, "GET", c+"/active?refresh_token="+url.QueryEscape(rt), ""); m["active"] != 0.0 {
		t.Errorf("active after revoke: got %v; want 0", m)
	}
	_, m = call(t, "POST", c+"/grant-codes", `{"client_id":"1000.B"}`)
	if code, _ := m["code"].(string); !strings.HasPrefix(code, "1000.") {
		t.Errorf("grant-codes: got %v", m)
	}
	if _, st := call(t, "GET", c+"/stats", ""); st["throttled"] != 1.0 {
		t.Errorf("stats: got %v; want 1 throttled", st)
	}
}

func TestConfigFile(t *testing.T) {
	f := filepath.Join(t.TempDir(), "clients.json")
	conf := `{"clients":[{"client_id":"1000.W","client_secret":"sw","redirect_uris":["https://app.example/cb"],"refresh_tokens":1,"grant_codes":1}]}`
	if err := os.WriteFile(f, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	rd := start(t, "-config", f)
	if len(rd.Clients) != 1 || len(rd.Clients[0].RefreshTokens) != 1 || len(rd.Clients[0].GrantCodes) != 1 {
		t.Fatalf("clients: got %+v", rd.Clients)
	}
	res, err := http.PostForm(rd.URL+"/oauth/v2/token", url.Values{"grant_type": {"authorization_code"}, "client_id": {"1000.W"}, "client_secret": {"sw"},
		"code": {rd.Clients[0].GrantCodes[0]}, "redirect_uri": {"https://app.example/cb"}})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if !bytes.Contains(b, []byte(`"refresh_token"`)) {
		t.Fatalf("exchange: got %s", b)
	}
}

func TestRunRefuses(t *testing.T) {
	for _, args := range [][]string{
		{"-addr", "0.0.0.0:0"},
		{"-control-addr", "192.0.2.1:80"},
		{"-client", "no-secret"},
		{"-config", "/nonexistent/clients.json"},
		{"-refresh-tokens", "1"},
		{"stray"},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err := run(ctx, args, io.Discard)
		cancel()
		if err == nil {
			t.Errorf("%v: got no error", args)
		}
	}
}
