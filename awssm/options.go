package awssm

import (
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/tokenstore-go/tokenstore/driver"
)

// Defaults for the zero fields of Options.
const (
	DefaultPrefix             = "tokenstore/"
	DefaultRecoveryWindowDays = 7
	DefaultMaxAttempts        = 10
	DefaultRetryDelay         = 20 * time.Millisecond
	DefaultMaxRetryDelay      = time.Second
)

// maxPrefixLen leaves room under the 512-character name limit for the
// longest name the store derives: "token/" + a 64-character ID + "/record".
const maxPrefixLen = 512 - len("token/") - 64 - len("/record")

// Options configures a Store. A nil *Options means every default; a zero
// field means that field's default; a negative number or duration is an
// error from New.
type Options struct {
	// Prefix starts the name of every secret the store creates and is its
	// namespace: stores with different prefixes never see each other's
	// records. Characters [A-Za-z0-9/_+=.@-]; a missing trailing "/" is
	// added. Default DefaultPrefix. IAM policies scope to it (see README).
	Prefix string

	// Pepper keys the HMAC that turns user names and tokens into index
	// names (driver.Digest). Without it, anyone who can list secret
	// names can confirm a guessed user name. Use 32 random bytes kept
	// outside Secrets Manager, the same for every process sharing the
	// prefix; changing it orphans the existing indexes. At least
	// driver.MinPepperLen (16) bytes, or empty for none; New keeps a copy,
	// so the caller may wipe its buffer afterwards.
	Pepper []byte

	// KMSKeyID encrypts new secrets with this key (ID, ARN or alias)
	// instead of the account's aws/secretsmanager key.
	KMSKeyID string

	// Tags are put on every secret the store creates. They need
	// secretsmanager:TagResource. Never derived from token data.
	Tags map[string]string

	// ForceDelete deletes record secrets at once instead of scheduling their
	// deletion. Index and catalog secrets are always deleted at once.
	ForceDelete bool

	// RecoveryWindowDays is how long a deleted record stays restorable when
	// ForceDelete is false: 7 to 30. Default DefaultRecoveryWindowDays.
	RecoveryWindowDays int

	// Retryer, if set, replaces the client's retryer for this store's
	// calls. Throttling and transient errors are retried by it. Nil keeps
	// the client's (standard: 3 attempts with backoff).
	Retryer aws.Retryer

	// MaxAttempts bounds how many times one SaveToken or DeleteToken tries
	// when it loses a compare-and-swap race or meets another writer's
	// unfinished claim, before it returns tokenstore.ErrConflict. Default
	// DefaultMaxAttempts. (The same option, with the same meaning, as in
	// package vault; transient errors of the service are the SDK retryer's.)
	MaxAttempts int

	// RetryDelay and MaxRetryDelay shape the pause between those attempts:
	// RetryDelay doubled per attempt, capped at MaxRetryDelay, with jitter
	// so that writers that collided spread out. Defaults DefaultRetryDelay
	// and DefaultMaxRetryDelay.
	RetryDelay    time.Duration
	MaxRetryDelay time.Duration
}

// withDefaults returns a validated copy of o with defaults filled in.
func (o *Options) withDefaults() (Options, error) {
	var c Options
	if o != nil {
		c = *o
	}
	if c.Prefix == "" {
		c.Prefix = DefaultPrefix
	}
	if c.Prefix[len(c.Prefix)-1] != '/' {
		c.Prefix += "/"
	}
	if err := validPrefix(c.Prefix); err != nil {
		return c, err
	}
	if c.RecoveryWindowDays == 0 {
		c.RecoveryWindowDays = DefaultRecoveryWindowDays
	}
	if c.RecoveryWindowDays < 7 || c.RecoveryWindowDays > 30 {
		return c, fmt.Errorf("RecoveryWindowDays %d is outside 7 to 30", c.RecoveryWindowDays)
	}
	// The store's own copy: a caller that wipes or reuses its buffer must
	// not move every index name.
	pepper, err := driver.ClonePepper(c.Pepper)
	if err != nil {
		return c, err
	}
	c.Pepper = pepper
	if c.MaxAttempts < 0 || c.RetryDelay < 0 || c.MaxRetryDelay < 0 {
		return c, errors.New("negative MaxAttempts, RetryDelay or MaxRetryDelay")
	}
	if c.MaxAttempts == 0 {
		c.MaxAttempts = DefaultMaxAttempts
	}
	if c.RetryDelay == 0 {
		c.RetryDelay = DefaultRetryDelay
	}
	if c.MaxRetryDelay == 0 {
		c.MaxRetryDelay = DefaultMaxRetryDelay
	}
	return c, nil
}

// validPrefix checks a normalised prefix against the secret name rules.
func validPrefix(p string) error {
	switch {
	case len(p) > maxPrefixLen:
		return fmt.Errorf("prefix longer than %d characters", maxPrefixLen)
	case p[0] == '/':
		return errors.New("prefix starts with /")
	}
	for i := 0; i < len(p); i++ {
		if !nameByte(p[i]) {
			return fmt.Errorf("prefix has a character other than [A-Za-z0-9/_+=.@-] at byte %d", i)
		}
		if p[i] == '/' && i > 0 && p[i-1] == '/' {
			return errors.New("prefix has an empty path segment")
		}
	}
	return nil
}

// nameByte reports whether c may appear in a secret name.
func nameByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '/' || c == '_' || c == '+' || c == '=' || c == '.' || c == '@' || c == '-'
}
