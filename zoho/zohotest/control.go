package zohotest

import (
	"sync"
	"time"
)

// Revoke revokes a refresh token, as a user removing the app's access
// does: later refreshes answer invalid_code and its access tokens stop
// working on the API. Unknown tokens are ignored.
func (s *Server) Revoke(refreshToken string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rt, ok := s.refresh[refreshToken]; ok {
		rt.revoked = true
	}
}

// ActiveTokens returns how many access tokens of refreshToken the API
// accepts now.
func (s *Server) ActiveTokens(refreshToken string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	rt, ok := s.refresh[refreshToken]
	if !ok || rt.revoked {
		return 0
	}
	return len(s.prune(rt, s.opts.Now()))
}

// RefreshTokenOf returns the refresh token an access token was made from,
// or "" for a token this server never issued: to check that a stored
// access token belongs to the stored refresh token.
func (s *Server) RefreshTokenOf(accessToken string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if at, ok := s.access[accessToken]; ok {
		return at.refresh
	}
	return ""
}

// Issued returns when each access token of refreshToken was made, oldest
// first (by refresh or by the exchange that made refreshToken): a fleet
// test checks with it that no two tokens were made for one expiry.
func (s *Server) Issued(refreshToken string) []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rt, ok := s.refresh[refreshToken]; ok {
		return append([]time.Time(nil), rt.issued...)
	}
	return nil
}

// SetHang makes the token endpoint hold every request, without answering,
// until the request's context ends (the client gave up) or the server
// closes; false restores normal answers. For deadline tests.
func (s *Server) SetHang(hang bool) {
	s.mu.Lock()
	s.hang = hang
	s.mu.Unlock()
}

// HoldNext makes the next token request wait, before the server reads it,
// until release is called (or the request's context ends, or the server
// closes); then it is answered as usual, on the clock of that moment.
// Requests after it are not held. For tests of a slow or stalled caller.
func (s *Server) HoldNext() (release func()) {
	ch := make(chan struct{})
	s.mu.Lock()
	s.holds = append(s.holds, ch)
	s.mu.Unlock()
	var once sync.Once
	return func() { once.Do(func() { close(ch) }) }
}

// Inject queues an answer: the next token request not held by SetHang is
// answered with status and body (Content-Type application/json unless the
// body starts with '<', then text/html), whatever it asked. For testing
// how a client takes a 502 page, garbage or an answer Zoho might give.
func (s *Server) Inject(status int, body string) {
	s.mu.Lock()
	s.injected = append(s.injected, canned{status, body})
	s.mu.Unlock()
}

// Stats returns a snapshot of the counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}
