package integration_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/awssm"
)

// TestAWSSMFaultSequences runs every operation under every fault at every
// call against Secrets Manager (see faults_ops_test.go), in both deletion
// modes.
func TestAWSSMFaultSequences(t *testing.T) {
	for _, force := range []bool{true, false} {
		name := map[bool]string{true: "ForceDelete", false: "RecoveryWindow"}[force]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			runFaultSequences(t, awssmFaultBackend(t, force))
		})
	}
}

func awssmFaultBackend(t *testing.T, force bool) faultBackend {
	smConfig(t) // skip early without an endpoint
	return faultBackend{newStore: func(t *testing.T, ns string, rt http.RoundTripper, later bool) tokenstore.Store {
		cfg := smConfig(t)
		if rt != nil {
			cfg.HTTPClient = &http.Client{Transport: rt}
		}
		o := &awssm.Options{
			Prefix: "tokenstore-it/" + smRunID + "/faults/" + ns + "/", Pepper: smPepper, ForceDelete: force,
			MaxConflictRetries: 3, ConflictBackoff: 5 * time.Millisecond,
		}
		if later {
			o.Now = func() time.Time { return time.Now().Add(awssm.DefaultClaimTimeout + time.Minute) }
		}
		s, err := awssm.New(secretsmanager.NewFromConfig(cfg), o)
		if err != nil {
			t.Fatalf("awssm.New: %v", err)
		}
		return s
	}}
}
