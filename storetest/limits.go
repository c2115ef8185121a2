package storetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/driver"
)

// The size limit is the codec's (driver.MaxRecordSize): a store accepts
// every record the codec accepts, whatever it adds around the record in
// its backend, and refuses a larger one before its first write. The cases
// build records whose encoding (driver.EncodeRecordMeta) is exactly the
// limit by padding the access token, one byte per character.

// leaseMeta is a metadata entry shaped like a refresh lease, as a token
// source keeps it beside a record.
func leaseMeta(tag string) tokenstore.Meta {
	return tokenstore.Meta{"storetest.lease": json.RawMessage(
		`{"owner":"storetest-` + tag + `","until":"2026-11-23T10:04:05.123456789Z"}`)}
}

// padded returns tok with its access token padded so that tok and m encode
// to exactly size bytes; size is at most driver.MaxRecordSize.
func padded(t *testing.T, tok tokenstore.Token, m tokenstore.Meta, size int) tokenstore.Token {
	t.Helper()
	b, err := driver.EncodeRecordMeta(tok, m)
	if err != nil {
		t.Fatalf("storetest: encode the unpadded record: %v", err)
	}
	if size < len(b) {
		t.Fatalf("storetest: the unpadded record is %d bytes, more than %d", len(b), size)
	}
	tok.AccessToken += strings.Repeat("x", size-len(b))
	if b, err = driver.EncodeRecordMeta(tok, m); err != nil || len(b) != size {
		t.Fatalf("storetest: padded record is %d bytes, %v; want %d", len(b), err, size)
	}
	return tok
}

// oneOver returns tok with one more byte in its access token, and checks
// that the codec refuses it with m.
func oneOver(t *testing.T, tok tokenstore.Token, m tokenstore.Meta) tokenstore.Token {
	t.Helper()
	tok.AccessToken += "z"
	if _, err := driver.EncodeRecordMeta(tok, m); !errors.Is(err, tokenstore.ErrTooLarge) {
		t.Fatalf("storetest: the codec takes a record one byte over the limit: %v", err)
	}
	return tok
}

var limitCases = []testCase{
	{"Limits/InsertAtMaxRecordSize", func(t *testing.T, e *env) {
		in := e.token(1)
		in.ID = "max-" + e.tag
		in = padded(t, in, nil, driver.MaxRecordSize)
		a := save(t, e, e.s, in)
		wantToken(t, "SaveToken result", a, in)
		peer := e.peer(t)
		wantToken(t, "FindTokenByID", find(t, e, peer, tokenstore.Token{ID: in.ID}), in)
		wantToken(t, "FindToken by user name", find(t, e, peer, tokenstore.Token{UserName: in.UserName}), in)
		wantToken(t, "FindToken by access token", find(t, e, peer, tokenstore.Token{AccessToken: in.AccessToken}), in)

		// One byte over: an insert, and a merge into the record at the limit.
		over := oneOver(t, padded(t, tokenstore.Token{ID: "over-" + e.tag, UserName: "over-" + e.tag,
			AccessToken: "secret-at-over-" + e.tag}, nil, driver.MaxRecordSize), nil)
		grow := tokenstore.Token{UserName: in.UserName, AccessToken: oneOver(t, in, nil).AccessToken}
		for _, c := range []struct {
			name string
			tok  tokenstore.Token
		}{{"insert", over}, {"merge", grow}} {
			before := writes(e, e.s)
			tok := c.tok
			err := e.s.SaveToken(e.ctx, &tok)
			wantErr(t, "SaveToken("+c.name+" one byte over the limit)", err, tokenstore.ErrTooLarge, in, c.tok)
			wantNoWrites(t, e, e.s, before, "SaveToken("+c.name+" one byte over the limit)")
		}
		wantIDs(t, "GetTokens", list(t, e, e.s), in.ID)
		wantToken(t, "record after the refused saves", find(t, e, e.s, tokenstore.Token{ID: in.ID}), in)
	}, false},
}

// limitUpdateCases run for stores that read-modify-write: a record at the
// limit with metadata, as a token source leaves it while it holds a lease.
var limitUpdateCases = []testCase{
	{"UpdateToken/MaxRecordSizeWithMeta", func(t *testing.T, e *env) {
		a := save(t, e, e.s, e.token(1))
		lease := leaseMeta(e.tag)
		base := a
		base.AccessToken = "secret-at-big-" + e.tag + "-"
		// Every size of the last 48 bytes up to the limit: whatever a
		// store frames a record with must fit in the codec's budget.
		var want tokenstore.Token
		for size := driver.MaxRecordSize - 47; size <= driver.MaxRecordSize; size++ {
			want = padded(t, base, lease, size)
			got, err := update(e, e.s, a.ID, func(r tokenstore.Record) (tokenstore.Record, error) {
				r.Token.AccessToken, r.Meta = want.AccessToken, lease
				return r, nil
			})
			if err != nil {
				t.Fatalf("UpdateToken to a record of %d bytes (limit %d) with Meta: %v; want success", size, driver.MaxRecordSize, err)
			}
			wantToken(t, fmt.Sprintf("UpdateToken result at %d bytes", size), got.Token, want)
			if !got.Meta.Equal(lease) {
				t.Fatalf("UpdateToken result at %d bytes has meta %v; want %v", size, got.Meta, lease)
			}
		}
		peer := e.peer(t)
		wantToken(t, "FindTokenByID at the limit", find(t, e, peer, tokenstore.Token{ID: a.ID}), want)
		wantToken(t, "FindToken by access token at the limit", find(t, e, peer, tokenstore.Token{AccessToken: want.AccessToken}), want)

		// A save merges into the record at the limit and keeps its meta.
		same := want
		same.AccessToken = want.AccessToken[:len(want.AccessToken)-1] + "y"
		got := save(t, e, peer, tokenstore.Token{UserName: a.UserName, AccessToken: same.AccessToken})
		wantToken(t, "SaveToken at the limit", got, same)
		r, err := update(e, peer, a.ID, func(r tokenstore.Record) (tokenstore.Record, error) { return r, nil })
		if err != nil || !r.Meta.Equal(lease) {
			t.Fatalf("after SaveToken at the limit: meta %v, %v; want %v", r.Meta, err, lease)
		}
		wantToken(t, "record after SaveToken at the limit", r.Token, same)

		// One byte over, by UpdateToken and by a merging save.
		over := oneOver(t, same, lease)
		before := writes(e, e.s)
		_, err = update(e, e.s, a.ID, func(r tokenstore.Record) (tokenstore.Record, error) {
			r.Token.AccessToken = over.AccessToken
			return r, nil
		})
		wantErr(t, "UpdateToken(one byte over the limit)", err, tokenstore.ErrTooLarge, a, over)
		upd := tokenstore.Token{UserName: a.UserName, AccessToken: over.AccessToken}
		err = e.s.SaveToken(e.ctx, &upd)
		wantErr(t, "SaveToken(merge one byte over the limit)", err, tokenstore.ErrTooLarge, a, over)
		wantNoWrites(t, e, e.s, before, "UpdateToken and SaveToken one byte over the limit")
		wantToken(t, "record after the refusals", find(t, e, e.s, tokenstore.Token{ID: a.ID}), same)
	}, false},
}
