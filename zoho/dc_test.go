package zoho_test

import (
	"errors"
	"testing"

	"golang.org/x/oauth2"

	"github.com/tokenstore-go/tokenstore/zoho"
)

// TestDCs holds the table to the facts file: every DC's token and auth URL
// and API domain.
func TestDCs(t *testing.T) {
	want := map[string][2]string{
		"US": {"https://accounts.zoho.com", "https://www.zohoapis.com"},
		"EU": {"https://accounts.zoho.eu", "https://www.zohoapis.eu"},
		"IN": {"https://accounts.zoho.in", "https://www.zohoapis.in"},
		"AU": {"https://accounts.zoho.com.au", "https://www.zohoapis.com.au"},
		"JP": {"https://accounts.zoho.jp", "https://www.zohoapis.jp"},
		"CN": {"https://accounts.zoho.com.cn", "https://www.zohoapis.com.cn"},
		"CA": {"https://accounts.zohocloud.ca", "https://www.zohoapis.ca"},
		"SA": {"https://accounts.zoho.sa", "https://www.zohoapis.sa"},
	}
	dcs := zoho.DCs()
	if len(dcs) != len(want) {
		t.Fatalf("got %d DCs; want %d", len(dcs), len(want))
	}
	for _, dc := range dcs {
		w, ok := want[dc.Name]
		if !ok || dc.AccountsServer != w[0] || dc.APIDomain != w[1] {
			t.Errorf("got %+v; want accounts %s, API %s", dc, w[0], w[1])
		}
		e := dc.Endpoint()
		if e.TokenURL != w[0]+"/oauth/v2/token" || e.AuthURL != w[0]+"/oauth/v2/auth" || e.AuthStyle != oauth2.AuthStyleInParams {
			t.Errorf("%s: got endpoint %+v", dc.Name, e)
		}
		if got, ok := zoho.LookupDC(dc.Name); !ok || got != dc {
			t.Errorf("LookupDC(%q): got %+v, %v", dc.Name, got, ok)
		}
	}
	if got, ok := zoho.LookupDC("eu"); !ok || got != zoho.EU {
		t.Errorf("LookupDC(eu): got %+v, %v; want EU", got, ok)
	}
	for _, name := range []string{"", "UK", "AE", "com", "accounts.zoho.com"} {
		if _, ok := zoho.LookupDC(name); ok {
			t.Errorf("LookupDC(%q) found a DC; want none", name)
		}
	}
}

func TestDCFromRedirect(t *testing.T) {
	for _, tc := range []struct {
		server, location string
		want             zoho.DC
	}{
		{"https://accounts.zoho.eu", "eu", zoho.EU},
		{"https://accounts.zoho.com", "", zoho.US},
		{"https://accounts.zoho.com.au/", "au", zoho.AU},
		{"HTTPS://Accounts.Zoho.JP", "JP", zoho.JP},
		{"https://accounts.zohocloud.ca", "ca", zoho.CA},
		{"", "in", zoho.IN},
	} {
		got, err := zoho.DCFromRedirect(tc.server, tc.location)
		if err != nil || got != tc.want {
			t.Errorf("DCFromRedirect(%q, %q): got %+v, %v; want %s", tc.server, tc.location, got, err, tc.want.Name)
		}
	}
}

// TestDCFromRedirectHostile feeds forged redirects: none may yield a DC,
// since the caller would send its client secret there.
func TestDCFromRedirectHostile(t *testing.T) {
	for _, tc := range []struct{ server, location string }{
		{"", ""},
		{"https://evil.example", ""},
		{"https://accounts.zoho.com.evil.example", ""},
		{"https://accounts.zoho.com@evil.example", ""},
		{"https://user:pw@accounts.zoho.com", ""},
		{"https://evil.example/accounts.zoho.com", ""},
		{"https://evil.example?accounts.zoho.com", ""},
		{"https://evil.example#accounts.zoho.com", ""},
		{"https://accounts.zoho.com#x", ""},
		{"https://accounts.zoho.com?next=https://evil.example", ""},
		{"https://accounts.zoho.com/oauth/v2/token", ""},
		{"https://accounts.zoho.com/../evil", ""},
		{"https://accounts.zoho.com:8443", ""},
		{"https://accounts.zoho.com:443", ""},
		{"https://accounts.zoho.com.", ""},
		{"http://accounts.zoho.com", ""},
		{"//accounts.zoho.com", ""},
		{"accounts.zoho.com", ""},
		{"javascript:alert(1)", ""},
		{"https://accounts.zoho.com\x00.evil.example", ""},
		{"https://accounts.zoho.com%2eevil.example", ""},
		{"https://accounts%2ezoho.com", ""},
		{"https://xn--accounts-zoho.com", ""},
		{"https://accounts.zoho.com\\@evil.example", ""},
		{"https://accounts.zoho.eu", "us"},                     // disagree
		{"https://accounts.zoho.eu", "evil"},                   // unknown location
		{"", "https://evil.example"},                           // a URL as location
		{"https://accounts.zoho.uk", "uk"},                     // unconfirmed DC
		{"https://" + string(make([]byte, 5000)) + ".com", ""}, // long
	} {
		got, err := zoho.DCFromRedirect(tc.server, tc.location)
		if !errors.Is(err, zoho.ErrUnknownDC) || got != (zoho.DC{}) {
			t.Errorf("DCFromRedirect(%q, %q): got %+v, %v; want ErrUnknownDC", tc.server, tc.location, got, err)
		}
		if err != nil && len(err.Error()) > 300 {
			t.Errorf("error message of %d bytes; want it cut", len(err.Error()))
		}
	}
}
