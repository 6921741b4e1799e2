package app_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/ezscale/platform/shared/domain/accounts"
)

// An admin gives an account a role: the change is audited with before and
// after, the account's sessions end so the role applies from its next
// sign-in, nobody changes their own role, and only admins may do it.
func TestStaffRoles(t *testing.T) {
	e := newEnv(t)
	bob := customer(t, e, "bob@example.com")
	_, b, _ := bob.Do("GET", "/v1/me", nil)
	var me struct{ ID string }
	_ = json.Unmarshal(b, &me)
	_, adminMe, _ := e.admin.Do("GET", "/v1/me", nil)
	var admin struct{ ID string }
	_ = json.Unmarshal(adminMe, &admin)

	for _, c := range []struct {
		name, id string
		body     any
		want     int
		has      string
	}{
		{"unknown role", me.ID, map[string]any{"role": "owner"}, 400, `"role"`},
		{"no role", me.ID, map[string]any{}, 400, `"role"`},
		{"own role", admin.ID, map[string]any{"role": "support"}, 409, "your own role"},
		{"nobody", "usr_nobody", map[string]any{"role": "support"}, 404, ""},
	} {
		code, raw, _ := e.admin.Do("PUT", "/v1/admin/customers/"+c.id+"/role", c.body)
		if code != c.want || !strings.Contains(string(raw), c.has) {
			t.Errorf("%s: %d %s, want %d with %q", c.name, code, raw, c.want, c.has)
		}
	}

	code, raw, _ := e.admin.Do("PUT", "/v1/admin/customers/"+me.ID+"/role", map[string]any{"role": "support"})
	if code != 200 || !strings.Contains(string(raw), `"role":"support"`) {
		t.Fatalf("set role: %d %s", code, raw)
	}
	if code, _, _ := bob.Do("GET", "/v1/me", nil); code != 401 {
		t.Errorf("bob's session after the role change: %d, want 401 (sessions end)", code)
	}
	_, log := e.do("GET", "/v1/admin/audit?target="+me.ID, "", true)
	found := false
	for _, en := range log["entries"].([]any) {
		m := en.(map[string]any)
		if m["action"] == "user.role" && strings.Contains(m["before"].(string), "customer") && strings.Contains(m["after"].(string), "support") {
			found = true
		}
	}
	if !found {
		t.Errorf("no audit entry with before and after: %v", log["entries"])
	}
}

func TestOnlyAdminsManageStaff(t *testing.T) {
	for role, want := range map[accounts.Role]bool{accounts.Admin: true, accounts.Billing: false, accounts.Support: false, accounts.Customer: false} {
		if role.Can(accounts.StaffManage) != want {
			t.Errorf("%s may manage staff: %v, want %v", role, !want, want)
		}
	}
}
