package driver

import "github.com/tokenstore-go/tokenstore"

// Matches reports whether the stored record t answers to k: the record a
// query q finds is the one for which Matches(tokenstore.Lookup(q), record)
// holds.
func Matches(k tokenstore.Key, t tokenstore.Token) bool {
	switch k.Kind {
	case tokenstore.KeyID:
		return t.ID == k.Value
	case tokenstore.KeyUserName:
		return t.UserName == k.Value
	case tokenstore.KeyAccessToken:
		return t.AccessToken == k.Value
	case tokenstore.KeyGrantToken:
		return t.GrantToken == k.Value && t.ClientID == k.ClientID
	case tokenstore.KeyRefreshToken:
		return t.RefreshToken == k.Value && t.ClientID == k.ClientID
	}
	return false
}

// Keys returns every key the stored record t answers to, in rule order: its
// ID, and each of user name, access token, grant token and refresh token that
// is set (the last two only with a client ID). Stores use it to maintain
// indexes and caches: a record is found by a query exactly when the query's
// tokenstore.Lookup key is one of the record's Keys.
func Keys(t tokenstore.Token) []tokenstore.Key {
	return AppendKeys(make([]tokenstore.Key, 0, 5), t)
}

// AppendKeys appends Keys(t) to keys and returns the extended slice, so
// that a store with a buffer of its own (at most 5 keys) allocates nothing.
func AppendKeys(keys []tokenstore.Key, t tokenstore.Token) []tokenstore.Key {
	if t.ID != "" {
		keys = append(keys, tokenstore.Key{Kind: tokenstore.KeyID, Value: t.ID})
	}
	if t.UserName != "" {
		keys = append(keys, tokenstore.Key{Kind: tokenstore.KeyUserName, Value: t.UserName})
	}
	if t.AccessToken != "" {
		keys = append(keys, tokenstore.Key{Kind: tokenstore.KeyAccessToken, Value: t.AccessToken})
	}
	if t.ClientID != "" && t.GrantToken != "" {
		keys = append(keys, tokenstore.Key{Kind: tokenstore.KeyGrantToken, Value: t.GrantToken, ClientID: t.ClientID})
	}
	if t.ClientID != "" && t.RefreshToken != "" {
		keys = append(keys, tokenstore.Key{Kind: tokenstore.KeyRefreshToken, Value: t.RefreshToken, ClientID: t.ClientID})
	}
	return keys
}

// Query returns a query that selects k under the lookup rules:
// tokenstore.Lookup(Query(k)) is k. A grant or refresh token key gets a
// placeholder client secret, since the rules ask for client credentials
// but match on the client ID only. Crash and conformance tests use it to
// check that a record is found by every one of its Keys.
func Query(k tokenstore.Key) tokenstore.Token {
	switch k.Kind {
	case tokenstore.KeyID:
		return tokenstore.Token{ID: k.Value}
	case tokenstore.KeyUserName:
		return tokenstore.Token{UserName: k.Value}
	case tokenstore.KeyAccessToken:
		return tokenstore.Token{AccessToken: k.Value}
	case tokenstore.KeyRefreshToken:
		return tokenstore.Token{RefreshToken: k.Value, ClientID: k.ClientID, ClientSecret: querySecret}
	}
	return tokenstore.Token{GrantToken: k.Value, ClientID: k.ClientID, ClientSecret: querySecret}
}

// querySecret is Query's placeholder client secret.
const querySecret = "query"
