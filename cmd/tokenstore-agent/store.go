package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"

	"github.com/tokenstore-go/tokenstore"
	// The stores the agent opens by URL: each registers its scheme.
	_ "github.com/tokenstore-go/tokenstore/awssm"
	"github.com/tokenstore-go/tokenstore/cache"
	_ "github.com/tokenstore-go/tokenstore/memstore"
	_ "github.com/tokenstore-go/tokenstore/vault"
)

// openStore opens the store a URL names (tokenstore.OpenStore: mem://,
// awssm://PREFIX, vault://MOUNT/PREFIX, as the store packages document),
// with the pepper. A bad URL is a usage error.
func openStore(ctx context.Context, c *config) (tokenstore.Store, error) {
	s, err := tokenstore.OpenStore(ctx, c.store, &tokenstore.OpenOptions{Pepper: c.pepper})
	if errors.Is(err, tokenstore.ErrBadURL) {
		return nil, fmt.Errorf("%w: %v", errUsage, err)
	}
	return s, err
}

// withCache puts the read-through cache in front of s when on.
func withCache(s tokenstore.Store, on bool) (tokenstore.Store, cache.Cache, error) {
	if !on {
		return s, nil, nil
	}
	cs, err := cache.New(s, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("cache: %w", err)
	}
	return cs, cs, nil
}

// redactURL shows a store URL without user info or query, in case someone
// put a credential there.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable)"
	}
	u.User, u.RawQuery, u.Fragment = nil, "", ""
	return u.String()
}

// readPepper returns the pepper from file, else from text (the variable);
// nil when neither is set.
func readPepper(file, text string) ([]byte, error) {
	from := envPepper
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, usagef("pepper file: %v", err)
		}
		text, from = string(b), file
	}
	p, err := tokenstore.ParsePepper(text)
	if err != nil {
		return nil, usagef("pepper from %s: neither hex nor base64", from)
	}
	return p, nil
}
