package integration_test

import (
	"sync"
	"testing"
	"time"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/awssm"
	"github.com/tokenstore-go/tokenstore/storetest"
)

// smPepper is a fixed pepper: tests need no secrecy, only the same
// digests from every store of a namespace.
var smPepper = []byte("tokenstore integration test pepper, not secret")

// awssmHarness makes stores under a prefix unique to the run and mode,
// each over its own counting client.
func awssmHarness(t *testing.T, mode string, opts awssm.Options) storetest.Harness {
	t.Helper()
	smConfig(t)           // skip early without an endpoint
	var counters sync.Map // *awssm.Store → *calls
	return storetest.Harness{
		NewStore: func(t *testing.T, ns string) tokenstore.Store {
			c := newSMCalls()
			o := opts
			o.Prefix = "tokenstore-it/" + smRunID + "/" + mode + "/" + ns + "/"
			o.Pepper = smPepper
			s, err := awssm.New(smCountingClient(t, c), &o)
			if err != nil {
				t.Fatalf("awssm.New: %v", err)
			}
			counters.Store(s, c)
			return s
		},
		Writes: func(s tokenstore.Store) int64 {
			c, _ := counters.Load(s)
			_, w := c.(*smCalls).total()
			return w
		},
		Timeout: 3 * time.Minute,
	}
}

func TestAWSSMConformanceForceDelete(t *testing.T) {
	storetest.RunConformance(t, awssmHarness(t, "force", awssm.Options{ForceDelete: true}))
}

func TestAWSSMConformanceRecoveryWindow(t *testing.T) {
	storetest.RunConformance(t, awssmHarness(t, "window", awssm.Options{}))
}

// TestAWSSMConformancePepper checks on the server that New refuses a short
// pepper and keeps a copy of the caller's (storetest.RunPepper).
func TestAWSSMConformancePepper(t *testing.T) {
	smConfig(t) // skip early without an endpoint
	prefix := "tokenstore-it/" + smRunID + "/pepper/"
	storetest.RunPepper(t, func(t *testing.T, pepper []byte) (tokenstore.Store, error) {
		return awssm.New(smCountingClient(t, newSMCalls()), &awssm.Options{Prefix: prefix, Pepper: pepper, ForceDelete: true})
	})
}
