// Package fields is the one list of tokenstore.Token's fields: for each,
// its Go name, its key in the persisted record (package driver's JSON
// envelope, and tokenctl's views), whether it is a secret, and an
// accessor. Everything in this module that handles a Token field by field
// loops over All: Validate, the redacted forms (String, GoString, Format,
// LogValue, MarshalJSON), tokenstore.Merge, driver's codec and SizeBound,
// storetest's comparison and fixtures, tokenctl's views and the codec's
// fuzz target. A field added to Token is handled by all of them once it is
// added here; the build fails until Token below has it too, and
// TestTableCoversToken until All and the accessors do.
//
// Accessors are a method with a switch rather than a func per field: a
// call through a func value makes the compiler move the Token it is given
// to the heap, which would cost every save an allocation.
package fields

import "time"

// Token has exactly tokenstore.Token's fields, in its order, so that a
// *tokenstore.Token converts to a *Token at no cost:
//
//	p := (*fields.Token)(&t)
//
// Package tokenstore makes that conversion, so the build fails as soon as
// the two differ.
type Token struct {
	ID           string
	UserName     string
	ClientID     string
	ClientSecret string
	RefreshToken string
	AccessToken  string
	GrantToken   string
	Expiry       time.Time
	RedirectURL  string
	APIDomain    string
}

// The fields' indexes in All, in Token's order.
const (
	ID = iota
	UserName
	ClientID
	ClientSecret
	RefreshToken
	AccessToken
	GrantToken
	Expiry
	RedirectURL
	APIDomain
	count
)

// Field describes one field of Token.
type Field struct {
	Name   string // the Go name in tokenstore.Token
	Key    string // the JSON name in the record envelope's "token" object
	Secret bool   // a credential: redacted wherever a Token is shown
	Time   bool   // a time.Time (reach it with Token.Time); otherwise a string (Token.Str)
}

// All lists Token's fields in its order: All[i] describes the field that
// Token.Str(i) or Token.Time(i) reaches.
var All = [count]Field{
	ID:           {Name: "ID", Key: "id"},
	UserName:     {Name: "UserName", Key: "user_name"},
	ClientID:     {Name: "ClientID", Key: "client_id"},
	ClientSecret: {Name: "ClientSecret", Key: "client_secret", Secret: true},
	RefreshToken: {Name: "RefreshToken", Key: "refresh_token", Secret: true},
	AccessToken:  {Name: "AccessToken", Key: "access_token", Secret: true},
	GrantToken:   {Name: "GrantToken", Key: "grant_token", Secret: true},
	Expiry:       {Name: "Expiry", Key: "expiry", Time: true},
	RedirectURL:  {Name: "RedirectURL", Key: "redirect_url"},
	APIDomain:    {Name: "APIDomain", Key: "api_domain"},
}

// Str returns a pointer to string field i of t; nil when field i is not a
// string.
func (t *Token) Str(i int) *string {
	switch i {
	case ID:
		return &t.ID
	case UserName:
		return &t.UserName
	case ClientID:
		return &t.ClientID
	case ClientSecret:
		return &t.ClientSecret
	case RefreshToken:
		return &t.RefreshToken
	case AccessToken:
		return &t.AccessToken
	case GrantToken:
		return &t.GrantToken
	case RedirectURL:
		return &t.RedirectURL
	case APIDomain:
		return &t.APIDomain
	}
	return nil
}

// Time returns a pointer to time field i of t; nil when field i is not a
// time.
func (t *Token) Time(i int) *time.Time {
	if i == Expiry {
		return &t.Expiry
	}
	return nil
}

// IsZero reports whether field i of t is unset: "" or the zero time.
func (t *Token) IsZero(i int) bool {
	if All[i].Time {
		return t.Time(i).IsZero()
	}
	return *t.Str(i) == ""
}
