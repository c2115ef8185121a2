package main

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"golang.org/x/oauth2"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/refresh"
)

// maxBody caps a request body: twice the 64 KiB a stored record may take,
// which is more than any token a store accepts (see tokenstore.ErrTooLarge).
const maxBody = 128 << 10

// tokenIn is the body of PUT /users/{user}/token.
type tokenIn struct {
	ClientID     string    `json:"client_id"`
	ClientSecret string    `json:"client_secret"`
	RefreshToken string    `json:"refresh_token"`
	AccessToken  string    `json:"access_token"`
	GrantToken   string    `json:"grant_token"`
	Expiry       time.Time `json:"expiry"`
	RedirectURL  string    `json:"redirect_url"`
	APIDomain    string    `json:"api_domain"`
}

// tokenOut is what the service shows of a record: never a secret, only
// whether it is set.
type tokenOut struct {
	ID              string     `json:"id"`
	UserName        string     `json:"user_name"`
	ClientID        string     `json:"client_id,omitempty"`
	Expiry          *time.Time `json:"expiry,omitempty"`
	RedirectURL     string     `json:"redirect_url,omitempty"`
	APIDomain       string     `json:"api_domain,omitempty"`
	HasClientSecret bool       `json:"has_client_secret"`
	HasRefreshToken bool       `json:"has_refresh_token"`
	HasAccessToken  bool       `json:"has_access_token"`
	HasGrantToken   bool       `json:"has_grant_token"`
}

func show(t tokenstore.Token) tokenOut {
	out := tokenOut{
		ID: t.ID, UserName: t.UserName, ClientID: t.ClientID, RedirectURL: t.RedirectURL, APIDomain: t.APIDomain,
		HasClientSecret: t.ClientSecret != "", HasRefreshToken: t.RefreshToken != "",
		HasAccessToken: t.AccessToken != "", HasGrantToken: t.GrantToken != "",
	}
	if !t.Expiry.IsZero() {
		out.Expiry = &t.Expiry
	}
	return out
}

// allowAPIDomains lists origins besides Zoho's API hosts that token
// responses may name: a local fake in tests, never in production.
func newHandler(s tokenstore.Store, log *slog.Logger, endpoint oauth2.Endpoint, allowAPIDomains ...string) http.Handler {
	h := &handler{s: s, log: log, endpoint: endpoint, allow: allowAPIDomains}
	mux := http.NewServeMux()
	mux.HandleFunc("PUT /users/{user}/token", h.save)
	mux.HandleFunc("GET /users/{user}/token", h.find)
	mux.HandleFunc("DELETE /users/{user}/token", h.delete)
	mux.HandleFunc("GET /users/{user}/access-token", h.accessToken)
	mux.HandleFunc("GET /users", h.list)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	mux.HandleFunc("GET /readyz", h.ready)
	return mux
}

type handler struct {
	s        tokenstore.Store
	log      *slog.Logger
	endpoint oauth2.Endpoint // the Zoho token endpoint (see zoho.DC)
	allow    []string        // api_domain origins allowed besides Zoho's (tests)
}

func (h *handler) save(w http.ResponseWriter, r *http.Request) {
	var in tokenIn
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		http.Error(w, "body: want a JSON token", http.StatusBadRequest)
		return
	}
	t := tokenstore.Token{
		UserName: r.PathValue("user"), ClientID: in.ClientID, ClientSecret: in.ClientSecret,
		RefreshToken: in.RefreshToken, AccessToken: in.AccessToken, GrantToken: in.GrantToken,
		Expiry: in.Expiry, RedirectURL: in.RedirectURL, APIDomain: in.APIDomain,
	}
	if err := h.s.SaveToken(r.Context(), &t); err != nil {
		h.fail(w, "save", err)
		return
	}
	h.log.Info("saved", "id", t.ID) // the ID, never the user name or a token
	writeJSON(w, http.StatusOK, show(t))
}

func (h *handler) find(w http.ResponseWriter, r *http.Request) {
	t, err := h.s.FindToken(r.Context(), tokenstore.Token{UserName: r.PathValue("user")})
	if err != nil {
		h.fail(w, "find", err)
		return
	}
	writeJSON(w, http.StatusOK, show(t))
}

func (h *handler) delete(w http.ResponseWriter, r *http.Request) {
	t, err := h.s.FindToken(r.Context(), tokenstore.Token{UserName: r.PathValue("user")})
	if err == nil {
		err = h.s.DeleteToken(r.Context(), t.ID)
	}
	if err != nil {
		h.fail(w, "delete", err)
		return
	}
	h.log.Info("deleted", "id", t.ID)
	w.WriteHeader(http.StatusNoContent)
}

func (h *handler) list(w http.ResponseWriter, r *http.Request) {
	all, err := h.s.GetTokens(r.Context())
	if err != nil {
		h.fail(w, "list", err)
		return
	}
	out := make([]tokenOut, 0, len(all))
	for _, t := range all {
		out = append(out, show(t))
	}
	writeJSON(w, http.StatusOK, out)
}

// accessToken answers a valid access token for the user, for the other
// containers of the service to call Zoho with. However many replicas and
// callers ask at once when it has expired, one token endpoint call is made
// (package refresh); a throttled or revoked refresh token is 503 with
// Retry-After, or 409.
func (h *handler) accessToken(w http.ResponseWriter, r *http.Request) {
	// A Source per request reads the store each time, so a grant saved or
	// revoked by another replica shows at once; a long-lived service may
	// keep one per user for the in-memory fast path.
	src, err := refresh.New(h.s, tokenstore.Token{UserName: r.PathValue("user")}, h.endpoint, &refresh.Options{AllowAPIDomains: h.allow})
	if err != nil {
		h.fail(w, "access token", err)
		return
	}
	t, err := src.Current(r.Context())
	var te *refresh.ThrottledError
	switch {
	case errors.As(err, &te):
		w.Header().Set("Retry-After", strconv.Itoa(int(time.Until(te.Until).Seconds())+1))
		http.Error(w, "the token endpoint throttles this user's refresh token", http.StatusServiceUnavailable)
		return
	case errors.Is(err, refresh.ErrRevoked), errors.Is(err, refresh.ErrNoRefreshToken):
		http.Error(w, "this user needs a new grant", http.StatusConflict)
		return
	case err != nil:
		h.fail(w, "access token", err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"access_token": t.AccessToken, "expiry": t.Expiry, "api_domain": t.APIDomain})
}

// ready checks that Vault answers this service's token: a lookup of an ID
// that does not exist is a miss when all is well.
func (h *handler) ready(w http.ResponseWriter, r *http.Request) {
	_, err := h.s.FindTokenByID(r.Context(), tokenstore.NewID())
	if err != nil && !errors.Is(err, tokenstore.ErrNotFound) {
		h.fail(w, "ready", err)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// fail maps store errors to HTTP statuses. Store errors never carry a
// secret or user name, so they may be logged; clients get only the status.
func (h *handler) fail(w http.ResponseWriter, op string, err error) {
	status := http.StatusServiceUnavailable
	switch {
	case errors.Is(err, tokenstore.ErrNotFound):
		status = http.StatusNotFound
	case errors.Is(err, tokenstore.ErrInvalidToken), errors.Is(err, tokenstore.ErrTooLarge):
		status = http.StatusBadRequest
	case errors.Is(err, tokenstore.ErrDuplicate), errors.Is(err, tokenstore.ErrConflict):
		status = http.StatusConflict
	}
	if status == http.StatusServiceUnavailable {
		h.log.Error(op, "err", err)
	}
	http.Error(w, http.StatusText(status), status)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
