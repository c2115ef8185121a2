package zohotest_test

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tokenstore-go/tokenstore/zoho/zohotest"
)

// get calls path on the API with an access token and decodes the answer.
func get(t *testing.T, s *zohotest.Server, path, at string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.URL()+path, nil)
	req.Header.Set("Authorization", "Zoho-oauthtoken "+at)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var m map[string]any
	if err := json.NewDecoder(res.Body).Decode(&m); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return res.StatusCode, m
}

// The Zoho SDKs read the current user's email and the org's id after a
// token call to name the token's user ("email:orgid"); the answers have
// the shapes of Zoho's GET users and GET org.
func TestAPIAnswersUsersAndOrg(t *testing.T) {
	s, _ := newServer(t, nil)
	rt1, rt2 := s.NewRefreshToken(clientID), s.NewRefreshToken(clientID)
	_, m1 := refresh(t, s, rt1)
	_, m2 := refresh(t, s, rt2)
	email := func(at string) string {
		status, m := get(t, s, "/crm/v8/users?type=CurrentUser", at)
		users, _ := m["users"].([]any)
		info, _ := m["info"].(map[string]any)
		if status != http.StatusOK || len(users) != 1 || info["count"] != 1.0 || info["more_records"] != false {
			t.Fatalf("users: got %d %v; want 200, one user and info", status, m)
		}
		u := users[0].(map[string]any)
		for _, k := range []string{"id", "full_name", "status", "email"} {
			if s, _ := u[k].(string); s == "" {
				t.Errorf("users: field %q is %v; want a string", k, u[k])
			}
		}
		return u["email"].(string)
	}
	e1, e2 := email(mustToken(t, m1)), email(mustToken(t, m2))
	if !strings.Contains(e1, "@") || e1 == e2 {
		t.Errorf("emails %q and %q: want one address per refresh token (its user)", e1, e2)
	}
	status, m := get(t, s, "/crm/v8/org", mustToken(t, m1))
	org, _ := m["org"].([]any)
	if status != http.StatusOK || len(org) != 1 || org[0].(map[string]any)["id"] == nil || org[0].(map[string]any)["zgid"] == nil {
		t.Fatalf("org: got %d %v; want 200 and one org with an id and a zgid", status, m)
	}
	if status, m := get(t, s, "/crm/v8/org", "1000.unknown"); status != http.StatusUnauthorized || m["code"] != "INVALID_OAUTHTOKEN" {
		t.Errorf("org with an unknown token: got %d %v; want 401 INVALID_OAUTHTOKEN", status, m)
	}
}

// A Server can serve on a listener it is given, e.g. a fixed port for a
// process other programs talk to.
func TestListener(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := zohotest.NewServer(&zohotest.Options{Listener: l})
	defer s.Close()
	if want := "http://" + l.Addr().String(); s.URL() != want {
		t.Fatalf("URL: got %s; want %s", s.URL(), want)
	}
	s.Client(clientID, secret)
	_, m := refresh(t, s, s.NewRefreshToken(clientID))
	if m["api_domain"] != s.URL() {
		t.Errorf("api_domain: got %v; want %s", m["api_domain"], s.URL())
	}
}

// The Zoho Node SDK posts its token requests as multipart/form-data
// (lib/models/authenticator/oauth_token.js, refreshAccessToken), which
// Zoho's token endpoint takes like a urlencoded form.
func TestTokenEndpointTakesMultipart(t *testing.T) {
	s, _ := newServer(t, nil)
	rt := s.NewRefreshToken(clientID)
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, kv := range [][2]string{{"client_id", clientID}, {"client_secret", secret}, {"grant_type", "refresh_token"}, {"refresh_token", rt}} {
		_ = mw.WriteField(kv[0], kv[1])
	}
	mw.Close()
	res, err := http.Post(s.Endpoint().TokenURL, mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(res.Body).Decode(&m)
	mustToken(t, m)
}

func TestIssued(t *testing.T) {
	s, clock := newServer(t, nil)
	rt := s.NewRefreshToken(clientID)
	if got := s.Issued(rt); len(got) != 0 {
		t.Fatalf("before any token: got %v; want none", got)
	}
	refresh(t, s, rt)
	clock.Advance(time.Minute)
	refresh(t, s, rt)
	for range 9 { // the window's rest and one throttled: made nothing
		refresh(t, s, rt)
	}
	got := s.Issued(rt)
	if len(got) != 10 || !got[0].Equal(t0) || !got[1].Equal(t0.Add(time.Minute)) {
		t.Fatalf("got %v; want 10 times, the first two %v and %v", got, t0, t0.Add(time.Minute))
	}
	if got := s.Issued("1000.unknown"); got != nil {
		t.Errorf("unknown refresh token: got %v; want nil", got)
	}
}
