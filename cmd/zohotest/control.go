package main

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/tokenstore-go/tokenstore/zoho/zohotest"
)

// offsetClock is the fake's clock: real time plus an offset the control
// API moves forward, so tokens expire at the fake while their holders'
// clocks say they are still valid (a token Zoho refuses early).
type offsetClock struct {
	mu  sync.Mutex
	off time.Duration
}

func (c *offsetClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.off)
}

func (c *offsetClock) advance(d time.Duration) time.Time {
	c.mu.Lock()
	c.off += d
	c.mu.Unlock()
	return c.Now()
}

// control is the control API:
//
//	GET  /stats                           zohotest.Stats
//	POST /clients        {client_id, client_secret, redirect_uris}  204
//	POST /refresh-tokens {client_id}      {"refresh_token"}
//	POST /grant-codes    {client_id}      {"code"}
//	POST /revoke         {refresh_token}  204
//	GET  /active?refresh_token=…          {"active": n}
//	GET  /issued?refresh_token=…          {"issued": [RFC 3339 times the access tokens were made]}
//	POST /clock          {"advance": "90s"}  {"now": RFC 3339}
//
// Errors are 400 (bad body), 404 (unknown client or path) with
// {"error": text}.
type control struct {
	srv   *zohotest.Server
	clock *offsetClock
	mux   *http.ServeMux

	mu      sync.Mutex
	clients map[string]bool // registered, so an unknown one is a 404, not zohotest's panic
}

func newControl(srv *zohotest.Server, clock *offsetClock) *control {
	c := &control{srv: srv, clock: clock, mux: http.NewServeMux(), clients: map[string]bool{}}
	c.mux.HandleFunc("GET /stats", func(w http.ResponseWriter, r *http.Request) { reply(w, http.StatusOK, srv.Stats()) })
	c.mux.HandleFunc("POST /clients", c.postClient)
	c.mux.HandleFunc("POST /refresh-tokens", c.issue(func(id string) any { return map[string]string{"refresh_token": srv.NewRefreshToken(id)} }))
	c.mux.HandleFunc("POST /grant-codes", c.issue(func(id string) any { return map[string]string{"code": srv.NewGrantCode(id)} }))
	c.mux.HandleFunc("POST /revoke", c.revoke)
	c.mux.HandleFunc("GET /active", func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusOK, map[string]int{"active": srv.ActiveTokens(r.URL.Query().Get("refresh_token"))})
	})
	c.mux.HandleFunc("GET /issued", func(w http.ResponseWriter, r *http.Request) {
		times := []string{}
		for _, t := range srv.Issued(r.URL.Query().Get("refresh_token")) {
			times = append(times, t.UTC().Format(time.RFC3339Nano))
		}
		reply(w, http.StatusOK, map[string][]string{"issued": times})
	})
	c.mux.HandleFunc("POST /clock", c.postClock)
	return c
}

func (c *control) ServeHTTP(w http.ResponseWriter, r *http.Request) { c.mux.ServeHTTP(w, r) }

func (c *control) register(id, secret string, redirects []string) {
	c.mu.Lock()
	c.clients[id] = true
	c.mu.Unlock()
	c.srv.Client(id, secret, redirects...)
}

func (c *control) known(id string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.clients[id]
}

func (c *control) postClient(w http.ResponseWriter, r *http.Request) {
	var body struct {
		ClientID     string   `json:"client_id"`
		ClientSecret string   `json:"client_secret"`
		RedirectURIs []string `json:"redirect_uris"`
	}
	if !decode(w, r, &body) {
		return
	}
	if body.ClientID == "" || body.ClientSecret == "" {
		fail(w, http.StatusBadRequest, "client_id and client_secret are required")
		return
	}
	c.register(body.ClientID, body.ClientSecret, body.RedirectURIs)
	w.WriteHeader(http.StatusNoContent)
}

func (c *control) issue(make func(clientID string) any) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			ClientID string `json:"client_id"`
		}
		if !decode(w, r, &body) {
			return
		}
		if !c.known(body.ClientID) {
			fail(w, http.StatusNotFound, "unknown client")
			return
		}
		reply(w, http.StatusOK, make(body.ClientID))
	}
}

func (c *control) revoke(w http.ResponseWriter, r *http.Request) {
	var body struct {
		RefreshToken string `json:"refresh_token"`
	}
	if !decode(w, r, &body) {
		return
	}
	c.srv.Revoke(body.RefreshToken)
	w.WriteHeader(http.StatusNoContent)
}

func (c *control) postClock(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Advance string `json:"advance"`
	}
	if !decode(w, r, &body) {
		return
	}
	d, err := time.ParseDuration(body.Advance)
	if err != nil || d < 0 {
		fail(w, http.StatusBadRequest, "advance: want a duration such as 90s")
		return
	}
	reply(w, http.StatusOK, map[string]string{"now": c.clock.advance(d).UTC().Format(time.RFC3339Nano)})
}

// decode reads a JSON body of at most 64 KiB with no unknown fields.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	d := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10))
	d.DisallowUnknownFields()
	err := d.Decode(v)
	if err == nil && d.Decode(&struct{}{}) != io.EOF {
		err = errors.New("more than one JSON value")
	}
	if err != nil {
		fail(w, http.StatusBadRequest, "body: "+strings.TrimPrefix(err.Error(), "json: "))
		return false
	}
	return true
}

func fail(w http.ResponseWriter, status int, msg string) {
	reply(w, status, map[string]string{"error": msg})
}

func reply(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
