package refresh

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/tokenstore-go/tokenstore"
)

// The record's metadata entries this package owns (see tokenstore.Meta).
// None holds a secret: refresh tokens and grant codes appear only as a
// short digest.
const (
	metaLease    = "refresh.lease"
	metaThrottle = "refresh.throttle"
	metaRevoked  = "refresh.revoked"
	metaLast     = "refresh.last"
	metaFailed   = "refresh.failed"
)

// lease says which process is refreshing the record's access token, until
// when, and for which refresh token. ID names this one taking of the lease:
// the holder's answer lands only while the record still carries it (the
// fence), so a holder that stalled past Until and was taken over can never
// write over newer state.
type lease struct {
	Owner string    `json:"owner"`
	ID    string    `json:"id,omitempty"`
	RT    string    `json:"rt,omitempty"`
	Until time.Time `json:"until"`
}

// live reports whether l still excludes others at now. A lease whose Until
// lies more than ttl ahead was written by a clock running fast; it counts
// as expired, or that clock would stall the fleet.
func (l *lease) live(now time.Time, ttl time.Duration) bool {
	return l != nil && now.Before(l.Until) && l.Until.Sub(now) <= ttl
}

// mark records that the token endpoint refused the record's refresh
// token: throttled until Until, or revoked. RT is a digest of the refresh
// token it concerns, so that a new grant saved for the user clears it.
type mark struct {
	RT    string    `json:"rt"`
	Until time.Time `json:"until,omitzero"`
}

// last records the fleet's latest refresh of a refresh token: when (the
// holder's clock) and which. MinInterval counts from it.
type last struct {
	RT string    `json:"rt"`
	At time.Time `json:"at"`
}

// failure records that the last refresh of RT failed for another reason
// than a throttle or a revocation (a network error, a 5xx, an answer
// refused as malformed, which Zoho may well have counted as a token): no
// process tries again before Until. N counts the failures in a row, for
// the backoff; Kind names the error's class (see kinds) and Reason is its
// text, which holds no secret.
type failure struct {
	RT     string    `json:"rt"`
	Until  time.Time `json:"until"`
	N      int       `json:"n"`
	Kind   string    `json:"kind,omitempty"`
	Reason string    `json:"reason,omitempty"`
}

// rtDigest names a refresh token in the metadata without showing it.
func rtDigest(rt string) string {
	h := sha256.Sum256([]byte("tokenstore/refresh\x00" + rt))
	return hex.EncodeToString(h[:8])
}

// sourceDigest names what refreshes t's access token: its refresh token,
// or, before the first exchange, its grant code.
func sourceDigest(t tokenstore.Token) string {
	if t.RefreshToken == "" && t.GrantToken != "" {
		return rtDigest("grant\x00" + t.GrantToken)
	}
	return rtDigest(t.RefreshToken)
}

// state is the part of a record's metadata this package reads.
type state struct {
	lease    *lease
	throttle *mark
	revoked  *mark
	last     *last
	failed   *failure
}

func readState(m tokenstore.Meta) state {
	var st state
	decode := func(name string, v any) bool { raw, ok := m[name]; return ok && json.Unmarshal(raw, v) == nil }
	if l := new(lease); decode(metaLease, l) {
		st.lease = l
	}
	if t := new(mark); decode(metaThrottle, t) {
		st.throttle = t
	}
	if r := new(mark); decode(metaRevoked, r) {
		st.revoked = r
	}
	if l := new(last); decode(metaLast, l) {
		st.last = l
	}
	if f := new(failure); decode(metaFailed, f) {
		st.failed = f
	}
	return st
}

// with returns a copy of m with name set to v, or removed when v is nil.
func with(m tokenstore.Meta, name string, v any) tokenstore.Meta {
	out := m.Clone()
	if out == nil {
		out = tokenstore.Meta{}
	}
	if v == nil {
		delete(out, name)
		return out
	}
	b, _ := json.Marshal(v) // cannot fail: strings and times
	out[name] = b
	return out
}
