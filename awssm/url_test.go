package awssm

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/tokenstore-go/tokenstore"
)

// noAWSFiles keeps the developer's AWS files and variables out of a test.
func noAWSFiles(t *testing.T) {
	t.Setenv("AWS_CONFIG_FILE", "/nonexistent/config")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_REGION", "us-east-2")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "example")
}

// countingClient fails the test on any request.
func countingClient(n *atomic.Int64) *http.Client {
	return &http.Client{Transport: roundTrip(func(*http.Request) (*http.Response, error) {
		n.Add(1)
		return nil, errors.New("no request expected")
	})}
}

type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestOpenURL(t *testing.T) {
	noAWSFiles(t)
	var calls atomic.Int64
	hc := countingClient(&calls)
	pepper := []byte("0123456789abcdef0123456789abcdef")
	for _, tt := range []struct {
		url    string
		prefix string
		region string
		kms    string
		force  bool
		days   int
	}{
		{"awssm://", DefaultPrefix, "us-east-2", "", false, DefaultRecoveryWindowDays},
		{"awssm://crm/prod/", "crm/prod/", "us-east-2", "", false, DefaultRecoveryWindowDays},
		{"awssm://crm/prod?region=eu-west-1", "crm/prod/", "eu-west-1", "", false, DefaultRecoveryWindowDays},
		{"awssm://crm?kms-key=alias/tokens&force-delete=true", "crm/", "us-east-2", "alias/tokens", true, DefaultRecoveryWindowDays},
		{"awssm://crm?force-delete=false&recovery-window=30", "crm/", "us-east-2", "", false, 30},
	} {
		u, _ := url.Parse(tt.url)
		s, err := OpenURL(context.Background(), u, &tokenstore.OpenOptions{Pepper: pepper, HTTPClient: hc})
		if err != nil {
			t.Errorf("OpenURL(%q): %v", tt.url, err)
			continue
		}
		o := s.opts
		region := s.api.(*secretsmanager.Client).Options().Region
		if o.Prefix != tt.prefix || region != tt.region || o.KMSKeyID != tt.kms || o.ForceDelete != tt.force || o.RecoveryWindowDays != tt.days {
			t.Errorf("OpenURL(%q): prefix %q, region %q, kms %q, force %v, window %d; want %q %q %q %v %d",
				tt.url, o.Prefix, region, o.KMSKeyID, o.ForceDelete, o.RecoveryWindowDays, tt.prefix, tt.region, tt.kms, tt.force, tt.days)
		}
		if c := s.api.(*secretsmanager.Client).Options().HTTPClient; c != hc {
			t.Errorf("OpenURL(%q): the store's HTTP client is %T, not the one given", tt.url, c)
		}
		if string(s.names.pepper) != string(pepper) || &s.names.pepper[0] == &pepper[0] {
			t.Errorf("OpenURL(%q): the store does not hold a copy of the pepper", tt.url)
		}
	}
	if calls.Load() != 0 {
		t.Errorf("OpenURL made %d requests; want 0", calls.Load())
	}
}

func TestOpenURLRefuses(t *testing.T) {
	noAWSFiles(t)
	for _, tt := range []struct{ url, want string }{
		{"awssm://crm?region=eu-west-1;force-delete=true", "not ';'"},
		{"awssm://crm?force-delete=yes", `force-delete="yes": want true or false`},
		{"awssm://crm?recovery-window=6", "from 7 to 30"},
		{"awssm://crm?recovery-window=31", "from 7 to 30"},
		{"awssm://crm?recovery-window=week", "from 7 to 30"},
		{"awssm://crm?region=", `"region" has no value`},
		{"awssm://crm?region=a&region=b", "given 2 times"},
		{"awssm://crm?endpoint=http://x", `unknown parameter "endpoint"`},
		{"awssm://crm:4566/", "has no ':'"},
		{"awssm:///crm", "prefix starts with /"},
		{"awssm://crm/a%21b", "character other than"},
		{"awssm://crm//x", "empty path segment"},
		{"awssm:crm", "want awssm://"},
	} {
		u, err := url.Parse(tt.url)
		if err != nil {
			t.Fatalf("%q: %v", tt.url, err)
		}
		_, err = OpenURL(context.Background(), u, nil)
		if !errors.Is(err, tokenstore.ErrBadURL) || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "awssm: open: ") {
			t.Errorf("OpenURL(%q) = %v; want an ErrBadURL saying %q", tt.url, err, tt.want)
		}
	}
}

func TestSchemeRegistered(t *testing.T) {
	noAWSFiles(t)
	s, err := tokenstore.OpenStore(context.Background(), "awssm://crm/", nil)
	if _, ok := s.(*Store); !ok || err != nil {
		t.Errorf("OpenStore(awssm://crm/) = %T, %v; want an *awssm.Store", s, err)
	}
}
