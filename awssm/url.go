package awssm

import (
	"context"
	"fmt"
	"net/url"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/internal/urlparam"
)

// Scheme is the URL scheme OpenURL serves. Importing this package
// registers it with tokenstore.DefaultURLMux.
const Scheme = "awssm"

func init() { tokenstore.DefaultURLMux().Register(Scheme, tokenstore.OpenerOf(OpenURL)) }

// OpenURL opens a Store named by a URL of the form
//
//	awssm://PREFIX?region=R&kms-key=ID&force-delete=true&recovery-window=DAYS
//
// PREFIX (host and path, e.g. "crm/prod/") is Options.Prefix, default
// DefaultPrefix when empty; the parameters, all optional, set the region
// (else AWS_REGION and the shared config's) and Options.KMSKeyID,
// ForceDelete and RecoveryWindowDays (7 to 30). opts gives the pepper and
// an HTTP client.
//
// Unlike New, OpenURL loads the AWS configuration itself, as FromEnv does
// (config.LoadDefaultConfig: the environment, AWS_ENDPOINT_URL, the shared
// files, the Lambda or container role); it makes no request, so missing
// credentials show on the first operation. Errors about the URL match
// tokenstore.ErrBadURL.
func OpenURL(ctx context.Context, u *url.URL, opts *tokenstore.OpenOptions) (*Store, error) {
	if opts == nil {
		opts = &tokenstore.OpenOptions{}
	}
	o, region, err := optionsOf(u)
	if err != nil {
		return nil, fmt.Errorf("awssm: open: %w", err)
	}
	o.Pepper = append([]byte(nil), opts.Pepper...)
	var lo []func(*config.LoadOptions) error
	if region != "" {
		lo = append(lo, config.WithRegion(region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, lo...)
	if err != nil {
		return nil, fmt.Errorf("awssm: open: load AWS config: %w", err)
	}
	if opts.HTTPClient != nil {
		// After loading: config.WithHTTPClient fails when AWS_CA_BUNDLE
		// is set, as it cannot put the bundle into a plain *http.Client.
		cfg.HTTPClient = opts.HTTPClient
	}
	return NewFromConfig(cfg, o)
}

// optionsOf reads Options and the region from an awssm:// URL.
func optionsOf(u *url.URL) (*Options, string, error) {
	q, err := urlparam.Parse(u, "region", "kms-key", "force-delete", "recovery-window")
	if err != nil {
		return nil, "", err
	}
	o := &Options{Prefix: u.Host + u.Path, KMSKeyID: q["kms-key"]}
	if o.ForceDelete, err = q.Bool("force-delete", false); err != nil {
		return nil, "", err
	}
	if o.RecoveryWindowDays, err = q.Int("recovery-window", 0, 7, 30); err != nil {
		return nil, "", err
	}
	if u.Port() != "" {
		return nil, "", urlparam.Errorf("%q: a prefix has no ':' (the endpoint comes from AWS_ENDPOINT_URL)", u.Host)
	}
	if _, err := o.withDefaults(); err != nil {
		return nil, "", urlparam.Errorf("%w", err)
	}
	return o, q["region"], nil
}
