package app_test

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/ezscale/platform/shared/adapters/cfaccess"
	"github.com/ezscale/platform/shared/testkit/apicontract"
)

// With Cloudflare Access configured, a staff session alone is not enough:
// the request must carry a valid Access token for the same person.
func TestStaffRoutesNeedCloudflareAccessWhenConfigured(t *testing.T) {
	e := newEnv(t)
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	jwks := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "k", Algorithm: "RS256", Use: "sig"}}})
	}))
	defer jwks.Close()
	e.p.CFAccess = cfaccess.New(jwks.URL, "aud-tag", jwks.Client(), e.clock)
	srv := httptest.NewServer(apicontract.For(t, e.p.Handler("")))
	defer srv.Close()
	token := func(email string) string {
		sig, _ := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key}, (&jose.SignerOptions{}).WithHeader("kid", "k"))
		s, _ := jwt.Signed(sig).Claims(jwt.Claims{Issuer: jwks.URL, Audience: jwt.Audience{"aud-tag"}, Expiry: jwt.NewNumericDate(e.clock.Now().Add(time.Hour))}).
			Claims(map[string]any{"email": email}).Serialize()
		return s
	}
	call := func(header string) int {
		req, _ := http.NewRequest("GET", srv.URL+"/v1/admin/plans", nil)
		if header != "" {
			req.Header.Set(cfaccess.Header, header)
		}
		for _, c := range e.admin.Jar.Cookies(mustURL(e.srv.URL)) {
			req.AddCookie(c)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := call(""); got != 403 {
		t.Errorf("no Access token: %d, want 403", got)
	}
	if got := call(token("someone.else@example.com")); got != 403 {
		t.Errorf("Access token of another person: %d, want 403", got)
	}
	if got := call(token("admin@example.com")); got != 200 {
		t.Errorf("matching Access token: %d, want 200", got)
	}
	// Customer routes are not behind Access.
	req, _ := http.NewRequest("GET", srv.URL+"/v1/plans", nil)
	resp, _ := http.DefaultClient.Do(req)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("public route: %d", resp.StatusCode)
	}
}
