package awssm_test

import (
	"testing"
	"time"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/awssm"
	"github.com/tokenstore-go/tokenstore/storetest"
)

// TestPepper checks that New refuses a short pepper and keeps a copy of
// the caller's (storetest.RunPepper), over the fake.
func TestPepper(t *testing.T) {
	srv := newSMServer()
	storetest.RunPepper(t, func(t *testing.T, pepper []byte) (tokenstore.Store, error) {
		return awssm.New(newSMClient(srv), &awssm.Options{Prefix: "pepper/", Pepper: pepper, ForceDelete: true,
			RetryDelay: time.Millisecond, MaxRetryDelay: 8 * time.Millisecond})
	})
}
