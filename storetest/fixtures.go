package storetest

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/internal/fields"
)

// baseTime is a fixed instant with a non-UTC zone and nanoseconds, so the
// suite sees whether a store keeps an Expiry exactly.
var baseTime = time.Date(2026, 11, 23, 10, 4, 5, 123456789, time.FixedZone("X", 5*3600+30*60))

// token returns a complete record for user i whose values are unique to the
// case, with every secret marked so leak checks can find it. Every field of
// the table is set (TestFixtureSetsEveryField), so the suite checks that a
// store keeps each of them.
func (e *env) token(i int) tokenstore.Token {
	u := fmt.Sprintf("%s-%d", e.tag, i)
	return tokenstore.Token{
		UserName:     "user-" + u + "@example.com",
		ClientID:     "1000.client-" + u,
		ClientSecret: "secret-cs-" + u,
		RefreshToken: "secret-rt-" + u,
		AccessToken:  "secret-at-" + u,
		GrantToken:   "secret-gt-" + u,
		Expiry:       baseTime.Add(time.Duration(i) * time.Hour),
		RedirectURL:  "https://app.example.com/oauth/callback",
		APIDomain:    "https://www.zohoapis.com",
	}
}

// save stores tok through s, failing the test on error, and returns what
// SaveToken left in its argument.
func save(t *testing.T, e *env, s tokenstore.Store, tok tokenstore.Token) tokenstore.Token {
	t.Helper()
	if err := s.SaveToken(e.ctx, &tok); err != nil {
		t.Fatalf("SaveToken(%v): %v", tok, err)
	}
	return tok
}

// find returns the record q selects, failing the test on error.
func find(t *testing.T, e *env, s tokenstore.Store, q tokenstore.Token) tokenstore.Token {
	t.Helper()
	got, err := s.FindToken(e.ctx, q)
	if err != nil {
		t.Fatalf("FindToken(%v): %v", q, err)
	}
	return got
}

// list returns every record of s, failing the test on error.
func list(t *testing.T, e *env, s tokenstore.Store) []tokenstore.Token {
	t.Helper()
	got, err := s.GetTokens(e.ctx)
	if err != nil {
		t.Fatalf("GetTokens: %v", err)
	}
	return got
}

// wantErr checks that err wraps target and shows none of the secrets or user
// names of the given tokens.
func wantErr(t *testing.T, op string, err, target error, seen ...tokenstore.Token) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: got error %v; want %v", op, err, target)
	}
	noLeak(t, op, err, seen...)
}

// noLeak fails the test when err's message contains a secret or user name
// of any of the tokens.
func noLeak(t *testing.T, op string, err error, seen ...tokenstore.Token) {
	t.Helper()
	if err == nil {
		return
	}
	msg := err.Error()
	for _, tok := range seen {
		p := (*fields.Token)(&tok)
		for i, f := range fields.All {
			if !f.Secret && i != fields.UserName {
				continue
			}
			if v := *p.Str(i); len(v) >= 4 && strings.Contains(msg, v) {
				t.Fatalf("%s: error message contains the %s", op, f.Name)
			}
		}
	}
}

// wantToken fails the test unless got and want hold the same values, naming
// the fields that differ (never their secret values).
func wantToken(t *testing.T, op string, got, want tokenstore.Token) {
	t.Helper()
	if d := diff(got, want); d != "" {
		t.Fatalf("%s: record differs in %s\n got %v\nwant %v", op, d, got, want)
	}
}

// diff names the fields in which a and b differ, Expiry compared as an
// instant.
func diff(a, b tokenstore.Token) string {
	var names []string
	pa, pb := (*fields.Token)(&a), (*fields.Token)(&b)
	for i, f := range fields.All {
		if f.Time && !pa.Time(i).Equal(*pb.Time(i)) || !f.Time && *pa.Str(i) != *pb.Str(i) {
			names = append(names, f.Name)
		}
	}
	return strings.Join(names, ", ")
}

// wantIDs fails the test unless the records are exactly those IDs, in order.
func wantIDs(t *testing.T, op string, got []tokenstore.Token, ids ...string) {
	t.Helper()
	gotIDs := make([]string, len(got))
	for i, tok := range got {
		gotIDs[i] = tok.ID
	}
	if strings.Join(gotIDs, ",") != strings.Join(ids, ",") {
		t.Fatalf("%s: got IDs %v; want %v", op, gotIDs, ids)
	}
}

// wantNoWrites fails the test when s made writes since before, where the
// harness counts them.
func wantNoWrites(t *testing.T, e *env, s tokenstore.Store, before int64, op string) {
	t.Helper()
	if e.h.Writes == nil {
		return
	}
	if n := e.h.Writes(s) - before; n != 0 {
		t.Fatalf("%s made %d backend writes; want none: a refusal comes before the first write", op, n)
	}
}
