//go:build race

package refresh_test

const raceEnabled = true
