package main

import (
	"context"
	"net/http"

	"github.com/tokenstore-go/tokenstore"
)

// GET /v1/token?user=… or ?id=…: a valid access token.
func (s *server) accessToken(w http.ResponseWriter, r *http.Request) {
	t, err := s.lookup(r, r.URL.Query().Get("id"), r.URL.Query().Get("user"))
	if err == nil {
		t, err = s.valid(r, t)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, accessToken{
		AccessToken: t.AccessToken, ExpiryTime: expiryMillis(t.Expiry), APIDomain: t.APIDomain,
		TokenType: "Zoho-oauthtoken", ID: t.ID, UserName: t.UserName,
	})
}

// POST /v1/token/invalid: the API refused this access token (401
// INVALID_OAUTHTOKEN); expire it for every agent sharing the store.
func (s *server) invalidToken(w http.ResponseWriter, r *http.Request) {
	var body invalidRequest
	if err := decode(w, r, &body); err != nil {
		s.writeError(w, r, err)
		return
	}
	if body.AccessToken == "" {
		s.writeError(w, r, badRequest("access_token is required"))
		return
	}
	t, err := s.lookup(r, body.ID, body.UserName)
	if err == nil {
		err = s.expire(r.Context(), t, body.AccessToken)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// lookup finds the record by ID or by user name, exactly one given.
func (s *server) lookup(r *http.Request, id, user string) (tokenstore.Token, error) {
	switch {
	case (id == "") == (user == ""):
		return tokenstore.Token{}, badRequest("give exactly one of id and user")
	case id != "":
		return s.store.FindTokenByID(r.Context(), id)
	default:
		return s.store.FindToken(r.Context(), tokenstore.Token{UserName: user})
	}
}

// valid returns t's record with a valid access token, through its Source:
// one token call per expiry across every agent sharing the store. The
// Source makes concurrent callers share one look at the store, so one
// agent's clients do not each poll it while another agent refreshes.
func (s *server) valid(r *http.Request, t tokenstore.Token) (tokenstore.Token, error) {
	src, err := s.sources.get(t)
	if err != nil {
		return tokenstore.Token{}, err
	}
	return src.Current(r.Context())
}

// expire expires accessToken for every agent sharing the store if the
// record still holds it (refresh.Source.Expire: once per token, and not
// for a token the fleet got less than the minimum interval ago).
func (s *server) expire(ctx context.Context, t tokenstore.Token, accessToken string) error {
	src, err := s.sources.get(t)
	if err != nil {
		return err
	}
	return src.Expire(ctx, accessToken)
}
