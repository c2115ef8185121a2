package tokenstore

// KeyKind says which lookup rule a Key comes from.
type KeyKind uint8

// The lookup key kinds, in the order the rules are tried.
const (
	KeyID           KeyKind = iota + 1 // rule 0: the record ID
	KeyUserName                        // rule 1: the user name
	KeyAccessToken                     // rule 2: the access token, no client credentials
	KeyGrantToken                      // rule 3: the grant token and the client ID
	KeyRefreshToken                    // rule 3: the refresh token and the client ID
)

var kindNames = [...]string{
	KeyID:           "id",
	KeyUserName:     "user_name",
	KeyAccessToken:  "access_token",
	KeyGrantToken:   "grant_token",
	KeyRefreshToken: "refresh_token",
}

// String returns the kind's name, such as "user_name".
func (k KeyKind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return "invalid"
}

// Key is a lookup key: what FindToken searches for and what SaveToken
// matches on. Value is the ID, user name or token; ClientID is set only for
// KeyGrantToken and KeyRefreshToken, whose matches also need the same client.
//
// Key is comparable, so it can key a map. Value may be a secret: Key's String
// method shows only the kind.
type Key struct {
	Kind     KeyKind
	Value    string
	ClientID string
}

// String names the key's kind and never its value.
func (k Key) String() string { return "Key{" + k.Kind.String() + "}" }

// GoString is String for %#v, so no verb prints the value.
func (k Key) GoString() string { return "tokenstore." + k.String() }

// Lookup applies the lookup rules to q and returns the key of the first rule
// whose condition holds:
//
//  0. ID set: the record with that ID.
//  1. UserName set: the record with that user name.
//  2. AccessToken set, ClientID and ClientSecret both empty: the record with
//     that access token.
//  3. GrantToken or RefreshToken set, ClientID and ClientSecret both set: the
//     record with that grant token (if set, else that refresh token) and the
//     same ClientID.
//
// When no rule applies, q has no lookup key and Lookup returns an error
// wrapping ErrInvalidToken. An ID that fails ValidateID is an error too.
func Lookup(q Token) (Key, error) {
	switch {
	case q.ID != "":
		if err := ValidateID(q.ID); err != nil {
			return Key{}, err
		}
		return Key{Kind: KeyID, Value: q.ID}, nil
	case q.UserName != "":
		return Key{Kind: KeyUserName, Value: q.UserName}, nil
	case q.AccessToken != "" && q.ClientID == "" && q.ClientSecret == "":
		return Key{Kind: KeyAccessToken, Value: q.AccessToken}, nil
	case q.ClientID != "" && q.ClientSecret != "" && q.GrantToken != "":
		return Key{Kind: KeyGrantToken, Value: q.GrantToken, ClientID: q.ClientID}, nil
	case q.ClientID != "" && q.ClientSecret != "" && q.RefreshToken != "":
		return Key{Kind: KeyRefreshToken, Value: q.RefreshToken, ClientID: q.ClientID}, nil
	}
	return Key{}, invalidf("no lookup key (need an ID, a user name, an access token without client credentials, or a grant or refresh token with client credentials)")
}
