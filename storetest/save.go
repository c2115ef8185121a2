package storetest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/driver"
)

var saveCases = []testCase{
	{"SaveToken/InsertGeneratesID", func(t *testing.T, e *env) {
		a := save(t, e, e.s, e.token(1))
		b := save(t, e, e.s, e.token(2))
		for _, tok := range []tokenstore.Token{a, b} {
			if err := tokenstore.ValidateID(tok.ID); err != nil || len(tok.ID) < 22 {
				t.Fatalf("generated ID %q: %v; want a valid ID of at least 128 random bits", tok.ID, err)
			}
		}
		if a.ID == b.ID {
			t.Fatalf("two inserts got the same ID %q", a.ID)
		}
	}, false},
	{"SaveToken/InsertWithCallerID", func(t *testing.T, e *env) {
		in := e.token(1)
		in.ID = "zoho-" + e.tag + "_1"
		a := save(t, e, e.s, in)
		wantToken(t, "SaveToken result", a, in)
		got, err := e.s.FindTokenByID(e.ctx, in.ID)
		if err != nil {
			t.Fatalf("FindTokenByID: %v", err)
		}
		wantToken(t, "FindTokenByID", got, in)
	}, false},
	{"SaveToken/ArgumentHoldsStoredRecord", func(t *testing.T, e *env) {
		in := e.token(1)
		a := in
		if err := e.s.SaveToken(e.ctx, &a); err != nil {
			t.Fatalf("SaveToken: %v", err)
		}
		got, err := e.s.FindTokenByID(e.ctx, a.ID)
		if err != nil {
			t.Fatalf("FindTokenByID: %v", err)
		}
		wantToken(t, "argument after SaveToken", a, got)
		in.ID = a.ID
		wantToken(t, "stored record", got, in)
		if a.Expiry.Location() != got.Expiry.Location() {
			t.Fatalf("Expiry after SaveToken in %v; stored in %v: want the same location", a.Expiry.Location(), got.Expiry.Location())
		}
	}, false},
	{"SaveToken/MergeByUserName", func(t *testing.T, e *env) {
		a := save(t, e, e.s, e.token(1))
		upd := tokenstore.Token{UserName: a.UserName, AccessToken: "secret-at-new-" + e.tag, Expiry: baseTime.Add(5 * time.Hour)}
		got := save(t, e, e.peer(t), upd)
		want := a
		want.AccessToken, want.Expiry = upd.AccessToken, upd.Expiry
		wantToken(t, "SaveToken result", got, want)
		wantToken(t, "stored", find(t, e, e.s, tokenstore.Token{ID: a.ID}), want)
		if n := len(list(t, e, e.s)); n != 1 {
			t.Fatalf("GetTokens: %d records; want 1", n)
		}
	}, false},
	{"SaveToken/MergeByID", func(t *testing.T, e *env) {
		a := save(t, e, e.s, e.token(1))
		upd := tokenstore.Token{ID: a.ID, RefreshToken: "secret-rt-new-" + e.tag, APIDomain: "https://www.zohoapis.eu"}
		got := save(t, e, e.s, upd)
		want := a
		want.RefreshToken, want.APIDomain = upd.RefreshToken, upd.APIDomain
		wantToken(t, "SaveToken result", got, want)
		wantToken(t, "stored", find(t, e, e.s, tokenstore.Token{UserName: a.UserName}), want)
	}, false},
	{"SaveToken/MergeByAccessToken", func(t *testing.T, e *env) {
		a := save(t, e, e.s, e.token(1))
		upd := tokenstore.Token{AccessToken: a.AccessToken, Expiry: baseTime.Add(9 * time.Hour), APIDomain: "https://www.zohoapis.in"}
		got := save(t, e, e.s, upd)
		want := a
		want.Expiry, want.APIDomain = upd.Expiry, upd.APIDomain
		wantToken(t, "SaveToken result", got, want)
		wantToken(t, "stored", find(t, e, e.s, tokenstore.Token{ID: a.ID}), want)
	}, false},
	{"SaveToken/MergeByRefreshToken", func(t *testing.T, e *env) {
		a := save(t, e, e.s, e.token(1))
		upd := tokenstore.Token{RefreshToken: a.RefreshToken, ClientID: a.ClientID, ClientSecret: a.ClientSecret,
			AccessToken: "secret-at-new-" + e.tag}
		got := save(t, e, e.s, upd)
		want := a
		want.AccessToken = upd.AccessToken
		wantToken(t, "SaveToken result", got, want)
		wantToken(t, "stored", find(t, e, e.s, tokenstore.Token{ID: a.ID}), want)
	}, false},
	{"SaveToken/MergeByGrantToken", func(t *testing.T, e *env) {
		a := save(t, e, e.s, e.token(1))
		upd := tokenstore.Token{GrantToken: a.GrantToken, ClientID: a.ClientID, ClientSecret: a.ClientSecret,
			RefreshToken: "secret-rt-new-" + e.tag}
		got := save(t, e, e.s, upd)
		want := a
		want.RefreshToken = upd.RefreshToken
		wantToken(t, "SaveToken result", got, want)
	}, false},
	{"SaveToken/KeysFollowChanges", func(t *testing.T, e *env) {
		a := save(t, e, e.s, e.token(1))
		n := e.token(2)
		upd := tokenstore.Token{ID: a.ID, UserName: n.UserName, AccessToken: n.AccessToken,
			RefreshToken: n.RefreshToken, GrantToken: n.GrantToken}
		b := save(t, e, e.s, upd)
		for _, q := range []tokenstore.Token{
			{UserName: a.UserName},
			{AccessToken: a.AccessToken},
			{RefreshToken: a.RefreshToken, ClientID: a.ClientID, ClientSecret: a.ClientSecret},
			{GrantToken: a.GrantToken, ClientID: a.ClientID, ClientSecret: a.ClientSecret},
		} {
			_, err := e.s.FindToken(e.ctx, q)
			wantErr(t, "FindToken(old key)", err, tokenstore.ErrNotFound, a, b)
		}
		for _, q := range []tokenstore.Token{
			{UserName: n.UserName},
			{AccessToken: n.AccessToken},
			{RefreshToken: n.RefreshToken, ClientID: a.ClientID, ClientSecret: a.ClientSecret},
			{GrantToken: n.GrantToken, ClientID: a.ClientID, ClientSecret: a.ClientSecret},
		} {
			wantToken(t, "FindToken(new key)", find(t, e, e.s, q), b)
		}
	}, false},
	{"SaveToken/DuplicateUserName", func(t *testing.T, e *env) {
		a := save(t, e, e.s, e.token(1))
		b := save(t, e, e.s, e.token(2))
		upd := tokenstore.Token{ID: b.ID, UserName: a.UserName, AccessToken: "secret-at-new-" + e.tag}
		err := e.s.SaveToken(e.ctx, &upd)
		wantErr(t, "SaveToken(taken user name)", err, tokenstore.ErrDuplicate, a, b, upd)
		wantToken(t, "first record", find(t, e, e.s, tokenstore.Token{ID: a.ID}), a)
		wantToken(t, "second record", find(t, e, e.s, tokenstore.Token{ID: b.ID}), b)
	}, false},
	{"SaveToken/NoTokenRefused", func(t *testing.T, e *env) {
		a := save(t, e, e.s, e.token(1))
		x := e.token(2)
		for _, in := range []tokenstore.Token{
			{},
			{UserName: x.UserName},
			{UserName: a.UserName, APIDomain: "https://changed.example.com"},
			{ID: a.ID, ClientSecret: "secret-cs-new-" + e.tag},
			{ClientID: x.ClientID, ClientSecret: x.ClientSecret, Expiry: x.Expiry},
		} {
			err := e.s.SaveToken(e.ctx, &in)
			wantErr(t, "SaveToken(no token)", err, tokenstore.ErrInvalidToken, a, x, in)
		}
		wantIDs(t, "GetTokens", list(t, e, e.s), a.ID)
		wantToken(t, "unchanged record", find(t, e, e.s, tokenstore.Token{ID: a.ID}), a)
	}, false},
	{"SaveToken/NilRefused", func(t *testing.T, e *env) {
		a := save(t, e, e.s, e.token(1))
		before := writes(e, e.s)
		err := func() (err error) {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("SaveToken(nil) panicked: %v; want an error wrapping ErrInvalidToken", r)
				}
			}()
			return e.s.SaveToken(e.ctx, nil)
		}()
		wantErr(t, "SaveToken(nil)", err, tokenstore.ErrInvalidToken, a)
		wantNoWrites(t, e, e.s, before, "SaveToken(nil)")
		wantIDs(t, "GetTokens", list(t, e, e.s), a.ID)
	}, false},
	{"SaveToken/InvalidUTF8Refused", func(t *testing.T, e *env) {
		a := save(t, e, e.s, e.token(1))
		for _, in := range []tokenstore.Token{
			{UserName: "bad-\xff-" + e.tag, AccessToken: "secret-at-x"},
			{UserName: a.UserName, AccessToken: "secret-at-\xc3\x28"},
			{ID: a.ID, APIDomain: "https://\xed\xa0\x80.example.com", AccessToken: "secret-at-y"},
		} {
			err := e.s.SaveToken(e.ctx, &in)
			wantErr(t, "SaveToken(invalid UTF-8)", err, tokenstore.ErrInvalidToken, a, in)
		}
		wantIDs(t, "GetTokens", list(t, e, e.s), a.ID)
		wantToken(t, "unchanged record", find(t, e, e.s, tokenstore.Token{ID: a.ID}), a)
	}, false},
	{"SaveToken/TooLargeRefused", func(t *testing.T, e *env) {
		a := save(t, e, e.s, e.token(1))
		huge := "secret-at-" + strings.Repeat("x", driver.MaxRecordSize)
		for _, in := range []tokenstore.Token{
			{UserName: "big-" + e.tag, AccessToken: huge},
			{UserName: a.UserName, AccessToken: huge},
		} {
			err := e.s.SaveToken(e.ctx, &in)
			wantErr(t, "SaveToken(too large)", err, tokenstore.ErrTooLarge, a)
		}
		wantIDs(t, "GetTokens", list(t, e, e.s), a.ID)
		wantToken(t, "unchanged record", find(t, e, e.s, tokenstore.Token{ID: a.ID}), a)
	}, false},
	{"SaveToken/NoLookupKeyInserts", func(t *testing.T, e *env) {
		// A refresh token without client credentials gives no lookup key,
		// so, as in the Zoho SDKs, each save inserts a record.
		in := tokenstore.Token{RefreshToken: "secret-rt-lone-" + e.tag}
		a := save(t, e, e.s, in)
		b := save(t, e, e.s, in)
		if a.ID == b.ID {
			t.Fatalf("two keyless saves share ID %q; want two records", a.ID)
		}
		if n := len(list(t, e, e.s)); n != 2 {
			t.Fatalf("GetTokens: %d records; want 2", n)
		}
	}, false},
	{"SaveToken/ExpiryRoundTrip", func(t *testing.T, e *env) {
		a := e.token(1)
		a.Expiry = time.Date(2031, 2, 3, 4, 5, 6, 999999999, time.FixedZone("Y", -7*3600))
		a = save(t, e, e.s, a)
		b := e.token(2)
		b.Expiry = time.Time{}
		b = save(t, e, e.s, b)
		gotA := find(t, e, e.s, tokenstore.Token{ID: a.ID})
		gotB := find(t, e, e.s, tokenstore.Token{ID: b.ID})
		if !gotA.Expiry.Equal(a.Expiry) || gotA.Expiry.Nanosecond() != 999999999 {
			t.Fatalf("Expiry: got %v; want %v to the nanosecond", gotA.Expiry, a.Expiry)
		}
		if !gotB.Expiry.IsZero() {
			t.Fatalf("zero Expiry came back as %v; want the zero time", gotB.Expiry)
		}
	}, false},
	{"SaveToken/ResaveIdentical", func(t *testing.T, e *env) {
		a := save(t, e, e.s, e.token(1))
		b := save(t, e, e.s, a)
		wantToken(t, "second save", b, a)
		wantIDs(t, "GetTokens", list(t, e, e.s), a.ID)
	}, false},
}

// unencodableExpiries are instants no store can keep: the record's RFC 3339
// form (in UTC) holds only years 0 to 9999.
var unencodableExpiries = []time.Time{
	time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
	time.Date(-1, 12, 31, 23, 59, 59, 0, time.UTC),
	time.Unix(1e12, 0),
	time.Date(9999, 12, 31, 23, 30, 0, 0, time.FixedZone("W", -3600)), // year 10000 in UTC
}

var expiryCases = []testCase{
	{"SaveToken/UnencodableExpiryRefused", func(t *testing.T, e *env) {
		a := save(t, e, e.s, e.token(1))
		var writes int64
		if e.h.Writes != nil {
			writes = e.h.Writes(e.s)
		}
		x := e.token(2)
		for _, exp := range unencodableExpiries {
			insert, noKey := x, tokenstore.Token{RefreshToken: x.RefreshToken}
			insert.Expiry, noKey.Expiry = exp, exp
			for _, in := range []tokenstore.Token{
				insert,
				noKey,
				{ID: a.ID, Expiry: exp, AccessToken: "secret-at-new-" + e.tag},
				{UserName: a.UserName, Expiry: exp, AccessToken: a.AccessToken},
			} {
				err := e.s.SaveToken(e.ctx, &in)
				wantErr(t, "SaveToken(expiry year "+fmt.Sprint(exp.UTC().Year())+")", err, tokenstore.ErrInvalidToken, a, x, in)
			}
		}
		if e.h.Writes != nil {
			if got := e.h.Writes(e.s); got != writes {
				t.Fatalf("refused saves made %d writes; want 0", got-writes)
			}
		}
		wantIDs(t, "GetTokens", list(t, e, e.s), a.ID)
		wantToken(t, "unchanged record", find(t, e, e.s, tokenstore.Token{ID: a.ID}), a)
	}, false},
}
