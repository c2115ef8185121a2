// Package cputime reads the CPU time this process has used, for the
// benchmarks behind BENCHMARKS.md: on a shared machine a busy neighbour
// inflates wall time far more than the CPU time the code itself used.
package cputime

import "time"

// Now returns the user and system CPU time the process has used so far,
// and false where the platform does not report it.
func Now() (time.Duration, bool) { return now() }
