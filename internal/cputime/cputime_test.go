package cputime

import (
	"runtime"
	"testing"
	"time"
)

// TestNowAdvances: spinning for 20 ms of wall time adds CPU time, and
// never more than the wall time times the cores.
func TestNowAdvances(t *testing.T) {
	before, ok := Now()
	if !ok {
		t.Skip("cputime: this platform reports no CPU time")
	}
	start := time.Now()
	for time.Since(start) < 20*time.Millisecond {
	}
	wall := time.Since(start)
	after, _ := Now()
	if used := after - before; used <= 0 || used > wall*time.Duration(runtime.NumCPU())+10*time.Millisecond {
		t.Fatalf("CPU time used %v over %v of wall time; want some, at most the wall time per core", used, wall)
	}
}
