package awssm

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/driver"
)

func TestNamesLayout(t *testing.T) {
	n := names{prefix: "tokenstore/prod/", pepper: []byte("p")}
	k := tokenstore.Key{Kind: tokenstore.KeyUserName, Value: "alice@example.com"}
	for _, c := range []struct {
		got, want string
		kind      secretKind
	}{
		{n.record("abc"), "tokenstore/prod/token/abc/record", kindRecord},
		{n.index(k), "tokenstore/prod/index/" + driver.Digest(k, []byte("p")), kindIndex},
		{n.catalog(7), "tokenstore/prod/catalog/07", kindCatalog},
		{n.catalog(catalogShards - 1), "tokenstore/prod/catalog/19", kindCatalog},
		{n.grants(0), "tokenstore/prod/grants/00", kindGrants},
		{n.grants(grantShards - 1), "tokenstore/prod/grants/19", kindGrants},
	} {
		if c.got != c.want {
			t.Errorf("got %q; want %q", c.got, c.want)
		}
		if got := n.kind(c.got); got != c.kind {
			t.Errorf("kind(%q) = %v; want %v", c.got, got, c.kind)
		}
	}
}

// TestNamesKindRefusesOthers checks that DeleteTokens' sweep, which
// deletes what kind recognises, never takes a name of another namespace.
func TestNamesKindRefusesOthers(t *testing.T) {
	n := names{prefix: "ts/a/"}
	for _, name := range []string{
		"ts/a0/token/x/record", "ts/a/b/token/x/record", "ts/a/token/x/y/record",
		"ts/a/token/../record", "ts/a/index/" + strings.Repeat("A", 64), "ts/a/index/abc",
		"ts/a/catalog/20", "ts/a/catalog/0a", "ts/a/catalog/7",
		"ts/a/grants/20", "ts/a/grants/x1", "ts/a/grants/007", "other/ts/a/token/x/record",
	} {
		if got := n.kind(name); got != kindNone {
			t.Errorf("kind(%q) = %v; want none", name, got)
		}
	}
}

// TestNamesNeverLookLikeARNSuffix covers IDs that end in '-' and six
// characters, which as the end of a name Secrets Manager could take for the
// random suffix of an ARN.
func TestNamesNeverLookLikeARNSuffix(t *testing.T) {
	n := names{prefix: "x-/"}
	k := tokenstore.Key{Kind: tokenstore.KeyGrantToken, Value: "g", ClientID: "c"}
	all := []string{n.index(k)}
	for _, id := range []string{"a-abcdef", "-", "------", "x-abcde", "ab-cdefgh", strings.Repeat("-", 64)} {
		all = append(all, n.record(id))
	}
	all = append(all, shardNames(n.catalog, catalogShards)...)
	for _, name := range all {
		if len(name) >= 7 && name[len(name)-7] == '-' {
			t.Errorf("name %q ends in '-' and six characters", name)
		}
	}
}

func TestNamesLongestFits(t *testing.T) {
	o, err := (&Options{Prefix: strings.Repeat("p", maxPrefixLen-1)}).withDefaults()
	if err != nil {
		t.Fatalf("longest prefix refused: %v", err)
	}
	n := names{prefix: o.Prefix}
	if got := len(n.record(strings.Repeat("i", tokenstore.MaxIDLength))); got != 512 {
		t.Fatalf("longest record name is %d characters; want exactly 512", got)
	}
	if got := len(n.index(tokenstore.Key{Kind: tokenstore.KeyUserName, Value: strings.Repeat("u", 10000)})); got > 512 {
		t.Fatalf("index name is %d characters", got)
	}
}

func TestOptions(t *testing.T) {
	for _, c := range []struct {
		in         Options
		wantPrefix string
		wantErr    string
	}{
		{Options{}, DefaultPrefix, ""},
		{Options{Prefix: "app/prod"}, "app/prod/", ""},
		{Options{Prefix: "app+x=y.z@w-1/"}, "app+x=y.z@w-1/", ""},
		{Options{Prefix: "/abs"}, "", "starts with /"},
		{Options{Prefix: "a//b"}, "", "empty path segment"},
		{Options{Prefix: "a b"}, "", "character"},
		{Options{Prefix: "ü"}, "", "character"},
		{Options{Prefix: strings.Repeat("p", maxPrefixLen+1)}, "", "longer"},
		{Options{RecoveryWindowDays: 6}, "", "RecoveryWindowDays"},
		{Options{RecoveryWindowDays: 31}, "", "RecoveryWindowDays"},
		{Options{MaxAttempts: -1}, "", "negative"},
		{Options{RetryDelay: -1}, "", "negative"},
		{Options{MaxRetryDelay: -1}, "", "negative"},
	} {
		o, err := (&c.in).withDefaults()
		switch {
		case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
			t.Errorf("%+v: got error %v; want one mentioning %q", c.in, err, c.wantErr)
		case c.wantErr == "" && err != nil:
			t.Errorf("%+v: %v", c.in, err)
		case c.wantErr == "" && o.Prefix != c.wantPrefix:
			t.Errorf("%+v: prefix %q; want %q", c.in, o.Prefix, c.wantPrefix)
		}
	}
	o, _ := (*Options)(nil).withDefaults()
	if o.RecoveryWindowDays != DefaultRecoveryWindowDays ||
		o.MaxAttempts != DefaultMaxAttempts || o.RetryDelay != DefaultRetryDelay || o.MaxRetryDelay != DefaultMaxRetryDelay {
		t.Errorf("nil options: %+v; want the defaults", o)
	}
}

func TestNextVersion(t *testing.T) {
	a, b := nextVersion("v1"), nextVersion("v2")
	if a != nextVersion("v1") || a == b {
		t.Fatalf("nextVersion is not a function of its input: %q %q", a, b)
	}
	if len(a) != 36 || strings.Count(a, "-") != 4 {
		t.Fatalf("nextVersion(v1) = %q; want a UUID-shaped 36-character token", a)
	}
}

func TestShardSpread(t *testing.T) {
	ids := make([]int, catalogShards)
	grants := make([]int, grantShards)
	for i := range 2000 {
		ids[shard(tokenstore.NewID(), catalogShards)]++
		k := tokenstore.Key{Kind: tokenstore.KeyGrantToken, ClientID: "c", Value: fmt.Sprint("gt-", i)}
		grants[shard(driver.Digest(k, nil), grantShards)]++
	}
	for i := range ids {
		if c := ids[i]; c < 50 || c > 150 {
			t.Errorf("catalog shard %d holds %d of 2000 IDs; want about 100", i, c)
		}
		if c := grants[i]; c < 50 || c > 150 {
			t.Errorf("grants shard %d holds %d of 2000 grant tokens; want about 100", i, c)
		}
	}
}
