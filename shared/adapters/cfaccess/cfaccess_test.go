package cfaccess_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/ezscale/platform/shared/adapters/cfaccess"
	"github.com/ezscale/platform/shared/platform/clock"
)

const aud = "4714c1358e65fe4b408ad6d432a5f878f08194bdb4752441fd56faefa9b2b6f2"

func TestVerify(t *testing.T) {
	good, _ := rsa.GenerateKey(rand.Reader, 2048)
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	fetches := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/cdn-cgi/access/certs" {
			http.NotFound(w, r)
			return
		}
		fetches++
		_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &good.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}})
	}))
	defer srv.Close()
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	clk := clock.NewFake(now)
	v := cfaccess.New(srv.URL, aud, srv.Client(), clk)

	sign := func(key *rsa.PrivateKey, kid string, c jwt.Claims) string {
		sig, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key}, (&jose.SignerOptions{}).WithHeader("kid", kid).WithType("JWT"))
		if err != nil {
			t.Fatal(err)
		}
		tok, err := jwt.Signed(sig).Claims(c).Claims(map[string]any{"email": "grace@ezscale.example"}).Serialize()
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	valid := jwt.Claims{Issuer: srv.URL, Audience: jwt.Audience{aud}, Subject: "u1", Expiry: jwt.NewNumericDate(now.Add(time.Hour)), IssuedAt: jwt.NewNumericDate(now)}
	tests := []struct {
		name  string
		token string
		want  error
	}{
		{"Good", sign(good, "k1", valid), nil},
		{"Missing", "", cfaccess.ErrMissing},
		{"Expired", sign(good, "k1", func() jwt.Claims { c := valid; c.Expiry = jwt.NewNumericDate(now.Add(-2 * time.Minute)); return c }()), cfaccess.ErrInvalid},
		{"WrongAudience", sign(good, "k1", func() jwt.Claims { c := valid; c.Audience = jwt.Audience{"someone-else"}; return c }()), cfaccess.ErrInvalid},
		{"WrongIssuer", sign(good, "k1", func() jwt.Claims { c := valid; c.Issuer = "https://evil.cloudflareaccess.com"; return c }()), cfaccess.ErrInvalid},
		{"WrongKey", sign(other, "k1", valid), cfaccess.ErrInvalid},
		{"UnknownKid", sign(other, "k9", valid), cfaccess.ErrInvalid},
		{"Garbage", "not.a.jwt", cfaccess.ErrInvalid},
		{"NoExpiry", sign(good, "k1", func() jwt.Claims { c := valid; c.Expiry = nil; return c }()), cfaccess.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := v.Verify(context.Background(), tt.token)
			if tt.want == nil {
				if err != nil || id.Email != "grace@ezscale.example" {
					t.Fatalf("Verify = %+v, %v", id, err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
	if fetches > 2 {
		t.Fatalf("JWKS fetched %d times: unknown kids must not refetch on every request", fetches)
	}
}

func FuzzVerify(f *testing.F) {
	v := cfaccess.New("http://127.0.0.1:1", aud, &http.Client{Timeout: time.Millisecond}, clock.System{})
	f.Add("eyJhbGciOiJSUzI1NiJ9.e30.sig")
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = v.Verify(context.Background(), s) // never panics on hostile input
	})
}
