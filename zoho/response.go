package zoho

import (
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tokenstore-go/tokenstore"
)

// Grant types, as sent in the form's grant_type and reported in Error.Op.
const (
	GrantRefreshToken      = "refresh_token"
	GrantAuthorizationCode = "authorization_code"
)

// DefaultExpiresIn is the lifetime assumed when a successful answer has no
// expires_in: Zoho's documented access-token lifetime, one hour.
const DefaultExpiresIn = time.Hour

// MinExpiresIn is the shortest expires_in accepted. Zoho's access tokens
// live an hour; one that lives less than this would have a fleet call the
// endpoint again and again (each call counting against Zoho's limit of 10
// in 10 minutes), so a shorter one is ErrMalformed.
const MinExpiresIn = 2 * time.Minute

// MaxExpiresIn is the longest expires_in accepted; a longer one (Zoho's
// tokens live an hour) is ErrMalformed rather than an Expiry years away.
const MaxExpiresIn = 366 * 24 * time.Hour

// Response is a successful answer of the token endpoint. AccessToken and
// RefreshToken are secrets: String, GoString, Format, LogValue and
// MarshalJSON never show them.
type Response struct {
	// AccessToken is the new access token; never empty.
	AccessToken string
	// RefreshToken is set only by a grant-code exchange: Zoho's refresh
	// tokens do not rotate, and a refresh answer carries none.
	RefreshToken string
	// APIDomain is where this user's API calls go (e.g.
	// "https://www.zohoapis.eu"); keep it, non-US users fail without it.
	// It is empty or the canonical origin of one of Zoho's API domains (or
	// of an origin Accounts.AllowAPIDomains allowed): see CheckAPIDomain.
	APIDomain string
	// TokenType is as sent; Zoho says "Bearer" although its APIs want the
	// Zoho-oauthtoken scheme (see AuthScheme).
	TokenType string
	// ExpiresIn is the access token's lifetime from the answer's receipt:
	// expires_in_sec when present (older answers give expires_in in
	// milliseconds beside it), else expires_in in seconds, else
	// DefaultExpiresIn. Always between MinExpiresIn and MaxExpiresIn.
	ExpiresIn time.Duration
}

// Token returns r as a partial tokenstore.Token ready to merge into the
// stored record (SaveToken with the record's lookup key added, or
// tokenstore.Merge inside an UpdateToken function): AccessToken, RefreshToken
// when the answer had one, APIDomain, and Expiry = now + ExpiresIn, now
// being when the answer was received. Expiry is left zero (unknown) only if
// that sum falls outside the years 0 to 9999 a record keeps, which no real
// clock reaches.
func (r *Response) Token(now time.Time) tokenstore.Token {
	return tokenstore.Token{
		AccessToken:  r.AccessToken,
		RefreshToken: r.RefreshToken,
		APIDomain:    r.APIDomain,
		Expiry:       expiry(now, r.ExpiresIn),
	}
}

func expiry(now time.Time, d time.Duration) time.Time {
	e := now.Add(d)
	if y := e.UTC().Year(); y < 0 || y > 9999 {
		return time.Time{}
	}
	return e
}

// ParseResponse interprets an answer of the token endpoint to a request
// of the given grant type (GrantRefreshToken or GrantAuthorizationCode),
// whatever its HTTP status: Zoho answers throttling and most errors with
// 200, so the body decides. now is when the answer was received; header may
// be nil. It returns the Response, or an *Error matching one of the
// sentinels (see the package documentation). Refresh and ExchangeGrant call
// it; it is exported for callers that send the request themselves.
func ParseResponse(grantType string, status int, header http.Header, body []byte, now time.Time) (*Response, error) {
	return parse(grantType, status, header, body, now, nil, nil)
}

// parse is ParseResponse that also cuts the request's secrets out of
// anything it quotes from the body, and accepts the api_domain origins
// allowed beside Zoho's.
func parse(grantType string, status int, header http.Header, body []byte, now time.Time, secrets, allowed []string) (*Response, error) {
	fail := func(kind error, code, desc string) *Error {
		e := &Error{Op: grantType, StatusCode: status, Code: code, Description: desc, kind: kind}
		if kind == ErrThrottled {
			e.Until = throttleUntil(now, header)
		}
		return e
	}
	// failBody is the answer for a body that says nothing usable.
	failBody := func(desc string) *Error {
		switch {
		case status == http.StatusTooManyRequests:
			return fail(ErrThrottled, "", desc)
		case status >= 500:
			return fail(ErrServer, "", desc)
		}
		return fail(ErrMalformed, "", desc)
	}
	trimmed := strings.TrimSpace(string(body))
	if trimmed == "" {
		return nil, failBody("empty body")
	}
	var m map[string]json.RawMessage
	if trimmed[0] != '{' || json.Unmarshal([]byte(trimmed), &m) != nil {
		return nil, failBody(describeNonJSON(header, trimmed))
	}
	code, err1 := stringField(m, "error")
	desc, err2 := stringField(m, "error_description")
	st, _ := stringField(m, "status")
	if err1 != nil || err2 != nil {
		return nil, failBody("error or error_description is not a string")
	}
	code, desc = clean(code, secrets, 64), clean(desc, secrets, 200)
	if code != "" || desc != "" || strings.EqualFold(st, "failure") {
		return nil, fail(classify(grantType, status, code, desc), code, desc)
	}
	if status < 200 || status > 299 {
		return nil, failBody("HTTP status " + strconv.Itoa(status) + " without an error code")
	}
	var r Response
	for _, f := range []struct {
		name string
		dst  *string
	}{{"access_token", &r.AccessToken}, {"refresh_token", &r.RefreshToken}, {"api_domain", &r.APIDomain}, {"token_type", &r.TokenType}} {
		v, err := stringField(m, f.name)
		if err != nil {
			return nil, fail(ErrMalformed, "", f.name+" is not a string")
		}
		*f.dst = v
	}
	if r.AccessToken == "" {
		return nil, fail(ErrMalformed, "", "no access_token and no error")
	}
	d, err := lifetime(m)
	if err != nil {
		return nil, fail(ErrMalformed, "", err.Error())
	}
	r.ExpiresIn = d
	if r.APIDomain != "" {
		origin, err := CheckAPIDomain(r.APIDomain, allowed...)
		if err != nil {
			// The domain decides where the new access token goes: one that
			// is not Zoho's is refused whole, token and all.
			return nil, fail(ErrAPIDomain, "", "api_domain is not one of Zoho's API domains")
		}
		r.APIDomain = origin
	}
	return &r, nil
}

// classify maps an error answer to its sentinel. The wording checks cover
// throttle answers whose error code varies but whose description does not.
func classify(grantType string, status int, code, desc string) error {
	c, d := strings.ToLower(strings.TrimSpace(code)), strings.ToLower(desc)
	switch {
	case c == "access denied", c == "access_denied",
		strings.Contains(d, "too many requests"), strings.Contains(d, "throttle limit"):
		return ErrThrottled
	case c == "invalid_code" && grantType == GrantRefreshToken:
		return ErrRevoked
	case c == "invalid_code", c == "invalid_grant":
		return ErrInvalidGrant
	case c == "invalid_client", c == "invalid_client_secret":
		return ErrInvalidClient
	case c == "invalid_redirect_uri":
		return ErrInvalidRedirectURI
	case c == "unsupported_grant_type":
		return ErrUnsupportedGrantType
	case status == http.StatusTooManyRequests:
		return ErrThrottled
	case status >= 500:
		return ErrServer
	}
	return nil
}

// throttleUntil is the rule documented on Error.Until.
func throttleUntil(now time.Time, header http.Header) time.Time {
	if v := strings.TrimSpace(header.Get("Retry-After")); v != "" {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil && n >= 0 && n <= int64(MaxRetryAfter/time.Second) {
			return now.Add(time.Duration(n) * time.Second)
		}
		if t, err := http.ParseTime(v); err == nil && !t.Before(now) && !t.After(now.Add(MaxRetryAfter)) {
			return t
		}
	}
	return now.Add(ThrottleWindow)
}

// stringField returns m[key] as a string: "" when absent or null, an error
// when it is not a string.
func stringField(m map[string]json.RawMessage, key string) (string, error) {
	raw, ok := m[key]
	if !ok || string(raw) == "null" {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", err
	}
	return s, nil
}

type lifetimeError string

func (e lifetimeError) Error() string { return string(e) }

// lifetime reads expires_in_sec, else expires_in, as whole seconds in
// [MinExpiresIn, MaxExpiresIn]; a JSON number or a decimal string is accepted.
func lifetime(m map[string]json.RawMessage) (time.Duration, error) {
	for _, key := range []string{"expires_in_sec", "expires_in"} {
		raw, ok := m[key]
		if !ok || string(raw) == "null" {
			continue
		}
		s := string(raw)
		if strings.HasPrefix(s, `"`) {
			if json.Unmarshal(raw, &s) != nil {
				return 0, lifetimeError(key + " is not a number")
			}
		}
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			f, ferr := strconv.ParseFloat(strings.TrimSpace(s), 64)
			if ferr != nil || !(f >= 0 && f <= float64(MaxExpiresIn/time.Second)) || f != math.Trunc(f) {
				return 0, lifetimeError(key + " is not a whole number of seconds between MinExpiresIn and MaxExpiresIn")
			}
			n = int64(f)
		}
		if n < int64(MinExpiresIn/time.Second) || n > int64(MaxExpiresIn/time.Second) {
			return 0, lifetimeError(key + " is out of range (MinExpiresIn to MaxExpiresIn seconds)")
		}
		return time.Duration(n) * time.Second, nil
	}
	return DefaultExpiresIn, nil
}

// describeNonJSON says what a body that is not a JSON object looks like,
// without quoting it.
func describeNonJSON(header http.Header, body string) string {
	ct := header.Get("Content-Type")
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	kind := "body is not a JSON object"
	if l := strings.ToLower(body); strings.HasPrefix(l, "<!doctype html") || strings.HasPrefix(l, "<html") || strings.Contains(strings.ToLower(ct), "html") {
		kind = "HTML body"
	}
	ct = clean(ct, nil, 40)
	if ct == "" {
		ct = "no content type"
	}
	return kind + " (" + ct + ", " + strconv.Itoa(len(body)) + " bytes)"
}
