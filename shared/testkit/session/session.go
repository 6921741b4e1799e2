// Package session signs test clients in to a running platform the way the
// web apps do: cookie jar, X-CSRF-Token echoed on writes, and a TOTP code
// computed from the user's secret when a second factor is asked for.
package session

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// Client is a signed-in HTTP client for base.
type Client struct {
	*http.Client
	Base string
}

type csrfTransport struct {
	jar  http.CookieJar
	base *url.URL
	next http.RoundTripper
}

func (t csrfTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		for _, c := range t.jar.Cookies(t.base) {
			if c.Name == "ezs_csrf" {
				r.Header.Set("X-CSRF-Token", c.Value)
			}
		}
	}
	return t.next.RoundTrip(r)
}

// New returns an anonymous client with a cookie jar.
func New(base string) *Client { return NewVia(base, http.DefaultTransport) }

// NewVia is New sending through rt (e.g. from another source address).
func NewVia(base string, rt http.RoundTripper) *Client {
	jar, _ := cookiejar.New(nil)
	u, _ := url.Parse(base)
	return &Client{Client: &http.Client{Jar: jar, Transport: csrfTransport{jar: jar, base: u, next: rt}, Timeout: 30 * time.Second}, Base: base}
}

// Code returns the current TOTP code for a base32 secret.
func Code(secret string, at time.Time) string {
	c, err := totp.GenerateCodeCustom(secret, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		panic(err)
	}
	return c
}

// SignIn logs in with a password and, when asked, the TOTP code for
// totpSecret at the time now() gives.
func SignIn(base, email, password, totpSecret string, now func() time.Time) (*Client, error) {
	return SignInVia(base, email, password, totpSecret, now, http.DefaultTransport)
}

// SignInVia is SignIn sending through rt.
func SignInVia(base, email, password, totpSecret string, now func() time.Time, rt http.RoundTripper) (*Client, error) {
	c := NewVia(base, rt)
	status, body, err := c.Do("POST", "/v1/auth/login", map[string]string{"email": email, "password": password})
	if err != nil {
		return nil, err
	}
	if status != 200 {
		return nil, fmt.Errorf("login: %d %s", status, body)
	}
	var res struct {
		Status string `json:"status"`
	}
	_ = json.Unmarshal(body, &res)
	if res.Status == "second_factor_required" {
		status, body, err = c.Do("POST", "/v1/auth/second-factor", map[string]string{"code": Code(totpSecret, now())})
		if err != nil {
			return nil, err
		}
		if status != 200 {
			return nil, fmt.Errorf("second factor: %d %s", status, body)
		}
	}
	return c, nil
}

// Do sends a JSON request (body may be nil, a string of raw JSON, or a
// value to encode) and returns the status and body.
func (c *Client) Do(method, path string, body any) (int, []byte, error) {
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = bytes.NewBufferString(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			return 0, nil, err
		}
		r = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, c.Base+path, r)
	if err != nil {
		return 0, nil, err
	}
	if r != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.Client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	return resp.StatusCode, raw, err
}
