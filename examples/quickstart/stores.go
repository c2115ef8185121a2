package main

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/memstore"
)

// opener makes a store from the environment; cleanup releases it.
type opener func(ctx context.Context) (s tokenstore.Store, cleanup func(), err error)

// stores maps -store names to openers. Backends register themselves here as
// they are added to the module.
var stores = map[string]opener{
	"memstore": func(context.Context) (tokenstore.Store, func(), error) {
		return memstore.New(nil), func() {}, nil
	},
}

func storeNames() string {
	names := make([]string, 0, len(stores))
	for n := range stores {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

func openStore(ctx context.Context, name string) (tokenstore.Store, func(), error) {
	open, ok := stores[name]
	if !ok {
		return nil, nil, fmt.Errorf("unknown store %q: choose one of %s", name, storeNames())
	}
	return open(ctx)
}
