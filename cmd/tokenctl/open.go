package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/tokenstore-go/tokenstore"
	_ "github.com/tokenstore-go/tokenstore/awssm" // registers awssm://
	"github.com/tokenstore-go/tokenstore/memstore"
	_ "github.com/tokenstore-go/tokenstore/vault" // registers vault://
)

// opened is an opened store and the URL it came from, for messages.
type opened struct {
	store tokenstore.Store
	url   string // as given; store URLs hold no credentials
}

// openStore opens the store a URL names, with pepper keying its
// index names, through the library's openers (tokenstore.OpenStore). A
// Vault URL's mount is checked with the server; the others make no
// request. A bad URL, or a mount that is missing or of another KV version,
// is a usage error; the network's or the server's errors are not.
func (a *app) openStore(ctx context.Context, raw string, pepper []byte) (*opened, error) {
	if raw == "" {
		return nil, usagef("no store: give --store URL or set %s", envStore)
	}
	s, err := tokenstore.OpenStore(ctx, raw, &tokenstore.OpenOptions{Pepper: pepper, HTTPClient: a.httpClient})
	if errors.Is(err, tokenstore.ErrBadURL) {
		return nil, withCode(exitUsage, err)
	}
	if err != nil {
		return nil, withCode(exitError, err)
	}
	if _, mem := s.(*memstore.Store); !mem && len(pepper) == 0 {
		a.warnf("no pepper for %s: if your applications use one, set --pepper-file or %s, or lookups by user name and token miss their records", raw, envPepper)
	}
	return &opened{store: s, url: raw}, nil
}

// pepper returns the pepper from file (flag or TOKENSTORE_PEPPER_FILE) or
// TOKENSTORE_PEPPER; nil when none is set.
func (a *app) pepper(file string) ([]byte, error) {
	if file == "" {
		file = os.Getenv(envPepperFile)
	}
	text := os.Getenv(envPepper)
	from := envPepper
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, withCode(exitUsage, fmt.Errorf("pepper file: %w", err))
		}
		text, from = string(b), file
	}
	p, err := tokenstore.ParsePepper(text)
	if err != nil {
		return nil, usagef("pepper from %s: neither hex nor base64", from)
	}
	return p, nil
}

// open opens the store --store names.
func (a *app) open(ctx context.Context) (*opened, error) {
	p, err := a.pepper(a.pepperFile)
	if err != nil {
		return nil, err
	}
	return a.openStore(ctx, a.storeURL, p)
}
