// Package urlparam reads store URLs the strict way every opener of this
// module shares (tokenstore.OpenStore): a parameter that is unknown,
// repeated, empty, or separated by ';' is an error, never silently dropped,
// and a URL never carries credentials (the stores' SDKs read those from the
// environment).
//
// Every error it returns matches ErrBadURL, which package tokenstore
// exports as tokenstore.ErrBadURL. It lives here, not in the root package,
// because the root's URLMux uses these helpers too and the root must not
// be imported from here.
package urlparam

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// ErrBadURL is tokenstore.ErrBadURL.
var ErrBadURL = errors.New("tokenstore: bad store URL")

// badURL is an error about a URL: its own message, matching ErrBadURL.
type badURL struct{ err error }

func (e badURL) Error() string   { return e.err.Error() }
func (e badURL) Unwrap() []error { return []error{e.err, ErrBadURL} }

// Errorf formats an error that matches ErrBadURL (and, through %w, what
// it wraps).
func Errorf(format string, args ...any) error {
	return badURL{fmt.Errorf(format, args...)}
}

// Values are a URL's query parameters, each given once.
type Values map[string]string

// Parse checks what every store URL must satisfy and returns its query
// parameters. u must have no user information, no fragment and no opaque
// part (scheme:x instead of scheme://x), and its parameters are read by
// Query.
func Parse(u *url.URL, allowed ...string) (Values, error) {
	switch {
	case u.User != nil:
		return nil, Errorf("a store URL holds no credentials: the store reads them from its SDK's environment")
	case u.Fragment != "":
		return nil, Errorf("fragment #%s: a store URL has none", u.Fragment)
	case u.Opaque != "":
		return nil, Errorf("%q: want %s://...", u.Scheme+":"+u.Opaque, u.Scheme)
	}
	return Query(u.RawQuery, allowed...)
}

// Query parses a raw query string: parameters among allowed, each once,
// with a value, joined by '&'.
func Query(raw string, allowed ...string) (Values, error) {
	// url.URL.Query drops every parameter joined by ';' without a word;
	// ParseQuery reports it.
	q, err := url.ParseQuery(raw)
	if err != nil {
		if strings.Contains(raw, ";") {
			return nil, Errorf("parameters %q: join parameters with '&', not ';'", raw)
		}
		return nil, Errorf("parameters %q: %v", raw, err)
	}
	v := make(Values, len(q))
	for name, vals := range q {
		switch {
		case !slices.Contains(allowed, name):
			return nil, Errorf("unknown parameter %q (%s)", name, allowedText(allowed))
		case len(vals) > 1:
			return nil, Errorf("parameter %q given %d times", name, len(vals))
		case vals[0] == "":
			return nil, Errorf("parameter %q has no value", name)
		}
		v[name] = vals[0]
	}
	return v, nil
}

func allowedText(allowed []string) string {
	if len(allowed) == 0 {
		return "this scheme takes none"
	}
	return "allowed: " + strings.Join(allowed, ", ")
}

// Bool returns the boolean parameter name: true or false (also 1, 0, t, f
// and their capitals, as strconv.ParseBool reads); def when absent.
func (v Values) Bool(name string, def bool) (bool, error) {
	s, ok := v[name]
	if !ok {
		return def, nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return false, Errorf("%s=%q: want true or false", name, s)
	}
	return b, nil
}

// Int returns the integer parameter name, which must lie in [lo, hi];
// def when absent.
func (v Values) Int(name string, def, lo, hi int) (int, error) {
	s, ok := v[name]
	if !ok {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, Errorf("%s=%q: want a whole number from %d to %d", name, s, lo, hi)
	}
	return n, nil
}
