package postgres

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/tokenstore-go/tokenstore"
)

// Scheme is the URL scheme OpenURL serves. Importing this package
// registers it with tokenstore.DefaultURLMux. It is not "postgres": a
// postgres:// URL is a libpq connection string, with a host, a database
// and often a password, while a store URL names a table and a prefix and
// holds no credentials.
const Scheme = "pg"

func init() {
	tokenstore.DefaultURLMux().Register(Scheme, func(ctx context.Context, u *url.URL, o *tokenstore.OpenOptions) (tokenstore.Store, error) {
		s, err := OpenURL(ctx, u, o)
		if err != nil {
			return nil, err
		}
		return s, nil
	})
}

// OpenURL opens a Store named by a URL of the form
//
//	pg://TABLE/PREFIX
//
// TABLE is Options.Table ("tokens", or "schema.tokens"); PREFIX, the rest
// of the path, is Options.Prefix, default DefaultPrefix when empty. The
// URL takes no parameters. opts gives the pepper; its HTTPClient does not
// apply.
//
// Unlike New, OpenURL makes its own pool, as FromEnv does: the server,
// user, password and database come from PGHOST, PGPORT, PGUSER,
// PGPASSWORD (or PGPASSFILE), PGDATABASE, PGSSLMODE and the other
// variables libpq reads. Close the Store (it is an io.Closer) to close
// the pool. OpenURL then asks the server about the table (one statement
// that reads no row): a table that does not exist or lacks a column fails
// here rather than at the first operation.
//
// Errors about the URL or the table match tokenstore.ErrBadURL; errors of
// the network, of authentication or of permissions do not.
func OpenURL(ctx context.Context, u *url.URL, opts *tokenstore.OpenOptions) (*Store, error) {
	if opts == nil {
		opts = &tokenstore.OpenOptions{}
	}
	o, err := optionsOf(u)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	o.Pepper = opts.Pepper
	s, err := FromEnv(ctx, o)
	if err != nil {
		return nil, err
	}
	if err := s.check(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("postgres: open: table %s: %w", o.Table, err)
	}
	return s, nil
}

// optionsOf reads Options from a pg:// URL.
func optionsOf(u *url.URL) (*Options, error) {
	switch {
	case u.User != nil:
		return nil, badURLf("a store URL holds no credentials: they come from PGUSER, PGPASSWORD or PGPASSFILE")
	case u.Opaque != "":
		return nil, badURLf("%q: want %s://TABLE/PREFIX", u.Scheme+":"+u.Opaque, Scheme)
	case u.RawQuery != "" || u.ForceQuery:
		return nil, badURLf("parameters %q: %s:// takes none", u.RawQuery, Scheme)
	case u.Fragment != "":
		return nil, badURLf("a store URL has no fragment")
	case u.Host == "":
		return nil, badURLf("no table: want %s://TABLE/PREFIX", Scheme)
	case u.Port() != "":
		return nil, badURLf("table %q has a ':' (the server comes from PGHOST and PGPORT)", u.Host)
	}
	o := &Options{Table: u.Host, Prefix: strings.Trim(u.Path, "/")}
	if _, _, err := o.withDefaults(); err != nil {
		return nil, badURLf("%w", err)
	}
	return o, nil
}

// badURL is an error about a URL or what it names: its own message,
// matching tokenstore.ErrBadURL.
type badURL struct{ err error }

func (e badURL) Error() string   { return e.err.Error() }
func (e badURL) Unwrap() []error { return []error{e.err, tokenstore.ErrBadURL} }

func badURLf(format string, args ...any) error { return badURL{fmt.Errorf(format, args...)} }
