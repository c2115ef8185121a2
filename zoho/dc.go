package zoho

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"golang.org/x/oauth2"
)

// DC is one Zoho data centre: where its users authorize and get tokens, and
// where their API calls go.
type DC struct {
	// Name is the data centre's short name, upper case: "US", "EU", …
	Name string
	// AccountsServer is the accounts server's origin, e.g.
	// "https://accounts.zoho.eu", with no trailing slash.
	AccountsServer string
	// APIDomain is the origin of the DC's APIs, e.g. "https://www.zohoapis.eu".
	// A token response's api_domain names the same place for its user;
	// prefer that one when you have it.
	APIDomain string
}

// The data centres whose accounts hosts Zoho documents. UK and AE exist but
// their accounts hosts are not confirmed, so they are left out rather than
// guessed.
var (
	US = DC{"US", "https://accounts.zoho.com", "https://www.zohoapis.com"}
	EU = DC{"EU", "https://accounts.zoho.eu", "https://www.zohoapis.eu"}
	IN = DC{"IN", "https://accounts.zoho.in", "https://www.zohoapis.in"}
	AU = DC{"AU", "https://accounts.zoho.com.au", "https://www.zohoapis.com.au"}
	JP = DC{"JP", "https://accounts.zoho.jp", "https://www.zohoapis.jp"}
	CN = DC{"CN", "https://accounts.zoho.com.cn", "https://www.zohoapis.com.cn"}
	CA = DC{"CA", "https://accounts.zohocloud.ca", "https://www.zohoapis.ca"}
	SA = DC{"SA", "https://accounts.zoho.sa", "https://www.zohoapis.sa"}
)

// DCs returns every known data centre, US first. The slice is a copy.
func DCs() []DC {
	return []DC{US, EU, IN, AU, JP, CN, CA, SA}
}

// ErrUnknownDC means a data centre name or accounts server is not one of
// DCs. The redirect an authorization ends with is attacker-controllable, so
// an unknown accounts server is refused rather than followed.
var ErrUnknownDC = errors.New("zoho: unknown data centre")

// LookupDC returns the data centre with the given name, compared without
// regard to case ("eu" and "EU" both name EU). The authorization redirect's
// location parameter uses these names in lower case.
func LookupDC(name string) (DC, bool) {
	for _, dc := range DCs() {
		if strings.EqualFold(dc.Name, name) {
			return dc, true
		}
	}
	return DC{}, false
}

// TokenURL returns the DC's token endpoint, <accounts server>/oauth/v2/token.
func (dc DC) TokenURL() string { return dc.AccountsServer + "/oauth/v2/token" }

// AuthURL returns the DC's authorization endpoint, <accounts server>/oauth/v2/auth.
func (dc DC) AuthURL() string { return dc.AccountsServer + "/oauth/v2/auth" }

// Endpoint returns the DC's endpoints for golang.org/x/oauth2. Zoho takes
// the client credentials in the form, so AuthStyle is AuthStyleInParams.
func (dc DC) Endpoint() oauth2.Endpoint {
	return oauth2.Endpoint{AuthURL: dc.AuthURL(), TokenURL: dc.TokenURL(), AuthStyle: oauth2.AuthStyleInParams}
}

// DCFromRedirect picks the data centre named by the accounts-server and
// location parameters of the authorization redirect (either may be empty,
// not both).
//
// The redirect comes back through the user's browser, so anyone can forge
// it. Following its accounts-server as a URL would send the client secret
// and the grant code to whatever host it names; DCFromRedirect therefore
// never returns a URL taken from its input. It accepts an accounts server
// only when it is exactly the https origin of a known DC (any case, no
// user info, port, path beyond "/", query or fragment) and a location only
// when it names a known DC; when both are given they must agree. Anything
// else is ErrUnknownDC. The DC returned is one of DCs, with its own URLs.
func DCFromRedirect(accountsServer, location string) (DC, error) {
	var fromServer, fromLocation DC
	if accountsServer != "" {
		dc, ok := dcByAccountsServer(accountsServer)
		if !ok {
			return DC{}, fmt.Errorf("%w: accounts-server %s is not the https origin of a known Zoho accounts host", ErrUnknownDC, quoteShort(accountsServer))
		}
		fromServer = dc
	}
	if location != "" {
		dc, ok := LookupDC(location)
		if !ok {
			return DC{}, fmt.Errorf("%w: location %s", ErrUnknownDC, quoteShort(location))
		}
		fromLocation = dc
	}
	switch {
	case accountsServer == "" && location == "":
		return DC{}, fmt.Errorf("%w: the redirect has neither accounts-server nor location", ErrUnknownDC)
	case accountsServer == "":
		return fromLocation, nil
	case location != "" && fromLocation.Name != fromServer.Name:
		return DC{}, fmt.Errorf("%w: location %s disagrees with accounts-server (%s)", ErrUnknownDC, quoteShort(location), fromServer.Name)
	}
	return fromServer, nil
}

// dcByAccountsServer matches s against the known accounts origins. It
// parses s and compares parts rather than strings, so that
// "https://accounts.zoho.com@evil.example" or
// "https://accounts.zoho.com.evil.example" do not pass as prefixes.
func dcByAccountsServer(s string) (DC, bool) {
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "https" || u.Opaque != "" || u.User != nil ||
		u.Port() != "" || (u.Path != "" && u.Path != "/") || u.RawPath != "" ||
		u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(s, "#") {
		return DC{}, false
	}
	for _, dc := range DCs() {
		if strings.EqualFold(u.Host, strings.TrimPrefix(dc.AccountsServer, "https://")) {
			return dc, true
		}
	}
	return DC{}, false
}

// quoteShort quotes an untrusted value for an error message, cut to 64
// bytes so a forged redirect cannot flood a log.
func quoteShort(s string) string {
	const max = 40
	if len(s) > max {
		return fmt.Sprintf("%q…", s[:max])
	}
	return fmt.Sprintf("%q", s)
}
