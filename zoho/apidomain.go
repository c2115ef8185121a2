package zoho

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// ErrAPIDomain means an api_domain, or the URL of a request that would
// carry an access token, is not an https origin of Zoho's API for a known
// data centre (nor an origin the caller allowed). Nothing was sent or
// stored.
var ErrAPIDomain = errors.New("zoho: not a Zoho API domain")

// apiPrefixes are the hosts Zoho documents under each data centre's API
// domain: production (www), sandbox and developer editions. A token
// response's api_domain names one of these.
var apiPrefixes = []string{"www", "sandbox", "developer"}

// requestPrefixes are the hosts of a data centre an access token may be sent
// to besides its api_domain: the same three and the file content host
// (content.zohoapis.<dc>, which the SDKs use for attachments).
var requestPrefixes = []string{"www", "sandbox", "developer", "content"}

// CheckAPIDomain returns the canonical origin (lower case, e.g.
// "https://www.zohoapis.eu") of domain when it is the https origin of one
// of Zoho's API domains for a known data centre: www., sandbox. or
// developer. followed by the DC's zohoapis domain (see DCs). It must have no
// user info, port, path beyond "/", query or fragment. Anything else is
// ErrAPIDomain: an api_domain decides where access tokens go, and it
// enters from token responses, stored records and imports, none of which
// this process controls.
//
// allowed lists further origins to accept exactly as written (scheme,
// host and port), such as a local zohotest server ("http://127.0.0.1:8080")
// in tests. Production code passes none.
func CheckAPIDomain(domain string, allowed ...string) (string, error) {
	if o, ok := allowedOrigin(domain, allowed); ok {
		return o, nil
	}
	host, ok := httpsOrigin(domain)
	if !ok {
		return "", fmt.Errorf("%w: %s is not an https origin", ErrAPIDomain, quoteShort(domain))
	}
	if _, ok := apiHostDC(host, apiPrefixes); !ok {
		return "", fmt.Errorf("%w: %s is not one of Zoho's API hosts", ErrAPIDomain, quoteShort(domain))
	}
	return "https://" + host, nil
}

// DCOfAPIDomain returns the data centre whose API domain is domain (see
// CheckAPIDomain).
func DCOfAPIDomain(domain string) (DC, bool) {
	host, ok := httpsOrigin(domain)
	if !ok {
		return DC{}, false
	}
	return apiHostDC(host, apiPrefixes)
}

// checkDestination reports whether an access token whose api_domain is
// apiDomain may be sent to u: u must be https on the api_domain's host or
// on another Zoho API host of the same data centre (its sandbox, developer
// or content host), or have an origin in allowed. With no api_domain, any
// Zoho API host will do. The port, when given, must be 443.
func checkDestination(u *url.URL, apiDomain string, allowed []string) error {
	origin := u.Scheme + "://" + u.Host
	if o, ok := allowedOrigin(origin, allowed); ok && (apiDomain == "" || sameOrigin(o, apiDomain)) {
		return nil
	}
	host := strings.ToLower(u.Hostname())
	if !strings.EqualFold(u.Scheme, "https") || (u.Port() != "" && u.Port() != "443") || u.User != nil {
		return fmt.Errorf("%w: a request to %s would carry the access token outside https", ErrAPIDomain, quoteShort(origin))
	}
	dc, ok := apiHostDC(host, requestPrefixes)
	if !ok {
		return fmt.Errorf("%w: %s is not one of Zoho's API hosts", ErrAPIDomain, quoteShort(host))
	}
	if apiDomain == "" {
		return nil
	}
	if own, ok := DCOfAPIDomain(apiDomain); !ok || own.Name != dc.Name {
		return fmt.Errorf("%w: %s is not in the data centre of the token's api_domain", ErrAPIDomain, quoteShort(host))
	}
	return nil
}

// httpsOrigin returns the lower-case host of s when s is an https origin
// with nothing else: no user info, port, path beyond "/", query or
// fragment.
func httpsOrigin(s string) (string, bool) {
	u, err := url.Parse(s)
	if err != nil || !strings.EqualFold(u.Scheme, "https") || u.Opaque != "" || u.User != nil ||
		u.Port() != "" || strings.HasSuffix(u.Host, ":") || (u.Path != "" && u.Path != "/") || u.RawPath != "" ||
		u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(s, "#") || u.Host == "" {
		return "", false
	}
	return strings.ToLower(u.Host), true
}

// apiHostDC returns the data centre of host when host is one of prefixes
// followed by "." and the DC's zohoapis domain.
func apiHostDC(host string, prefixes []string) (DC, bool) {
	for _, dc := range DCs() {
		base := strings.TrimPrefix(dc.APIDomain, "https://www.") // zohoapis.<tld>
		for _, p := range prefixes {
			if host == p+"."+base {
				return dc, true
			}
		}
	}
	return DC{}, false
}

// allowedOrigin returns the entry of allowed that s names, compared as
// parsed origins (scheme and host in any case, a trailing "/" ignored).
func allowedOrigin(s string, allowed []string) (string, bool) {
	for _, a := range allowed {
		if a != "" && sameOrigin(s, a) {
			return strings.TrimSuffix(a, "/"), true
		}
	}
	return "", false
}

// sameOrigin compares two origins: scheme and host without regard to case,
// port exactly, and nothing else present.
func sameOrigin(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	if err1 != nil || err2 != nil || ua.Host == "" || ua.User != nil || ub.User != nil {
		return false
	}
	bare := func(u *url.URL) bool {
		return (u.Path == "" || u.Path == "/") && u.RawQuery == "" && u.Fragment == "" && !u.ForceQuery
	}
	return bare(ua) && bare(ub) && strings.EqualFold(ua.Scheme, ub.Scheme) && strings.EqualFold(ua.Host, ub.Host)
}
