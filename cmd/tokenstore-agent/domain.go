package main

import (
	"errors"
	"net/url"
	"strings"
)

// errAPIDomain: an api_domain that is neither a Zoho API domain over https
// nor an origin the agent was told to allow.
var errAPIDomain = errors.New("api_domain must be an https Zoho API domain (www.zohoapis.com, .eu, .in, .com.au, .jp, .com.cn, .ca, .sa)")

// checkAPIDomain accepts "", the https API domain of a known Zoho data
// centre (or a subdomain of it: sandbox, developer), and the origins in
// allowed. It has zoho.CheckAPIDomain's signature, which replaces it once
// that lands (issue 19 item 2).
func checkAPIDomain(domain string, allowed ...string) error {
	if domain == "" {
		return nil
	}
	for _, a := range allowed {
		if strings.TrimSuffix(domain, "/") == strings.TrimSuffix(a, "/") {
			return nil
		}
	}
	u, err := url.Parse(domain)
	if err != nil || u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return errAPIDomain
	}
	if _, ok := dcOfAPIDomain(domain); !ok {
		return errAPIDomain
	}
	return nil
}
