package storetest_test

import (
	"testing"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/memstore"
	"github.com/tokenstore-go/tokenstore/storetest"
)

// A store's whole conformance test is a harness that makes stores. Put it
// in your store's _test.go as func TestConformance(t *testing.T).
func ExampleRunConformance() {
	testConformance := func(t *testing.T) {
		b := memstore.NewShared() // your client or server connection
		storetest.RunConformance(t, storetest.Harness{
			NewStore: func(t *testing.T, ns string) tokenstore.Store {
				return memstore.New(&memstore.Options{Shared: b, Namespace: ns})
			},
			Writes: func(s tokenstore.Store) int64 { return s.(*memstore.Store).Writes() },
		})
	}
	_ = testConformance
}
