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
	"github.com/tokenstore-go/tokenstore/storetest"
)

// TestAWSSMFaultSequences runs the fault sweep (storetest.RunFaultSweep)
// against Secrets Manager, with each fault at every HTTP request, deleting
// records at once; the deletes and the insert run again with a recovery
// window, the mode in which a deleted record's name stays pending
// deletion.
func TestAWSSMFaultSequences(t *testing.T) {
	t.Run("ForceDelete", func(t *testing.T) { storetest.RunFaultSweep(t, awssmFaultHarness(t, true)) })
	t.Run("RecoveryWindow", func(t *testing.T) {
		h := awssmFaultHarness(t, false)
		h.Only = []string{"DeleteToken", "DeleteTokens", "Insert"}
		storetest.RunFaultSweep(t, h)
	})
}

func awssmFaultHarness(t *testing.T, force bool) storetest.FaultHarness {
	smConfig(t) // skip early without an endpoint
	return storetest.FaultHarness{NewStore: func(t *testing.T, ns string, faults *storetest.Injector) tokenstore.Store {
		cfg := smConfig(t)
		if faults != nil {
			cfg.HTTPClient = &http.Client{Transport: faults.Transport(http.DefaultTransport)}
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
	}, Parallel: 8}
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
