package integration_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
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
	return faultBackend{newStore: func(t *testing.T, ns string, rt http.RoundTripper) tokenstore.Store {
		cfg := smConfig(t)
		if rt != nil {
			cfg.HTTPClient = &http.Client{Transport: rt}
		}
		o := &awssm.Options{
			Prefix: "tokenstore-it/" + smRunID + "/faults/" + ns + "/", Pepper: smPepper, ForceDelete: force,
			MaxAttempts: 4, RetryDelay: 5 * time.Millisecond,
			Retryer: patientRetryer(),
		}
		s, err := awssm.New(secretsmanager.NewFromConfig(cfg), o)
		if err != nil {
			t.Fatalf("awssm.New: %v", err)
		}
		return s
	}}
}

// patientRetryer is the SDK's standard retryer with 10 attempts and no
// retry quota. LocalStack's BatchGetSecretValue sometimes answers HTTP 500
// ("dictionary changed size during iteration") while other secrets are
// being created; the SDK retries it, and with many tests writing at once
// three attempts are not always enough. The fault runs count retries as
// requests like any other.
func patientRetryer() aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = 10
		o.MaxBackoff = 200 * time.Millisecond
		o.RateLimiter = ratelimit.None
	})
}
