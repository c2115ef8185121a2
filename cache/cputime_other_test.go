//go:build !unix

package cache_test

import "time"

func cpuTime() (time.Duration, bool) { return 0, false }
