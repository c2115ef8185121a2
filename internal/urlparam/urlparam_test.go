package urlparam

import (
	"errors"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	allowed := []string{"kv", "region"}
	for _, tt := range []struct {
		url  string
		want Values
		err  string // empty: no error
	}{
		{"s://m/p", Values{}, ""},
		{"s://m/p?kv=2&region=eu-west-1", Values{"kv": "2", "region": "eu-west-1"}, ""},
		{"s://m/p?region=a%2Fb", Values{"region": "a/b"}, ""},
		{"s://m/p?kv=1;region=x", nil, `join parameters with '&', not ';'`},
		{"s://m/p?kv=1;", nil, `not ';'`},
		{"s://m/p?kv=%zz", nil, `parameters "kv=%zz"`},
		{"s://m/p?kv", nil, `parameter "kv" has no value`},
		{"s://m/p?kv=", nil, `parameter "kv" has no value`},
		{"s://m/p?kv=1&kv=2", nil, `parameter "kv" given 2 times`},
		{"s://m/p?KV=1", nil, `unknown parameter "KV" (allowed: kv, region)`},
		{"s://m/p?token=x", nil, `unknown parameter "token"`},
		{"s://u:pw@m/p", nil, "holds no credentials"},
		{"s://m/p#f", nil, "fragment #f"},
		{"s:m/p", nil, `"s:m/p": want s://...`},
	} {
		u, err := url.Parse(tt.url)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Parse(u, allowed...)
		switch {
		case tt.err == "" && (err != nil || !reflect.DeepEqual(got, tt.want)):
			t.Errorf("Parse(%q) = %v, %v; want %v", tt.url, got, err, tt.want)
		case tt.err != "" && (!errors.Is(err, ErrBadURL) || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("Parse(%q) error %v; want ErrBadURL saying %q", tt.url, err, tt.err)
		}
	}
	u, _ := url.Parse("s://m?x=1")
	if _, err := Parse(u); err == nil || !strings.Contains(err.Error(), "this scheme takes none") {
		t.Errorf("no parameters allowed: got %v", err)
	}
}

func TestBoolAndInt(t *testing.T) {
	v := Values{"yes": "true", "no": "0", "bad": "maybe", "n": "7", "big": "31", "word": "x"}
	for _, tt := range []struct {
		name string
		def  bool
		want bool
		ok   bool
	}{{"yes", false, true, true}, {"no", true, false, true}, {"absent", true, true, true}, {"bad", false, false, false}} {
		got, err := v.Bool(tt.name, tt.def)
		if got != tt.want || (err == nil) != tt.ok || (err != nil && !errors.Is(err, ErrBadURL)) {
			t.Errorf("Bool(%q) = %v, %v; want %v, ok %v", tt.name, got, err, tt.want, tt.ok)
		}
	}
	for _, tt := range []struct {
		name string
		want int
		ok   bool
	}{{"n", 7, true}, {"absent", 9, true}, {"big", 0, false}, {"word", 0, false}} {
		got, err := v.Int(tt.name, 9, 7, 30)
		if got != tt.want || (err == nil) != tt.ok || (err != nil && !strings.Contains(err.Error(), "from 7 to 30")) {
			t.Errorf("Int(%q) = %v, %v; want %v, ok %v", tt.name, got, err, tt.want, tt.ok)
		}
	}
}
