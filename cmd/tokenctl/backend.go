package main

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/hashicorp/vault/api"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/awssm"
	"github.com/tokenstore-go/tokenstore/memstore"
	"github.com/tokenstore-go/tokenstore/vault"
)

// backend is an opened store and the URL it came from, for messages.
type backend struct {
	store tokenstore.Store
	url   string // as given; backend URLs hold no credentials
}

// openBackend opens the store a backend URL names, with pepper keying its
// index names. It makes no request.
func (a *app) openBackend(ctx context.Context, raw string, pepper []byte) (*backend, error) {
	if raw == "" {
		return nil, usagef("no backend: give --store URL or set %s", envStore)
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" {
		return nil, usagef("backend URL %q: want mem://, awssm://PREFIX or vault://MOUNT/PREFIX", raw)
	}
	q := u.Query()
	var s tokenstore.Store
	switch u.Scheme {
	case "mem":
		if err = onlyParams(q); err == nil {
			s = memstore.New(nil)
		}
	case "awssm":
		s, err = a.openAWSSM(ctx, u, q, pepper)
	case "vault":
		s, err = a.openVault(u, q, pepper)
	default:
		return nil, usagef("backend URL %q: unknown scheme %q (want mem, awssm or vault)", raw, u.Scheme)
	}
	if err != nil {
		return nil, withCode(exitUsage, fmt.Errorf("backend URL %q: %w", raw, err))
	}
	if u.Scheme != "mem" && len(pepper) == 0 {
		a.warnf("no pepper for %s: if your applications use one, set --pepper-file or %s, or lookups by user name and token miss their records", raw, envPepper)
	}
	return &backend{store: s, url: raw}, nil
}

// onlyParams refuses query parameters other than allowed, so that a typo
// is an error rather than a silently ignored option.
func onlyParams(q url.Values, allowed ...string) error {
	for k := range q {
		ok := false
		for _, a := range allowed {
			ok = ok || k == a
		}
		if !ok {
			return fmt.Errorf("unknown parameter %q (allowed: %s)", k, strings.Join(allowed, ", "))
		}
	}
	return nil
}

// openAWSSM: awssm://<prefix>?region=R&kms-key=ID&force-delete=true&recovery-window=7.
func (a *app) openAWSSM(ctx context.Context, u *url.URL, q url.Values, pepper []byte) (tokenstore.Store, error) {
	if err := onlyParams(q, "region", "kms-key", "force-delete", "recovery-window"); err != nil {
		return nil, err
	}
	opts := &awssm.Options{Prefix: u.Host + u.Path, Pepper: pepper, KMSKeyID: q.Get("kms-key")}
	if v := q.Get("force-delete"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return nil, fmt.Errorf("force-delete=%q: want true or false", v)
		}
		opts.ForceDelete = b
	}
	if v := q.Get("recovery-window"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil, fmt.Errorf("recovery-window=%q: want days, 7 to 30", v)
		}
		opts.RecoveryWindowDays = n
	}
	var lo []func(*config.LoadOptions) error
	if r := q.Get("region"); r != "" {
		lo = append(lo, config.WithRegion(r))
	}
	cfg, err := config.LoadDefaultConfig(ctx, lo...)
	if err != nil {
		return nil, fmt.Errorf("load AWS config: %w", err)
	}
	if a.httpClient != nil {
		cfg.HTTPClient = a.httpClient
	}
	return awssm.NewFromConfig(cfg, opts)
}

// openVault: vault://<mount>/<prefix>?kv=1|2, the client from the vault
// CLI's environment (api.DefaultConfig).
func (a *app) openVault(u *url.URL, q url.Values, pepper []byte) (tokenstore.Store, error) {
	if err := onlyParams(q, "kv"); err != nil {
		return nil, err
	}
	if u.Host == "" {
		return nil, fmt.Errorf("no mount: want vault://MOUNT/PREFIX")
	}
	opts := &vault.Options{Mount: u.Host, Prefix: strings.Trim(u.Path, "/"), Pepper: pepper}
	switch q.Get("kv") {
	case "", "2":
		opts.KVVersion = vault.KVv2
	case "1":
		opts.KVVersion = vault.KVv1
	default:
		return nil, fmt.Errorf("kv=%q: want 1 or 2", q.Get("kv"))
	}
	cfg := api.DefaultConfig()
	if cfg.Error != nil {
		return nil, fmt.Errorf("vault config: %w", cfg.Error)
	}
	if a.httpClient != nil {
		cfg.HttpClient = a.httpClient
	}
	client, err := api.NewClient(cfg)
	if err != nil {
		return nil, fmt.Errorf("vault client: %w", err)
	}
	return vault.New(client, opts)
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
	p, err := parsePepper(text)
	if err != nil {
		return nil, usagef("pepper from %s: %v", from, err)
	}
	return p, nil
}

// parsePepper decodes hex, or base64 in the standard or URL alphabet with
// or without padding. Empty text is no pepper.
func parsePepper(text string) ([]byte, error) {
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
	return nil, fmt.Errorf("neither hex nor base64")
}

// open opens the --store backend.
func (a *app) open(ctx context.Context) (*backend, error) {
	p, err := a.pepper(a.pepperFile)
	if err != nil {
		return nil, err
	}
	return a.openBackend(ctx, a.storeURL, p)
}
