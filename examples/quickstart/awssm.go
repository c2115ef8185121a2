package main

import (
	"context"
	"errors"
	"os"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/awssm"
)

// The awssm store: the standard AWS configuration (AWS_REGION, credentials,
// AWS_ENDPOINT_URL for LocalStack), secrets below the prefix quickstart/,
// removed again when the walk-through ends.
func init() {
	stores["awssm"] = func(ctx context.Context) (tokenstore.Store, func(), error) {
		if os.Getenv("AWS_REGION") == "" && os.Getenv("AWS_DEFAULT_REGION") == "" && os.Getenv("AWS_PROFILE") == "" {
			return nil, nil, errors.New("store awssm is not configured: set AWS_REGION (and credentials), or AWS_ENDPOINT_URL for LocalStack; see scripts/testenv.sh env")
		}
		s, err := awssm.FromEnv(ctx, &awssm.Options{Prefix: "quickstart/"})
		if err != nil {
			return nil, nil, err
		}
		return s, func() { _ = s.DeleteTokens(context.Background()) }, nil
	}
}
