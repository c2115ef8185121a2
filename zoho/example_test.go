package zoho_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/tokenstore-go/tokenstore"
	"github.com/tokenstore-go/tokenstore/memstore"
	"github.com/tokenstore-go/tokenstore/zoho"
	"github.com/tokenstore-go/tokenstore/zoho/zohotest"
)

// Exchange a self-client grant code once, store the tokens, refresh from
// the stored refresh token, and call the API with Zoho's scheme. The fake
// server stands in for accounts.zoho.eu; in production pass
// zoho.EU.Endpoint() (or the DC from DCFromRedirect) and your own client.
func Example() {
	ctx := context.Background()
	clock := zohotest.NewClock(time.Date(2026, 1, 2, 3, 0, 0, 0, time.UTC))
	fake := zohotest.NewServer(&zohotest.Options{Now: clock.Now})
	defer fake.Close()
	fake.Client("1000.CLIENT", "client-secret")
	grantCode := fake.NewGrantCode("1000.CLIENT")

	store := memstore.New(nil)
	res, err := fake.Accounts().ExchangeGrant(ctx, "1000.CLIENT", "client-secret", grantCode, "")
	if err != nil {
		fmt.Println(err)
		return
	}
	tok := res.Token(clock.Now())
	tok.UserName, tok.ClientID, tok.ClientSecret = "ann@example.com", "1000.CLIENT", "client-secret"
	if err := store.SaveToken(ctx, &tok); err != nil {
		fmt.Println(err)
		return
	}

	clock.Advance(time.Hour) // the access token has expired
	stored, _ := store.FindToken(ctx, tokenstore.Token{UserName: "ann@example.com"})
	fmt.Println("expired:", stored.Expired(clock.Now(), time.Minute))
	res, err = fake.Accounts().Refresh(ctx, stored.ClientID, stored.ClientSecret, stored.RefreshToken)
	if err != nil {
		fmt.Println(err)
		return
	}
	upd := res.Token(clock.Now())
	upd.UserName = stored.UserName
	if err := store.SaveToken(ctx, &upd); err != nil { // merges: the refresh token stays
		fmt.Println(err)
		return
	}
	fmt.Println("refresh token kept:", upd.RefreshToken == stored.RefreshToken)

	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, fake.APIURL(), nil)
	zoho.SetAuthHeader(req, upd.AccessToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	resp.Body.Close()
	fmt.Println("API:", resp.Status)
	fmt.Println(fake.Stats().Refreshes, "refresh,", fake.Stats().Exchanges, "exchange")
	// Output:
	// expired: true
	// refresh token kept: true
	// API: 200 OK
	// 1 refresh, 1 exchange
}

// Tell a throttle, which Zoho answers with HTTP 200, from a revoked refresh
// token.
func ExampleRefresh_errors() {
	ctx := context.Background()
	fake := zohotest.NewServer(nil)
	defer fake.Close()
	fake.Client("1000.CLIENT", "client-secret")
	rt := fake.NewRefreshToken("1000.CLIENT")

	var err error
	for i := 0; i < 11 && err == nil; i++ {
		_, err = fake.Accounts().Refresh(ctx, "1000.CLIENT", "client-secret", rt)
	}
	var ze *zoho.Error
	if errors.Is(err, zoho.ErrThrottled) && errors.As(err, &ze) {
		fmt.Printf("throttled (HTTP %d, %q); wait %v\n", ze.StatusCode, ze.Code, ze.RetryAfter(ze.Until.Add(-10*time.Minute)))
	}

	fake.Revoke(rt)
	_, err = fake.Accounts().Refresh(ctx, "1000.CLIENT", "client-secret", rt)
	fmt.Println(errors.Is(err, zoho.ErrRevoked), err)
	// Output:
	// throttled (HTTP 200, "Access Denied"); wait 10m0s
	// true zoho: refresh_token: refresh token revoked or unknown (HTTP 200, "invalid_code")
}

// Pick the data centre from the authorization redirect's parameters.
func ExampleDCFromRedirect() {
	dc, err := zoho.DCFromRedirect("https://accounts.zoho.eu", "eu")
	fmt.Println(dc.Name, dc.Endpoint().TokenURL, err)
	_, err = zoho.DCFromRedirect("https://accounts.zoho.eu.evil.example", "eu")
	fmt.Println(err)
	// Output:
	// EU https://accounts.zoho.eu/oauth/v2/token <nil>
	// zoho: unknown data centre: accounts-server "https://accounts.zoho.eu.evil.example" is not the https origin of a known Zoho accounts host
}
