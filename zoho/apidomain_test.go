package zoho

import (
	"errors"
	"net/url"
	"testing"
)

func TestCheckAPIDomain(t *testing.T) {
	good := map[string]string{
		"https://www.zohoapis.com":         "https://www.zohoapis.com",
		"https://www.zohoapis.eu/":         "https://www.zohoapis.eu",
		"HTTPS://WWW.ZOHOAPIS.IN":          "https://www.zohoapis.in",
		"https://www.zohoapis.com.au":      "https://www.zohoapis.com.au",
		"https://www.zohoapis.jp":          "https://www.zohoapis.jp",
		"https://www.zohoapis.com.cn":      "https://www.zohoapis.com.cn",
		"https://www.zohoapis.ca":          "https://www.zohoapis.ca",
		"https://www.zohoapis.sa":          "https://www.zohoapis.sa",
		"https://sandbox.zohoapis.com":     "https://sandbox.zohoapis.com",
		"https://developer.zohoapis.eu":    "https://developer.zohoapis.eu",
		"https://sandbox.zohoapis.com.au/": "https://sandbox.zohoapis.com.au",
	}
	for in, want := range good {
		got, err := CheckAPIDomain(in)
		if err != nil || got != want {
			t.Errorf("CheckAPIDomain(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	bad := []string{
		"", "http://www.zohoapis.com", "http://attacker:8080", "http://169.254.169.254",
		"https://169.254.169.254", "https://www.zohoapis.com.evil.example", "https://evil.example/www.zohoapis.com",
		"https://www.zohoapis.com@evil.example", "https://user@www.zohoapis.com", "https://www.zohoapis.com:8443",
		"https://www.zohoapis.com:443", "https://www.zohoapis.com:", "https://www.zohoapis.com/crm", "https://www.zohoapis.com?x=1",
		"https://www.zohoapis.com#f", "https://zohoapis.com", "https://content.zohoapis.com", "https://www.zohoapis.uk",
		"https://accounts.zoho.com", "//www.zohoapis.com", "www.zohoapis.com", "https://www.zohoapis.com\x00",
		"https://www.zohoapis.com.", "javascript:alert(1)",
	}
	for _, in := range bad {
		if got, err := CheckAPIDomain(in); !errors.Is(err, ErrAPIDomain) {
			t.Errorf("CheckAPIDomain(%q) = %q, %v; want ErrAPIDomain", in, got, err)
		}
	}
	if got, err := CheckAPIDomain("http://127.0.0.1:8080/", "http://127.0.0.1:8080"); err != nil || got != "http://127.0.0.1:8080" {
		t.Errorf("an allowed origin: got %q, %v; want it accepted", got, err)
	}
	if _, err := CheckAPIDomain("http://127.0.0.1:8081", "http://127.0.0.1:8080"); !errors.Is(err, ErrAPIDomain) {
		t.Errorf("another port than the allowed origin's: got %v; want ErrAPIDomain", err)
	}
}

func TestCheckDestination(t *testing.T) {
	cases := []struct {
		url, apiDomain string
		allowed        []string
		ok             bool
	}{
		{"https://www.zohoapis.eu/crm/v8/Leads", "https://www.zohoapis.eu", nil, true},
		{"https://sandbox.zohoapis.eu/crm/v8/Leads", "https://www.zohoapis.eu", nil, true},
		{"https://content.zohoapis.eu/crm/v8/files", "https://www.zohoapis.eu", nil, true},
		{"https://WWW.ZOHOAPIS.EU:443/x", "https://www.zohoapis.eu", nil, true},
		{"https://www.zohoapis.com/crm/v8/Leads", "", nil, true},
		{"https://www.zohoapis.com/crm/v8/Leads", "https://www.zohoapis.eu", nil, false}, // another DC
		{"http://www.zohoapis.eu/crm/v8/Leads", "https://www.zohoapis.eu", nil, false},   // downgrade
		{"https://www.zohoapis.eu:8443/x", "https://www.zohoapis.eu", nil, false},
		{"https://evil.example/x", "https://www.zohoapis.eu", nil, false},
		{"https://evil.example/x", "", nil, false},
		{"https://accounts.zoho.eu/oauth/v2/token", "https://www.zohoapis.eu", nil, false},
		{"http://127.0.0.1:9/x", "http://127.0.0.1:9", []string{"http://127.0.0.1:9"}, true},
		{"http://127.0.0.1:9/x", "", []string{"http://127.0.0.1:9"}, true},
		{"http://127.0.0.1:9/x", "https://www.zohoapis.eu", []string{"http://127.0.0.1:9"}, false},
		{"http://127.0.0.1:10/x", "http://127.0.0.1:9", []string{"http://127.0.0.1:9"}, false},
	}
	for _, c := range cases {
		u, err := url.Parse(c.url)
		if err != nil {
			t.Fatal(err)
		}
		err = checkDestination(u, c.apiDomain, c.allowed)
		if (err == nil) != c.ok || (err != nil && !errors.Is(err, ErrAPIDomain)) {
			t.Errorf("checkDestination(%s, api_domain %q, allowed %q) = %v; want ok=%v", c.url, c.apiDomain, c.allowed, err, c.ok)
		}
	}
}
