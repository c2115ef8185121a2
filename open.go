package tokenstore

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/tokenstore-go/tokenstore/internal/urlparam"
)

// ErrBadURL means a store URL cannot open a store: it does not parse, its
// scheme is not registered, it holds credentials, a parameter is unknown,
// repeated, empty, malformed or joined by ';', or (for openers that look)
// the server has no such place, such as a Vault mount that does not exist
// or has another KV version. Errors of the network or of authentication
// are not ErrBadURL.
var ErrBadURL = urlparam.ErrBadURL

// OpenOptions are what a store URL does not hold. A nil *OpenOptions means
// the zero value.
type OpenOptions struct {
	// Pepper keys the HMAC naming the store's index entries, as the
	// stores' Options.Pepper does. It is secret, so it never goes in a
	// URL. Every process sharing a store must use the same one. Openers
	// copy it.
	Pepper []byte

	// HTTPClient, when set, carries every request of the opened store
	// (and of the opener's own checks) instead of the SDK's default
	// client, for tests and proxies. Credentials still come from the
	// environment; TLS settings the environment gives the SDK's client
	// (VAULT_CACERT, say) do not apply to it.
	HTTPClient *http.Client
}

// ParsePepper decodes a pepper written as text, as a file or an
// environment variable holds one: hex, or base64 in the standard or URL
// alphabet, with or without padding; surrounding white space is ignored.
// Empty text is no pepper (nil). The error never shows the text.
func ParsePepper(text string) ([]byte, error) {
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
	return nil, errors.New("tokenstore: pepper: neither hex nor base64")
}

// OpenerOf adapts a store package's OpenURL, which returns its own store
// type, to an Opener (an error gives a nil Store, not a typed nil).
func OpenerOf[S Store](open func(context.Context, *url.URL, *OpenOptions) (S, error)) Opener {
	return func(ctx context.Context, u *url.URL, o *OpenOptions) (Store, error) {
		s, err := open(ctx, u, o)
		if err != nil {
			return nil, err
		}
		return s, nil
	}
}

// An Opener opens the store a URL of its scheme names. The URL has parsed
// and holds no credentials; opts is never nil. An opener checks every part
// of the URL and refuses what it does not know with an error matching
// ErrBadURL.
type Opener func(ctx context.Context, u *url.URL, opts *OpenOptions) (Store, error)

// URLMux maps URL schemes to Openers, as gocloud.dev's URLMux types do.
// The zero value is an empty mux, ready to use; it is safe for concurrent
// use.
type URLMux struct {
	mu      sync.RWMutex
	openers map[string]Opener
}

var defaultMux URLMux

// DefaultURLMux returns the mux OpenStore uses. Importing a store package
// registers its scheme there: memstore "mem", awssm "awssm", vault "vault".
func DefaultURLMux() *URLMux { return &defaultMux }

// OpenStore opens the store rawURL names with DefaultURLMux. See
// URLMux.OpenStore.
func OpenStore(ctx context.Context, rawURL string, opts *OpenOptions) (Store, error) {
	return defaultMux.OpenStore(ctx, rawURL, opts)
}

var schemeRE = regexp.MustCompile(`^[a-z][a-z0-9+.-]*$`)

// Register makes open serve URLs of scheme (lowercase letters, digits,
// '+', '-' and '.', starting with a letter). It panics when scheme is
// malformed or already registered, or open is nil: these are programming
// errors, found at init, as with database/sql.Register.
func (m *URLMux) Register(scheme string, open Opener) {
	if !schemeRE.MatchString(scheme) || open == nil {
		panic("tokenstore: register: malformed scheme " + scheme + " or nil opener")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, dup := m.openers[scheme]; dup {
		panic("tokenstore: register: scheme " + scheme + " registered twice")
	}
	if m.openers == nil {
		m.openers = make(map[string]Opener)
	}
	m.openers[scheme] = open
}

// Schemes returns the registered schemes, sorted.
func (m *URLMux) Schemes() []string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	s := make([]string, 0, len(m.openers))
	for k := range m.openers {
		s = append(s, k)
	}
	slices.Sort(s)
	return s
}

// OpenStore parses rawURL and hands it to the Opener of its scheme. The
// URL names the store and its non-secret settings; credentials come from
// the environment the way the store's SDK reads them, and the pepper from
// opts. Store packages document their URLs (memstore.OpenURL,
// awssm.OpenURL, vault.OpenURL); some check the server at open (vault:
// its mount), others make no request.
//
// Errors read "tokenstore: open <URL>: <cause>", with any password in the
// URL masked. Those about the URL itself match ErrBadURL.
func (m *URLMux) OpenStore(ctx context.Context, rawURL string, opts *OpenOptions) (Store, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		// url.Error repeats the whole URL, password included.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, urlparam.Errorf("tokenstore: open: store URL does not parse: %v", err)
	}
	shown := u.Redacted()
	switch {
	case u.User != nil:
		return nil, urlparam.Errorf("tokenstore: open %s: a store URL holds no credentials: the store reads them from its SDK's environment", shown)
	case strings.ContainsRune(rawURL, '#'):
		return nil, urlparam.Errorf("tokenstore: open %s: a store URL has no fragment ('#')", shown)
	}
	m.mu.RLock()
	open := m.openers[u.Scheme]
	m.mu.RUnlock()
	if open == nil {
		return nil, urlparam.Errorf("tokenstore: open %s: %s (want %s)", shown, schemeText(u.Scheme), m.forms())
	}
	o := OpenOptions{}
	if opts != nil {
		o = *opts
	}
	o.Pepper = append([]byte(nil), o.Pepper...)
	s, err := open(ctx, u, &o)
	if err != nil {
		return nil, &openError{url: shown, err: err}
	}
	return s, nil
}

func schemeText(scheme string) string {
	if scheme == "" {
		return "no scheme"
	}
	return "unknown scheme " + scheme
}

// forms lists the registered schemes as "a://, b:// or c://".
func (m *URLMux) forms() string {
	s := m.Schemes()
	if len(s) == 0 {
		return "a registered scheme: import a store package"
	}
	for i := range s {
		s[i] += "://"
	}
	if len(s) == 1 {
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}

// openError is an opener's error with the URL it was opening.
type openError struct {
	url string
	err error
}

func (e *openError) Error() string { return "tokenstore: open " + e.url + ": " + e.err.Error() }
func (e *openError) Unwrap() error { return e.err }
