package memstore_test

import (
	"testing"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/memstore"
	"github.com/tokenstore-go/tokenstore/storetest"
)

func TestConformance(t *testing.T) {
	b := memstore.NewShared()
	storetest.RunConformance(t, storetest.Harness{
		NewStore: func(t *testing.T, ns string) tokenstore.Store {
			return memstore.New(&memstore.Options{Shared: b, Namespace: ns})
		},
		Writes: func(s tokenstore.Store) int64 { return s.(*memstore.Store).Writes() },
	})
}
