package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// counter counts the requests to a store and, among them, writes.
type counter struct {
	next          http.RoundTripper
	calls, writes atomic.Int64
}

func (c *counter) RoundTrip(r *http.Request) (*http.Response, error) {
	c.calls.Add(1)
	if isWrite(r) {
		c.writes.Add(1)
	}
	return c.next.RoundTrip(r)
}

// isWrite: Vault writes are PUT, POST and DELETE (reads are GET and LIST);
// Secrets Manager names its action in X-Amz-Target.
func isWrite(r *http.Request) bool {
	if target := r.Header.Get("X-Amz-Target"); target != "" {
		action := target[strings.LastIndex(target, ".")+1:]
		for _, read := range []string{"Get", "BatchGet", "Describe", "List"} {
			if strings.HasPrefix(action, read) {
				return false
			}
		}
		return true
	}
	return r.Method == http.MethodPut || r.Method == http.MethodPost || r.Method == http.MethodDelete
}

// BenchmarkImportFigures measures BENCHMARKS.md's import figures: 10,000
// rows from MariaDB into Vault and 1,000 into Secrets Manager on LocalStack,
// then the same import again. It runs the import command in-process with a
// counting HTTP client, once per sub-benchmark whatever b.N is:
//
//	go test -run '^$' -bench ImportFigures -benchtime 1x -v -timeout 30m .
func BenchmarkImportFigures(b *testing.B) {
	for _, tt := range []struct {
		name string
		n    int
		url  func(testing.TB) string
	}{
		{"vault", 10000, vaultURL},
		{"awssm", 1000, awssmURL},
	} {
		b.Run(tt.name, func(t *testing.B) {
			db, src := mysqlDB(t)
			if _, err := db.Exec(fmt.Sprintf(schemaCurrent, "oauthtoken")); err != nil {
				t.Fatal(err)
			}
			insertCurrent(t, db, "oauthtoken", tt.n, "figures.example.com", false)
			store := tt.url(t)
			for _, run := range []string{"first", "again"} {
				c := &counter{next: http.DefaultTransport.(*http.Transport).Clone()}
				var out strings.Builder
				var errOut strings.Builder
				a := newApp(strings.NewReader(""), &out, &errOut)
				a.httpClient = &http.Client{Transport: c}
				os.Setenv("TOKENSTORE_PEPPER", strings.TrimPrefix(pepperEnv[0], "TOKENSTORE_PEPPER="))
				start := time.Now()
				code := a.run(context.Background(), []string{"import", "-s", store, "--no-progress", src + "?table=oauthtoken"})
				el := time.Since(start)
				if code != exitOK {
					t.Fatalf("exit %d\n%s\n%s", code, out.String()[max(0, out.Len()-2000):], errOut.String())
				}
				lines := strings.Split(strings.TrimSpace(out.String()), "\n")
				t.Logf("%s %s: %d rows in %v (%.0f rows/s): %d calls, %d writes; %s",
					tt.name, run, tt.n, el.Round(time.Millisecond), float64(tt.n)/el.Seconds(),
					c.calls.Load(), c.writes.Load(), lines[len(lines)-1])
				if run == "again" && c.writes.Load() != 0 {
					t.Errorf("the same import again made %d writes; want 0", c.writes.Load())
				}
			}
		})
	}
}
