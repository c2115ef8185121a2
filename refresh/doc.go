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
//
// # How
//
// While the stored access token has more than Options.Skew left, Current
// returns it: one read of the store. Otherwise the caller tries to take a
// lease in the record's metadata (owner, until) by compare-and-swap; of
// all callers in all processes exactly one gets it. That one calls the
// token endpoint and stores the answer, merged into the record, while
// releasing the lease. The others look again with backoff (Options.Wait,
// doubling to MaxWait), each as long as its own context allows, and
// return the new token once it is stored. A lease whose holder died is
// taken over once it has expired (Options.LeaseTTL): correctness does not
// depend on clocks, but liveness does, so LeaseTTL must exceed a token
// endpoint call plus the clock skew between processes.
//
// A throttled answer is recorded in the metadata with the time the window
// ends (see zoho.Error.Until): until then no process calls the endpoint,
// and callers get the old access token while it is still valid, then a
// *ThrottledError. A revoked refresh token (invalid_code) is recorded too:
// every process returns ErrRevoked without calling the endpoint, until a
// new refresh token is saved for the record. Neither mark holds the
// refresh token, only a short digest of it.
//
// A record saved with a grant code and no refresh token is exchanged the
// same way, once for the fleet (grant codes are single-use). Client
// returns an *http.Client for the Zoho API that retries an idempotent
// request once after a 401 INVALID_OAUTHTOKEN, having marked the refused
// token expired for every process.
//
// # Errors
//
// Errors read "refresh: <cause>", wrap what the store or the token
// endpoint answered (tokenstore and zoho sentinels, reachable with
// errors.Is), and never contain a token or the client secret.
package refresh
