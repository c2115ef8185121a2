package vault

import (
	"strings"
	"testing"

	"github.com/tokenstore-go/tokenstore"
)

func TestCleanPath(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"secret", "secret", true},
		{"/kv/", "kv", true},
		{"team-a/tokens_v1.2", "team-a/tokens_v1.2", true},
		{"", "", false},
		{"/", "", false},
		{"a//b", "", false},
		{"..", "", false},
		{"a/../b", "", false},
		{"a/./b", "", false},
		{"%2e%2e", "", false},
		{"a b", "", false},
		{"a\x00b", "", false},
		{"ü", "", false},
		{"a\\b", "", false},
		{"a?b", "", false},
		{"a#b", "", false},
	}
	for _, tt := range tests {
		got, err := cleanPath("prefix", tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("cleanPath(%q) = %q, %v; want %q, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

// Every path the store builds is the prefix, a fixed directory and either a
// valid ID or a kind and a hex digest: nothing of a user name or token
// reaches it, whatever the value.
func TestPathsHoldNoUserInput(t *testing.T) {
	l := layout{prefix: "p/q", pepper: []byte("pepper")}
	values := []string{
		"user@example.com", "../../../etc", "a/b", "%2e%2e%2f", "..", "nul\x00",
		"ユーザー", "\u202e", strings.Repeat("x", 10<<10),
	}
	for _, v := range values {
		for _, kind := range indexKinds {
			k := tokenstore.Key{Kind: kind, Value: v, ClientID: "cid/" + v}
			rel := l.indexRel(k)
			path, ok := l.indexPath(rel)
			if !ok {
				t.Fatalf("indexPath(indexRel(%v)) refused its own name", k)
			}
			want := "p/q/index/" + kind.String() + "/"
			digest := strings.TrimPrefix(path, want)
			if !strings.HasPrefix(path, want) || !isDigest(digest) {
				t.Errorf("index path %q; want %s<64 hex>", path, want)
			}
		}
	}
	if got, want := l.recordPath("A-z_09"), "p/q/records/A-z_09"; got != want {
		t.Errorf("recordPath = %q; want %q", got, want)
	}
}

// Tombstones name index entries and are read back from Vault, so the names
// in them are checked before use.
func TestIndexPathRefusesForeignNames(t *testing.T) {
	l := layout{prefix: "p"}
	hex := strings.Repeat("a", 64)
	for _, rel := range []string{
		"", "user_name", "user_name/" + hex[:63], "user_name/" + strings.ToUpper(hex),
		"id/" + hex, "user_name/../" + hex[:61], "../" + hex, "user_name/" + hex + "/x",
	} {
		if p, ok := l.indexPath(rel); ok {
			t.Errorf("indexPath(%q) = %q; want refused", rel, p)
		}
	}
}

func TestPepperChangesIndexNames(t *testing.T) {
	k := tokenstore.Key{Kind: tokenstore.KeyUserName, Value: "user@example.com"}
	a := layout{prefix: "p"}.indexRel(k)
	b := layout{prefix: "p", pepper: []byte("secret")}.indexRel(k)
	if a == b {
		t.Fatalf("index name %q is the same with and without a pepper", a)
	}
}
