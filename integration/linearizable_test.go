package integration_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/integration"
	"github.com/tokenstore-go/tokenstore/memstore"
)

// Bounds of one linearizability run: a few workers, each doing at most
// lzOps operations for at most lzFor, with lzFaults lost answers spread
// over that time. The workers keep going for the whole time, so that a
// write resent after its lost answer (once the client's retry wait is
// over) still meets reads and writes of others. The run stays well under
// 20 s.
const (
	lzWorkers = 4
	lzRecords = 2
	lzOps     = 1000
	lzFor     = 5 * time.Second
	lzFaults  = 40
	lzOpLimit = 15 * time.Second // one operation's deadline
	lzCheck   = 10 * time.Second // porcupine's budget
)

// faultInjector plans a fault for the n-th request (or operation) from now;
// *integration.FaultTransport is one.
type faultInjector interface {
	Inject(n int64, fault integration.Fault, sticky bool)
	Faulted() int64
}

// lzInput is one operation on the register that is a record's access
// token: a SaveToken by ID that sets it, or a FindTokenByID that reads it.
type lzInput struct {
	id    string
	write bool
	value string // write: the value set
}

// lzOutput is what an operation returned. An operation that failed has an
// unknown outcome: a write may or may not have happened, a read says
// nothing.
type lzOutput struct {
	value   string // read: the value seen
	unknown bool
}

// registerModel is one register per record ID, holding the access token.
// A failed operation is given the end of the history as its return time
// (see runHistory), so a write whose outcome is unknown may take effect at
// any point after its call, or never.
var registerModel = porcupine.Model{
	Partition: func(history []porcupine.Operation) [][]porcupine.Operation {
		byID := map[string][]porcupine.Operation{}
		var ids []string
		for _, op := range history {
			id := op.Input.(lzInput).id
			if byID[id] == nil {
				ids = append(ids, id)
			}
			byID[id] = append(byID[id], op)
		}
		out := make([][]porcupine.Operation, 0, len(ids))
		for _, id := range ids {
			out = append(out, byID[id])
		}
		return out
	},
	Init: func() any { return "" },
	Step: func(state, input, output any) (bool, any) {
		in, out := input.(lzInput), output.(lzOutput)
		switch {
		case in.write:
			return true, in.value
		case out.unknown:
			return true, state
		}
		return out.value == state.(string), state
	},
	DescribeOperation: func(input, output any) string {
		in, out := input.(lzInput), output.(lzOutput)
		switch {
		case in.write && out.unknown:
			return fmt.Sprintf("set(%s) = ?", in.value)
		case in.write:
			return fmt.Sprintf("set(%s)", in.value)
		case out.unknown:
			return "get() = ?"
		}
		return fmt.Sprintf("get() = %s", out.value)
	},
}

// checkLinearizable runs concurrent SaveToken-by-ID and FindTokenByID
// calls on lzRecords records from lzWorkers workers, each on a store of its
// own from newStore, with lost answers injected at random requests through
// faults, and checks that the history is linearizable: every record
// behaves as one register. It returns the number of operations checked.
func checkLinearizable(t *testing.T, newStore func(t *testing.T) tokenstore.Store, faults ...faultInjector) int {
	t.Helper()
	history := runHistory(t, newStore, faults...)
	res, info := porcupine.CheckOperationsVerbose(registerModel, history, lzCheck)
	var failed, reads int
	for _, op := range history {
		if op.Output.(lzOutput).unknown {
			failed++
		}
		if !op.Input.(lzInput).write {
			reads++
		}
	}
	t.Logf("linearizability: %d operations (%d reads, %d failed), %d lost answers injected: %s",
		len(history), reads, failed, injected(faults), res)
	if res != porcupine.Ok {
		path := filepath.Join(os.TempDir(), fmt.Sprintf("tokenstore-lz-%d.html", time.Now().UnixNano()))
		if err := porcupine.VisualizePath(registerModel, info, path); err == nil {
			t.Logf("history drawn in %s", path)
		}
		t.Errorf("history of %d operations is %s; want linearizable", len(history), res)
	}
	return len(history)
}

func injected(faults []faultInjector) int64 {
	var n int64
	for _, f := range faults {
		n += f.Faulted()
	}
	return n
}

// runHistory creates the records, runs the workers and returns what they
// did. Each record's initial value is recorded as a write that completed
// before any worker started.
func runHistory(t *testing.T, newStore func(t *testing.T) tokenstore.Store, faults ...faultInjector) []porcupine.Operation {
	t.Helper()
	ctx := context.Background()
	start := time.Now()
	now := func() int64 { return int64(time.Since(start)) }
	var (
		mu      sync.Mutex
		history []porcupine.Operation
	)
	setup := newStore(t)
	ids := make([]string, lzRecords)
	for i := range ids {
		tok := tokenstore.Token{UserName: fmt.Sprintf("lz-%d@example.com", i), AccessToken: fmt.Sprintf("secret-at-init-%d", i)}
		call := now()
		if err := setup.SaveToken(ctx, &tok); err != nil {
			t.Fatalf("create record %d: %v", i, err)
		}
		ids[i] = tok.ID
		history = append(history, porcupine.Operation{ClientId: lzWorkers,
			Input: lzInput{id: tok.ID, write: true, value: tok.AccessToken}, Call: call, Output: lzOutput{}, Return: now()})
	}

	var failedOps []int // indexes into history of operations that returned an error
	var faultsArmed, opsDone atomic.Int64
	// armFault plans the next fault once its turn has come: fault i after
	// (i+1)/(lzFaults+1) of the run's time or of its operations, whichever
	// comes first, so that faults spread over the run on a slow server and
	// on a fast in-memory store alike.
	armFault := func(rng *rand.Rand) {
		n, i := opsDone.Add(1), faultsArmed.Load()
		dueAt := time.Duration(i+1) * lzFor / (lzFaults + 1)
		dueOps := (i + 1) * lzWorkers * lzOps / (lzFaults + 1)
		due := time.Since(start) >= dueAt || n >= dueOps
		if len(faults) == 0 || i >= lzFaults || !due || !faultsArmed.CompareAndSwap(i, i+1) {
			return
		}
		faults[rng.IntN(len(faults))].Inject(1+rng.Int64N(4), integration.LoseAnswer, false)
	}
	deadline := time.Now().Add(lzFor)
	var wg sync.WaitGroup
	for w := range lzWorkers {
		s := newStore(t)
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), uint64(start.UnixNano())))
			for n := 0; n < lzOps && time.Now().Before(deadline); n++ {
				// One write in three: a value that comes back stays
				// visible long enough for a read to catch it.
				in := lzInput{id: ids[rng.IntN(len(ids))], write: rng.IntN(3) == 0}
				if in.write {
					// Armed before a write, the fault lands on one of the
					// next few requests of anyone, often a write's.
					armFault(rng)
				}
				if in.write {
					in.value = fmt.Sprintf("secret-at-w%d-%d", w, n)
				}
				opCtx, cancel := context.WithTimeout(ctx, lzOpLimit)
				call := now()
				out, err := lzDo(opCtx, s, in)
				ret := now()
				cancel()
				if err != nil && !errors.Is(err, tokenstore.ErrNotFound) {
					out = lzOutput{unknown: true}
				}
				mu.Lock()
				if out.unknown {
					failedOps = append(failedOps, len(history))
				}
				history = append(history, porcupine.Operation{ClientId: w, Input: in, Call: call, Output: out, Return: ret})
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	end := now() + 1
	for _, i := range failedOps {
		history[i].Return = end
	}
	return history
}

// lzDo runs one operation.
func lzDo(ctx context.Context, s tokenstore.Store, in lzInput) (lzOutput, error) {
	if in.write {
		tok := tokenstore.Token{ID: in.id, AccessToken: in.value}
		return lzOutput{}, s.SaveToken(ctx, &tok)
	}
	tok, err := s.FindTokenByID(ctx, in.id)
	return lzOutput{value: tok.AccessToken}, err
}

// The model rejects the lost-answer history (S's value put back
// after T's acknowledged write) and accepts it when the last read sees T's
// value: the checker can fail.
func TestRegisterModelWitness(t *testing.T) {
	const s = int64(time.Second)
	op := func(write bool, value string, call, ret float64) porcupine.Operation {
		in, out := lzInput{id: "r", write: write}, lzOutput{}
		if write {
			in.value = value
		} else {
			out.value = value
		}
		return porcupine.Operation{Input: in, Output: out, Call: int64(call * float64(s)), Return: int64(ret * float64(s))}
	}
	witness := func(last string) []porcupine.Operation {
		return []porcupine.Operation{
			op(true, "0", 0, 1),
			op(true, "A", 7.49, 9.48), // S
			op(false, "A", 8.2, 8.49), // a read already sees A
			op(true, "B", 8.76, 9.22), // T, acknowledged
			op(false, last, 9.38, 9.5),
		}
	}
	tests := []struct {
		last string
		want porcupine.CheckResult
	}{
		{"A", porcupine.Illegal},
		{"B", porcupine.Ok},
	}
	for _, tt := range tests {
		if got := porcupine.CheckOperationsTimeout(registerModel, witness(tt.last), time.Second); got != tt.want {
			t.Errorf("witness with a last read of %s: %s; want %s", tt.last, got, tt.want)
		}
	}
}

// lossyStore is a store whose planned operation is applied and then fails
// as if its answer were lost: the in-memory stand-in for a connection reset
// after the server applied a request.
type lossyStore struct {
	tokenstore.Store

	mu      sync.Mutex
	seen    int64
	at      int64
	faulted atomic.Int64
}

var errLostAnswer = errors.New("lossy store: answer lost")

// Inject plans a lost answer for the n-th operation from now. Only
// LoseAnswer is supported, and only once.
func (l *lossyStore) Inject(n int64, fault integration.Fault, _ bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if fault != integration.LoseAnswer {
		panic("lossyStore: only LoseAnswer")
	}
	l.seen, l.at = 0, n
}

func (l *lossyStore) Faulted() int64 { return l.faulted.Load() }

func (l *lossyStore) lose() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seen++
	if l.at != 0 && l.seen == l.at {
		l.at = 0
		l.faulted.Add(1)
		return true
	}
	return false
}

func (l *lossyStore) SaveToken(ctx context.Context, t *tokenstore.Token) error {
	err := l.Store.SaveToken(ctx, t)
	if err == nil && l.lose() {
		return errLostAnswer
	}
	return err
}

func (l *lossyStore) FindTokenByID(ctx context.Context, id string) (tokenstore.Token, error) {
	tok, err := l.Store.FindTokenByID(ctx, id)
	if err == nil && l.lose() {
		return tokenstore.Token{}, errLostAnswer
	}
	return tok, err
}

// The reference store is linearizable, also when answers are lost after
// the operation was applied.
func TestMemstoreLinearizable(t *testing.T) {
	l := &lossyStore{Store: memstore.New(nil)}
	checkLinearizable(t, func(*testing.T) tokenstore.Store { return l }, l)
}
