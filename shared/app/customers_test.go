package app_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/ezscale/platform/shared/domain/accounts"
	"github.com/ezscale/platform/shared/testkit/session"
)

func TestTaxExemptIsStaffOnly(t *testing.T) {
	e := newEnv(t)
	alice := customer(t, e, "alice@example.com")
	_, b, _ := alice.Do("GET", "/v1/me", nil)
	var me struct {
		ID        string `json:"id"`
		TaxExempt bool   `json:"tax_exempt"`
	}
	_ = json.Unmarshal(b, &me)

	// The profile has no such field: a customer cannot set it on themselves.
	if code, body, _ := alice.Do("PUT", "/v1/me/profile", map[string]any{"name": "Alice", "tax_exempt": true}); code != 400 {
		t.Fatalf("customer setting tax_exempt: %d %s", code, body)
	}
	support := supportStaff(t, e)
	if code, _, _ := support.Do("GET", "/v1/admin/customers/"+me.ID, nil); code != 200 {
		t.Errorf("support reading a customer: %d", code)
	}
	if code, _, _ := support.Do("PUT", "/v1/admin/customers/"+me.ID+"/tax-exempt", map[string]any{"tax_exempt": true}); code != 403 {
		t.Errorf("support setting tax-exempt: %d, want 403", code)
	}
	resp, body := e.do("PUT", "/v1/admin/customers/"+me.ID+"/tax-exempt", `{"tax_exempt":true}`, true)
	if resp.StatusCode != 200 || body["tax_exempt"] != true {
		t.Fatalf("admin setting tax-exempt: %d %v", resp.StatusCode, body)
	}
	if resp, _ := e.do("PUT", "/v1/admin/customers/"+me.ID+"/tax-exempt", `{}`, true); resp.StatusCode != 400 {
		t.Errorf("missing tax_exempt: %d", resp.StatusCode)
	}
	_, log := e.do("GET", "/v1/admin/audit?target="+me.ID, "", true)
	found := false
	for _, en := range log["entries"].([]any) {
		m := en.(map[string]any)
		if m["action"] == "customer.tax_exempt" && m["before"] == `{"tax_exempt":false}` && m["after"] == `{"tax_exempt":true}` && m["actor_email"] == "admin@example.com" {
			found = true
		}
	}
	if !found {
		t.Fatalf("no audit entry with before/after: %v", log)
	}
	_, list := e.do("GET", "/v1/admin/customers", "", true)
	if n := len(list["customers"].([]any)); n < 3 {
		t.Fatalf("customers listed: %d", n)
	}
}

// supportStaff is a signed-in support staff member (support@example.com,
// second factor passed).
func supportStaff(t *testing.T, e *env) *session.Client {
	t.Helper()
	if _, err := e.p.Accounts.CreateUser(context.Background(), accounts.NewUser{Email: "support@example.com", Name: "S", Password: "a long enough password", Role: accounts.Support, Verified: true, TOTPSecret: adminTOTP}); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Minute)
	support, err := session.SignIn(e.srv.URL, "support@example.com", "a long enough password", adminTOTP, e.clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	return support
}
