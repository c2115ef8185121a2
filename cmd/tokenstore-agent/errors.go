package main

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/refresh"
	"github.com/tokenstore-go/tokenstore/zoho"
)

// apiError is an answer other than success: its status, code and a
// message that never holds a secret.
type apiError struct {
	status     int
	code       string
	message    string
	retryAfter time.Time // throttled: the end of the window
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

func badRequest(msg string) *apiError {
	return &apiError{status: http.StatusBadRequest, code: "bad_request", message: msg}
}

// classify maps an error of the store, a token source or the request to
// its answer. Messages of the tokenstore, refresh and zoho packages hold no
// secret (their contract), so they are passed on; a store's other errors
// become "unavailable" with a fixed text and are logged.
func classify(err error) *apiError {
	var ae *apiError
	var te *refresh.ThrottledError
	var re *refresh.RetryError
	var ze *zoho.Error
	switch {
	case errors.As(err, &ae):
		return ae
	case errors.As(err, &te):
		return &apiError{status: http.StatusTooManyRequests, code: "throttled", message: err.Error(), retryAfter: te.Until}
	case errors.As(err, &re):
		// The fleet's last refresh failed; nobody calls the endpoint
		// again before the recorded backoff ends.
		return &apiError{status: http.StatusServiceUnavailable, code: "refresh_failed", message: err.Error(), retryAfter: re.Until}
	case errors.Is(err, refresh.ErrRevoked):
		return &apiError{status: http.StatusConflict, code: "revoked", message: err.Error()}
	case errors.Is(err, refresh.ErrNoRefreshToken):
		return &apiError{status: http.StatusConflict, code: "no_refresh_token", message: err.Error()}
	case errors.Is(err, tokenstore.ErrInvalidToken):
		return &apiError{status: http.StatusBadRequest, code: "invalid_token", message: err.Error()}
	case errors.Is(err, tokenstore.ErrNotFound):
		return &apiError{status: http.StatusNotFound, code: "not_found", message: "no such token"}
	case errors.Is(err, tokenstore.ErrDuplicate):
		return &apiError{status: http.StatusConflict, code: "duplicate", message: err.Error()}
	case errors.Is(err, tokenstore.ErrTooLarge):
		return &apiError{status: http.StatusRequestEntityTooLarge, code: "too_large", message: err.Error()}
	case errors.Is(err, tokenstore.ErrConflict):
		return &apiError{status: http.StatusConflict, code: "conflict", message: err.Error()}
	case errors.Is(err, tokenstore.ErrCorrupt):
		// The message names the record's ID, never its content.
		return &apiError{status: http.StatusInternalServerError, code: "internal", message: err.Error()}
	case errors.As(err, &ze) && errors.Is(err, zoho.ErrThrottled):
		return &apiError{status: http.StatusTooManyRequests, code: "throttled", message: err.Error(), retryAfter: ze.Until}
	case errors.As(err, &ze):
		// The token endpoint refused for another reason (invalid_client,
		// a bad answer): the agent's upstream, not the store, failed.
		return &apiError{status: http.StatusBadGateway, code: "token_endpoint", message: err.Error()}
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return &apiError{status: http.StatusServiceUnavailable, code: "unavailable", message: "timed out: the store or the token endpoint did not answer in time"}
	}
	return &apiError{status: http.StatusServiceUnavailable, code: "unavailable", message: "the store failed; see the agent's log"}
}

// writeError answers with err's status and body, and logs what the caller
// is not told.
func (s *server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	ae := classify(err)
	if ae.status >= 500 {
		s.log.LogAttrs(r.Context(), slog.LevelError, "request failed", slog.String("route", routeOf(r)), slog.String("code", ae.code), slog.String("err", err.Error()))
	}
	if !ae.retryAfter.IsZero() {
		secs := max(int64(time.Until(ae.retryAfter).Seconds()+0.999), 1)
		w.Header().Set("Retry-After", strconv.FormatInt(secs, 10))
	}
	body := map[string]any{"code": ae.code, "message": ae.message}
	if !ae.retryAfter.IsZero() {
		body["retry_after"] = ae.retryAfter.Unix()
	}
	writeJSON(w, ae.status, map[string]any{"error": body})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
