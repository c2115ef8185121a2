package storetest

import (
	"strings"
	"testing"

	"github.com/tokenstore-go/tokenstore"
)

// hostileValues are strings that must be stored as data and never
// interpreted as a path, a name or an escape.
func hostileValues(tag string) []string {
	return []string{
		"a/b-" + tag,
		"../../../etc/passwd-" + tag,
		"..",
		"%2e%2e%2f" + tag,
		"..%2F..%2F" + tag,
		"nul\x00byte-" + tag,
		"ユーザー@例え.jp-" + tag,
		"\u202eevil\u200b-" + tag,
		"🦫-" + tag,
		`back\slash-` + tag,
		"*?[]{}$(id)`;|&-" + tag,
		" ",
		"trailing-abcdef",
		strings.Repeat("x", 10<<10) + tag,
	}
}

// badIDs must be refused as IDs: each carries something a backend could
// read as structure.
var badIDs = []string{
	"", ".", "..", "../x", "a/b", "/abs", "a\\b", "%2e%2e", "a%2Fb", "a.b",
	"a b", "a\x00b", "ü", "\u202e", "id\n", strings.Repeat("a", tokenstore.MaxIDLength+1),
}

var hostileCases = []testCase{
	{"Hostile/UserNames", func(t *testing.T, e *env) {
		other := e.store(t, e.ns+"b")
		var saved []tokenstore.Token
		for i, name := range hostileValues(e.tag) {
			in := e.token(i)
			in.UserName = name
			saved = append(saved, save(t, e, e.s, in))
		}
		for _, a := range saved {
			wantToken(t, "FindToken(hostile user name)", find(t, e, e.s, tokenstore.Token{UserName: a.UserName}), a)
			_, err := other.FindToken(e.ctx, tokenstore.Token{UserName: a.UserName})
			wantErr(t, "other namespace FindToken(hostile user name)", err, tokenstore.ErrNotFound, a)
		}
		if n := len(list(t, e, e.s)); n != len(saved) {
			t.Fatalf("GetTokens: %d records; want %d", n, len(saved))
		}
	}, false},
	{"Hostile/TokenValues", func(t *testing.T, e *env) {
		var saved []tokenstore.Token
		for i, v := range hostileValues(e.tag) {
			in := e.token(i)
			in.AccessToken = "at:" + v
			in.RefreshToken = "rt:" + v
			in.ClientID = "cid:" + v
			in.APIDomain = v
			saved = append(saved, save(t, e, e.s, in))
		}
		for _, a := range saved {
			for _, q := range queries(a) {
				wantToken(t, "FindToken(hostile token values)", find(t, e, e.s, q), a)
			}
		}
	}, false},
	{"Hostile/IDsRefused", func(t *testing.T, e *env) {
		a := save(t, e, e.s, e.token(1))
		for _, id := range badIDs {
			_, err := e.s.FindTokenByID(e.ctx, id)
			wantErr(t, "FindTokenByID(bad ID)", err, tokenstore.ErrInvalidToken, a)
			err = e.s.DeleteToken(e.ctx, id)
			wantErr(t, "DeleteToken(bad ID)", err, tokenstore.ErrInvalidToken, a)
			if id == "" {
				continue // an empty ID in a query or save means "none"
			}
			_, err = e.s.FindToken(e.ctx, tokenstore.Token{ID: id, UserName: a.UserName})
			wantErr(t, "FindToken(bad ID)", err, tokenstore.ErrInvalidToken, a)
			in := e.token(2)
			in.ID = id
			err = e.s.SaveToken(e.ctx, &in)
			wantErr(t, "SaveToken(bad ID)", err, tokenstore.ErrInvalidToken, a, in)
		}
		wantIDs(t, "GetTokens", list(t, e, e.s), a.ID)
	}, false},
	{"Hostile/EdgeIDsAccepted", func(t *testing.T, e *env) {
		for i, id := range []string{
			strings.Repeat("a", tokenstore.MaxIDLength), "-", "_", "a-abcdef", "A-Z_09",
		} {
			in := e.token(i)
			in.ID = id
			a := save(t, e, e.s, in)
			got, err := e.s.FindTokenByID(e.ctx, id)
			if err != nil {
				t.Fatalf("FindTokenByID(%q): %v", id, err)
			}
			wantToken(t, "FindTokenByID(edge ID)", got, a)
		}
	}, false},
}
