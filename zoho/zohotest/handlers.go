package zohotest

import (
	"encoding/json"
	"mime"
	"net/http"
	"slices"
	"strings"
	"time"
)

// throttleBody is Zoho's answer when a refresh token has made too many
// access tokens in the window, word for word.
const throttleBody = `{"error":"Access Denied","error_description":"You have made too many requests continuously. Please try again after some time.","status":"failure"}`

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.stats.TokenCalls++
	var hold chan struct{}
	if len(s.holds) > 0 {
		hold, s.holds = s.holds[0], s.holds[1:]
	}
	s.mu.Unlock()
	if hold != nil {
		select {
		case <-hold:
		case <-r.Context().Done():
			return
		case <-s.done:
			return
		}
	}
	s.mu.Lock()
	hang := s.hang
	var inj *canned
	if !hang && len(s.injected) > 0 {
		inj = &s.injected[0]
		s.injected = s.injected[1:]
		s.stats.Injected++
	}
	s.mu.Unlock()
	if hang {
		select {
		case <-r.Context().Done():
		case <-s.done:
		}
		return
	}
	if inj != nil {
		ct := "application/json;charset=UTF-8"
		if strings.HasPrefix(inj.body, "<") {
			ct = "text/html;charset=UTF-8"
		}
		w.Header().Set("Content-Type", ct)
		w.WriteHeader(inj.status)
		_, _ = w.Write([]byte(inj.body))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := parseForm(r); err != nil {
		s.reject(w, "invalid_request")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.opts.Now()
	id := r.PostForm.Get("client_id")
	c, ok := s.clients[id]
	if !ok || c.secret != r.PostForm.Get("client_secret") || r.PostForm.Get("client_secret") == "" {
		s.rejectLocked(w, "invalid_client")
		return
	}
	switch r.PostForm.Get("grant_type") {
	case "refresh_token":
		s.refreshGrant(w, id, r.PostForm.Get("refresh_token"), now)
	case "authorization_code":
		s.codeGrant(w, id, c, r.PostForm.Get("code"), r.PostForm.Get("redirect_uri"), now)
	default:
		s.rejectLocked(w, "unsupported_grant_type")
	}
}

func (s *Server) refreshGrant(w http.ResponseWriter, clientID, token string, now time.Time) {
	rt, ok := s.refresh[token]
	if !ok || rt.revoked || rt.clientID != clientID {
		s.rejectLocked(w, "invalid_code")
		return
	}
	if !rt.tokens.take(now, s.opts.Window, s.opts.TokensPerWindow) {
		s.stats.Throttled++
		writeJSON(w, http.StatusOK, []byte(throttleBody))
		return
	}
	s.stats.Refreshes++
	s.answer(w, s.issue(token, rt, now), "")
}

func (s *Server) codeGrant(w http.ResponseWriter, clientID string, c *client, code, redirect string, now time.Time) {
	g, ok := s.codes[code]
	if !ok || g.used || g.clientID != clientID || !now.Before(g.expires) {
		s.rejectLocked(w, "invalid_code")
		return
	}
	if len(c.redirects) > 0 && !slices.Contains(c.redirects, redirect) {
		s.rejectLocked(w, "invalid_redirect_uri")
		return
	}
	if !c.grants.take(now, s.opts.Window, s.opts.GrantCodesPerWindow) {
		s.stats.Throttled++
		writeJSON(w, http.StatusOK, []byte(`{"error":"access_denied"}`))
		return
	}
	g.used = true
	token := s.newRefreshToken(clientID)
	rt := s.refresh[token]
	rt.tokens.take(now, s.opts.Window, s.opts.TokensPerWindow) // the first access token counts too
	s.stats.Exchanges++
	s.answer(w, s.issue(token, rt, now), token)
}

// issue makes an access token for rt, first invalidating the oldest active
// ones beyond MaxActiveTokens-1.
func (s *Server) issue(token string, rt *refreshToken, now time.Time) string {
	rt.active = s.prune(rt, now)
	for len(rt.active) >= s.opts.MaxActiveTokens {
		s.access[rt.active[0]].evicted = true
		rt.active = rt.active[1:]
		s.stats.Evictions++
	}
	at := "1000." + random(16) + "." + random(16)
	s.access[at] = &accessToken{refresh: token, expires: now.Add(s.opts.TokenLifetime)}
	rt.active = append(rt.active, at)
	rt.issued = append(rt.issued, now)
	return at
}

// prune returns rt's access tokens that are neither expired nor evicted.
func (s *Server) prune(rt *refreshToken, now time.Time) []string {
	live := rt.active[:0:0]
	for _, at := range rt.active {
		if a := s.access[at]; !a.evicted && now.Before(a.expires) {
			live = append(live, at)
		}
	}
	return live
}

func (s *Server) answer(w http.ResponseWriter, accessToken, refreshToken string) {
	body := map[string]any{
		"access_token": accessToken,
		"api_domain":   s.opts.APIDomain,
		"token_type":   "Bearer",
		"expires_in":   int64(s.opts.TokenLifetime / time.Second),
	}
	if refreshToken != "" {
		body["refresh_token"] = refreshToken
	}
	b, _ := json.Marshal(body)
	writeJSON(w, http.StatusOK, b)
}

func (s *Server) reject(w http.ResponseWriter, code string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rejectLocked(w, code)
}

func (s *Server) rejectLocked(w http.ResponseWriter, code string) {
	s.stats.Rejected++
	b, _ := json.Marshal(map[string]string{"error": code})
	writeJSON(w, http.StatusOK, b)
}

// parseForm parses a urlencoded or a multipart/form-data body into
// r.PostForm: Zoho's token endpoint takes both, and the Zoho Node SDK sends
// the second.
func parseForm(r *http.Request) error {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
		return r.ParseMultipartForm(64 << 10)
	}
	return r.ParseForm()
}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
