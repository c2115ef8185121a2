package cache

import (
	"testing"

	"github.com/tokenstore-go/tokenstore"
)

// TestRuleKey holds ruleKey to tokenstore.Lookup on every combination of
// set and empty query fields: the same key where Lookup has one, kind 0
// where Lookup finds none.
func TestRuleKey(t *testing.T) {
	for mask := range 1 << 7 {
		var q tokenstore.Token
		for i, f := range []*string{&q.ID, &q.UserName, &q.ClientID, &q.ClientSecret, &q.RefreshToken, &q.AccessToken, &q.GrantToken} {
			if mask&(1<<i) != 0 {
				*f = []string{"id-1", "user@example.com", "client", "cs", "rt", "at", "gt"}[i]
			}
		}
		kind, value, clientID := ruleKey(&q)
		want, err := tokenstore.Lookup(q)
		switch {
		case err != nil && kind != 0:
			t.Errorf("fields %07b: ruleKey gave %v; Lookup: %v", mask, kind, err)
		case err == nil && (tokenstore.Key{Kind: kind, Value: value, ClientID: clientID}) != want:
			t.Errorf("fields %07b: ruleKey gave %v; Lookup %v", mask, kind, want.Kind)
		}
	}
	// The one difference: ruleKey does not check the ID.
	if kind, value, _ := ruleKey(&tokenstore.Token{ID: "../x"}); kind != tokenstore.KeyID || value != "../x" {
		t.Errorf("ruleKey of an invalid ID gave %v; want the ID key, for a miss to reject", kind)
	}
}
