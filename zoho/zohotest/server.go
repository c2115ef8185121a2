package zohotest

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/tokenstore-go/tokenstore/zoho"
)

// Options configure a Server. A nil *Options, and every zero field, means
// Zoho's value.
type Options struct {
	// Now is the server's clock; default time.Now. Pass a Clock's Now to
	// move time in a test.
	Now func() time.Time
	// TokenLifetime is how long an access token works; default one hour.
	TokenLifetime time.Duration
	// GrantCodeLifetime is how long a grant code can be exchanged; default
	// 10 minutes (the longest a Zoho self-client code can be given).
	GrantCodeLifetime time.Duration
	// Window is the length of the throttle windows; default 10 minutes.
	Window time.Duration
	// TokensPerWindow is how many access tokens one refresh token may make
	// per window; default 10.
	TokensPerWindow int
	// MaxActiveTokens is how many access tokens of one refresh token work
	// at once; default 15.
	MaxActiveTokens int
	// GrantCodesPerWindow is how many grant codes one client may exchange
	// per window; default 10.
	GrantCodesPerWindow int
	// APIDomain is the api_domain of every token answer; default the
	// server's URL, so API calls reach this server.
	APIDomain string
	// Listener, if set, is where the server serves (it closes it on
	// Close); default a new listener on a free loopback port. For a
	// process on a port other programs are told (cmd/zohotest).
	Listener net.Listener
}

// Stats counts what the server has answered since it started. Its JSON
// form (cmd/zohotest serves it) names the fields in snake case.
type Stats struct {
	TokenCalls      int `json:"token_calls"`      // requests to the token endpoint, answered or not
	Refreshes       int `json:"refreshes"`        // refreshes that made an access token
	Exchanges       int `json:"exchanges"`        // grant-code exchanges that made tokens
	Throttled       int `json:"throttled"`        // token requests refused by a limit (Access Denied, access_denied)
	Rejected        int `json:"rejected"`         // other error answers of the token endpoint
	Injected        int `json:"injected"`         // answers given by Inject
	Evictions       int `json:"evictions"`        // access tokens invalidated by a newer one (the 16th)
	APICalls        int `json:"api_calls"`        // requests to the API
	APIUnauthorized int `json:"api_unauthorized"` // API requests answered 401
}

// Server is a running fake. Create it with NewServer and Close it when done.
type Server struct {
	srv  *httptest.Server
	opts Options
	done chan struct{}
	once sync.Once

	mu       sync.Mutex
	clients  map[string]*client
	users    int // users made so far, one per refresh token
	codes    map[string]*grantCode
	refresh  map[string]*refreshToken
	access   map[string]*accessToken
	hang     bool
	holds    []chan struct{}
	injected []canned
	stats    Stats
}

type client struct {
	secret    string
	redirects []string
	grants    window
}

type grantCode struct {
	clientID string
	expires  time.Time
	used     bool
}

type refreshToken struct {
	clientID string
	user     string // the email of the user it belongs to
	revoked  bool
	tokens   window
	active   []string    // access tokens, oldest first
	issued   []time.Time // when each access token was made, oldest first
}

type accessToken struct {
	refresh string
	expires time.Time
	evicted bool
}

type canned struct {
	status int
	body   string
}

// window is a fixed rate window: it opens at the first take while none is
// open and admits limit takes until it ends.
type window struct {
	open  bool
	start time.Time
	n     int
}

func (w *window) take(now time.Time, length time.Duration, limit int) bool {
	if !w.open || !now.Before(w.start.Add(length)) {
		*w = window{open: true, start: now}
	}
	if w.n >= limit {
		return false
	}
	w.n++
	return true
}

// NewServer starts a fake accounts server and API. opts may be nil.
func NewServer(opts *Options) *Server {
	s := &Server{
		done:    make(chan struct{}),
		clients: make(map[string]*client),
		codes:   make(map[string]*grantCode),
		refresh: make(map[string]*refreshToken),
		access:  make(map[string]*accessToken),
	}
	if opts != nil {
		s.opts = *opts
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&s.opts.TokenLifetime, time.Hour)
	def(&s.opts.GrantCodeLifetime, 10*time.Minute)
	def(&s.opts.Window, 10*time.Minute)
	defInt := func(n *int, v int) {
		if *n <= 0 {
			*n = v
		}
	}
	defInt(&s.opts.TokensPerWindow, 10)
	defInt(&s.opts.MaxActiveTokens, 15)
	defInt(&s.opts.GrantCodesPerWindow, 10)
	if s.opts.Now == nil {
		s.opts.Now = time.Now
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /oauth/v2/token", s.token)
	mux.HandleFunc("/", s.api)
	s.srv = httptest.NewUnstartedServer(mux)
	if s.opts.Listener != nil {
		s.srv.Listener.Close()
		s.srv.Listener = s.opts.Listener
	}
	s.srv.Start()
	if s.opts.APIDomain == "" {
		s.opts.APIDomain = s.srv.URL
	}
	return s
}

// Close stops the server, ending requests held by SetHang first.
func (s *Server) Close() {
	s.once.Do(func() { close(s.done) })
	s.srv.Close()
}

// URL is the server's base URL, e.g. "http://127.0.0.1:41234".
func (s *Server) URL() string { return s.srv.URL }

// Endpoint returns the server's endpoints for golang.org/x/oauth2 and
// package zoho: the token URL <URL>/oauth/v2/token and the (unserved)
// auth URL <URL>/oauth/v2/auth, credentials in the form.
func (s *Server) Endpoint() oauth2.Endpoint {
	return oauth2.Endpoint{AuthURL: s.srv.URL + "/oauth/v2/auth", TokenURL: s.srv.URL + "/oauth/v2/token", AuthStyle: oauth2.AuthStyleInParams}
}

// Accounts returns the server's token endpoint as a zoho.Accounts that
// accepts the server's own URL as api_domain: its answers name it, so that
// API calls reach this server, and no Zoho client takes a token to a host
// it was not told to allow.
func (s *Server) Accounts() *zoho.Accounts {
	return &zoho.Accounts{Endpoint: s.Endpoint(), HTTPClient: s.HTTPClient(), AllowAPIDomains: []string{s.URL()}}
}

// APIURL returns an API resource of the server, the current-user call of
// Zoho CRM. Any path other than the token endpoint's and GET /crm/v8/org
// behaves the same.
func (s *Server) APIURL() string { return s.srv.URL + "/crm/v8/users?type=CurrentUser" }

// HTTPClient returns a client for the server.
func (s *Server) HTTPClient() *http.Client { return s.srv.Client() }

// Client registers an OAuth client, or replaces its secret and redirect
// URIs. With redirect URIs, an exchange must send one of them; without,
// the client is a self-client and redirect_uri is ignored.
func (s *Server) Client(id, secret string, redirectURIs ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.clients[id]; ok {
		c.secret, c.redirects = secret, redirectURIs
		return
	}
	s.clients[id] = &client{secret: secret, redirects: redirectURIs}
}

// NewGrantCode issues a grant code for a registered client, as Zoho's
// console or an authorization redirect does. It panics if the client is
// not registered: that is a mistake in the test.
func (s *Server) NewGrantCode(clientID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mustClient(clientID)
	code := "1000." + random(16) + "." + random(16)
	s.codes[code] = &grantCode{clientID: clientID, expires: s.opts.Now().Add(s.opts.GrantCodeLifetime)}
	return code
}

// NewRefreshToken issues a refresh token for a registered client without an
// exchange (not counted in Stats), to seed a test. It panics if the client
// is not registered.
func (s *Server) NewRefreshToken(clientID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mustClient(clientID)
	return s.newRefreshToken(clientID)
}

func (s *Server) mustClient(id string) {
	if _, ok := s.clients[id]; !ok {
		panic("zohotest: client " + id + " is not registered; call Client first")
	}
}

func (s *Server) newRefreshToken(clientID string) string {
	rt := "1000." + random(16) + "." + random(16)
	s.users++
	s.refresh[rt] = &refreshToken{clientID: clientID, user: fmt.Sprintf("user%d@zohotest.example", s.users)}
	return rt
}

func random(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}
