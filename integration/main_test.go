package integration_test

import (
	"os"
	"testing"

	"github.com/tokenstore-go/tokenstore/integration"
)

func TestMain(m *testing.M) { os.Exit(integration.Main(m)) }
