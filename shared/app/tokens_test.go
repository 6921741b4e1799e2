package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/ezscale/platform/shared/domain/accounts"
	"github.com/ezscale/platform/shared/testkit/session"
)

func bearer(t *testing.T, base, token, method, path string) int {
	t.Helper()
	req, _ := http.NewRequest(method, base+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func customer(t *testing.T, e *env, email string) *session.Client {
	t.Helper()
	if _, err := e.p.Accounts.CreateUser(context.Background(), accounts.NewUser{Email: email, Name: "C", Password: "a long enough password", Role: accounts.Customer, Verified: true}); err != nil {
		t.Fatal(err)
	}
	c, err := session.SignIn(e.srv.URL, email, "a long enough password", "", e.clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestAPITokens(t *testing.T) {
	e := newEnv(t)
	alice := customer(t, e, "alice@example.com")
	code, body, _ := alice.Do("POST", "/v1/me/tokens", map[string]any{"name": "CI", "scopes": []string{"read"}, "expires_in_days": 30})
	if code != 201 {
		t.Fatalf("create: %d %s", code, body)
	}
	var created struct {
		Token  struct{ ID, Hint string }
		Secret string
	}
	_ = json.Unmarshal(body, &created)
	if len(created.Secret) < 40 || created.Secret[:8] != "ezs_pat_" || created.Token.Hint != created.Secret[:12] {
		t.Fatalf("created = %+v", created)
	}
	if got := bearer(t, e.srv.URL, created.Secret, "GET", "/v1/me"); got != 200 {
		t.Errorf("GET /v1/me with a read token: %d", got)
	}
	if got := bearer(t, e.srv.URL, created.Secret, "GET", "/v1/me/sessions"); got != 403 {
		t.Errorf("a route without a token scope: %d, want 403", got)
	}
	if got := bearer(t, e.srv.URL, created.Secret, "GET", "/v1/admin/plans"); got != 403 {
		t.Errorf("an admin route with a token: %d, want 403", got)
	}
	if got := bearer(t, e.srv.URL, "ezs_pat_forged0000000000000000000000000000000", "GET", "/v1/me"); got != 401 {
		t.Errorf("a forged token: %d, want 401", got)
	}
	// The list never shows secrets; tokens record their last use.
	_, list, _ := alice.Do("GET", "/v1/me/tokens", nil)
	if bytes.Contains(list, []byte(created.Secret)) {
		t.Fatal("the token list leaks the secret")
	}
	// Another customer cannot see or revoke Alice's token: 404, as for a missing one.
	bob := customer(t, e, "bob@example.com")
	if code, _, _ := bob.Do("DELETE", "/v1/me/tokens/"+created.Token.ID, nil); code != 404 {
		t.Errorf("Bob revoking Alice's token: %d, want 404", code)
	}
	_, sess, _ := alice.Do("GET", "/v1/me/sessions", nil)
	var sl struct{ Sessions []struct{ ID, Place string } }
	_ = json.Unmarshal(sess, &sl)
	if len(sl.Sessions) == 0 || sl.Sessions[0].Place != "this computer" {
		t.Errorf("a session signed in from 127.0.0.1 is placed at %q, want this computer", sl.Sessions)
	}
	if code, _, _ := bob.Do("DELETE", "/v1/me/sessions/"+sl.Sessions[0].ID, nil); code != 404 {
		t.Errorf("Bob revoking Alice's session: %d, want 404", code)
	}
	// Revocation takes effect at once.
	if code, _, _ := alice.Do("DELETE", "/v1/me/tokens/"+created.Token.ID, nil); code != 204 {
		t.Fatalf("revoke: %d", code)
	}
	if got := bearer(t, e.srv.URL, created.Secret, "GET", "/v1/me"); got != 401 {
		t.Errorf("a revoked token: %d, want 401", got)
	}
	// Expiry.
	_, body, _ = alice.Do("POST", "/v1/me/tokens", map[string]any{"name": "short", "scopes": []string{"read"}, "expires_in_days": 1})
	_ = json.Unmarshal(body, &created)
	e.clock.Advance(25 * time.Hour)
	if got := bearer(t, e.srv.URL, created.Secret, "GET", "/v1/me"); got != 401 {
		t.Errorf("an expired token: %d, want 401", got)
	}
	// Bad input.
	if code, _, _ := alice.Do("POST", "/v1/me/tokens", map[string]any{"name": "x", "scopes": []string{"root"}}); code != 400 {
		t.Errorf("unknown scope: %d, want 400", code)
	}
}
