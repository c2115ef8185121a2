package main

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/tokenstore-go/tokenstore"
)

const (
	// maxBody bounds a request body: a record is at most 64 KiB
	// (driver.MaxRecordSize) and its JSON on the wire a few times that.
	maxBody = 256 << 10
	// headerName carries the token every /v1/ request must show.
	headerName = "X-Tokenstore-Token"
)

// server answers the agent's HTTP API. Create it with newServer.
type server struct {
	store   tokenstore.Store
	sources *sources
	log     *slog.Logger
	metrics *metrics
	token   [sha256.Size]byte // digest of the header token, compared in constant time
	allowed []string          // extra API origins (tests)
	timeout time.Duration
	ready   func(context.Context) error
}

// handler returns the whole API: /healthz and /readyz without the header
// token, /v1/ behind it.
func (s *server) handler() http.Handler {
	api := http.NewServeMux()
	api.HandleFunc("POST /v1/tokens/find", s.findToken)
	api.HandleFunc("PUT /v1/tokens", s.saveToken)
	api.HandleFunc("GET /v1/tokens", s.getTokens)
	api.HandleFunc("DELETE /v1/tokens", s.deleteTokens)
	api.HandleFunc("GET /v1/tokens/{id}", s.findTokenByID)
	api.HandleFunc("DELETE /v1/tokens/{id}", s.deleteToken)
	api.HandleFunc("GET /v1/token", s.accessToken)
	api.HandleFunc("POST /v1/token/invalid", s.invalidToken)
	api.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, &apiError{status: http.StatusNotFound, code: "not_found", message: "no such endpoint"})
	})

	root := http.NewServeMux()
	root.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	root.HandleFunc("GET /readyz", s.readyz)
	root.Handle("/", s.guard(api))
	return s.observe(root)
}

// guard lets through only requests that show the header token and came
// straight from a local process: a request carrying X-Forwarded-For or
// Forwarded was relayed, the sign of a server-side request forgery.
func (s *server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Forwarded-For") != "" || r.Header.Get("Forwarded") != "" {
			s.writeError(w, r, badRequest("forwarded requests are refused (X-Forwarded-For or Forwarded is set)"))
			return
		}
		got := r.Header[headerName]
		if len(got) != 1 || got[0] == "" {
			s.writeError(w, r, &apiError{status: http.StatusUnauthorized, code: "unauthorized", message: "missing (or repeated) " + headerName + " header"})
			return
		}
		// Digests of equal length, so the comparison's time tells nothing
		// about the token, its length included.
		d := sha256.Sum256([]byte(got[0]))
		if subtle.ConstantTimeCompare(d[:], s.token[:]) != 1 {
			s.writeError(w, r, &apiError{status: http.StatusUnauthorized, code: "unauthorized", message: "wrong " + headerName + " header"})
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), s.timeout)
		defer cancel()
		inner := r.WithContext(ctx)
		next.ServeHTTP(w, inner)
		r.Pattern = inner.Pattern // the route, for observe

	})
}

func (s *server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	if err := s.ready(ctx); err != nil {
		s.log.LogAttrs(ctx, slog.LevelWarn, "not ready", slog.String("err", err.Error()))
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

// decode reads r's JSON body into v: application/json, at most maxBody
// bytes, no unknown field, one value.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return &apiError{status: http.StatusUnsupportedMediaType, code: "bad_request", message: "want Content-Type: application/json"}
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return bodyError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if err != nil {
			return bodyError(err)
		}
		return badRequest("more than one JSON value in the body")
	}
	return nil
}

// bodyError describes a body that did not decode, without quoting it: a
// syntax error's text would show a character of what may be a secret.
func bodyError(err error) *apiError {
	var mbe *http.MaxBytesError
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &mbe):
		return &apiError{status: http.StatusRequestEntityTooLarge, code: "too_large", message: fmt.Sprintf("the body is over %d bytes", maxBody)}
	case errors.As(err, &se):
		return badRequest(fmt.Sprintf("malformed JSON at byte %d", se.Offset))
	case errors.As(err, &te):
		return badRequest(fmt.Sprintf("field %q: want a %s", te.Field, te.Type))
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest("the body is empty or cut short")
	}
	if msg := err.Error(); strings.HasPrefix(msg, "json: unknown field ") {
		// The text names the field the caller sent, not a value.
		return badRequest(strings.TrimPrefix(msg, "json: "))
	}
	return badRequest("the body could not be read")
}
