package main

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/hashicorp/vault/api"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/awssm"
	"github.com/tokenstore-go/tokenstore/cache"
	"github.com/tokenstore-go/tokenstore/memstore"
	"github.com/tokenstore-go/tokenstore/vault"
)

// openBackend opens the store a URL names. It makes no request.
//
// The seam for the library's URL opener (issue 21 item 6): until it lands
// the agent opens the three schemes itself, as cmd/tokenctl does.
func openBackend(ctx context.Context, c *config) (tokenstore.Store, error) {
	u, err := url.Parse(c.store)
	if err != nil || u.Scheme == "" {
		return nil, usagef("store URL %q: want mem://, awssm://PREFIX or vault://MOUNT/PREFIX", redactURL(c.store))
	}
	q := u.Query()
	var s tokenstore.Store
	switch u.Scheme {
	case "mem":
		err = onlyParams(q)
		s = memstore.New(nil)
	case "awssm":
		s, err = openAWSSM(ctx, u, q, c.pepper)
	case "vault":
		s, err = openVault(u, q, c.pepper)
	default:
		return nil, usagef("store URL %q: unknown scheme %q (want mem, awssm or vault)", redactURL(c.store), u.Scheme)
	}
	if err != nil {
		return nil, usagef("store URL %q: %v", redactURL(c.store), err)
	}
	return s, nil
}

// onlyParams refuses query parameters other than allowed.
func onlyParams(q url.Values, allowed ...string) error {
	for k := range q {
		if !slices.Contains(allowed, k) {
			return fmt.Errorf("unknown parameter %q", k)
		}
	}
	return nil
}

// openAWSSM: awssm://PREFIX?region=R, the client from the AWS SDK's
// environment (credentials, AWS_ENDPOINT_URL).
func openAWSSM(ctx context.Context, u *url.URL, q url.Values, pepper []byte) (tokenstore.Store, error) {
	if err := onlyParams(q, "region"); err != nil {
		return nil, err
	}
	var lo []func(*awsconfig.LoadOptions) error
	if r := q.Get("region"); r != "" {
		lo = append(lo, awsconfig.WithRegion(r))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, lo...)
	if err != nil {
		return nil, fmt.Errorf("load AWS config: %w", err)
	}
	return awssm.NewFromConfig(cfg, &awssm.Options{Prefix: u.Host + u.Path, Pepper: pepper})
}

// openVault: vault://MOUNT/PREFIX?kv=1|2, the client from the vault CLI's
// environment (VAULT_ADDR, VAULT_TOKEN, …).
func openVault(u *url.URL, q url.Values, pepper []byte) (tokenstore.Store, error) {
	if err := onlyParams(q, "kv"); err != nil {
		return nil, err
	}
	if u.Host == "" {
		return nil, fmt.Errorf("no mount: want vault://MOUNT/PREFIX")
	}
	opts := &vault.Options{Mount: u.Host, Prefix: strings.Trim(u.Path, "/"), Pepper: pepper, KVVersion: vault.KVv2}
	switch q.Get("kv") {
	case "", "2":
	case "1":
		opts.KVVersion = vault.KVv1
	default:
		return nil, fmt.Errorf("kv=%q: want 1 or 2", q.Get("kv"))
	}
	cfg := api.DefaultConfig()
	if cfg.Error != nil {
		return nil, fmt.Errorf("vault config: %w", cfg.Error)
	}
	client, err := api.NewClient(cfg)
	if err != nil {
		return nil, fmt.Errorf("vault client: %w", err)
	}
	return vault.New(client, opts)
}

// withCache puts the read-through cache in front of s when on.
func withCache(s tokenstore.Store, on bool) (tokenstore.Store, *cache.Store, error) {
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
	s := strings.TrimSpace(text)
	if s == "" {
		return nil, nil
	}
	if b, err := hex.DecodeString(s); err == nil {
		return b, nil
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, usagef("pepper from %s: neither hex nor base64", from)
}
