package integration_test

import (
	"os"
	"testing"

	"github.com/tokenstore-go/tokenstore/integration"
)

func TestMain(m *testing.M) {
	if os.Getenv(fleetEnv) != "" {
		os.Exit(fleetChild()) // a fleet instance (refresh_fleet_test.go)
	}
	os.Exit(integration.Main(m))
}
