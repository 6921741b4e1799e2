package app_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// Guessing passwords over HTTP ends in 429 with a Retry-After header.
func TestBruteForceGets429WithRetryAfter(t *testing.T) {
	e := newEnv(t)
	customer(t, e, "target@example.com")
	var last *http.Response
	for i := range 12 {
		resp, err := http.Post(e.srv.URL+"/v1/auth/login", "application/json", strings.NewReader(`{"email":"target@example.com","password":"guess number `+strconv.Itoa(i)+`"}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		last = resp
		if resp.StatusCode == 429 {
			break
		}
		if resp.StatusCode != 401 {
			t.Fatalf("attempt %d: %d", i, resp.StatusCode)
		}
	}
	if last.StatusCode != 429 {
		t.Fatalf("12 wrong passwords never answered 429")
	}
	if s, err := strconv.Atoi(last.Header.Get("Retry-After")); err != nil || s < 1 {
		t.Fatalf("Retry-After = %q", last.Header.Get("Retry-After"))
	}
}

// A page of another site cannot sign a visitor into an account (login
// CSRF): a no-cors POST has no JSON content type, and a CORS one names its
// origin.
func TestPublicWritesRefuseOtherSites(t *testing.T) {
	e := newEnv(t)
	customer(t, e, "attacker@example.com")
	body := `{"email":"attacker@example.com","password":"a long enough password"}`
	cases := []struct {
		name, contentType, origin string
		want                      int
	}{
		{"NoContentType", "", "", 400},
		{"TextPlain", "text/plain", "https://evil.example", 400},
		{"Form", "application/x-www-form-urlencoded", "", 400},
		{"JSONFromOtherOrigin", "application/json", "https://evil.example", 403},
		{"JSONFromWebApp", "application/json", "https://app.example.com", 200},
		{"JSONFromSameOrigin", "application/json", e.srv.URL, 200},
		{"JSONWithoutOrigin", "application/json", "", 200},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", e.srv.URL+"/v1/auth/login", strings.NewReader(body))
			if c.contentType != "" {
				req.Header.Set("Content-Type", c.contentType)
			}
			if c.origin != "" {
				req.Header.Set("Origin", c.origin)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != c.want {
				t.Fatalf("status = %d, want %d", resp.StatusCode, c.want)
			}
			if c.want != 200 && len(resp.Cookies()) > 0 {
				t.Fatal("a refused sign-in set cookies")
			}
		})
	}
}
