package main

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

// Bad requests get a clear error and change nothing.
func TestBadRequestsChangeNothing(t *testing.T) {
	h := newHarness(t)
	rec := h.seed("alice@example.com")
	good := `{"user_name":"alice@example.com","access_token":"1000.would-overwrite"}`
	h.secrets = append(h.secrets, "1000.would-overwrite")
	huge := `{"user_name":"alice@example.com","access_token":"` + strings.Repeat("a", 1<<20) + `"}`
	before := h.snapshot()

	cases := []struct {
		name, method, path, body string
		hdr                      []string
		status                   int
		code                     string
	}{
		{"no header", "PUT", "/v1/tokens", good, []string{headerName, "-"}, 401, "unauthorized"},
		{"empty header", "PUT", "/v1/tokens", good, []string{headerName, ""}, 401, "unauthorized"},
		{"wrong header", "PUT", "/v1/tokens", good, []string{headerName, testHeaderToken + "x"}, 401, "unauthorized"},
		{"wrong header, same length", "PUT", "/v1/tokens", good, []string{headerName, strings.Repeat("x", len(testHeaderToken))}, 401, "unauthorized"},
		{"header twice", "PUT", "/v1/tokens", good, []string{"X-Repeat", "1"}, 401, "unauthorized"},
		{"no header on token", "GET", "/v1/token?user=alice@example.com", "", []string{headerName, "-"}, 401, "unauthorized"},
		{"x-forwarded-for", "PUT", "/v1/tokens", good, []string{"X-Forwarded-For", "203.0.113.7"}, 400, "bad_request"},
		{"forwarded", "GET", "/v1/token?user=alice@example.com", "", []string{"Forwarded", "for=203.0.113.7"}, 400, "bad_request"},
		{"unknown user", "GET", "/v1/token?user=mallory@example.com", "", nil, 404, "not_found"},
		{"unknown user, invalid", "POST", "/v1/token/invalid", `{"user_name":"mallory@example.com","access_token":"x"}`, nil, 404, "not_found"},
		{"unknown id", "DELETE", "/v1/tokens/0123456789abcdef0123456789abcdef", "", nil, 404, "not_found"},
		{"malformed JSON", "PUT", "/v1/tokens", `{"user_name":"alice@example.com",`, nil, 400, "bad_request"},
		{"not JSON", "PUT", "/v1/tokens", `user_name=alice`, nil, 400, "bad_request"},
		{"unknown field", "PUT", "/v1/tokens", `{"user_name":"alice@example.com","access_token":"1000.would-overwrite","scope":"all"}`, nil, 400, "bad_request"},
		{"number field", "PUT", "/v1/tokens", `{"user_name":"alice@example.com","access_token":"1000.would-overwrite","expiry_time":1700000000000}`, nil, 400, "bad_request"},
		{"bad expiry", "PUT", "/v1/tokens", `{"user_name":"alice@example.com","access_token":"1000.would-overwrite","expiry_time":"tomorrow"}`, nil, 400, "bad_request"},
		{"two values", "PUT", "/v1/tokens", good + good, nil, 400, "bad_request"},
		{"empty body", "PUT", "/v1/tokens", "", []string{"Content-Type", "application/json"}, 400, "bad_request"},
		{"1 MB body", "PUT", "/v1/tokens", huge, nil, 413, "too_large"},
		{"text/plain", "PUT", "/v1/tokens", good, []string{"Content-Type", "text/plain"}, 415, "bad_request"},
		{"no token kind", "PUT", "/v1/tokens", `{"user_name":"alice@example.com","client_id":"y"}`, nil, 400, "invalid_token"},
		{"delete all unconfirmed", "DELETE", "/v1/tokens", "", nil, 400, "bad_request"},
		{"delete all, other confirm", "DELETE", "/v1/tokens?confirm=yes", "", nil, 400, "bad_request"},
		{"token, both keys", "GET", "/v1/token?user=alice@example.com&id=" + rec.ID, "", nil, 400, "bad_request"},
		{"invalid, no access token", "POST", "/v1/token/invalid", `{"user_name":"alice@example.com"}`, nil, 400, "bad_request"},
		{"unknown endpoint", "GET", "/v1/secrets", "", nil, 404, "not_found"},
		{"fresh=yes", "POST", "/v1/tokens/find?fresh=yes", `{"user_name":"alice@example.com"}`, nil, 400, "bad_request"},
	}
	for _, c := range cases {
		var body any
		if c.body != "" {
			body = c.body
		}
		st, b, _ := h.do(c.method, c.path, body, c.hdr...)
		if code, msg := errorOf(b); st != c.status || code != c.code || msg == "" {
			t.Errorf("%s: got %d %q (%q); want %d %q with a message", c.name, st, code, msg, c.status, c.code)
		}
		if after := h.snapshot(); !reflect.DeepEqual(after, before) {
			t.Fatalf("%s: the store changed", c.name)
		}
	}
	if got := h.zoho.Stats().TokenCalls; got != 0 {
		t.Fatalf("%d token calls; want none", got)
	}
}

func errorOf(b []byte) (code, message string) {
	var e struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	_ = json.Unmarshal(b, &e)
	return e.Error.Code, e.Error.Message
}

// A client that sends its request slowly is cut off after the read
// timeouts, changes nothing, and does not keep others from being served.
func TestSlowClient(t *testing.T) {
	h := newHarness(t, "--read-header-timeout", "300ms", "--read-timeout", "600ms")
	h.seed("alice@example.com")
	before := h.snapshot()
	addr := strings.TrimPrefix(h.base, "http://")

	t.Run("headers", func(t *testing.T) {
		c := dial(t, addr)
		io.WriteString(c, "PUT /v1/tokens HTTP/1.1\r\nHost: agent\r\n"+headerName+": "+testHeaderToken+"\r\n")
		waitClosed(t, c, 3*time.Second)
	})
	t.Run("body", func(t *testing.T) {
		c := dial(t, addr)
		io.WriteString(c, "PUT /v1/tokens HTTP/1.1\r\nHost: agent\r\n"+headerName+": "+testHeaderToken+
			"\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"user_name\":\"alice@example.com\",")
		// Meanwhile others are served.
		if st, _, _ := h.do("GET", "/v1/tokens", nil); st != http.StatusOK {
			t.Fatalf("another client: %d", st)
		}
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			h.wantError(http.StatusBadRequest, b, resp.StatusCode, "bad_request")
		}
		waitClosed(t, c, 3*time.Second)
	})
	if after := h.snapshot(); !reflect.DeepEqual(after, before) {
		t.Fatalf("the store changed")
	}
}

func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// waitClosed fails unless the server closes c within d.
func waitClosed(t *testing.T, c net.Conn, d time.Duration) {
	t.Helper()
	start := time.Now()
	c.SetReadDeadline(start.Add(d))
	buf := make([]byte, 4096)
	for {
		if _, err := c.Read(buf); err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Fatalf("connection still open after %v", d)
			}
			return
		}
	}
}

// The header token is checked in constant time over digests, and the
// process refuses to start without one or with a short one.
func TestHeaderTokenConfig(t *testing.T) {
	base := []string{"--store", "mem://"}
	for name, env := range map[string]map[string]string{
		"none":  {},
		"short": {envToken: "short"},
	} {
		if _, err := parseConfig(base, mapEnv(env), io.Discard); err == nil {
			t.Errorf("%s: started", name)
		}
	}
	c, err := parseConfig(base, mapEnv(map[string]string{envLambdaAPI: "127.0.0.1:9001", envSessionToken: "session-token-of-the-function"}), io.Discard)
	if err != nil || string(c.token) != "session-token-of-the-function" {
		t.Fatalf("Lambda: %v; want AWS_SESSION_TOKEN as the header token", err)
	}
	for _, addr := range []string{"0.0.0.0:2774", "192.0.2.1:2774", ":2774", "localhost:2774", "[::]:2774"} {
		if _, err := parseConfig(append(base, "--addr", addr), mapEnv(map[string]string{envToken: testHeaderToken}), io.Discard); err == nil {
			t.Errorf("--addr %s accepted; want loopback only", addr)
		}
	}
	if _, err := parseConfig(append(base, "--metrics-addr", "0.0.0.0:9090"), mapEnv(map[string]string{envToken: testHeaderToken}), io.Discard); err == nil {
		t.Errorf("non-loopback metrics address accepted")
	}
}

// A store that does not answer: requests get 503 unavailable (no detail
// of the store's error in the body; it is logged), /readyz 503, /healthz
// 200.
func TestStoreDown(t *testing.T) {
	dead := freeAddr(t) // nothing listens there
	t.Setenv("AWS_ENDPOINT_URL", "http://"+dead)
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_MAX_ATTEMPTS", "1")
	h := newHarness(t, "--store", "awssm://tokenstore-agent-test/down/")
	for _, c := range []struct{ method, path, body string }{
		{"GET", "/v1/tokens", ""},
		{"GET", "/v1/token?user=alice@example.com", ""},
		{"POST", "/v1/tokens/find", `{"user_name":"alice@example.com"}`},
		{"PUT", "/v1/tokens", `{"user_name":"alice@example.com","refresh_token":"1000.rt"}`},
	} {
		var body any
		if c.body != "" {
			body = c.body
		}
		st, b, _ := h.do(c.method, c.path, body)
		if code, msg := errorOf(b); st != http.StatusServiceUnavailable || code != "unavailable" || strings.Contains(msg, dead) {
			t.Errorf("%s %s: %d %q %q; want 503 unavailable, no store detail", c.method, c.path, st, code, msg)
		}
	}
	if st, _, _ := h.do("GET", "/readyz", nil); st != http.StatusServiceUnavailable {
		t.Errorf("/readyz: %d; want 503", st)
	}
	if st, _, _ := h.do("GET", "/healthz", nil); st != http.StatusOK {
		t.Errorf("/healthz: %d; want 200", st)
	}
	if !strings.Contains(h.logs.String(), `"code":"unavailable"`) {
		t.Errorf("the failure is not logged")
	}
}
