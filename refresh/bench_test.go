package refresh_test

import (
	"context"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/tokenstore-go/tokenstore/refresh"
)

// validSource is a Source whose token is valid and held in memory, and
// the oauth2.ReuseTokenSource floor over the same token.
func validSource(b testing.TB) (*refresh.Source, oauth2.TokenSource) {
	f := newFleet(b, nil)
	o := refresh.Options{HTTPClient: f.srv.HTTPClient(), AllowAPIDomains: []string{f.srv.URL()}}
	src, err := refresh.New(f.store(), f.query(), f.srv.Endpoint(), &o) // real clock: tokens live an hour
	if err != nil {
		b.Fatal(err)
	}
	tok, err := src.TokenContext(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	return src, oauth2.ReuseTokenSource(tok, oauth2.StaticTokenSource(tok))
}

// BenchmarkValidToken measures the path every API call takes: a valid token
// handed out from memory, by Current, Token and TokenContext, beside the
// floor of golang.org/x/oauth2's ReuseTokenSource (a mutex and a clock read).
// Each round runs the floor and the paths over the same number of calls,
// interleaved in chunks so that the machine's noise falls on all of them
// alike; the ratios are reported as metrics (the aim: 2 or less).
func BenchmarkValidToken(b *testing.B) {
	src, floor := validSource(b)
	ctx := context.Background()
	const chunk = 4096
	paths := []struct {
		name string
		run  func(n int)
	}{
		{"floor", func(n int) {
			for range n {
				if _, err := floor.Token(); err != nil {
					b.Fatal(err)
				}
			}
		}},
		{"current", func(n int) {
			for range n {
				if _, err := src.Current(ctx); err != nil {
					b.Fatal(err)
				}
			}
		}},
		{"token", func(n int) {
			for range n {
				if _, err := src.Token(); err != nil {
					b.Fatal(err)
				}
			}
		}},
		{"tokencontext", func(n int) {
			for range n {
				if _, err := src.TokenContext(ctx); err != nil {
					b.Fatal(err)
				}
			}
		}},
	}
	spent := make([]time.Duration, len(paths))
	b.ReportAllocs()
	b.ResetTimer()
	for done := 0; done < b.N; done += chunk {
		n := min(chunk, b.N-done)
		for i, p := range paths {
			start := time.Now()
			p.run(n)
			spent[i] += time.Since(start)
		}
	}
	b.StopTimer()
	per := func(i int) float64 { return float64(spent[i].Nanoseconds()) / float64(b.N) }
	b.ReportMetric(per(0), "floor-ns/op")
	for i, p := range paths[1:] {
		b.ReportMetric(per(i+1), p.name+"-ns/op")
		b.ReportMetric(per(i+1)/per(0), p.name+"/floor")
	}
}

// TestValidTokenAllocatesNothing: the valid-token path of Current, Token
// and TokenContext makes no allocation.
func TestValidTokenAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates on its own; the count is checked without -race")
	}
	src, _ := validSource(t)
	ctx := context.Background()
	for name, f := range map[string]func(){
		"Current":      func() { _, _ = src.Current(ctx) },
		"Token":        func() { _, _ = src.Token() },
		"TokenContext": func() { _, _ = src.TokenContext(ctx) },
	} {
		if n := testing.AllocsPerRun(1000, f); n != 0 {
			t.Errorf("%s with a valid token: %v allocations per call; want 0", name, n)
		}
	}
}
