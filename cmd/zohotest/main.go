// Command zohotest serves package zohotest's fake Zoho accounts server and
// API as a process, for tests written in other languages (the Python and
// Node SDK clients in clients/) and for trying the agent locally:
//
//	zohotest -client 1000.DEMO:demo-secret -refresh-tokens 1 -token-lifetime 20s
//
// It listens on loopback only and, once serving, prints one JSON line on
// stdout: {"url": the accounts server and API (token endpoint
// <url>/oauth/v2/token), "control": the control API, "clients": every
// client registered by flags or -config with the refresh tokens and grant
// codes issued for it}. It stops on SIGINT or SIGTERM.
//
// The control API (JSON; see control.go) registers clients, issues refresh
// tokens and grant codes, revokes, moves the fake's clock and reports
// Stats, so a test can check how many token calls a fleet made.
//
// It lives in the root module, beside package zohotest, because it needs
// nothing else: a module of its own would reach zohotest only through a
// replace directive.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/tokenstore-go/tokenstore/zoho/zohotest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "zohotest:", err)
		os.Exit(2)
	}
}

// ready is the line printed once serving.
type ready struct {
	URL     string   `json:"url"`
	Control string   `json:"control"`
	Clients []issued `json:"clients"`
}

// issued is a client with what was issued for it at start.
type issued struct {
	ClientID      string   `json:"client_id"`
	RefreshTokens []string `json:"refresh_tokens"`
	GrantCodes    []string `json:"grant_codes"`
}

// clientConf is a client of -config.
type clientConf struct {
	ClientID      string   `json:"client_id"`
	ClientSecret  string   `json:"client_secret"`
	RedirectURIs  []string `json:"redirect_uris"`
	RefreshTokens int      `json:"refresh_tokens"`
	GrantCodes    int      `json:"grant_codes"`
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("zohotest", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	addr := fs.String("addr", "127.0.0.1:0", "loopback address of the accounts server and API")
	controlAddr := fs.String("control-addr", "127.0.0.1:0", "loopback address of the control API")
	config := fs.String("config", "", `JSON file: {"clients":[{"client_id","client_secret","redirect_uris","refresh_tokens":N,"grant_codes":N}]}`)
	var clients []clientConf
	fs.Func("client", "register a client ID:SECRET (repeatable)", func(s string) error {
		id, secret, ok := strings.Cut(s, ":")
		if !ok || id == "" || secret == "" {
			return errors.New("want ID:SECRET")
		}
		clients = append(clients, clientConf{ClientID: id, ClientSecret: secret})
		return nil
	})
	refreshTokens := fs.Int("refresh-tokens", 0, "refresh tokens to issue for each -client")
	var opts zohotest.Options
	fs.DurationVar(&opts.TokenLifetime, "token-lifetime", time.Hour, "access token lifetime (expires_in)")
	fs.DurationVar(&opts.Window, "window", 10*time.Minute, "throttle window")
	fs.IntVar(&opts.TokensPerWindow, "tokens-per-window", 10, "access tokens per refresh token per window")
	fs.IntVar(&opts.MaxActiveTokens, "max-active", 15, "active access tokens per refresh token")
	fs.DurationVar(&opts.GrantCodeLifetime, "grant-code-lifetime", 10*time.Minute, "grant code lifetime")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if *refreshTokens > 0 && len(clients) == 0 {
		return errors.New("-refresh-tokens needs a -client")
	}
	for i := range clients {
		clients[i].RefreshTokens = *refreshTokens
	}
	if *config != "" {
		more, err := readConfig(*config)
		if err != nil {
			return err
		}
		clients = append(clients, more...)
	}
	api, err := listenLoopback(*addr)
	if err != nil {
		return err
	}
	ctl, err := listenLoopback(*controlAddr)
	if err != nil {
		api.Close()
		return err
	}
	clock := &offsetClock{}
	opts.Now, opts.Listener = clock.Now, api
	srv := zohotest.NewServer(&opts)
	defer srv.Close()
	c := newControl(srv, clock)
	out := ready{URL: srv.URL(), Control: "http://" + ctl.Addr().String(), Clients: []issued{}}
	for _, cc := range clients {
		c.register(cc.ClientID, cc.ClientSecret, cc.RedirectURIs)
		is := issued{ClientID: cc.ClientID, RefreshTokens: []string{}, GrantCodes: []string{}}
		for range cc.RefreshTokens {
			is.RefreshTokens = append(is.RefreshTokens, srv.NewRefreshToken(cc.ClientID))
		}
		for range cc.GrantCodes {
			is.GrantCodes = append(is.GrantCodes, srv.NewGrantCode(cc.ClientID))
		}
		out.Clients = append(out.Clients, is)
	}
	hs := &http.Server{Handler: c, ReadHeaderTimeout: 5 * time.Second}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ctl) }()
	line, _ := json.Marshal(out)
	if _, err := fmt.Fprintf(stdout, "%s\n", line); err != nil {
		hs.Close()
		return err
	}
	select {
	case <-ctx.Done():
		hs.Close()
		return nil
	case err := <-served:
		return err
	}
}

func readConfig(name string) ([]clientConf, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	var conf struct {
		Clients []clientConf `json:"clients"`
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(&conf); err != nil {
		return nil, fmt.Errorf("config %s: %w", name, err)
	}
	for _, c := range conf.Clients {
		if c.ClientID == "" || c.ClientSecret == "" {
			return nil, fmt.Errorf("config %s: a client needs client_id and client_secret", name)
		}
	}
	return conf.Clients, nil
}

// listenLoopback listens on addr, which must be a loopback IP: the fake
// accepts any token its control API issues, so it must not be reachable
// from elsewhere.
func listenLoopback(addr string) (net.Listener, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("address %s: want a loopback IP such as 127.0.0.1", addr)
	}
	return net.Listen("tcp", addr)
}
