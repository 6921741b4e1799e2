package app_test

import (
	"encoding/json"
	"testing"
)

func TestCouponsOverHTTP(t *testing.T) {
	e := newEnv(t)
	_, plan := e.do("POST", "/v1/admin/plans", planJSON(t, "vps-1", nil), true)
	planID := plan["id"].(string)
	alice := customer(t, e, "alice@example.com")

	bad := []struct{ body, field string }{
		{`{"code":"x","kind":"percent","percent_bp":100}`, "code"},
		{`{"code":"SAVE","kind":"percent","percent_bp":0}`, "percent_bp"},
		{`{"code":"SAVE","kind":"fixed","amounts_off":{"XYZ":5}}`, "amounts_off.XYZ"},
		{`{"code":"SAVE","kind":"percent","percent_bp":100,"plan_ids":["pln_nope"]}`, "plan_ids[0]"},
		{`{"code":"SAVE","kind":"percent","percent_bp":100,"expires_at":"2020-01-01T00:00:00Z"}`, "expires_at"},
	}
	for _, b := range bad {
		resp, body := e.do("POST", "/v1/admin/coupons", b.body, true)
		if _, f := errorOf(body); resp.StatusCode != 400 || f[b.field] == nil {
			t.Errorf("%s: %d %v, want a field error on %s", b.body, resp.StatusCode, body, b.field)
		}
	}
	if resp, body := e.do("POST", "/v1/admin/coupons", `{"code":"spring25","kind":"percent","percent_bp":2500,"plan_ids":["`+planID+`"],"per_customer":1,"trial_days":7}`, true); resp.StatusCode != 201 || body["code"] != "SPRING25" || body["active"] != true {
		t.Fatalf("create: %d %v", resp.StatusCode, body)
	}
	if resp, _ := e.do("POST", "/v1/admin/coupons", `{"code":"SPRING25","kind":"percent","percent_bp":100}`, true); resp.StatusCode != 400 {
		t.Errorf("duplicate code: %d", resp.StatusCode)
	}
	check := func(code, cycle, currency string) (int, map[string]any) {
		t.Helper()
		code2, b, _ := alice.Do("POST", "/v1/me/coupons/check", map[string]any{"code": code, "plan_id": planID, "cycle": cycle, "currency": currency})
		return code2, decode(t, b)
	}
	// 25 % of the 10.00 monthly price.
	if status, q := check("spring25", "monthly", "USD"); status != 200 || q["discount"] != 250.0 || q["total"] != 750.0 || q["trial_days"] != 7.0 {
		t.Fatalf("check: %d %v", status, q)
	}
	if status, q := check("spring25", "semi_annual", "USD"); status != 400 || !hasField(q, "currency") {
		t.Errorf("no such price: %d %v", status, q)
	}
	if status, q := check("NOPE", "monthly", "USD"); status != 400 || !hasField(q, "code") {
		t.Errorf("unknown code: %d %v", status, q)
	}
	if resp, body := e.do("PATCH", "/v1/admin/coupons/spring25", `{"active":false}`, true); resp.StatusCode != 200 || body["active"] != false {
		t.Fatalf("deactivate: %d %v", resp.StatusCode, body)
	}
	if status, q := check("spring25", "monthly", "USD"); status != 400 || !hasField(q, "code") {
		t.Errorf("inactive: %d %v", status, q)
	}
	if resp, _ := e.do("PATCH", "/v1/admin/coupons/NOPE", `{"active":true}`, true); resp.StatusCode != 404 {
		t.Errorf("patch unknown: %d", resp.StatusCode)
	}
	if code, _, _ := alice.Do("POST", "/v1/admin/coupons", map[string]any{"code": "MINE", "kind": "percent", "percent_bp": 10000}); code != 403 {
		t.Errorf("customer creating a coupon: %d", code)
	}
	_, list := e.do("GET", "/v1/admin/coupons", "", true)
	if cs := list["coupons"].([]any); len(cs) != 1 || cs[0].(map[string]any)["uses"] != 0.0 {
		t.Fatalf("list = %v", list)
	}
	e.do("POST", "/v1/admin/coupons", `{"code":"ALL10","kind":"percent","percent_bp":1000}`, true)
	_, list = e.do("GET", "/v1/admin/coupons", "", true)
	if all := list["coupons"].([]any)[0].(map[string]any); all["code"] != "ALL10" || all["plan_ids"] == nil {
		t.Fatalf("list = %v", list)
	}
}

func hasField(body map[string]any, field string) bool {
	_, f := errorOf(body)
	return f[field] != nil
}

func decode(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("decode %q: %v", b, err)
	}
	return m
}
