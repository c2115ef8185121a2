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
// call against Secrets Manager (see faults_ops_test.go), deleting records
// at once; the deletes run again with a recovery window, the mode in
// which a deleted record's name stays pending deletion.
func TestAWSSMFaultSequences(t *testing.T) {
	t.Run("ForceDelete", func(t *testing.T) { runFaultSequences(t, awssmFaultBackend(t, true)) })
	t.Run("RecoveryWindow", func(t *testing.T) {
		runFaultSequences(t, awssmFaultBackend(t, false), "DeleteToken", "DeleteTokens", "Insert")
	})
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
