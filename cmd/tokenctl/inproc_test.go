package main

import (
	"bytes"
	"context"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/memstore"
)

// testmem://NAME opens a memory store whose records live as long as the
// test binary, shared by every open of NAME: in-process runs of tokenctl
// see each other's writes, as processes sharing a server do.
var sharedByName sync.Map // NAME → *memstore.Shared

func init() {
	tokenstore.DefaultURLMux().Register("testmem", func(_ context.Context, u *url.URL, _ *tokenstore.OpenOptions) (tokenstore.Store, error) {
		b, _ := sharedByName.LoadOrStore(u.Host, memstore.NewShared())
		return memstore.New(&memstore.Options{Shared: b.(*memstore.Shared)}), nil
	})
}

// testStore returns a fresh testmem URL and its store.
func testStore(t *testing.T) (string, tokenstore.Store) {
	t.Helper()
	u := "testmem://" + unique(t)
	s, err := tokenstore.OpenStore(context.Background(), u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return u, s
}

// runApp runs tokenctl in-process with stdin and returns what it printed.
func runApp(t *testing.T, stdin string, args ...string) proc {
	t.Helper()
	var out, errb bytes.Buffer
	a := newApp(strings.NewReader(stdin), &out, &errb)
	code := a.run(context.Background(), args)
	p := proc{stdout: out.String(), stderr: errb.String(), code: code}
	if !revealing(args) {
		noSecrets(t, p.stdout+p.stderr)
	}
	return p
}
