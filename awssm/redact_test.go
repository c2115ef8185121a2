package awssm_test

import (
	"testing"

	"github.com/tokenstore-go/tokenstore/awssm"
	"github.com/tokenstore-go/tokenstore/internal/leaktest"
)

// TestNoSecretsInFormatting checks that the pepper shows through neither
// Options nor Store under fmt or slog.
func TestNoSecretsInFormatting(t *testing.T) {
	const pepper = "PEPPER-0123456789abcdef-0123456"
	opts := awssm.Options{Prefix: "app/", Pepper: []byte(pepper)}
	s, err := awssm.New(&fakeAPI{}, &opts)
	if err != nil {
		t.Fatal(err)
	}
	leaktest.NoSecrets(t, opts, []string{pepper})
	leaktest.NoSecrets(t, s, []string{pepper})
}
