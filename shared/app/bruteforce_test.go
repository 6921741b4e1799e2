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
