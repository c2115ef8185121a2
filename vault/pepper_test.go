package vault

import (
	"testing"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/storetest"
)

// TestPepper checks that New refuses a short pepper and keeps a copy of
// the caller's (storetest.RunPepper), over the fake.
func TestPepper(t *testing.T) {
	f := newFakeVault(t)
	storetest.RunPepper(t, func(t *testing.T, pepper []byte) (tokenstore.Store, error) {
		return New(f.client(t), &Options{Prefix: "pepper", Pepper: pepper})
	})
}
