package vault

import (
	"context"
	"errors"
	"fmt"
)

// errRetry makes SaveToken and DeleteToken start over: a concurrent writer
// changed what this attempt was based on. After Options.MaxAttempts it
// becomes tokenstore.ErrConflict.
var errRetry = errors.New("concurrent change")

// wrap prefixes err with "vault: op: ", keeping it reachable with errors.Is
// and errors.As (tokenstore sentinels, *api.ResponseError). When ctx is
// done, its error is wrapped too, whatever shape the HTTP client gave the
// failure. Messages hold paths (prefix, IDs, digests) and never a secret.
func wrap(ctx context.Context, op string, err error) error {
	if err == nil {
		return nil
	}
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		return fmt.Errorf("vault: %s: %w: %w", op, cerr, err)
	}
	return fmt.Errorf("vault: %s: %w", op, err)
}
