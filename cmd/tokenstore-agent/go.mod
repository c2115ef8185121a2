module github.com/tokenstore-go/tokenstore/cmd/tokenstore-agent

go 1.26.0

replace github.com/tokenstore-go/tokenstore => ../..

require (
	github.com/prometheus/client_golang v1.25.0
	github.com/tokenstore-go/tokenstore v0.0.0-00010101000000-000000000000
	golang.org/x/net v0.63.0
	golang.org/x/oauth2 v0.37.0
)

require (
	github.com/beorn7/perks v1.0.1 // indirect
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/munnerz/goautoneg v0.0.0-20191010083416-a7dc8b61c822 // indirect
	github.com/prometheus/client_model v0.6.3 // indirect
	github.com/prometheus/common v0.72.0 // indirect
	github.com/prometheus/procfs v0.22.0 // indirect
	golang.org/x/sync v0.22.0 // indirect
	golang.org/x/sys v0.50.0 // indirect
	google.golang.org/protobuf v1.36.12 // indirect
)
