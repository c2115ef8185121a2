package cache_test

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/cache"
	"github.com/tokenstore-go/tokenstore/memstore"
)

func Example() {
	ctx := context.Background()
	backend := memstore.New(nil) // or an awssm.Store, a vault.Store
	store, err := cache.New(backend, nil)
	if err != nil {
		panic(err)
	}

	// Writes go through to the backend, then into the cache under every
	// key of the stored record.
	tok := tokenstore.Token{
		UserName:     "ann@example.com",
		ClientID:     "1000.CLIENT",
		ClientSecret: "client-secret",
		RefreshToken: "1000.refresh",
		AccessToken:  "1000.access",
		Expiry:       time.Now().Add(time.Hour),
	}
	if err := store.SaveToken(ctx, &tok); err != nil {
		panic(err)
	}

	// Finds by any of those keys are answered from memory.
	byRefresh, _ := store.FindToken(ctx, tokenstore.Token{
		RefreshToken: "1000.refresh", ClientID: "1000.CLIENT", ClientSecret: "client-secret",
	})
	byID, _ := store.FindTokenByID(ctx, tok.ID)
	fmt.Println(byRefresh.UserName, byID.UserName)

	st := store.Stats()
	fmt.Printf("hits %d, misses %d, backend finds %d\n", st.Hits, st.Misses, st.Loads)
	// Output:
	// ann@example.com ann@example.com
	// hits 2, misses 0, backend finds 0
}

// A hook turns cache events into metrics; events carry the operation and
// the lookup rule, never token data.
func ExampleOptions() {
	ctx := context.Background()
	var mu sync.Mutex
	counts := make(map[string]int)
	store, err := cache.New(memstore.New(nil), &cache.Options{
		TTL:         time.Minute,
		NotFoundTTL: 5 * time.Second, // remember misses briefly
		OnEvent: func(e cache.Event) {
			mu.Lock()
			counts[e.Kind.String()+" "+e.Key.String()]++
			mu.Unlock()
		},
	})
	if err != nil {
		panic(err)
	}

	for range 3 {
		_, err = store.FindToken(ctx, tokenstore.Token{UserName: "bob@example.com"})
	}
	fmt.Println(err)

	mu.Lock()
	defer mu.Unlock()
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Println(k, counts[k])
	}
	// Output:
	// cache: find: cached answer: tokenstore: token not found
	// hit user_name 2
	// load user_name 1
	// miss user_name 1
}
