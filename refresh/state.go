package refresh

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/tokenstore-go/tokenstore"
)

// The record's metadata entries this package owns (see tokenstore.Meta).
// None holds a secret: refresh tokens appear only as a short digest.
const (
	metaLease    = "refresh.lease"
	metaThrottle = "refresh.throttle"
	metaRevoked  = "refresh.revoked"
)

// lease says which process is refreshing the record's access token, until
// when. Another process takes it over once it has expired.
type lease struct {
	Owner string    `json:"owner"`
	Until time.Time `json:"until"`
}

// mark records that the token endpoint refused the record's refresh
// token: throttled until Until, or revoked. RT is a digest of the refresh
// token it concerns, so that a new grant saved for the user clears it.
type mark struct {
	RT    string    `json:"rt"`
	Until time.Time `json:"until,omitzero"`
}

// rtDigest names a refresh token in the metadata without showing it.
func rtDigest(rt string) string {
	h := sha256.Sum256([]byte("tokenstore/refresh\x00" + rt))
	return hex.EncodeToString(h[:8])
}

// state is the part of a record's metadata this package reads.
type state struct {
	lease    *lease
	throttle *mark
	revoked  *mark
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
