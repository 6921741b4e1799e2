package app_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestImpersonation(t *testing.T) {
	e := newEnv(t)
	alice := customer(t, e, "alice@example.com")
	_, b, _ := alice.Do("GET", "/v1/me", nil)
	var me struct{ ID string }
	_ = json.Unmarshal(b, &me)

	// Staff cannot be impersonated.
	_, adminMe, _ := e.admin.Do("GET", "/v1/me", nil)
	var admin struct{ ID string }
	_ = json.Unmarshal(adminMe, &admin)
	if code, _, _ := e.admin.Do("POST", "/v1/admin/customers/"+admin.ID+"/impersonate", map[string]any{"reason": "ticket 42: cannot find the invoice"}); code != 403 {
		t.Fatalf("impersonating staff: %d, want 403", code)
	}

	// Staff say why; without a reason nothing happens.
	if code, _, _ := e.admin.Do("POST", "/v1/admin/customers/"+me.ID+"/impersonate", nil); code != 400 {
		t.Fatalf("impersonating with no body: %d, want 400", code)
	}
	for _, body := range []any{map[string]any{}, map[string]any{"reason": "  "}, map[string]any{"reason": "x"}} {
		code, raw, _ := e.admin.Do("POST", "/v1/admin/customers/"+me.ID+"/impersonate", body)
		if code != 400 || !strings.Contains(string(raw), `"reason"`) {
			t.Fatalf("impersonating with %v: %d %s, want 400 naming the reason", body, code, raw)
		}
	}
	if code, _, _ := e.admin.Do("GET", "/v1/admin/plans", nil); code != 200 {
		t.Fatalf("a refused impersonation changed the session: %d", code)
	}
	code, body, _ := e.admin.Do("POST", "/v1/admin/customers/"+me.ID+"/impersonate", map[string]any{"reason": "ticket 42: cannot find the invoice"})
	if code != 200 {
		t.Fatalf("impersonate: %d %s", code, body)
	}
	_, b, _ = e.admin.Do("GET", "/v1/me", nil)
	var as struct {
		Email          string `json:"email"`
		ImpersonatedBy string `json:"impersonated_by"`
	}
	_ = json.Unmarshal(b, &as)
	if as.Email != "alice@example.com" || as.ImpersonatedBy != "admin@example.com" {
		t.Fatalf("while impersonating, /v1/me = %s", b)
	}
	// Ordinary changes work and are attributed to the admin; credentials do not.
	if code, body, _ := e.admin.Do("PUT", "/v1/me/profile", map[string]any{"name": "Alice (fixed by support)"}); code != 200 {
		t.Fatalf("profile while impersonating: %d %s", code, body)
	}
	if code, _, _ := e.admin.Do("POST", "/v1/me/password", map[string]any{"current_password": "x", "new_password": "y"}); code != 403 {
		t.Errorf("password change while impersonating: %d, want 403", code)
	}
	if code, _, _ := e.admin.Do("POST", "/v1/me/tokens", map[string]any{"name": "x", "scopes": []string{"read"}}); code != 403 {
		t.Errorf("token creation while impersonating: %d, want 403", code)
	}
	if code, _, _ := e.admin.Do("GET", "/v1/admin/plans", nil); code != 403 {
		t.Errorf("admin API from the impersonation session: %d, want 403", code)
	}
	if code, _, _ := e.admin.Do("POST", "/v1/auth/impersonation/end", nil); code != 204 {
		t.Fatalf("end: %d", code)
	}
	if code, _, _ := e.admin.Do("GET", "/v1/admin/plans", nil); code != 200 {
		t.Fatalf("the admin's own session did not come back: %d", code)
	}
	_, log := e.do("GET", "/v1/admin/audit?target="+me.ID, "", true)
	var actions []string
	for _, en := range log["entries"].([]any) {
		m := en.(map[string]any)
		actions = append(actions, m["action"].(string))
		if m["action"] == "impersonation.start" && !strings.Contains(m["detail"].(string), "ticket 42: cannot find the invoice") {
			t.Errorf("the reason is not in the audit entry: %v", m)
		}
		if m["action"] == "profile.update" && (m["actor_email"] != "admin@example.com" || !strings.Contains(m["detail"].(string), "alice@example.com")) {
			t.Errorf("profile change not attributed to the admin: %v", m)
		}
	}
	joined := strings.Join(actions, ",")
	for _, want := range []string{"impersonation.start", "profile.update", "impersonation.end"} {
		if !strings.Contains(joined, want) {
			t.Errorf("audit lacks %s: %s", want, joined)
		}
	}
	// Impersonation sessions end by themselves after 30 minutes.
	_, _, _ = e.admin.Do("POST", "/v1/admin/customers/"+me.ID+"/impersonate", map[string]any{"reason": "ticket 42: cannot find the invoice"})
	e.clock.Advance(31 * time.Minute)
	if code, _, _ := e.admin.Do("GET", "/v1/me", nil); code != 401 {
		t.Errorf("after 31 minutes: %d, want 401", code)
	}
}
