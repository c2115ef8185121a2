package memstore

import (
	"context"
	"net/url"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/internal/urlparam"
)

// Scheme is the URL scheme OpenURL serves. Importing this package
// registers it with tokenstore.DefaultURLMux.
const Scheme = "mem"

func init() { tokenstore.DefaultURLMux().Register(Scheme, tokenstore.OpenerOf(OpenURL)) }

// OpenURL opens "mem://": a new, empty Store with records of its own, gone
// with the process. The URL takes no host, path or parameter (each open
// is a store of its own, so a name would suggest a sharing that does not
// happen); opts is not needed, as memstore names nothing with a pepper.
// Errors match tokenstore.ErrBadURL.
func OpenURL(_ context.Context, u *url.URL, _ *tokenstore.OpenOptions) (*Store, error) {
	if _, err := urlparam.Parse(u); err != nil {
		return nil, wrap("open", err)
	}
	if u.Host != "" || (u.Path != "" && u.Path != "/") {
		return nil, wrap("open", urlparam.Errorf("%q: want mem:// (no host or path: every open is a new empty store)", u.Host+u.Path))
	}
	return New(nil), nil
}
