package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strings"
	"time"
)

// Environment variables, because Lambda starts an extension without
// arguments: what a deployment sets (the timeouts and limits keep their
// defaults there).
const (
	envStore         = "TOKENSTORE_URL"
	envPepper        = "TOKENSTORE_PEPPER"
	envPepperFile    = "TOKENSTORE_PEPPER_FILE"
	envAddr          = "TOKENSTORE_AGENT_ADDR"
	envMetricsAddr   = "TOKENSTORE_AGENT_METRICS_ADDR"
	envToken         = "TOKENSTORE_AGENT_TOKEN"
	envTokenFile     = "TOKENSTORE_AGENT_TOKEN_FILE"
	envDC            = "TOKENSTORE_AGENT_DC"
	envAccountsURL   = "TOKENSTORE_AGENT_ACCOUNTS_URL"
	envAllowDomain   = "TOKENSTORE_AGENT_ALLOW_API_DOMAIN"
	envCache         = "TOKENSTORE_AGENT_CACHE"
	envLogLevel      = "TOKENSTORE_AGENT_LOG_LEVEL"
	envRefreshSkew   = "TOKENSTORE_AGENT_REFRESH_SKEW"
	envMinInterval   = "TOKENSTORE_AGENT_REFRESH_MIN_INTERVAL"
	envLambdaAPI     = "AWS_LAMBDA_RUNTIME_API"
	envSessionToken  = "AWS_SESSION_TOKEN"
	defaultAddr      = "127.0.0.1:2774"
	defaultMetrics   = "127.0.0.1:2775"
	minHeaderToken   = 16
	defaultRequestTO = 30 * time.Second
)

// config is what the agent runs with, from flags over environment.
type config struct {
	store        string
	pepperFile   string
	addr         string
	metricsAddr  string // "" or "off": no metrics listener
	dc           string
	accountsURL  string
	allowDomains []string
	cache        bool
	logLevel     string
	maxSources   int
	maxConns     int

	readHeaderTimeout time.Duration
	readTimeout       time.Duration
	requestTimeout    time.Duration
	drainTimeout      time.Duration
	refreshSkew       time.Duration
	minInterval       time.Duration

	lambdaAPI string // AWS_LAMBDA_RUNTIME_API: run as a Lambda extension
	token     []byte // the X-Tokenstore-Token value
	pepper    []byte
}

// errUsage marks configuration errors (exit code 2).
var errUsage = errors.New("usage")

func usagef(format string, a ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{errUsage}, a...)...)
}

// parseConfig reads flags from args over the environment getenv gives.
func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (*config, error) {
	env := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	c := &config{}
	fs := flag.NewFlagSet("tokenstore-agent", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.store, "store", getenv(envStore), "store URL: mem://, awssm://PREFIX, vault://MOUNT/PREFIX (env "+envStore+")")
	fs.StringVar(&c.pepperFile, "pepper-file", getenv(envPepperFile), "file holding the stores' pepper, hex or base64 (env "+envPepperFile+"; or the value in "+envPepper+")")
	fs.StringVar(&c.addr, "addr", env(envAddr, defaultAddr), "loopback address to serve the API on (env "+envAddr+")")
	fs.StringVar(&c.metricsAddr, "metrics-addr", getenv(envMetricsAddr), "loopback address for Prometheus metrics, or off (env "+envMetricsAddr+"; default "+defaultMetrics+", off in Lambda)")
	fs.StringVar(&c.dc, "dc", getenv(envDC), "Zoho data centre of records whose api_domain names none: us, eu, in, au, jp, cn, ca, sa (env "+envDC+")")
	fs.StringVar(&c.accountsURL, "accounts-url", getenv(envAccountsURL), "accounts server for every record, for tests (env "+envAccountsURL+")")
	fs.Func("allow-api-domain", "also accept this API origin (scheme://host[:port]), for tests; repeatable (env "+envAllowDomain+", comma-separated)", func(s string) error {
		c.allowDomains = append(c.allowDomains, s)
		return nil
	})
	fs.BoolVar(&c.cache, "cache", env(envCache, "true") != "false", "read-through cache in front of the store (env "+envCache+"=false turns it off)")
	fs.StringVar(&c.logLevel, "log-level", env(envLogLevel, "info"), "debug, info, warn or error (env "+envLogLevel+")")
	fs.IntVar(&c.maxSources, "max-sources", 1024, "token sources kept (one per record)")
	fs.IntVar(&c.maxConns, "max-conns", 256, "connections served at once")
	fs.DurationVar(&c.readHeaderTimeout, "read-header-timeout", 5*time.Second, "time a client has to send its request headers")
	fs.DurationVar(&c.readTimeout, "read-timeout", 10*time.Second, "time a client has to send its whole request")
	fs.DurationVar(&c.requestTimeout, "request-timeout", defaultRequestTO, "longest a request is worked on (a token call, waiting for another agent's refresh)")
	skew, err := envDuration(getenv, envRefreshSkew)
	if err != nil {
		return nil, err
	}
	minInterval, err := envDuration(getenv, envMinInterval)
	if err != nil {
		return nil, err
	}
	fs.DurationVar(&c.refreshSkew, "refresh-skew", skew, "an access token with less than this left is refreshed (env "+envRefreshSkew+"; default refresh.DefaultSkew, 1m)")
	fs.DurationVar(&c.minInterval, "refresh-min-interval", minInterval, "shortest time between two refreshes of a token that is still valid (env "+envMinInterval+"; default refresh.DefaultMinInterval, 2m)")
	fs.DurationVar(&c.drainTimeout, "drain-timeout", 10*time.Second, "on SIGTERM, how long requests in flight may finish")
	if err := fs.Parse(args); err != nil {
		return nil, fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() > 0 {
		return nil, usagef("unexpected argument %q", fs.Arg(0))
	}
	if v := getenv(envAllowDomain); v != "" && len(c.allowDomains) == 0 {
		c.allowDomains = strings.Split(v, ",")
	}
	c.lambdaAPI = getenv(envLambdaAPI)
	if c.metricsAddr == "" && c.lambdaAPI == "" {
		c.metricsAddr = defaultMetrics
	}
	if c.metricsAddr == "off" {
		c.metricsAddr = ""
	}
	if c.store == "" {
		return nil, usagef("no store: give --store URL or set %s", envStore)
	}
	for _, a := range []string{c.addr, c.metricsAddr} {
		if err := checkLoopback(a); a != "" && err != nil {
			return nil, err
		}
	}
	for _, o := range c.allowDomains {
		if u, err := url.Parse(o); err != nil || u.Host == "" || (u.Path != "" && u.Path != "/") {
			return nil, usagef("--allow-api-domain %q: want an origin, scheme://host[:port]", o)
		}
	}
	if c.requestTimeout <= 0 || c.readTimeout <= 0 || c.readHeaderTimeout <= 0 || c.maxSources <= 0 || c.maxConns <= 0 || c.refreshSkew < 0 || c.minInterval < 0 {
		return nil, usagef("timeouts, --max-sources and --max-conns must be positive")
	}
	if c.token, err = headerToken(getenv, c.lambdaAPI != ""); err != nil {
		return nil, err
	}
	if c.pepper, err = readPepper(c.pepperFile, getenv(envPepper)); err != nil {
		return nil, err
	}
	return c, nil
}

// checkLoopback refuses an address that is not a loopback IP with a port:
// the agent hands out tokens to whoever reaches it.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return usagef("address %q: want host:port", addr)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return usagef("address %q is not loopback: the agent listens on 127.0.0.1 or ::1 only", addr)
	}
	return nil
}

// headerToken reads the X-Tokenstore-Token value: from the file or the
// variable, else in Lambda AWS_SESSION_TOKEN, as AWS's Parameters and
// Secrets extension does (the function sees the same variable).
func headerToken(getenv func(string) string, lambda bool) ([]byte, error) {
	v, from := getenv(envToken), envToken
	if f := getenv(envTokenFile); f != "" {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, usagef("%s: %v", envTokenFile, err)
		}
		v, from = strings.TrimSpace(string(b)), f
	}
	if v == "" && lambda {
		v, from = getenv(envSessionToken), envSessionToken
	}
	if v == "" {
		return nil, usagef("no header token: set %s or %s", envToken, envTokenFile)
	}
	if len(v) < minHeaderToken {
		return nil, usagef("the header token from %s is shorter than %d characters", from, minHeaderToken)
	}
	return []byte(v), nil
}

// envDuration reads a duration such as 110s from the variable name; 0 when
// it is unset, the flag's default then applies.
func envDuration(getenv func(string) string, name string) (time.Duration, error) {
	v := getenv(name)
	if v == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, usagef("%s=%q: want a duration such as 110s", name, v)
	}
	return d, nil
}
