package driver

import (
	"cmp"
	"slices"

	"github.com/tokenstore-go/tokenstore"
)

// Merge returns stored updated by update, as SaveToken does on a match: every
// non-empty field of update replaces the stored one and every empty field
// keeps the stored value. The ID is always the stored one.
func Merge(stored, update tokenstore.Token) tokenstore.Token {
	out := stored
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	set(&out.UserName, update.UserName)
	set(&out.ClientID, update.ClientID)
	set(&out.ClientSecret, update.ClientSecret)
	set(&out.RefreshToken, update.RefreshToken)
	set(&out.AccessToken, update.AccessToken)
	set(&out.GrantToken, update.GrantToken)
	set(&out.RedirectURL, update.RedirectURL)
	set(&out.APIDomain, update.APIDomain)
	if !update.Expiry.IsZero() {
		out.Expiry = update.Expiry
	}
	return out
}

// SortByID sorts tokens by ID in byte order, the order GetTokens returns.
func SortByID(tokens []tokenstore.Token) {
	slices.SortFunc(tokens, func(a, b tokenstore.Token) int { return cmp.Compare(a.ID, b.ID) })
}
