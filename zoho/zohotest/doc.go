// Package zohotest is a fake Zoho accounts server and API for tests: an
// httptest server whose token endpoint issues, refuses and throttles
// tokens the way Zoho documents, on a clock the test controls, and whose
// API accepts only the access tokens Zoho would still accept.
//
// It enforces, with the defaults of Options:
//
//   - 10 access tokens per refresh token per 10-minute window. A window
//     opens at the first token made while none is open; the 11th and later
//     requests in it are answered HTTP 200 with Zoho's body
//     {"error":"Access Denied",…,"status":"failure"} and make no token.
//     Zoho does not document whether its window is fixed or sliding; a
//     fixed window from the first token is what "blocked for the rest of
//     the window" describes, and it ends no later than ten minutes after
//     any refusal, the rule package zoho assumes.
//   - 15 active access tokens per refresh token: making a 16th invalidates
//     the oldest still active.
//   - access tokens expire after TokenLifetime (expires_in in the answer);
//     the API answers 401 {"code":"INVALID_OAUTHTOKEN",…} for an expired,
//     evicted, revoked or unknown token.
//   - grant codes are single-use and expire after GrantCodeLifetime; a
//     reused, expired, unknown or other client's code is invalid_code. At
//     most 10 exchanges per client per 10-minute window (access_denied
//     beyond, and the code stays unused).
//   - a revoked refresh token answers invalid_code; its access tokens stop
//     working on the API.
//   - a wrong client ID or secret is invalid_client; a redirect_uri other
//     than one registered with Client is invalid_redirect_uri.
//
// Error answers use HTTP 200, as Zoho does for these, so a client that
// checks only the status is caught. Every answer with tokens carries
// api_domain (the server's own URL unless Options.APIDomain says
// otherwise) and token_type "Bearer", as Zoho's do.
//
// The token endpoint is POST /oauth/v2/token with the client credentials
// in the form, urlencoded or multipart (not HTTP basic auth, which Zoho
// does not take); the API is
// every other path, e.g. APIURL, with "Authorization: Zoho-oauthtoken
// <token>": GET /crm/v8/org answers as Zoho's org call and every other
// path as its current-user call (GET /crm/v8/users?type=CurrentUser), in
// Zoho's documented shapes as far as the Zoho SDKs read them; each refresh
// token belongs to a user of its own (userN@zohotest.example). Stats counts
// every call. A Server is safe for concurrent use. Command cmd/zohotest
// serves one as a process, for tests in other languages.
package zohotest
