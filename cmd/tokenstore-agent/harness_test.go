package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/zoho/zohotest"
)

const (
	testHeaderToken = "test-header-token-0123456789"
	testClientID    = "1000.TESTCLIENT"
	// testSecret is the fixture client secret; no log line or error body
	// may show it.
	testSecret = "client-secret-FIXTURE-7f3a9c"
)

// harness is one agent started in-process on an ephemeral loopback port,
// with a fake Zoho accounts server.
type harness struct {
	t       testing.TB
	a       *agent
	base    string
	zoho    *zohotest.Server
	logs    *syncBuffer
	secrets []string // values that must never be logged or put in an error body
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func mapEnv(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// newHarness starts an agent on mem:// (or the store given in args)
// against a new zohotest server.
func newHarness(t testing.TB, args ...string) *harness {
	t.Helper()
	z := zohotest.NewServer(nil)
	t.Cleanup(z.Close)
	z.Client(testClientID, testSecret)
	return startHarness(t, z, args...)
}

func startHarness(t testing.TB, z *zohotest.Server, args ...string) *harness {
	t.Helper()
	base := []string{"--store", "mem://", "--addr", "127.0.0.1:0", "--metrics-addr", "off",
		"--accounts-url", z.URL(), "--allow-api-domain", z.URL(), "--log-level", "debug"}
	cfg, err := parseConfig(append(base, args...), mapEnv(map[string]string{envToken: testHeaderToken}), io.Discard)
	if err != nil {
		t.Fatalf("parseConfig: %v", err)
	}
	logs := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	a, err := newAgent(ctx, cfg, newLogger(logs, cfg.logLevel))
	if err != nil {
		t.Fatalf("newAgent: %v", err)
	}
	if err := a.start(ctx); err != nil {
		t.Fatalf("start: %v", err)
	}
	h := &harness{t: t, a: a, base: "http://" + a.addr.String(), zoho: z, logs: logs,
		secrets: []string{testSecret, testHeaderToken}}
	t.Cleanup(func() {
		sctx, scancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer scancel()
		_ = a.stop(sctx)
		cancel()
		h.checkLogs()
	})
	return h
}

// seed saves a record for user with a refresh token from the fake server
// and an expired access token, straight into the store behind the agent.
func (h *harness) seed(user string) tokenstore.Token {
	h.t.Helper()
	rt := h.zoho.NewRefreshToken(testClientID)
	h.secrets = append(h.secrets, rt, "expired-access-token-of-"+user)
	t := tokenstore.Token{UserName: user, ClientID: testClientID, ClientSecret: testSecret, RefreshToken: rt,
		AccessToken: "expired-access-token-of-" + user, Expiry: time.Now().Add(-time.Hour), APIDomain: h.zoho.URL()}
	if err := h.a.srv.store.SaveToken(context.Background(), &t); err != nil {
		h.t.Fatalf("seed: %v", err)
	}
	return t
}

// do sends a request with the header token (unless hdr says otherwise:
// pairs of name and value; a value "-" removes the header). body is JSON
// encoded unless it is a []byte or string.
func (h *harness) do(method, path string, body any, hdr ...string) (int, []byte, http.Header) {
	h.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			h.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, h.base+path, rd)
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set(headerName, testHeaderToken)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i] == "X-Repeat" { // the header token sent twice
			req.Header.Add(headerName, testHeaderToken)
			continue
		}
		if hdr[i+1] == "-" {
			req.Header.Del(hdr[i])
		} else {
			req.Header.Set(hdr[i], hdr[i+1])
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 400 {
		h.noSecret("error body of "+method+" "+path, string(b))
	}
	return resp.StatusCode, b, resp.Header
}

// wantError checks an error answer's status and code.
func (h *harness) wantError(status int, body []byte, gotStatus int, code string) {
	h.t.Helper()
	var e struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal(body, &e); err != nil {
		h.t.Fatalf("error body %q: %v", body, err)
	}
	if gotStatus != status || e.Error.Code != code || e.Error.Message == "" {
		h.t.Fatalf("got %d %q (%q); want %d %q with a message", gotStatus, e.Error.Code, e.Error.Message, status, code)
	}
}

func (h *harness) noSecret(where, text string) {
	h.t.Helper()
	for _, s := range h.secrets {
		if s != "" && strings.Contains(text, s) {
			h.t.Errorf("%s shows a secret of the fixtures: %q", where, text)
		}
	}
}

// checkLogs: no log line holds a secret of the fixtures or a token the
// agent handed out.
func (h *harness) checkLogs() {
	h.noSecret("the agent's log", h.logs.String())
}

func decodeJSON[T any](t testing.TB, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decode %q: %v", b, err)
	}
	return v
}

// snapshot is every record of the store behind the agent, for "changed
// nothing" checks.
func (h *harness) snapshot() []tokenstore.Token {
	h.t.Helper()
	ts, err := h.a.uncached.GetTokens(context.Background())
	if err != nil {
		h.t.Fatal(err)
	}
	return ts
}
