package main

import (
	"fmt"
	"net/http"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/zoho"
)

// The six TokenStore operations, with the lookup rules of the store.

func (s *server) findToken(w http.ResponseWriter, r *http.Request) {
	q, err := s.decodeToken(w, r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	fresh := r.URL.Query().Get("fresh")
	if fresh != "" && fresh != "1" && fresh != "0" {
		s.writeError(w, r, badRequest("fresh: want 1 or 0"))
		return
	}
	t, err := s.store.FindToken(r.Context(), q)
	if err == nil && fresh == "1" {
		t, err = s.valid(r, t)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toWire(t))
}

func (s *server) saveToken(w http.ResponseWriter, r *http.Request) {
	t, err := s.decodeToken(w, r)
	if err == nil && t.APIDomain != "" {
		// The api_domain decides where clients send the access token.
		var derr error
		if t.APIDomain, derr = zoho.CheckAPIDomain(t.APIDomain, s.allowed...); derr != nil {
			err = &apiError{status: http.StatusBadRequest, code: "invalid_token", message: derr.Error()}
		}
	}
	if err == nil {
		err = s.store.SaveToken(r.Context(), &t)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toWire(t))
}

func (s *server) getTokens(w http.ResponseWriter, r *http.Request) {
	ts, err := s.store.GetTokens(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := make([]wireToken, len(ts))
	for i, t := range ts {
		out[i] = toWire(t)
	}
	writeJSON(w, http.StatusOK, map[string][]wireToken{"tokens": out})
}

func (s *server) findTokenByID(w http.ResponseWriter, r *http.Request) {
	t, err := s.store.FindTokenByID(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toWire(t))
}

func (s *server) deleteToken(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := s.store.DeleteToken(r.Context(), id); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.sources.forget(id)
	w.WriteHeader(http.StatusNoContent)
}

func (s *server) deleteTokens(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("confirm") != "all" {
		s.writeError(w, r, badRequest("deleting every token needs ?confirm=all"))
		return
	}
	if err := s.store.DeleteTokens(r.Context()); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.sources.clear()
	w.WriteHeader(http.StatusNoContent)
}

// decodeToken reads a token body.
func (s *server) decodeToken(w http.ResponseWriter, r *http.Request) (tokenstore.Token, error) {
	var wt wireToken
	if err := decode(w, r, &wt); err != nil {
		return tokenstore.Token{}, err
	}
	t, err := wt.token()
	if err != nil {
		return tokenstore.Token{}, badRequest(fmt.Sprint(err))
	}
	return t, nil
}
