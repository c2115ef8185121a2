package main

import (
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tokenstore-go/tokenstore/cache"
	"github.com/tokenstore-go/tokenstore/zoho/zohotest"
)

// getToken asks for a valid access token and remembers it as a secret.
func (h *harness) getToken(query string) (accessToken, int, []byte) {
	h.t.Helper()
	st, b, _ := h.do("GET", "/v1/token?"+query, nil)
	if st != http.StatusOK {
		return accessToken{}, st, b
	}
	at := decodeJSON[accessToken](h.t, b)
	h.secrets = append(h.secrets, at.AccessToken)
	return at, st, b
}

func TestSixOperations(t *testing.T) { checkSixOperations(t, newHarness(t)) }

func checkSixOperations(t *testing.T, h *harness) {
	in := wireToken{UserName: "alice@example.com", ClientID: testClientID, ClientSecret: testSecret,
		RefreshToken: "1000.refresh-alice", AccessToken: "1000.access-alice", ExpiryTime: "1893456000000",
		RedirectURL: "https://app.example.com/cb", APIDomain: "https://www.zohoapis.eu"}
	h.secrets = append(h.secrets, in.RefreshToken, in.AccessToken)

	st, b, _ := h.do("PUT", "/v1/tokens", in)
	if st != http.StatusOK {
		t.Fatalf("PUT: %d %s", st, b)
	}
	saved := decodeJSON[wireToken](t, b)
	if saved.ID == "" {
		t.Fatal("PUT: no ID in the answer")
	}
	want := in
	want.ID = saved.ID
	if saved != want {
		t.Fatalf("PUT answered %+v; want %+v", saved, want)
	}

	// Each lookup rule finds the record.
	for _, q := range []wireToken{
		{ID: saved.ID},
		{UserName: in.UserName},
		{AccessToken: in.AccessToken},
		{RefreshToken: in.RefreshToken, ClientID: testClientID, ClientSecret: testSecret},
	} {
		st, b, _ := h.do("POST", "/v1/tokens/find", q)
		if st != http.StatusOK || decodeJSON[wireToken](t, b) != want {
			t.Errorf("find %+v: %d %s", q.UserName+q.ID, st, b)
		}
	}
	st, b, _ = h.do("POST", "/v1/tokens/find", wireToken{UserName: "nobody@example.com"})
	h.wantError(http.StatusNotFound, b, st, "not_found")
	st, b, _ = h.do("POST", "/v1/tokens/find", wireToken{ClientID: "x"})
	h.wantError(http.StatusBadRequest, b, st, "invalid_token")

	// Upsert: empty fields keep their values.
	st, b, _ = h.do("PUT", "/v1/tokens", wireToken{UserName: in.UserName, AccessToken: "1000.access-alice-2"})
	h.secrets = append(h.secrets, "1000.access-alice-2")
	merged := want
	merged.AccessToken = "1000.access-alice-2"
	if st != http.StatusOK || decodeJSON[wireToken](t, b) != merged {
		t.Fatalf("PUT merge: %d %s", st, b)
	}
	st, b, _ = h.do("GET", "/v1/tokens/"+saved.ID, nil)
	if st != http.StatusOK || decodeJSON[wireToken](t, b) != merged {
		t.Fatalf("GET by ID: %d %s", st, b)
	}

	bob := wireToken{UserName: "bob@example.com", GrantToken: "1000.grant-bob", ClientID: testClientID, ClientSecret: testSecret}
	h.secrets = append(h.secrets, bob.GrantToken)
	if st, b, _ := h.do("PUT", "/v1/tokens", bob); st != http.StatusOK {
		t.Fatalf("PUT bob: %d %s", st, b)
	}
	st, b, _ = h.do("GET", "/v1/tokens", nil)
	all := decodeJSON[map[string][]wireToken](t, b)["tokens"]
	if st != http.StatusOK || len(all) != 2 || all[0].ID > all[1].ID {
		t.Fatalf("GET /v1/tokens: %d %s; want both records ordered by ID", st, b)
	}

	st, _, _ = h.do("DELETE", "/v1/tokens/"+saved.ID, nil)
	if st != http.StatusNoContent {
		t.Fatalf("DELETE: %d", st)
	}
	st, b, _ = h.do("DELETE", "/v1/tokens/"+saved.ID, nil)
	h.wantError(http.StatusNotFound, b, st, "not_found")
	st, b, _ = h.do("DELETE", "/v1/tokens", nil)
	h.wantError(http.StatusBadRequest, b, st, "bad_request")
	if n := len(h.snapshot()); n != 1 {
		t.Fatalf("DELETE without confirm=all left %d records; want 1", n)
	}
	if st, _, _ := h.do("DELETE", "/v1/tokens?confirm=all", nil); st != http.StatusNoContent {
		t.Fatalf("DELETE all: %d", st)
	}
	if n := len(h.snapshot()); n != 0 {
		t.Fatalf("%d records after DELETE all", n)
	}
}

func TestSaveRefusesForeignAPIDomain(t *testing.T) {
	h := newHarness(t)
	for _, d := range []string{"http://www.zohoapis.eu", "https://attacker.example", "http://169.254.169.254", "https://www.zohoapis.eu.attacker.example", "https://www.zohoapis.com:8443"} {
		st, b, _ := h.do("PUT", "/v1/tokens", wireToken{UserName: "eve@example.com", RefreshToken: "1000.rt-eve", APIDomain: d})
		h.wantError(http.StatusBadRequest, b, st, "invalid_token")
	}
	if n := len(h.snapshot()); n != 0 {
		t.Fatalf("%d records stored; want none", n)
	}
	st, b, _ := h.do("PUT", "/v1/tokens", wireToken{UserName: "case@example.com", RefreshToken: "1000.rt-ok", APIDomain: "https://WWW.ZohoAPIs.EU/"})
	if got := decodeJSON[wireToken](t, b).APIDomain; st != http.StatusOK || got != "https://www.zohoapis.eu" {
		t.Fatalf("api_domain stored as %q (%d); want the canonical origin", got, st)
	}
	for _, d := range []string{"https://www.zohoapis.com", "https://sandbox.zohoapis.eu", "https://www.zohoapis.com.au", ""} {
		if st, b, _ := h.do("PUT", "/v1/tokens", wireToken{UserName: "ok" + d + "@example.com", RefreshToken: "1000.rt-ok", APIDomain: d}); st != http.StatusOK {
			t.Errorf("api_domain %q: %d %s", d, st, b)
		}
	}
}

func TestTokenRefreshesOncePerExpiry(t *testing.T) { checkRefreshOncePerExpiry(t, newHarness(t)) }

func checkRefreshOncePerExpiry(t *testing.T, h *harness) {
	rec := h.seed("alice@example.com")
	at, st, b := h.getToken("user=alice@example.com")
	if st != http.StatusOK {
		t.Fatalf("GET /v1/token: %d %s", st, b)
	}
	ms, _ := strconv.ParseInt(at.ExpiryTime, 10, 64)
	if at.AccessToken == "" || at.TokenType != "Zoho-oauthtoken" || at.ID != rec.ID || at.UserName != rec.UserName ||
		time.Until(time.UnixMilli(ms)) < 50*time.Minute || at.APIDomain != h.zoho.URL() {
		t.Fatalf("GET /v1/token answered %+v", at)
	}
	for _, q := range []string{"user=alice@example.com", "id=" + rec.ID} {
		again, _, _ := h.getToken(q)
		if again.AccessToken != at.AccessToken {
			t.Fatalf("%s: another token while the first is valid", q)
		}
	}
	st, b, _ = h.do("POST", "/v1/tokens/find?fresh=1", wireToken{UserName: "alice@example.com"})
	if st != http.StatusOK || decodeJSON[wireToken](t, b).AccessToken != at.AccessToken {
		t.Fatalf("find?fresh=1: %d", st)
	}
	if got := h.zoho.Stats().Refreshes; got != 1 {
		t.Fatalf("%d refreshes; want 1", got)
	}
	st, b, _ = h.do("GET", "/v1/token?user=nobody@example.com", nil)
	h.wantError(http.StatusNotFound, b, st, "not_found")
	st, b, _ = h.do("GET", "/v1/token", nil)
	h.wantError(http.StatusBadRequest, b, st, "bad_request")
}

func TestInvalidTokenExpiresItOnce(t *testing.T) {
	h := newHarness(t, "--refresh-min-interval", "300ms")
	h.seed("alice@example.com")
	first, _, _ := h.getToken("user=alice@example.com")
	time.Sleep(350 * time.Millisecond) // a token younger than the minimum interval stays
	report := map[string]string{"user_name": "alice@example.com", "access_token": first.AccessToken}
	if st, b, _ := h.do("POST", "/v1/token/invalid", report); st != http.StatusNoContent {
		t.Fatalf("POST /v1/token/invalid: %d %s", st, b)
	}
	second, _, _ := h.getToken("user=alice@example.com")
	if second.AccessToken == first.AccessToken || h.zoho.Stats().Refreshes != 2 {
		t.Fatalf("after the report: same token %v, %d refreshes; want a new token, 2", second.AccessToken == first.AccessToken, h.zoho.Stats().Refreshes)
	}
	// The same report again (another client that used the old token), and
	// a report of the new token within the minimum interval: no new token.
	h.do("POST", "/v1/token/invalid", report)
	h.do("POST", "/v1/token/invalid", map[string]string{"user_name": "alice@example.com", "access_token": second.AccessToken})
	third, _, _ := h.getToken("user=alice@example.com")
	if third.AccessToken != second.AccessToken || h.zoho.Stats().Refreshes != 2 {
		t.Fatalf("repeated reports made another token: %d refreshes; want 2", h.zoho.Stats().Refreshes)
	}
}

func TestTokenErrors(t *testing.T) {
	h := newHarness(t)
	rec := h.seed("revoked@example.com")
	h.zoho.Revoke(rec.RefreshToken)
	_, st, b := h.getToken("user=revoked@example.com")
	h.wantError(http.StatusConflict, b, st, "revoked")

	h.seed("throttled@example.com")
	h.zoho.Inject(http.StatusOK, `{"error":"Access Denied","error_description":"You have made too many requests continuously. Please try again after some time.","status":"failure"}`)
	_, st, b = h.getToken("user=throttled@example.com")
	h.wantError(http.StatusTooManyRequests, b, st, "throttled")
	_, _, hdr := h.do("GET", "/v1/token?user=throttled@example.com", nil)
	if ra, err := strconv.Atoi(hdr.Get("Retry-After")); err != nil || ra < 1 {
		t.Fatalf("Retry-After %q; want seconds", hdr.Get("Retry-After"))
	}
	e := decodeJSON[map[string]map[string]any](t, b)["error"]
	if ra, ok := e["retry_after"].(float64); !ok || int64(ra) < time.Now().Unix() {
		t.Fatalf("retry_after %v; want the window's end in unix seconds", e["retry_after"])
	}

	noRT := wireToken{UserName: "nort@example.com", AccessToken: "1000.old", ExpiryTime: "1000"}
	h.secrets = append(h.secrets, "1000.old")
	h.do("PUT", "/v1/tokens", noRT)
	_, st, b = h.getToken("user=nort@example.com")
	h.wantError(http.StatusConflict, b, st, "no_refresh_token")
}

func TestHealthAndReadiness(t *testing.T) {
	h := newHarness(t)
	for _, p := range []string{"/healthz", "/readyz"} {
		if st, b, _ := h.do("GET", p, nil, headerName, "-"); st != http.StatusOK {
			t.Fatalf("%s: %d %s", p, st, b)
		}
	}
	h.a.draining.Store(true)
	if st, _, _ := h.do("GET", "/readyz", nil); st != http.StatusServiceUnavailable {
		t.Fatalf("/readyz while draining: %d; want 503", st)
	}
}

func TestWireRoundTrip(t *testing.T) {
	w := wireToken{ID: "id1", UserName: "u", ClientID: "c", ClientSecret: "s", RefreshToken: "r", AccessToken: "a",
		GrantToken: "g", ExpiryTime: "1700000000123", RedirectURL: "https://x/cb", APIDomain: "https://www.zohoapis.com"}
	tok, err := w.token()
	if err != nil {
		t.Fatal(err)
	}
	if got := toWire(tok); !reflect.DeepEqual(got, w) {
		t.Fatalf("round trip: got %+v; want %+v", got, w)
	}
	for _, bad := range []string{"soon", "1.5", "1e12", "0x10"} {
		if _, err := (wireToken{ExpiryTime: bad}).token(); err == nil {
			t.Errorf("expiry_time %q accepted", bad)
		}
	}
}

func TestMetrics(t *testing.T) {
	h := newHarness(t, "--metrics-addr", "127.0.0.1:0")
	rec := h.seed("alice@example.com")
	h.getToken("user=alice@example.com")
	h.getToken("user=alice@example.com")
	h.do("GET", "/v1/token?user=nobody@example.com", nil)
	h.do("GET", "/v1/tokens", nil, headerName, "-")
	revoked := h.seed("revoked@example.com")
	h.zoho.Revoke(revoked.RefreshToken)
	h.getToken("user=revoked@example.com")

	resp, err := http.Get("http://" + h.a.maddr.String() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	text := string(b)
	for _, want := range []string{
		`tokenstore_agent_token_calls_total 2`, // alice's refresh, and revoked's call answered invalid_code
		`tokenstore_agent_refreshes_total 1`,
		`tokenstore_agent_requests_total{code="200",route="GET /v1/token"} 2`,
		`tokenstore_agent_requests_total{code="404",route="GET /v1/token"} 1`,
		`tokenstore_agent_requests_total{code="401",route="/"} 1`,
		`tokenstore_agent_requests_total{code="409",route="GET /v1/token"} 1`,
		`tokenstore_agent_revoked_total 1`,
		`tokenstore_agent_throttled_total 0`,
		`tokenstore_agent_lease_waits_total 0`,
		`tokenstore_agent_cache_hits_total `,
		`tokenstore_agent_request_duration_seconds_bucket{route="GET /v1/token",le=`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	h.noSecret("metrics", text)
	for _, private := range []string{"alice", rec.ID, revoked.ID} {
		if strings.Contains(text, private) {
			t.Errorf("metrics show %q", private)
		}
	}
}

// Concurrent token requests for one record share one look at the store
// per agent (refresh.Source does it): while the token is refreshed, the
// agent's other clients do not each poll the store.
func TestConcurrentTokenRequestsShareOneCall(t *testing.T) {
	z := zohotest.NewServer(nil)
	t.Cleanup(z.Close)
	z.Client(testClientID, testSecret)
	h := startHarness(t, z, "--accounts-url", slowAccounts(t, z, 500*time.Millisecond))
	h.seed("alice@example.com")
	cs := h.a.srv.store.(cache.Cache)
	before := cs.Stats()
	const clients = 16
	var wg sync.WaitGroup
	tokens := make([]string, clients)
	for i := range clients {
		wg.Go(func() {
			st, b, _ := h.do("GET", "/v1/token?user=alice@example.com", nil)
			if st == http.StatusOK {
				tokens[i] = decodeJSON[accessToken](t, b).AccessToken
			}
		})
	}
	wg.Wait()
	for _, tok := range tokens {
		if tok == "" || tok != tokens[0] {
			t.Fatal("the clients did not all get the one new token")
		}
	}
	h.secrets = append(h.secrets, tokens[0])
	after := cs.Stats()
	// Each client's lookup by user name is one find; one shared Current
	// adds a few. Each client polling on its own would add about 16 × 5.
	if finds := (after.Hits + after.Misses) - (before.Hits + before.Misses); finds > clients+8 {
		t.Fatalf("%d finds for %d clients; want at most %d", finds, clients, clients+8)
	}
	if n := z.Stats().TokenCalls; n != 1 {
		t.Fatalf("%d token calls; want 1", n)
	}
}
