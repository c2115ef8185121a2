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
	"github.com/tokenstore-go/tokenstore/integration"
)

// TestAWSSMLinearizable checks that concurrent saves by ID and reads of two
// records stay linearizable on Secrets Manager while answers are lost after
// the server applied the request, with each worker a store of its own, as
// separate processes are. The SDK resends a request after a transport error,
// as users run it.
func TestAWSSMLinearizable(t *testing.T) {
	ft := integration.NewFaultTransport(http.DefaultTransport)
	ns := "lz" + randHex(5)
	checkLinearizable(t, func(t *testing.T) tokenstore.Store { return lzAWSSMStore(t, ns, ft) }, ft)
}

// lzAWSSMStore is a store in namespace ns whose requests go through ft,
// with the SDK resending lost answers quickly; it clears the namespace
// when the test ends.
func lzAWSSMStore(t *testing.T, ns string, ft *integration.FaultTransport) *awssm.Store {
	t.Helper()
	cfg := smConfig(t)
	cfg.HTTPClient = &http.Client{Transport: ft}
	s, err := awssm.New(secretsmanager.NewFromConfig(cfg), &awssm.Options{
		Prefix: "tokenstore-it/" + smRunID + "/" + ns + "/", Pepper: smPepper, ForceDelete: true,
		Retryer: quickRetryer(),
	})
	if err != nil {
		t.Fatalf("awssm.New: %v", err)
	}
	t.Cleanup(func() { ft.Clear(); _ = s.DeleteTokens(ctxT(t)) })
	return s
}

// quickRetryer is the SDK's standard retryer with short waits and no retry
// quota, so that a run fits many lost answers (the SDK resends each with
// the same ClientRequestToken, as it does by default).
func quickRetryer() aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = 10 // see patientRetryer
		o.MaxBackoff = 50 * time.Millisecond
		o.RateLimiter = ratelimit.None
	})
}
