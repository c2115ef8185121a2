package awssm

import (
	"fmt"
	"testing"
	"time"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/driver"
)

// TestGrantsShardCapacity measures how many grant entries, with
// store-generated IDs, fit in one shard: the figure the package
// documentation gives.
func TestGrantsShardCapacity(t *testing.T) {
	s := &Store{opts: Options{Now: func() time.Time { return time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC) }}}
	keys := make(map[string]grantEntry)
	n := 0
	for ; ; n++ {
		k := tokenstore.Key{Kind: tokenstore.KeyGrantToken, ClientID: "c", Value: fmt.Sprint("gt-", n)}
		keys[driver.Digest(k, nil)[:grantKeyLen]] = s.newGrantEntry(tokenstore.NewID())
		if len(encodeGrants(keys)) > driver.MaxRecordSize {
			break
		}
	}
	t.Logf("a grants shard holds %d entries; a namespace %d", n, n*grantShards)
	if n < 540 || n > 600 {
		t.Fatalf("a grants shard holds %d entries; the documentation says about 570", n)
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

// TestGrantEntryWithForeignID checks that an entry whose ID this package
// would not write reads as a tombstone, to be taken over, never followed.
func TestGrantEntryWithForeignID(t *testing.T) {
	e := entryOf(slot{name: "p/grants/00", key: "k"}, grantEntry{ID: "../x", N: "n", T: 1})
	if e.target != "" || e.sec.version != "n" || !e.sec.created.Equal(time.Unix(1, 0)) {
		t.Fatalf("entryOf(foreign ID) = %+v; want a tombstone with version n, created at 1", e)
	}
}
