package storetest

import (
	"context"
	"fmt"
	"time"

	"github.com/tokenstore-go/tokenstore"
)

// sweepOp is one operation of the fault sweep, run against the seeded
// records a and b of a namespace.
type sweepOp struct {
	name string
	run  func(ctx context.Context, s tokenstore.Store, a, b tokenstore.Token) error
	// want is record a after a successful run; ok false: a is gone. For an
	// insert it is the record inserted (ID empty), and a stays as it was.
	want func(a tokenstore.Token) (tokenstore.Token, bool)
	// twice, if set, is record a after two successful runs: the operation
	// is not idempotent, and a retry after an applied fault runs it again.
	twice func(a tokenstore.Token) tokenstore.Token

	insert, removesAll, read bool
	updater                  bool // run only on a tokenstore.Updater
}

// sweepToken is a record with every lookup key, unique to tag.
func sweepToken(tag string, i int) tokenstore.Token {
	return tokenstore.Token{
		UserName:     fmt.Sprintf("user-%d-%s@example.com", i, tag),
		ClientID:     "1000.client-" + tag,
		ClientSecret: "secret-cs-" + tag,
		RefreshToken: fmt.Sprintf("secret-rt-%d-%s", i, tag),
		AccessToken:  fmt.Sprintf("secret-at-%d-%s", i, tag),
		GrantToken:   fmt.Sprintf("secret-gt-%d-%s", i, tag),
		Expiry:       baseTime.Add(time.Duration(i) * time.Hour),
		APIDomain:    "https://www.zohoapis.com",
	}
}

// inserted is what the insert of the namespace of a saves: a new user.
func inserted(a tokenstore.Token) tokenstore.Token { return sweepToken(a.ClientID, 3) }

// insertedByAccessToken is a record with only an access token, the key
// some stores find by scanning.
func insertedByAccessToken(a tokenstore.Token) tokenstore.Token {
	return tokenstore.Token{AccessToken: "secret-at-only-" + a.ClientID, Expiry: baseTime}
}

// sweepOps are the operations of the sweep: every write operation, the
// hourly refresh and a key change among them, and the reads, which are
// held to the same deadline.
var sweepOps = []sweepOp{
	{name: "Insert", insert: true,
		run: func(ctx context.Context, s tokenstore.Store, a, _ tokenstore.Token) error {
			c := inserted(a)
			return s.SaveToken(ctx, &c)
		},
		want: func(a tokenstore.Token) (tokenstore.Token, bool) { return inserted(a), true }},
	{name: "InsertByAccessToken", insert: true,
		run: func(ctx context.Context, s tokenstore.Store, a, _ tokenstore.Token) error {
			c := insertedByAccessToken(a)
			return s.SaveToken(ctx, &c)
		},
		want: func(a tokenstore.Token) (tokenstore.Token, bool) { return insertedByAccessToken(a), true }},
	{name: "Refresh", // the hourly refresh by user name: the access token changes
		run: func(ctx context.Context, s tokenstore.Store, a, _ tokenstore.Token) error {
			u := tokenstore.Token{UserName: a.UserName, AccessToken: a.AccessToken + "-new", Expiry: a.Expiry.Add(time.Hour)}
			return s.SaveToken(ctx, &u)
		},
		want: func(a tokenstore.Token) (tokenstore.Token, bool) {
			a.AccessToken += "-new"
			a.Expiry = a.Expiry.Add(time.Hour)
			return a, true
		}},
	{name: "KeyChange", // by ID: every key but the ID changes
		run: func(ctx context.Context, s tokenstore.Store, a, _ tokenstore.Token) error {
			u := tokenstore.Token{ID: a.ID, UserName: "moved-" + a.UserName, RefreshToken: a.RefreshToken + "-new",
				GrantToken: a.GrantToken + "-new", AccessToken: a.AccessToken + "-new"}
			return s.SaveToken(ctx, &u)
		},
		want: func(a tokenstore.Token) (tokenstore.Token, bool) {
			a.UserName = "moved-" + a.UserName
			a.RefreshToken += "-new"
			a.GrantToken += "-new"
			a.AccessToken += "-new"
			return a, true
		}},
	{name: "UpdateToken", updater: true, // not idempotent: it appends
		run: func(ctx context.Context, s tokenstore.Store, a, _ tokenstore.Token) error {
			_, err := s.(tokenstore.Updater).UpdateToken(ctx, a.ID, func(r tokenstore.Record) (tokenstore.Record, error) {
				r.Token.APIDomain += "/x"
				return r, nil
			})
			return err
		},
		want:  func(a tokenstore.Token) (tokenstore.Token, bool) { a.APIDomain += "/x"; return a, true },
		twice: func(a tokenstore.Token) tokenstore.Token { a.APIDomain += "/x/x"; return a }},
	{name: "DeleteToken",
		run: func(ctx context.Context, s tokenstore.Store, a, _ tokenstore.Token) error {
			return s.DeleteToken(ctx, a.ID)
		},
		want: func(tokenstore.Token) (tokenstore.Token, bool) { return tokenstore.Token{}, false }},
	{name: "DeleteTokens", removesAll: true,
		run:  func(ctx context.Context, s tokenstore.Store, _, _ tokenstore.Token) error { return s.DeleteTokens(ctx) },
		want: func(tokenstore.Token) (tokenstore.Token, bool) { return tokenstore.Token{}, false }},
	{name: "FindTokenByUser", read: true,
		run: func(ctx context.Context, s tokenstore.Store, a, _ tokenstore.Token) error {
			_, err := s.FindToken(ctx, tokenstore.Token{UserName: a.UserName})
			return err
		}},
	{name: "FindTokenByAccessToken", read: true,
		run: func(ctx context.Context, s tokenstore.Store, _, b tokenstore.Token) error {
			_, err := s.FindToken(ctx, tokenstore.Token{AccessToken: b.AccessToken})
			return err
		}},
	{name: "GetTokens", read: true,
		run: func(ctx context.Context, s tokenstore.Store, _, _ tokenstore.Token) error {
			_, err := s.GetTokens(ctx)
			return err
		}},
}
