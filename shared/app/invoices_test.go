package app_test

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestInvoicesOverHTTP(t *testing.T) {
	e := newEnv(t)
	alice := customer(t, e, "alice@example.com")
	id := aliceInvoice(t, e, alice)

	code, body, _ := alice.Do("GET", "/v1/me/invoices", nil)
	var list struct {
		Invoices []struct{ ID, Number, Status string }
	}
	_ = json.Unmarshal(body, &list)
	if code != 200 || len(list.Invoices) != 1 || list.Invoices[0].Number != "EZS-2026-000001" || list.Invoices[0].Status != "open" {
		t.Fatalf("my invoices: %d %s", code, body)
	}
	code, pdf, _ := alice.Do("GET", "/v1/me/invoices/"+id+"/pdf", nil)
	if code != 200 || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("PDF: %d %.40q", code, pdf)
	}
	// Drafts are invisible to the customer.
	resp, draft := e.do("POST", "/v1/admin/invoices", `{"customer_id":"`+meID(t, alice)+`","currency":"USD","lines":[{"description":"x","quantity":1,"unit_amount":1}]}`, true)
	if resp.StatusCode != 201 {
		t.Fatal(draft)
	}
	if code, _, _ := alice.Do("GET", "/v1/me/invoices/"+draft["id"].(string), nil); code != 404 {
		t.Errorf("a draft is visible to the customer: %d", code)
	}
	// Paying: only staff with billing:manage; the invoice then reads paid.
	if resp, body := e.do("POST", "/v1/admin/invoices/"+id+"/mark-paid", `{"method":"bank_transfer","reference":"SWIFT-1"}`, true); resp.StatusCode != 200 || body["status"] != "paid" {
		t.Fatalf("mark paid: %d %v", resp.StatusCode, body)
	}
	if resp, _ := e.do("POST", "/v1/admin/invoices/"+id+"/mark-paid", `{"method":"bank_transfer"}`, true); resp.StatusCode != 409 {
		t.Errorf("paid twice: %d", resp.StatusCode)
	}
	// A token with the billing scope reads invoices; a read-only token does not.
	_, b, _ := alice.Do("POST", "/v1/me/tokens", map[string]any{"name": "books", "scopes": []string{"billing"}})
	var tok struct{ Secret string }
	_ = json.Unmarshal(b, &tok)
	if got := bearer(t, e.srv.URL, tok.Secret, "GET", "/v1/me/invoices"); got != 200 {
		t.Errorf("billing token: %d", got)
	}
	_, b, _ = alice.Do("POST", "/v1/me/tokens", map[string]any{"name": "ro", "scopes": []string{"read"}})
	_ = json.Unmarshal(b, &tok)
	if got := bearer(t, e.srv.URL, tok.Secret, "GET", "/v1/me/invoices"); got != 403 {
		t.Errorf("read-only token on invoices: %d, want 403", got)
	}
}

func meID(t *testing.T, c interface {
	Do(string, string, any) (int, []byte, error)
}) string {
	t.Helper()
	_, b, _ := c.Do("GET", "/v1/me", nil)
	var me struct{ ID string }
	_ = json.Unmarshal(b, &me)
	return me.ID
}
