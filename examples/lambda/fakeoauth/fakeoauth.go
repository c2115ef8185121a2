// Package fakeoauth is a small OAuth 2.0 token endpoint and protected API
// for running the Lambda example without a real provider. It is a test
// double: it accepts any refresh token for its one client.
package fakeoauth

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Server issues access tokens for one client and serves an API that
// accepts them.
type Server struct {
	ClientID, ClientSecret string
	// ExpiresIn is the lifetime of issued access tokens. Default one hour.
	ExpiresIn time.Duration
	// RotateRefreshTokens makes every refresh return a new refresh token.
	RotateRefreshTokens bool
	// Now returns the current time. Default time.Now.
	Now func() time.Time

	mu     sync.Mutex
	issued map[string]time.Time // access token → expiry
	grants int
}

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Refreshes returns how many access tokens the server has issued.
func (s *Server) Refreshes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.grants
}

// Handler serves POST /oauth/v2/token (grant_type=refresh_token, client
// credentials in the form or in HTTP basic auth) and GET /api/me (a bearer
// token it issued and that has not expired).
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /oauth/v2/token", s.token)
	mux.HandleFunc("GET /api/me", s.me)
	return mux
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request")
		return
	}
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	switch {
	case id != s.ClientID || secret != s.ClientSecret:
		oauthError(w, http.StatusUnauthorized, "invalid_client")
		return
	case r.PostForm.Get("grant_type") != "refresh_token" || r.PostForm.Get("refresh_token") == "":
		oauthError(w, http.StatusBadRequest, "invalid_grant")
		return
	}
	life := s.ExpiresIn
	if life <= 0 {
		life = time.Hour
	}
	at := "at-" + random()
	resp := map[string]any{
		"access_token": at,
		"token_type":   "Bearer",
		"expires_in":   int(life / time.Second),
		"api_domain":   "http://" + r.Host,
	}
	if s.RotateRefreshTokens {
		resp["refresh_token"] = "rt-" + random()
	}
	s.mu.Lock()
	if s.issued == nil {
		s.issued = make(map[string]time.Time)
	}
	s.issued[at] = s.now().Add(life)
	s.grants++
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(resp)
}

func (s *Server) me(w http.ResponseWriter, r *http.Request) {
	auth := r.Header.Get("Authorization")
	at, ok := strings.CutPrefix(auth, "Bearer ")
	if !ok {
		at, ok = strings.CutPrefix(auth, "Zoho-oauthtoken ")
	}
	s.mu.Lock()
	exp, known := s.issued[at]
	s.mu.Unlock()
	if !ok || !known || !s.now().Before(exp) {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		http.Error(w, "invalid or expired access token", http.StatusUnauthorized)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "token_expires": exp.UTC()})
}

func oauthError(w http.ResponseWriter, code int, e string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": e})
}

func random() string {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}
