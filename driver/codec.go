package driver

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/internal/expiry"
)

// RecordVersion is the envelope version EncodeRecord writes.
const RecordVersion = 1

// MaxRecordSize is the largest encoded record, in bytes, that any store
// accepts: the Secrets Manager limit on one secret value, applied to every
// store so that code moved from one store to another meets no new limit.
// EncodeRecordMeta refuses a larger record with tokenstore.ErrTooLarge.
const MaxRecordSize = 64 << 10

// envelope is the persisted form of a record. Field names are short and
// stable; a change that old readers cannot ignore bumps V.
type envelope struct {
	V     int             `json:"v"`
	Token *recordToken    `json:"token"`
	Meta  tokenstore.Meta `json:"meta,omitempty"` // store-level state; see tokenstore.Meta
}

type recordToken struct {
	ID           string `json:"id"`
	UserName     string `json:"user_name,omitempty"`
	ClientID     string `json:"client_id,omitempty"`
	ClientSecret string `json:"client_secret,omitempty"`
	RefreshToken string `json:"refresh_token,omitempty"`
	AccessToken  string `json:"access_token,omitempty"`
	GrantToken   string `json:"grant_token,omitempty"`
	Expiry       string `json:"expiry,omitempty"` // RFC 3339, UTC, nanoseconds
	RedirectURL  string `json:"redirect_url,omitempty"`
	APIDomain    string `json:"api_domain,omitempty"`
}

// EncodeRecord returns the persisted form of t: a JSON envelope
// {"v":1,"token":{...}}. It refuses a token that fails tokenstore.Validate
// or has no ID (tokenstore.ErrInvalidToken) and a result over MaxRecordSize
// (tokenstore.ErrTooLarge).
func EncodeRecord(t tokenstore.Token) ([]byte, error) { return EncodeRecordMeta(t, nil) }

// EncodeRecordMeta is EncodeRecord with the record's metadata, kept in the
// envelope beside the token as {"v":1,"token":{...},"meta":{...}}; an
// empty Meta writes exactly what EncodeRecord writes. The metadata counts
// towards MaxRecordSize. A Meta entry with an empty name or a value that is
// not JSON is tokenstore.ErrInvalidToken.
func EncodeRecordMeta(t tokenstore.Token, m tokenstore.Meta) ([]byte, error) {
	if t.ID == "" {
		return nil, invalidf("record has no ID")
	}
	if err := tokenstore.Validate(t); err != nil {
		return nil, err
	}
	if err := validMeta(m); err != nil {
		return nil, err
	}
	rt := recordToken{
		ID:           t.ID,
		UserName:     t.UserName,
		ClientID:     t.ClientID,
		ClientSecret: t.ClientSecret,
		RefreshToken: t.RefreshToken,
		AccessToken:  t.AccessToken,
		GrantToken:   t.GrantToken,
		RedirectURL:  t.RedirectURL,
		APIDomain:    t.APIDomain,
	}
	if !t.Expiry.IsZero() {
		rt.Expiry = expiry.Format(t.Expiry)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(envelope{V: RecordVersion, Token: &rt, Meta: m}); err != nil {
		return nil, fmt.Errorf("driver: encode record: %w", err)
	}
	b := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	if len(b) > MaxRecordSize {
		return nil, fmt.Errorf("%w: encoded record is %d bytes, limit %d", tokenstore.ErrTooLarge, len(b), MaxRecordSize)
	}
	return b, nil
}

// DecodeRecord parses what EncodeRecord wrote. Damaged input, a missing or
// unknown version, or a record without a valid ID is an error wrapping
// tokenstore.ErrCorrupt; the message never quotes the input, which holds
// secrets. Expiry comes back in UTC.
func DecodeRecord(b []byte) (tokenstore.Token, error) {
	t, _, err := DecodeRecordMeta(b)
	return t, err
}

// DecodeRecordMeta is DecodeRecord that also returns the record's
// metadata: nil for a record written without any, as every record written
// before metadata existed.
func DecodeRecordMeta(b []byte) (tokenstore.Token, tokenstore.Meta, error) {
	var env envelope
	if err := json.Unmarshal(b, &env); err != nil {
		return tokenstore.Token{}, nil, corruptf("not a JSON record envelope")
	}
	switch {
	case env.V == 0:
		return tokenstore.Token{}, nil, corruptf("no envelope version")
	case env.V != RecordVersion:
		return tokenstore.Token{}, nil, corruptf("envelope version %d, this package reads %d", env.V, RecordVersion)
	case env.Token == nil:
		return tokenstore.Token{}, nil, corruptf("no token in envelope")
	case tokenstore.ValidateID(env.Token.ID) != nil:
		return tokenstore.Token{}, nil, corruptf("missing or malformed ID")
	}
	rt := env.Token
	t := tokenstore.Token{
		ID:           rt.ID,
		UserName:     rt.UserName,
		ClientID:     rt.ClientID,
		ClientSecret: rt.ClientSecret,
		RefreshToken: rt.RefreshToken,
		AccessToken:  rt.AccessToken,
		GrantToken:   rt.GrantToken,
		RedirectURL:  rt.RedirectURL,
		APIDomain:    rt.APIDomain,
	}
	if rt.Expiry != "" {
		exp, err := expiry.Parse(rt.Expiry)
		if err != nil {
			return tokenstore.Token{}, nil, corruptf("malformed expiry")
		}
		t.Expiry = exp
	}
	return t, env.Meta, nil
}

// validMeta refuses an entry with an empty name or a value that is not
// JSON, before anything is written.
func validMeta(m tokenstore.Meta) error {
	for k, v := range m {
		if k == "" {
			return invalidf("Meta has an entry with an empty name")
		}
		if !json.Valid(v) {
			return invalidf("Meta entry %q is not JSON", k)
		}
	}
	return nil
}

// invalidf and corruptf wrap the root package's sentinels, so that errors.Is
// finds them whichever package refused the record.
func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{tokenstore.ErrInvalidToken}, args...)...)
}

func corruptf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{tokenstore.ErrCorrupt}, args...)...)
}
