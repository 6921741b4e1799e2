package app_test

import (
	"strings"
	"testing"
)

func TestTaxRatesOverHTTP(t *testing.T) {
	e := newEnv(t)
	alice := customer(t, e, "alice@example.com")
	if code, body, _ := alice.Do("PUT", "/v1/me/profile", map[string]any{"name": "Alice", "country": "DE", "billing_address": map[string]any{"line1": "Hauptstr. 1", "city": "Berlin", "postal_code": "10115", "country": "DE"}}); code != 200 {
		t.Fatalf("profile: %d %s", code, body)
	}
	if resp, body := e.do("PUT", "/v1/admin/tax-rates", `{"country":"de","name":"","rate_bp":20000}`, true); resp.StatusCode != 400 {
		t.Fatalf("bad rate: %d %v", resp.StatusCode, body)
	} else if _, f := errorOf(body); f["country"] == nil || f["name"] == nil || f["rate_bp"] == nil {
		t.Errorf("field errors = %v", f)
	}
	if code, _, _ := alice.Do("PUT", "/v1/admin/tax-rates", map[string]any{"country": "DE", "name": "VAT", "rate_bp": 0}); code != 403 {
		t.Errorf("customer setting a tax rate: %d", code)
	}
	if resp, body := e.do("PUT", "/v1/admin/tax-rates", `{"country":"DE","name":"VAT","rate_bp":1900}`, true); resp.StatusCode != 200 {
		t.Fatalf("put rate: %d %v", resp.StatusCode, body)
	}
	_, list := e.do("GET", "/v1/admin/tax-rates", "", true)
	if rates := list["tax_rates"].([]any); len(rates) != 1 || rates[0].(map[string]any)["rate_bp"] != 1900.0 {
		t.Fatalf("rates = %v", list)
	}
	draft := `{"customer_id":"` + meID(t, alice) + `","currency":"EUR","auto_tax":true,"lines":[{"description":"VPS","quantity":1,"unit_amount":1000}]}`
	resp, inv := e.do("POST", "/v1/admin/invoices", draft, true)
	if resp.StatusCode != 201 || inv["total"] != 1190.0 || inv["taxes"].([]any)[0].(map[string]any)["name"] != "VAT" {
		t.Fatalf("auto-tax draft: %d %v", resp.StatusCode, inv)
	}
	// An exempt customer pays none, and the invoice says why.
	if resp, _ := e.do("PUT", "/v1/admin/customers/"+meID(t, alice)+"/tax-exempt", `{"tax_exempt":true}`, true); resp.StatusCode != 200 {
		t.Fatal(resp.StatusCode)
	}
	resp, inv = e.do("POST", "/v1/admin/invoices", draft, true)
	if resp.StatusCode != 201 || inv["total"] != 1000.0 || !strings.Contains(inv["notes"].(string), "tax exempt") {
		t.Fatalf("exempt draft: %d %v", resp.StatusCode, inv)
	}
	if resp, _ := e.do("DELETE", "/v1/admin/tax-rates/DE", "", true); resp.StatusCode != 204 {
		t.Fatalf("delete: %d", resp.StatusCode)
	}
	if resp, body := e.do("DELETE", "/v1/admin/tax-rates/DE", "", true); resp.StatusCode != 404 {
		t.Fatalf("delete again: %d %v", resp.StatusCode, body)
	}
}
