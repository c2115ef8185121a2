// Package refresh keeps one stored record's access token valid for every
// instance of a fleet, with one call of the token endpoint per expiry
// across all of them.
//
// Zoho allows 10 access tokens per refresh token in 10 minutes and 15
// active ones (the 16th invalidates the oldest), and answers a throttle
// with HTTP 200. A fleet whose instances each refresh when they see the
// token expired breaks at about 11 instances. A Source coordinates them
// through the record itself, on any store that implements
// tokenstore.Updater (every store of this module does):
//
//	src, err := refresh.New(store, tokenstore.Token{UserName: "alice@example.com"}, zoho.EU.Endpoint(), nil)
//	tok, err := src.TokenContext(ctx) // an *oauth2.Token; or src.Current(ctx) for the record
//	client := src.Client(nil)         // or an *http.Client for the Zoho API
//
// # How
//
// While the token a Source handed out last has more than Options.Skew
// left, Current returns it: no call, no allocation. Otherwise the Source
// looks at the store (one look at a time per Source, shared by its
// callers). A due token's refresh goes to exactly one caller of all
// processes: it takes a lease in the record's metadata (owner, a fresh
// lease ID, the refresh token's digest, until) by compare-and-swap, calls
// the token endpoint, and stores the answer merged into the record while
// releasing the lease, in one write.
//
// The write is fenced: it lands only while the record still carries that
// lease ID and the refresh token that was refreshed. A holder that stalled
// past its lease and was taken over, or whose refresh token was replaced
// meanwhile, writes nothing; its answer is dropped (Stats.Dropped, and a
// log line without secrets). A grant exchange is the one exception: its
// tokens land while the record still waits for that code, since the code is
// single-use and nobody else can have them.
//
// Who waits. While the stored token is still valid (within Skew), nobody
// waits on the lease: callers get that token at once, and the holder
// refreshes in the background. Only when no valid token is left do
// callers wait for the holder, each as long as its own context allows,
// looking again with backoff (Options.Wait, doubling to MaxWait). The
// holder's call and write run on a bound of their own (LeaseTTL), not on
// the context of the caller that started them: a caller that gives up
// never leaves the lease held or the issued token unstored. A lease whose
// holder died is taken over once it has expired; a lease that claims to
// last longer than LeaseTTL (a clock running fast) counts as expired.
// Correctness does not depend on clocks; liveness does.
//
// Bounded calls. A token still valid is refreshed at most once per
// Options.MinInterval (refresh-ahead, a token within Skew, a token the API
// refused), whatever the token lifetime, Skew or API answers;
// zoho.MinExpiresIn refuses tokens that would expire too soon; New refuses
// a Skew + RefreshAhead beyond MaxMargin. Token, which takes no context,
// waits at most twice LeaseTTL.
//
// A throttled answer is recorded in the metadata with the time the window
// ends (see zoho.Error.Until): until then no process calls the endpoint,
// and callers get the old access token while it is still valid, then a
// *ThrottledError. A revoked refresh token (invalid_code) is recorded too:
// every process returns ErrRevoked without calling the endpoint, until a
// new refresh token is saved for the record. Neither mark holds the
// refresh token, only a short digest of it; both are fenced like the
// token's write.
//
// # The token path
//
// Client and Transport send requests on zoho.Transport: the token goes
// only to the record's api_domain over https (or another Zoho API host of
// its data centre); a redirect anywhere else is refused before it is sent.
// api_domain values from token responses must be Zoho's
// (zoho.CheckAPIDomain); Options.AllowAPIDomains admits a local fake in
// tests. An answer 401 INVALID_OAUTHTOKEN expires the token for the fleet
// (Expire), whatever the method; only an idempotent request is resent.
//
// TokenContext's *oauth2.Token is golang.org/x/oauth2's plain struct: %v
// and json.Marshal print its access token. Log zoho.RedactToken(tok).
//
// # Errors
//
// Errors read "refresh: <cause>", wrap what the store or the token
// endpoint answered (tokenstore and zoho sentinels, reachable with
// errors.Is), and never contain a token or the client secret.
//
// # Concurrency
//
// A Source is safe for concurrent use. Stats reports its counters for
// metrics.
package refresh
