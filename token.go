package tokenstore

import (
	"time"
	"unicode/utf8"

	"github.com/tokenstore-go/tokenstore/internal/expiry"
	"github.com/tokenstore-go/tokenstore/internal/fields"
)

// Token is one stored OAuth record, the Zoho OAuthToken. ClientSecret,
// RefreshToken, AccessToken and GrantToken are secrets: Token's String,
// GoString, Format and LogValue methods never show them.
type Token struct {
	// ID uniquely identifies the record within a store. SaveToken fills it
	// in with NewID when it is empty. See ValidateID for the allowed form.
	ID string

	// UserName is the Zoho user signature, usually an e-mail address. A
	// store holds at most one record per user name.
	UserName string

	// ClientID and ClientSecret are the OAuth client credentials.
	ClientID     string
	ClientSecret string

	// RefreshToken, AccessToken and GrantToken are the three token kinds.
	RefreshToken string
	AccessToken  string
	GrantToken   string

	// Expiry is when the access token expires; the zero value means unknown.
	// Stores keep it to the nanosecond and return it in UTC.
	Expiry time.Time

	// RedirectURL and APIDomain are as used and returned by the OAuth flow.
	RedirectURL string
	APIDomain   string
}

// Equal reports whether t and u hold the same values, Expiry compared as
// an instant (as time.Time.Equal does: a record read back from a store
// keeps the instant, not the location).
func (t Token) Equal(u Token) bool {
	te, ue := t.Expiry, u.Expiry
	t.Expiry, u.Expiry = time.Time{}, time.Time{}
	return t == u && te.Equal(ue)
}

// Expired reports whether the access token is missing or expires within skew
// of now. A zero Expiry counts as unknown, not expired.
func (t Token) Expired(now time.Time, skew time.Duration) bool {
	if t.AccessToken == "" {
		return true
	}
	return !t.Expiry.IsZero() && !now.Add(skew).Before(t.Expiry)
}

// hasToken reports whether t carries at least one of the three token kinds.
func (t Token) hasToken() bool {
	return t.AccessToken != "" || t.RefreshToken != "" || t.GrantToken != ""
}

// The build fails here when Token and fields.Token (the field table's
// copy of its shape) differ in any field.
var _ = (*fields.Token)((*Token)(nil))

// Validate checks the parts of t that every store relies on before it writes:
// at least one of the access, refresh and grant tokens is set, the ID (if
// any) passes ValidateID, every field is valid UTF-8, and Expiry is zero or
// an instant the persisted form keeps (RFC 3339 in UTC, so years 0 to 9999
// in UTC), so that a record always reads back exactly as it was written.
// Errors wrap ErrInvalidToken and name the offending field, never its value.
func Validate(t Token) error {
	if !t.hasToken() {
		return invalidf("no access, refresh or grant token")
	}
	if t.ID != "" {
		if err := ValidateID(t.ID); err != nil {
			return err
		}
	}
	p := (*fields.Token)(&t)
	for i, f := range fields.All {
		if !f.Time && !utf8.ValidString(*p.Str(i)) {
			return invalidf("%s is not valid UTF-8", f.Name)
		}
	}
	if !expiry.Kept(t.Expiry) {
		return invalidf("Expiry is outside what a record keeps (years 0 to 9999 in UTC)")
	}
	return nil
}
