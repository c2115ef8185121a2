package awssm_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/awssm"
)

// TestSameAccessTokenOneRecord saves, from many goroutines on two stores
// at once, records keyed by one access token alone: exactly one record
// must result. Access tokens change hourly and get no lasting index (see
// the package documentation), so their de-duplication cannot rest on one;
// the contract's concurrency cases key by the other lookup keys only.
func TestSameAccessTokenOneRecord(t *testing.T) {
	srv := newSMServer()
	newStore := func() *awssm.Store {
		s, err := awssm.New(newSMClient(srv), &awssm.Options{
			Prefix: "scan/", Pepper: smPepper, RetryDelay: time.Millisecond, MaxRetryDelay: 8 * time.Millisecond,
		})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	stores := []*awssm.Store{newStore(), newStore()}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	const writers = 32
	var wg sync.WaitGroup
	var mu sync.Mutex
	ids := make(map[string]bool)
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tok := tokenstore.Token{AccessToken: "secret-at-shared", APIDomain: fmt.Sprintf("https://w%d.example.com", i)}
			var err error
			for range 20 { // a careful caller retries ErrConflict, which wrote nothing
				in := tok
				if err = stores[i%2].SaveToken(ctx, &in); err == nil {
					mu.Lock()
					ids[in.ID] = true
					mu.Unlock()
					return
				}
			}
			t.Errorf("SaveToken: %v", err)
		}()
	}
	wg.Wait()
	all, err := stores[0].GetTokens(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 1 || len(ids) != 1 {
		t.Fatalf("%d saves keyed by one access token left %d records and returned %d IDs; want 1 and 1", writers, len(all), len(ids))
	}
	got, err := stores[1].FindToken(ctx, tokenstore.Token{AccessToken: "secret-at-shared"})
	if err != nil || got.ID != all[0].ID {
		t.Fatalf("FindToken by the access token: %v, %v; want record %s", got.ID, err, all[0].ID)
	}
}
