package tokenstore_test

import (
	"context"
	"errors"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/memstore"
)

// opened records what an Opener was given.
type opened struct {
	u    *url.URL
	opts *tokenstore.OpenOptions
}

func recordingMux(t *testing.T, got *opened, err error) *tokenstore.URLMux {
	t.Helper()
	m := new(tokenstore.URLMux)
	m.Register("rec", func(_ context.Context, u *url.URL, o *tokenstore.OpenOptions) (tokenstore.Store, error) {
		*got = opened{u, o}
		if err != nil {
			return nil, err
		}
		return memstore.New(nil), nil
	})
	return m
}

func TestURLMuxHandsOverACopy(t *testing.T) {
	var got opened
	m := recordingMux(t, &got, nil)
	pepper := []byte("0123456789abcdef")
	s, err := m.OpenStore(context.Background(), "rec://a/b?x=1", &tokenstore.OpenOptions{Pepper: pepper})
	if err != nil || s == nil {
		t.Fatalf("OpenStore: %v, %v", s, err)
	}
	if got.u.Host != "a" || got.u.Path != "/b" || got.u.RawQuery != "x=1" {
		t.Errorf("opener got %v; want rec://a/b?x=1", got.u)
	}
	pepper[0] = 'X' // the caller wipes or reuses its buffer
	if string(got.opts.Pepper) != "0123456789abcdef" {
		t.Errorf("opener's pepper %q changed with the caller's buffer", got.opts.Pepper)
	}
	if _, err := m.OpenStore(context.Background(), "rec://", nil); err != nil || got.opts == nil {
		t.Errorf("nil options: err %v, opener got %v; want non-nil options", err, got.opts)
	}
}

func TestURLMuxWrapsOpenerErrors(t *testing.T) {
	cause := errors.New("rec: open: no such thing")
	var got opened
	m := recordingMux(t, &got, cause)
	_, err := m.OpenStore(context.Background(), "rec://a", nil)
	if !errors.Is(err, cause) || err.Error() != "tokenstore: open rec://a: rec: open: no such thing" {
		t.Errorf("got %q; want the opener's error after the URL", err)
	}
}

func TestURLMuxRegister(t *testing.T) {
	m := new(tokenstore.URLMux)
	open := func(context.Context, *url.URL, *tokenstore.OpenOptions) (tokenstore.Store, error) { return nil, nil }
	m.Register("b", open)
	m.Register("a+x", open)
	if got := m.Schemes(); !reflect.DeepEqual(got, []string{"a+x", "b"}) {
		t.Errorf("Schemes() = %v; want [a+x b]", got)
	}
	for _, tt := range []struct {
		scheme string
		open   tokenstore.Opener
	}{{"b", open}, {"B", open}, {"1x", open}, {"", open}, {"x:", open}, {"c", nil}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Register(%q, nil=%v) did not panic", tt.scheme, tt.open == nil)
				}
			}()
			m.Register(tt.scheme, tt.open)
		}()
	}
	if got := tokenstore.DefaultURLMux().Schemes(); !reflect.DeepEqual(got, []string{"mem"}) {
		t.Errorf("DefaultURLMux().Schemes() = %v; want [mem] (this test imports memstore only)", got)
	}
}

// Every malformed URL fails before any opener runs, matches ErrBadURL, and
// never shows a password.
func TestOpenStoreBadURLs(t *testing.T) {
	var got opened
	m := recordingMux(t, &got, nil)
	for _, tt := range []struct{ url, want string }{
		{"", "no scheme (want rec://)"},
		{"secret/app", "no scheme (want rec://)"},
		{"ftp://x", "unknown scheme ftp (want rec://)"},
		{"REC2://x", "unknown scheme rec2"},
		{"://x", "does not parse: missing protocol scheme"},
		{"rec://%zz", "does not parse"},
		{"rec://user:hunter2@host/p", "holds no credentials"},
		{"rec://host/p#frag", "no fragment"},
		{"rec://host/p#", "no fragment"},
	} {
		got = opened{}
		_, err := m.OpenStore(context.Background(), tt.url, nil)
		if !errors.Is(err, tokenstore.ErrBadURL) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("OpenStore(%q) = %v; want ErrBadURL saying %q", tt.url, err, tt.want)
		}
		if err != nil && (strings.Contains(err.Error(), "hunter2") || !strings.HasPrefix(err.Error(), "tokenstore: open")) {
			t.Errorf("OpenStore(%q): %q shows the password or lacks the package prefix", tt.url, err)
		}
		if got.u != nil {
			t.Errorf("OpenStore(%q) called the opener", tt.url)
		}
	}
}

func TestOpenStoreMem(t *testing.T) {
	ctx := context.Background()
	a, err := tokenstore.OpenStore(ctx, "mem://", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := a.(*memstore.Store); !ok {
		t.Fatalf("mem:// opened a %T", a)
	}
	tok := tokenstore.Token{UserName: "ann", AccessToken: "a1"}
	if err := a.SaveToken(ctx, &tok); err != nil {
		t.Fatal(err)
	}
	b, _ := tokenstore.OpenStore(ctx, "mem:", nil)
	if ts, err := b.GetTokens(ctx); err != nil || len(ts) != 0 {
		t.Errorf("a second mem store holds %d records (%v); want its own, empty", len(ts), err)
	}
	for _, bad := range []string{"mem://name", "mem:///path", "mem://?ns=x", "mem://?x", "mem:x"} {
		if _, err := tokenstore.OpenStore(ctx, bad, nil); !errors.Is(err, tokenstore.ErrBadURL) || !strings.Contains(err.Error(), "memstore: open: ") {
			t.Errorf("OpenStore(%q) = %v; want a memstore ErrBadURL", bad, err)
		}
	}
}

func TestParsePepper(t *testing.T) {
	want := []byte("0123456789abcdef")
	for _, text := range []string{
		"30313233343536373839616263646566",   // hex
		"MDEyMzQ1Njc4OWFiY2RlZg==",           // base64
		"MDEyMzQ1Njc4OWFiY2RlZg",             // unpadded
		"  MDEyMzQ1Njc4OWFiY2RlZg==\n",       // a file's trailing newline
		"MDEyMzQ1Njc4OWFiY2RlZg\u003d\u003d", // the same, spelled out
	} {
		got, err := tokenstore.ParsePepper(text)
		if err != nil || string(got) != string(want) {
			t.Errorf("ParsePepper(%q) = %q, %v; want %q", text, got, err, want)
		}
	}
	if got, err := tokenstore.ParsePepper(" \n"); err != nil || got != nil {
		t.Errorf("empty text: %q, %v; want no pepper", got, err)
	}
	const secret = "not a pepper!"
	if _, err := tokenstore.ParsePepper(secret); err == nil || strings.Contains(err.Error(), secret) {
		t.Errorf("bad text: %v; want an error that does not show it", err)
	}
}
