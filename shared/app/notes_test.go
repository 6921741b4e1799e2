package app_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/ezscale/platform/shared/testkit/session"
)

// Staff keep notes on a customer: any staff member writes them, only the
// author or staff who manage customers delete them, bad input names the
// field and writes nothing, every change is in the audit trail, and the
// customer never reaches them.
func TestCustomerNotes(t *testing.T) {
	e := newEnvWith(t, map[string]string{"MAX_BODY_BYTES": "16384"})
	alice := customer(t, e, "alice@example.com")
	var me struct{ ID string }
	_, b, _ := alice.Do("GET", "/v1/me", nil)
	_ = json.Unmarshal(b, &me)
	support := supportStaff(t, e)
	path := "/v1/admin/customers/" + me.ID + "/notes"

	for _, c := range []struct {
		name string
		path string
		body any
		want int
		has  string
	}{
		{"empty", path, map[string]any{"body": "   "}, 400, `"body"`},
		{"too long", path, map[string]any{"body": strings.Repeat("x", 5001)}, 400, `"body"`},
		{"unknown field", path, map[string]any{"body": "x", "pinned": true}, 400, ""},
		{"nobody", "/v1/admin/customers/usr_nobody/notes", map[string]any{"body": "hello"}, 404, ""},
	} {
		if code, raw, _ := support.Do("POST", c.path, c.body); code != c.want || !strings.Contains(string(raw), c.has) {
			t.Errorf("%s: %d %s, want %d with %s", c.name, code, raw, c.want, c.has)
		}
	}
	add := func(c *session.Client, body string) string {
		t.Helper()
		code, raw, _ := c.Do("POST", path, map[string]any{"body": body})
		var n struct{ ID, Body string }
		_ = json.Unmarshal(raw, &n)
		if code != 201 || n.Body != body {
			t.Fatalf("add note: %d %s", code, raw)
		}
		return n.ID
	}
	bySupport := add(support, "Prefers e-mail over phone.")
	e.clock.Advance(time.Second)
	byAdmin := add(e.admin, "Disputed invoice EZS-2026-000001 in March.")

	_, raw, _ := support.Do("GET", path, nil)
	var list struct {
		Notes []struct{ ID, AuthorEmail string } `json:"notes"`
	}
	_ = json.Unmarshal(raw, &list)
	if len(list.Notes) != 2 || list.Notes[0].ID != byAdmin || list.Notes[1].ID != bySupport {
		t.Fatalf("notes, newest first: %s", raw)
	}
	if code, _, _ := alice.Do("GET", path, nil); code != 403 && code != 401 {
		t.Errorf("the customer read notes: %d", code)
	}
	if code, raw, _ := support.Do("DELETE", path+"/"+byAdmin, nil); code != 403 {
		t.Errorf("support deleting the admin's note: %d %s, want 403", code, raw)
	}
	if code, raw, _ := support.Do("DELETE", path+"/"+bySupport, nil); code != 204 {
		t.Errorf("support deleting their own note: %d %s", code, raw)
	}
	if code, raw, _ := e.admin.Do("DELETE", path+"/"+bySupport, nil); code != 404 {
		t.Errorf("deleting it again: %d %s, want 404", code, raw)
	}
	_, raw, _ = e.admin.Do("GET", "/v1/admin/audit?target="+me.ID, nil)
	for _, action := range []string{"customer.note_add", "customer.note_delete"} {
		if !strings.Contains(string(raw), action) {
			t.Errorf("no %s in the audit trail: %s", action, raw)
		}
	}
	if !strings.Contains(string(raw), "Prefers e-mail") {
		t.Errorf("the deleted note is not kept in the audit trail")
	}
}
