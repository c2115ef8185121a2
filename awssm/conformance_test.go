package awssm_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	sm "github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/awssm"
	"github.com/tokenstore-go/tokenstore/driver/kvstore"
	"github.com/tokenstore-go/tokenstore/storetest"
)

// smPepper is a fixed pepper: the tests need the same digests from every
// store of a namespace, not secrecy.
var smPepper = []byte("tokenstore awssm test pepper, not secret")

// smModes are the two ways a store deletes records; the suite runs both.
var smModes = []struct {
	name string
	opts awssm.Options
}{
	{"ForceDelete", awssm.Options{ForceDelete: true}},
	{"RecoveryWindow", awssm.Options{}},
}

// TestConformance runs the contract (storetest) on awssm stores over a
// real server when AWS_ENDPOINT_URL names one, in both deletion modes,
// every case in a prefix of its own. Over the fake, TestBackendConformance
// runs the same suite on the engine over the store's Backend, with the
// options New gives it.
func TestConformance(t *testing.T) {
	t.Run("Server", func(t *testing.T) {
		client := smRealClient(t)
		run := smRunID()
		for _, m := range smModes {
			t.Run(m.name, func(t *testing.T) {
				h := smHarness("tokenstore-test/awssm/"+run+"/"+m.name+"/", m.opts, client)
				h.Timeout = 3 * time.Minute
				storetest.RunConformance(t, h)
			})
		}
	})
}

// TestBackendConformance runs storetest.RunBackendConformance on the fake
// in both deletion modes: the contract over the engine on the store's
// Backend, and the fault sweep with each fault at every Secrets Manager
// call, so that faults land between the calls of one Backend method too
// (a catalog shard written and the record not yet created, say).
func TestBackendConformance(t *testing.T) {
	srv := newSMServer()
	for _, m := range smModes {
		t.Run(m.name, func(t *testing.T) {
			opts := m.opts
			opts.RetryDelay, opts.MaxRetryDelay, opts.Pepper = time.Millisecond, 8*time.Millisecond, smPepper
			newStore := func(t *testing.T, ns string, faults *storetest.Injector) *awssm.Store {
				o := opts
				o.Prefix = "backend/" + m.name + "/" + ns + "/"
				s, err := awssm.New(newSMClient(srv, faults), &o)
				if err != nil {
					t.Fatalf("awssm.New: %v", err)
				}
				return s
			}
			_, o := awssm.BackendOf(newStore(t, "options", nil))
			storetest.RunBackendConformance(t, storetest.BackendHarness{
				NewBackend: func(t *testing.T, ns string, faults *storetest.Injector) kvstore.Backend {
					b, _ := awssm.BackendOf(newStore(t, ns, faults))
					return b
				},
				Options: o,
				Leftover: func(t *testing.T, ns, value string) []string {
					return srv.holding("backend/"+m.name+"/"+ns+"/", value)
				},
			})
		})
	}
}

// smHarness makes stores under root+ns over api, each through a counting
// smClient of its own, as each stands for a process of its own.
func smHarness(root string, opts awssm.Options, api awssm.API) storetest.Harness {
	var clients sync.Map // *awssm.Store → *smClient
	return storetest.Harness{
		NewStore: func(t *testing.T, ns string) tokenstore.Store {
			c := newSMClient(api)
			o := opts
			o.Prefix, o.Pepper = root+ns+"/", smPepper
			s, err := awssm.New(c, &o)
			if err != nil {
				t.Fatalf("awssm.New: %v", err)
			}
			clients.Store(s, c)
			return s
		},
		Writes: func(s tokenstore.Store) int64 {
			c, _ := clients.Load(s)
			return c.(*smClient).writes()
		},
	}
}

// smRealClient returns a client for the server AWS_ENDPOINT_URL names,
// configured the standard way, or skips t when it names none.
func smRealClient(t *testing.T) *sm.Client {
	t.Helper()
	if os.Getenv("AWS_ENDPOINT_URL") == "" {
		t.Skip(`AWS_ENDPOINT_URL is not set, so there is no Secrets Manager server to compare with; eval "$(scripts/testenv.sh env)" points it at LocalStack`)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		t.Fatalf("load AWS config: %v", err)
	}
	return sm.NewFromConfig(cfg)
}

// smRunID is unique to a test run, so that runs sharing a server never meet.
func smRunID() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return time.Now().UTC().Format("20060102T150405") + "-" + hex.EncodeToString(b)
}
