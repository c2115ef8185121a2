// Command coreonly uses the cache in front of memstore, for
// TestLinkSeparation.
package main

import (
	"fmt"

	"github.com/tokenstore-go/tokenstore/cache"
	"github.com/tokenstore-go/tokenstore/memstore"
)

func main() {
	s, err := cache.New(memstore.New(nil), nil)
	fmt.Println(s, err)
}
