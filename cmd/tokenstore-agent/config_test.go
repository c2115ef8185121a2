package main

import (
	"io"
	"testing"
	"time"
)

// Lambda starts an extension without arguments, so the refresh timing a
// deployment may tune comes from the environment too; a flag still wins,
// and a bad value stops the start.
func TestRefreshTimingFromEnv(t *testing.T) {
	base := []string{"--store", "mem://"}
	env := map[string]string{envToken: testHeaderToken, envRefreshSkew: "100s", envMinInterval: "3s"}
	c, err := parseConfig(base, mapEnv(env), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.refreshSkew != 100*time.Second || c.minInterval != 3*time.Second {
		t.Fatalf("skew %v, min interval %v; want 100s and 3s from the environment", c.refreshSkew, c.minInterval)
	}
	c, err = parseConfig(append(base, "--refresh-skew", "90s"), mapEnv(env), io.Discard)
	if err != nil || c.refreshSkew != 90*time.Second {
		t.Fatalf("flag over env: %v, %v; want 90s", err, c)
	}
	for _, bad := range []map[string]string{
		{envToken: testHeaderToken, envRefreshSkew: "soon"},
		{envToken: testHeaderToken, envMinInterval: "-1s"},
	} {
		if _, err := parseConfig(base, mapEnv(bad), io.Discard); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}
