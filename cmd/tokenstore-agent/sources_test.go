package main

import (
	"errors"
	"fmt"
	"testing"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/memstore"
	"github.com/tokenstore-go/tokenstore/refresh"
	"github.com/tokenstore-go/tokenstore/zoho"
)

func TestEndpointFor(t *testing.T) {
	url := func(accountsURL, dc string) func(tokenstore.Token) (string, error) {
		f, err := endpointFor(accountsURL, dc)
		if err != nil {
			t.Fatal(err)
		}
		return func(tok tokenstore.Token) (string, error) {
			ep, err := f(tok)
			return ep.TokenURL, err
		}
	}
	none, withDC, fixed := url("", ""), url("", "jp"), url("http://127.0.0.1:9/", "eu")
	cases := []struct {
		name   string
		choose func(tokenstore.Token) (string, error)
		domain string
		want   string // "": no_data_centre
	}{
		{"api_domain's DC", none, "https://www.zohoapis.eu", zoho.EU.TokenURL()},
		{"sandbox host", none, "https://sandbox.zohoapis.com.au", zoho.AU.TokenURL()},
		{"api_domain over --dc", withDC, "https://www.zohoapis.in", zoho.IN.TokenURL()},
		{"--dc when api_domain is empty", withDC, "", zoho.JP.TokenURL()},
		{"--dc when api_domain is not Zoho's", withDC, "http://127.0.0.1:8080", zoho.JP.TokenURL()},
		{"--accounts-url for every record", fixed, "https://www.zohoapis.com", "http://127.0.0.1:9/oauth/v2/token"},
		{"no DC known", none, "", ""},
		{"no DC known, foreign api_domain", none, "https://zohoapis.eu.example", ""},
	}
	for _, c := range cases {
		got, err := c.choose(tokenstore.Token{APIDomain: c.domain})
		if c.want == "" {
			var ae *apiError
			if !errors.As(err, &ae) || ae.code != "no_data_centre" {
				t.Errorf("%s: got %q, %v; want no_data_centre", c.name, got, err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%s: got %q, %v; want %q", c.name, got, err, c.want)
		}
	}
	if _, err := endpointFor("", "atlantis"); err == nil {
		t.Error("--dc atlantis accepted")
	}
}

// The sources kept are bounded; the least recently used goes first.
func TestSourcesBounded(t *testing.T) {
	ep, _ := endpointFor("http://127.0.0.1:9", "")
	s := newSources(memstore.New(nil), refresh.Options{}, ep, 3)
	get := func(i int) *refresh.Source {
		src, err := s.get(tokenstore.Token{ID: fmt.Sprintf("id%d", i)})
		if err != nil {
			t.Fatal(err)
		}
		return src
	}
	first := get(0)
	get(1)
	get(2)
	if get(0) != first {
		t.Fatal("a kept source was made again")
	}
	get(3) // drops id1, the least recently used
	if len(s.byID) != 3 || s.order.Len() != 3 {
		t.Fatalf("%d sources kept; want 3", len(s.byID))
	}
	if _, ok := s.byID["id1"]; ok {
		t.Fatal("id1 kept; want it dropped")
	}
	if get(0) != first {
		t.Fatal("id0 was dropped; want the least recently used (id1) dropped")
	}
}
