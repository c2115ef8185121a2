// Package zoho speaks to Zoho's accounts server: its data centres, the
// token endpoint calls (Refresh, ExchangeGrant), the parsing of their
// answers into typed errors and tokenstore.Token fields, and the
// Zoho-oauthtoken authorization scheme of Zoho's APIs.
//
// It is the protocol layer only: each Refresh creates an access token and
// spends Zoho's limits (see Limits below). Which process refreshes, when, and
// how a fleet shares the result is the job of a token source built on a
// tokenstore.Store, not of this package. Package zohotest is a fake
// accounts server and API that enforces the limits, for tests.
//
//	res, err := zoho.Refresh(ctx, httpClient, zoho.EU.Endpoint(), id, secret, tok.RefreshToken)
//	if err != nil { … }
//	upd := res.Token(time.Now()) // AccessToken, Expiry, APIDomain
//	upd.UserName = tok.UserName
//	err = store.SaveToken(ctx, &upd) // merges into the stored record
//
// # Data centres
//
// A Zoho user lives in one data centre (US, EU, IN, AU, JP, CN, CA, SA), and
// both the token endpoint and the API host depend on it. DC holds each
// one's accounts server and API domain; DC.Endpoint gives the
// golang.org/x/oauth2 endpoint. After an authorization, the redirect's
// accounts-server and location parameters name the user's DC:
// DCFromRedirect maps them to a known DC and refuses anything else, since
// the redirect passes through the browser and following a forged
// accounts-server would send the client secret to its host. The token
// response's api_domain (Response.APIDomain, Token.APIDomain) is where the
// user's API calls go; dropping it breaks every non-US user.
//
// # Limits
//
// Zoho allows 10 access tokens per refresh token in 10 minutes (after that,
// token creation is blocked for the rest of the window), at most 15 active
// access tokens per refresh token (the 16th invalidates the oldest, whose
// next API call fails with INVALID_OAUTHTOKEN), and 10 grant codes per
// client in 10 minutes. Access tokens live an hour; refresh tokens do not
// expire or rotate; grant codes are single-use.
//
// # Errors
//
// Zoho reports most failures, throttling included, with HTTP 200 and an
// "error" in the body, so the body decides, whatever the status. A failed
// answer is an *Error (errors.As) carrying the grant type, status, Zoho's
// code and a cleaned description, and matching one sentinel (errors.Is):
//
//   - ErrThrottled: "Access Denied", "too many requests", "Token creation
//     throttle limit reached", "access_denied" (grant codes), or HTTP 429.
//     Error.Until is when to try again: the time of the refusal plus
//     ThrottleWindow (Zoho does not say when its window ends), unless a
//     Retry-After header says otherwise.
//   - ErrRevoked: "invalid_code" on a refresh; the refresh token is gone.
//   - ErrInvalidClient: "invalid_client", "invalid_client_secret".
//   - ErrInvalidGrant: "invalid_code" on an exchange (grant code expired,
//     reused or unknown), "invalid_grant".
//   - ErrInvalidRedirectURI, ErrUnsupportedGrantType: as named.
//   - ErrServer: HTTP 5xx without a known error code.
//   - ErrMalformed: empty, HTML or otherwise non-JSON body, a body over
//     MaxResponseSize, a redirect (never followed: it would resend the
//     secret), no access token, or an implausible expires_in
//     (negative, fractional, non-numeric, under MinExpiresIn or over
//     MaxExpiresIn). A missing expires_in means DefaultExpiresIn (Zoho's
//     one hour).
//   - ErrAPIDomain: the answer's api_domain is not the https origin of one
//     of Zoho's API domains (CheckAPIDomain); the answer is refused whole,
//     since its access token would be sent there.
//
// An error code this package does not know gives an *Error matching no
// sentinel. Transport failures are returned wrapped, so
// errors.Is(err, context.DeadlineExceeded) works; an empty argument is
// ErrMissingArgument, before anything is sent.
//
// No error, Response rendering or log value shows the client secret, a
// token or the grant code: they travel only in the request body, the body
// of an answer is never quoted, and Zoho's error_description is quoted only
// with the request's secrets and anything token-like cut out.
//
// # Concurrency
//
// Everything here is safe for concurrent use; the functions keep no state.
// Transport is safe when its Source and Base are.
package zoho
