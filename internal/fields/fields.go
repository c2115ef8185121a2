// Package fields is the one list of tokenstore.Token's fields: for each,
// its Go name, its key in the persisted record (package driver's JSON
// envelope, and tokenctl's views), whether it is a secret, and an
// accessor. Everything in this module that handles a Token field by field
// loops over All: Validate, the redacted forms (String, GoString, Format,
// LogValue, MarshalJSON), tokenstore.Merge, driver's codec and SizeBound,
// storetest's comparison and fixtures, tokenctl's views and the codec's
// fuzz target. A field added to Token is handled by all of them once it is
// added here; the build fails until Token below has it too, and
// TestTableCoversToken until All does.
//
// Each Field reaches its value through the field's offset in Token, so a
// loop over All costs what the same code written out field by field does.
// A func value per field would not: a call through one makes the compiler
// move the Token it is given to the heap, an allocation on every save; and
// a switch on the field's index costs a dispatch at every access.
// TestTableCoversToken checks every name, type and offset against
// tokenstore.Token by reflection, and Str and Time refuse a field of the
// other type, so no access can reach the wrong memory.
package fields

import (
	"time"
	"unsafe"
)

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
	IsTime bool   // a time.Time (reach it with Time); otherwise a string (Str)

	off uintptr // the field's offset in Token
}

// All lists Token's fields in its order.
var All = [count]Field{
	ID:           {Name: "ID", Key: "id", off: unsafe.Offsetof(Token{}.ID)},
	UserName:     {Name: "UserName", Key: "user_name", off: unsafe.Offsetof(Token{}.UserName)},
	ClientID:     {Name: "ClientID", Key: "client_id", off: unsafe.Offsetof(Token{}.ClientID)},
	ClientSecret: {Name: "ClientSecret", Key: "client_secret", Secret: true, off: unsafe.Offsetof(Token{}.ClientSecret)},
	RefreshToken: {Name: "RefreshToken", Key: "refresh_token", Secret: true, off: unsafe.Offsetof(Token{}.RefreshToken)},
	AccessToken:  {Name: "AccessToken", Key: "access_token", Secret: true, off: unsafe.Offsetof(Token{}.AccessToken)},
	GrantToken:   {Name: "GrantToken", Key: "grant_token", Secret: true, off: unsafe.Offsetof(Token{}.GrantToken)},
	Expiry:       {Name: "Expiry", Key: "expiry", IsTime: true, off: unsafe.Offsetof(Token{}.Expiry)},
	RedirectURL:  {Name: "RedirectURL", Key: "redirect_url", off: unsafe.Offsetof(Token{}.RedirectURL)},
	APIDomain:    {Name: "APIDomain", Key: "api_domain", off: unsafe.Offsetof(Token{}.APIDomain)},
}

// Str returns a pointer to string field f of t. It panics when f is a
// time field.
func (f *Field) Str(t *Token) *string {
	if f.IsTime {
		panic("fields: Str of time field " + f.Name)
	}
	return (*string)(unsafe.Add(unsafe.Pointer(t), f.off))
}

// Time returns a pointer to time field f of t. It panics when f is a
// string field.
func (f *Field) Time(t *Token) *time.Time {
	if !f.IsTime {
		panic("fields: Time of string field " + f.Name)
	}
	return (*time.Time)(unsafe.Add(unsafe.Pointer(t), f.off))
}

// IsZero reports whether field f of t is unset: "" or the zero time.
func (f *Field) IsZero(t *Token) bool {
	if f.IsTime {
		return f.Time(t).IsZero()
	}
	return *f.Str(t) == ""
}
