package main

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/refresh"
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
		err = s.expire(r.Context(), t.ID, body.AccessToken)
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
// one token call per expiry across every agent sharing the store.
// Concurrent requests for one record share one Current call (when the
// token is due, one agent's clients then poll the store once, not each),
// and each waits only as long as its own context allows.
func (s *server) valid(r *http.Request, t tokenstore.Token) (tokenstore.Token, error) {
	src, err := s.sources.get(t)
	if err != nil {
		return tokenstore.Token{}, err
	}
	ch := s.flight.DoChan(t.ID, func() (any, error) {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), s.timeout)
		defer cancel()
		rs := &reqStats{}
		got, err := src.Current(withStats(ctx, rs))
		var te *refresh.ThrottledError
		switch {
		case errors.As(err, &te):
			s.metrics.throttled.Inc()
		case errors.Is(err, refresh.ErrRevoked):
			s.metrics.revoked.Inc()
		case err == nil && rs.updates.Load() > 0 && rs.tokenCalls.Load() == 0:
			// The token had expired and another agent refreshed it: this
			// one waited on its lease, or found its answer.
			s.metrics.leaseWaits.Inc()
		}
		return got, err
	})
	select {
	case res := <-ch:
		if res.Err != nil {
			return tokenstore.Token{}, res.Err
		}
		return res.Val.(tokenstore.Token), nil
	case <-r.Context().Done():
		return tokenstore.Token{}, r.Context().Err()
	}
}

// minExpireGap is how often one agent expires a refused token of one
// record at most: an API that refuses every token must not make the fleet
// ask for a new one per request (Zoho throttles the 11th in 10 minutes).
const minExpireGap = 30 * time.Second

// expire marks accessToken expired in the record if the record still
// holds it, so that the next caller of any agent refreshes, and drops this
// agent's Source so that it does not hand out the token it remembers.
func (s *server) expire(ctx context.Context, id, accessToken string) error {
	// Whatever happens, this agent stops handing out the token it
	// remembers; the next caller reads the store.
	defer s.sources.forget(id)
	upd, ok := s.store.(tokenstore.Updater)
	if !ok {
		return errors.New("the store cannot read-modify-write")
	}
	if !s.sources.mayExpire(id, time.Now(), minExpireGap) {
		s.log.LogAttrs(ctx, slog.LevelWarn, "refused token left as it is: this agent expired one of the record's tokens less than 30s ago", slog.String("id", id))
		return nil
	}
	changed := false
	_, err := upd.UpdateToken(ctx, id, func(rec tokenstore.Record) (tokenstore.Record, error) {
		changed = rec.Token.AccessToken == accessToken && !rec.Token.Expired(time.Now(), 0)
		if changed {
			rec.Token.Expiry = time.Now().Add(-time.Second)
		}
		return rec, nil
	})
	if err != nil {
		return err
	}
	if changed {
		s.metrics.expired.Inc()
	}
	return nil
}

// reqStats counts, for one request, the store updates and token endpoint
// calls its token source made.
type reqStats struct {
	updates, tokenCalls atomic.Int32
}

type statsKey struct{}

func withStats(ctx context.Context, rs *reqStats) context.Context {
	return context.WithValue(ctx, statsKey{}, rs)
}

func fromContext(ctx context.Context) *reqStats {
	rs, _ := ctx.Value(statsKey{}).(*reqStats)
	return rs
}

// countingStore is the store the token sources use: it counts their
// read-modify-writes (each is a look at an expired token) per request.
type countingStore struct {
	tokenstore.Store
	upd tokenstore.Updater
}

func (c countingStore) UpdateToken(ctx context.Context, id string, fn func(tokenstore.Record) (tokenstore.Record, error)) (tokenstore.Record, error) {
	if rs := fromContext(ctx); rs != nil {
		rs.updates.Add(1)
	}
	return c.upd.UpdateToken(ctx, id, fn)
}
