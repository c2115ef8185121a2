package vault

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/hashicorp/vault/api"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/internal/urlparam"
)

// Scheme is the URL scheme OpenURL serves. Importing this package
// registers it with tokenstore.DefaultURLMux.
const Scheme = "vault"

func init() { tokenstore.DefaultURLMux().Register(Scheme, tokenstore.OpenerOf(OpenURL)) }

// OpenURL opens a Store named by a URL of the form
//
//	vault://MOUNT/PREFIX?kv=1|2&index-access-tokens=true
//
// MOUNT is Options.Mount, a single path segment (a mount such as "kv/team"
// needs New); PREFIX, the rest of the path, is Options.Prefix, default
// DefaultPrefix when empty. kv, optional, is the KV version the caller
// expects. index-access-tokens, default false, is
// Options.IndexAccessTokens: every store sharing a prefix must use the same
// setting. opts gives the pepper and an HTTP client.
//
// Unlike New, OpenURL builds the client itself as FromEnv does
// (api.DefaultConfig and api.NewClient: VAULT_ADDR, VAULT_TOKEN,
// VAULT_NAMESPACE, VAULT_CACERT, ...), and it asks the server about the
// mount before it returns (see CheckMount): a mount that does not exist,
// is not KV, or has another version than kv= fails here, naming the
// address and the mount, rather than looking like an empty store. Without
// kv= the store uses the mount's version. A prefix without records is an
// empty store, as every store is at first.
//
// Errors about the URL or the mount match tokenstore.ErrBadURL; errors of
// the network or of permissions do not.
func OpenURL(ctx context.Context, u *url.URL, opts *tokenstore.OpenOptions) (*Store, error) {
	if opts == nil {
		opts = &tokenstore.OpenOptions{}
	}
	o, err := optionsOf(u)
	if err != nil {
		return nil, fmt.Errorf("vault: open: %w", err)
	}
	o.Pepper = append([]byte(nil), opts.Pepper...)
	cfg := api.DefaultConfig()
	if cfg.Error != nil {
		return nil, fmt.Errorf("vault: open: config from the environment: %w", cfg.Error)
	}
	if opts.HTTPClient != nil {
		cfg.HttpClient = opts.HTTPClient
	}
	client, err := api.NewClient(cfg)
	if err != nil {
		return nil, fmt.Errorf("vault: open: client: %w", err)
	}
	v, err := CheckMount(ctx, client, o.Mount, o.KVVersion)
	if err != nil {
		return nil, fmt.Errorf("vault: open: %w", err)
	}
	o.KVVersion = v
	return New(client, o)
}

// optionsOf reads Options from a vault:// URL; KVVersion stays 0 when the
// URL has no kv parameter.
func optionsOf(u *url.URL) (*Options, error) {
	q, err := urlparam.Parse(u, "kv", "index-access-tokens")
	if err != nil {
		return nil, err
	}
	if u.Host == "" {
		return nil, urlparam.Errorf("no mount: want vault://MOUNT/PREFIX")
	}
	if u.Port() != "" {
		return nil, urlparam.Errorf("mount %q has a ':' (the address comes from VAULT_ADDR)", u.Host)
	}
	o := &Options{Mount: u.Host, Prefix: strings.Trim(u.Path, "/")}
	if o.KVVersion, err = q.Int("kv", 0, KVv1, KVv2); err != nil {
		return nil, err
	}
	if o.IndexAccessTokens, err = q.Bool("index-access-tokens", false); err != nil {
		return nil, err
	}
	if _, err := cleanPath("mount", o.Mount); err != nil {
		return nil, urlparam.Errorf("%w", err)
	}
	if o.Prefix != "" {
		if _, err := cleanPath("prefix", o.Prefix); err != nil {
			return nil, urlparam.Errorf("%w", err)
		}
	}
	return o, nil
}
