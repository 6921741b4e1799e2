package app_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// Staff read the dunning policy (the defaults until saved), save it over
// the version they read, and get field errors for an inconsistent one;
// a save over a stale version is refused and the change is audited.
func TestDunningPolicySettings(t *testing.T) {
	e := newEnv(t)
	type policy struct {
		ReminderDays        []int `json:"reminder_days"`
		SuspendAfterDays    int   `json:"suspend_after_days"`
		TerminateEnabled    bool  `json:"terminate_enabled"`
		TerminateAfterDays  int   `json:"terminate_after_days"`
		RenewalReminderDays int   `json:"renewal_reminder_days"`
		CardExpiryNotices   bool  `json:"card_expiry_notices"`
		Version             int64 `json:"version"`
		Timeline            []struct {
			Day    int
			Action string
		} `json:"timeline"`
	}
	code, raw, _ := e.admin.Do("GET", "/v1/admin/settings/dunning", nil)
	var got policy
	if err := json.Unmarshal(raw, &got); err != nil || code != 200 || got.Version != 0 || got.SuspendAfterDays != 7 || len(got.Timeline) != 4 {
		t.Fatalf("defaults: %d %s", code, raw)
	}
	body := func(terminateAfter int, version int64) map[string]any {
		return map[string]any{"reminder_days": []int{1, 3, 5}, "suspend_enabled": true, "suspend_after_days": 7, "final_warning_days": 3,
			"terminate_enabled": true, "terminate_after_days": terminateAfter, "respect_gateway_retries": true,
			"late_fee":              map[string]any{"enabled": false, "percent_bp": 1000, "minimum": map[string]int{"USD": 500}, "after_days": 5},
			"renewal_reminder_days": 14, "card_expiry_notices": false, "version": version}
	}
	if code, raw, _ := e.admin.Do("PUT", "/v1/admin/settings/dunning", body(5, 0)); code != 400 || !strings.Contains(string(raw), `"terminate_after_days"`) {
		t.Fatalf("terminate before suspend: %d %s", code, raw)
	}
	code, raw, _ = e.admin.Do("PUT", "/v1/admin/settings/dunning", body(30, 0))
	if err := json.Unmarshal(raw, &got); err != nil || code != 200 || got.Version != 1 || !got.TerminateEnabled || got.Timeline[len(got.Timeline)-1].Action != "terminate" {
		t.Fatalf("save: %d %s", code, raw)
	}
	if code, raw, _ := e.admin.Do("PUT", "/v1/admin/settings/dunning", body(40, 0)); code != 409 {
		t.Fatalf("stale version: %d %s", code, raw)
	}
	code, raw, _ = e.admin.Do("GET", "/v1/admin/settings/dunning", nil)
	if err := json.Unmarshal(raw, &got); err != nil || code != 200 || got.Version != 1 || got.TerminateAfterDays != 30 ||
		got.RenewalReminderDays != 14 || got.CardExpiryNotices {
		t.Fatalf("read back: %d %s", code, raw)
	}
	if _, raw, _ := e.admin.Do("GET", "/v1/admin/audit?action=settings.dunning", nil); !strings.Contains(string(raw), "settings.dunning") {
		t.Fatalf("not audited: %s", raw)
	}
}
