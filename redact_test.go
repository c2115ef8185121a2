package tokenstore_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/internal/leaktest"
)

var tokenSecrets = []string{"SECRET-client-secret", "SECRET-refresh", "SECRET-access", "SECRET-grant"}

func TestRedaction(t *testing.T) {
	tok := secretToken()
	outs := leaktest.NoSecrets(t, tok, tokenSecrets, "rec1", "ann@example.com", "1000.CLIENT")
	for _, name := range []string{"slog JSON slice", "slog JSON struct", "slog text map", "%d value", "%x slice"} {
		for _, want := range []string{"rec1", "ann@example.com", "1000.CLIENT"} {
			if !strings.Contains(outs[name], want) {
				t.Errorf("%s: got %s; want it to show %s", name, outs[name], want)
			}
		}
	}
	for name, out := range map[string]string{"String": tok.String(), "GoString": tok.GoString()} {
		if strings.Contains(out, "SECRET") {
			t.Errorf("%s shows a secret: %s", name, out)
		}
	}
	// The redacted form still tells which secrets are present.
	if got := fmt.Sprint(tokenstore.Token{ID: "x", AccessToken: "a"}); !strings.Contains(got, "AccessToken:[redacted]") || !strings.Contains(got, "RefreshToken: ") {
		t.Errorf("got %s; want AccessToken marked present and RefreshToken empty", got)
	}
}

func TestKeyRedaction(t *testing.T) {
	for _, k := range []tokenstore.Key{
		{Kind: tokenstore.KeyAccessToken, Value: "SECRET-access"},
		{Kind: tokenstore.KeyRefreshToken, Value: "SECRET-refresh", ClientID: "1000.CLIENT"},
		{Kind: tokenstore.KeyGrantToken, Value: "SECRET-grant", ClientID: "1000.CLIENT"},
	} {
		t.Run(k.Kind.String(), func(t *testing.T) {
			leaktest.NoSecrets(t, k, []string{k.Value}, k.Kind.String())
		})
	}
}

func TestTokenJSON(t *testing.T) {
	tok := secretToken()
	b, err := json.Marshal(tok)
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	for _, s := range tokenSecrets {
		if strings.Contains(string(b), s) {
			t.Errorf("got %s; want %s redacted", b, s)
		}
	}
	var back tokenstore.Token
	err = json.Unmarshal(b, &back)
	if !errors.Is(err, tokenstore.ErrInvalidToken) {
		t.Fatalf("Unmarshal(redacted form): got error %v; want ErrInvalidToken", err)
	}
	if strings.Contains(err.Error(), "SECRET") || back != (tokenstore.Token{}) {
		t.Errorf("Unmarshal(redacted form): got %v, %v; want a zero token and no secret in the error", back, err)
	}

	// JSON that encoding/json wrote before Token had MarshalJSON still loads.
	type plain tokenstore.Token
	full, _ := json.Marshal(plain(tok))
	if err := json.Unmarshal(full, &back); err != nil || back != tok {
		t.Errorf("Unmarshal(full form): got %v, %v; want %v", back, err, tok)
	}
}

// TestRedactedFormsExact pins every redacted form of a full Token, byte for
// byte, so that a change in how they are built (they loop over the field
// table) changes nothing a log reader sees.
func TestRedactedFormsExact(t *testing.T) {
	tok := secretToken()
	tok.Expiry = time.Date(2026, 1, 2, 3, 4, 5, 6, time.FixedZone("X", 3600))
	const str = `Token{ID:rec1 UserName:ann@example.com ClientID:1000.CLIENT ClientSecret:[redacted] RefreshToken:[redacted] AccessToken:[redacted] GrantToken:[redacted] Expiry:2026-01-02T02:04:05Z RedirectURL:https://example.com/cb APIDomain:https://www.zohoapis.com}`
	const gostr = `tokenstore.Token{ID:"rec1", UserName:"ann@example.com", ClientID:"1000.CLIENT", ClientSecret:"[redacted]", RefreshToken:"[redacted]", AccessToken:"[redacted]", GrantToken:"[redacted]", Expiry:"2026-01-02T02:04:05Z", RedirectURL:"https://example.com/cb", APIDomain:"https://www.zohoapis.com"}`
	const js = `{"ID":"rec1","UserName":"ann@example.com","ClientID":"1000.CLIENT","ClientSecret":"[redacted]","RefreshToken":"[redacted]","AccessToken":"[redacted]","GrantToken":"[redacted]","Expiry":"2026-01-02T03:04:05.000000006+01:00","RedirectURL":"https://example.com/cb","APIDomain":"https://www.zohoapis.com"}`
	const logged = `{"ID":"rec1","UserName":"ann@example.com","ClientID":"1000.CLIENT","ClientSecret":"[redacted]","RefreshToken":"[redacted]","AccessToken":"[redacted]","GrantToken":"[redacted]","Expiry":"2026-01-02T02:04:05Z","RedirectURL":"https://example.com/cb","APIDomain":"https://www.zohoapis.com"}`
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
		if len(groups) == 0 && a.Key != "t" { // drop time, level and message
			return slog.Attr{}
		}
		return a
	}})).Info("", "t", tok)
	b, err := json.Marshal(tok)
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct{ got, want string }{
		"String":   {tok.String(), str},
		"%v":       {fmt.Sprintf("%v", tok), str},
		"%+v":      {fmt.Sprintf("%+v", tok), str},
		"%#v":      {fmt.Sprintf("%#v", tok), gostr},
		"GoString": {tok.GoString(), gostr},
		"%q":       {fmt.Sprintf("%q", tok), strconv.Quote(str)},
		"JSON":     {string(b), js},
		"slog":     {strings.TrimSpace(buf.String()), `{"t":` + logged + `}`},
	} {
		if c.got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", name, c.got, c.want)
		}
	}
}
