package awssm

import (
	"fmt"
	"testing"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/driver"
)

// TestGrantsShardCapacity measures how many grant entries, with
// store-generated IDs, fit in one shard: the figure the package
// documentation gives.
func TestGrantsShardCapacity(t *testing.T) {
	keys := make(map[string]grantEntry)
	n := 0
	for ; ; n++ {
		k := tokenstore.Key{Kind: tokenstore.KeyGrantToken, ClientID: "c", Value: fmt.Sprint("gt-", n)}
		keys[driver.Digest(k, nil)[:grantKeyLen]] = grantEntry{ID: tokenstore.NewID(), N: nonce()}
		if len(encodeGrants(keys)) > driver.MaxRecordSize {
			break
		}
	}
	t.Logf("a grants shard holds %d entries; a namespace %d", n, n*grantShards)
	if n < 620 || n > 690 {
		t.Fatalf("a grants shard holds %d entries; the documentation says about 650", n)
	}
	got, err := decodeGrants(encodeGrants(keys))
	if err != nil || len(got) != n+1 {
		t.Fatalf("decodeGrants(encodeGrants(%d entries)) = %d entries, %v", n+1, len(got), err)
	}
}

func TestDecodeGrantsRefusesOthers(t *testing.T) {
	for _, v := range []string{``, `{}`, `{"v":2,"keys":{}}`, `{"ids":[]}`, `[]`} {
		if _, err := decodeGrants(v); err == nil {
			t.Errorf("decodeGrants(%q) succeeded; want ErrCorrupt", v)
		}
	}
	keys, err := decodeGrants(`{"v":1}`)
	if err != nil || keys == nil {
		t.Fatalf("decodeGrants of an empty shard = %v, %v; want an empty map", keys, err)
	}
}
