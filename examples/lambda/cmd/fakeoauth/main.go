// Command fakeoauth runs the example's fake OAuth provider on a loopback
// address, for running the Lambda example locally.
//
//	go run ./cmd/fakeoauth -addr 127.0.0.1:9099 -expires-in 30s
package main

import (
	"flag"
	"log"
	"net/http"
	"time"

	"github.com/tokenstore-go/tokenstore/examples/lambda/fakeoauth"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:9099", "listen address (keep it on loopback)")
	id := flag.String("client-id", "example-client", "the one client ID accepted")
	secret := flag.String("client-secret", "example-secret", "its client secret")
	life := flag.Duration("expires-in", time.Hour, "lifetime of issued access tokens")
	rotate := flag.Bool("rotate", false, "issue a new refresh token on every refresh")
	flag.Parse()
	s := &fakeoauth.Server{ClientID: *id, ClientSecret: *secret, ExpiresIn: *life, RotateRefreshTokens: *rotate}
	log.Printf("fakeoauth: token endpoint http://%s/oauth/v2/token, API http://%s/api/me", *addr, *addr)
	log.Fatal(http.ListenAndServe(*addr, s.Handler()))
}
