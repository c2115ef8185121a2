package postgres

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Defaults for the zero fields of Options.
const (
	DefaultTable           = "tokenstore"
	DefaultPrefix          = "tokenstore"
	DefaultMaxAttempts     = 10
	DefaultRetryDelay      = 10 * time.Millisecond
	DefaultMaxRetryDelay   = time.Second
	DefaultReadParallelism = 4
)

// batchSize is how many records one statement of GetTokens reads.
const batchSize = 100

// maxPrefixLen bounds Options.Prefix, which every row repeats.
const maxPrefixLen = 128

// Options configures a Store. A nil *Options, and every zero field, means
// the default; a negative number or duration is an error from New.
type Options struct {
	// Table is the table that holds the store, created beforehand with
	// CreateTable or the SQL of the README: a lowercase name, optionally
	// qualified by its schema ("auth.tokens"); without a schema the
	// connection's search_path finds it. Several stores may share one
	// table under different prefixes. Default DefaultTable.
	Table string

	// Prefix is the store's namespace: every row it writes has it in the
	// namespace column, and it reads and deletes no other row. Stores with
	// different prefixes never see or delete each other's records. 1 to
	// 128 ASCII letters, digits, '-', '_', '.' and '/'. Default
	// DefaultPrefix.
	Prefix string

	// Pepper is a secret key for the HMAC that names index entries (see
	// driver.Digest). Without one, whoever can read the table can confirm a
	// guessed user name. Every Store sharing a prefix must use the same
	// pepper; changing it orphans the index, so records must then be
	// re-saved. At least driver.MinPepperLen (16) bytes; 32 random bytes
	// is the advice. Default none (empty). New keeps a copy, so the caller
	// may wipe its buffer afterwards.
	Pepper []byte

	// MaxAttempts bounds how many times SaveToken, UpdateToken and
	// DeleteToken try when a concurrent writer wins a conditional write,
	// before they give up with tokenstore.ErrConflict. Default
	// DefaultMaxAttempts.
	MaxAttempts int

	// RetryDelay and MaxRetryDelay shape the backoff between attempts: a
	// random wait up to RetryDelay, doubling per attempt, capped at
	// MaxRetryDelay. Defaults DefaultRetryDelay and DefaultMaxRetryDelay.
	RetryDelay    time.Duration
	MaxRetryDelay time.Duration

	// ReadParallelism bounds the statements GetTokens and DeleteTokens
	// have in flight at once (each takes a connection of the pool).
	// Default DefaultReadParallelism.
	ReadParallelism int
}

// withDefaults returns o with its zero fields set and its table name
// quoted for SQL, or an error naming the field that is wrong.
func (o Options) withDefaults() (Options, string, error) {
	if o.MaxAttempts < 0 || o.RetryDelay < 0 || o.MaxRetryDelay < 0 || o.ReadParallelism < 0 {
		return o, "", errors.New("negative MaxAttempts, RetryDelay, MaxRetryDelay or ReadParallelism")
	}
	o.Table = orDefault(o.Table, DefaultTable)
	o.Prefix = orDefault(o.Prefix, DefaultPrefix)
	o.MaxAttempts = positive(o.MaxAttempts, DefaultMaxAttempts)
	o.RetryDelay = positive(o.RetryDelay, DefaultRetryDelay)
	o.MaxRetryDelay = positive(o.MaxRetryDelay, DefaultMaxRetryDelay)
	o.ReadParallelism = positive(o.ReadParallelism, DefaultReadParallelism)
	table, err := quoteTable(o.Table)
	if err != nil {
		return o, "", err
	}
	if err := checkPrefix(o.Prefix); err != nil {
		return o, "", err
	}
	return o, table, nil
}

var (
	identRE  = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)
	prefixRE = regexp.MustCompile(`^[A-Za-z0-9._/-]+$`)
)

// quoteTable checks a table name ("table" or "schema.table", each part a
// lowercase SQL identifier of up to 63 bytes) and returns it quoted, ready
// to be put in a statement: the only text of a statement not sent as a
// parameter.
func quoteTable(name string) (string, error) {
	parts := strings.Split(name, ".")
	if len(parts) > 2 {
		return "", fmt.Errorf("table %q: want table or schema.table", name)
	}
	for _, p := range parts {
		if !identRE.MatchString(p) {
			return "", fmt.Errorf("table %q: each part must be a lowercase identifier ([a-z_][a-z0-9_]*, at most 63 bytes)", name)
		}
	}
	return pgx.Identifier(parts).Sanitize(), nil
}

func checkPrefix(p string) error {
	if len(p) > maxPrefixLen || !prefixRE.MatchString(p) {
		return fmt.Errorf("prefix %q: want 1 to %d of [A-Za-z0-9._/-]", p, maxPrefixLen)
	}
	return nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// positive returns v, or def when v is zero (negatives are refused first).
func positive[T int | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}
