package app_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// Staff find a customer by what they remember of them, at once after a
// rename, through the real routes and store; the search is staff-only and
// a query too short to mean anything is refused with its field.
func TestAdminSearch(t *testing.T) {
	e := newEnv(t)
	ada := customer(t, e, "ada@analytical.example")
	if code, body, _ := ada.Do("PUT", "/v1/me/profile", map[string]any{"name": "Ada Lovelace", "company": "Analytical Engines"}); code != 200 {
		t.Fatalf("profile: %d %s", code, body)
	}
	var me struct{ ID string }
	_, b, _ := ada.Do("GET", "/v1/me", nil)
	_ = json.Unmarshal(b, &me)

	type results struct {
		Results []struct {
			Kind, ID, Title, Detail string
			CustomerID              string `json:"customer_id"`
		} `json:"results"`
	}
	find := func(q string) results {
		t.Helper()
		code, raw, _ := e.admin.Do("GET", "/v1/admin/search?q="+q, nil)
		if code != 200 {
			t.Fatalf("search %q: %d %s", q, code, raw)
		}
		var r results
		if err := json.Unmarshal(raw, &r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	for _, q := range []string{"lovelace", "Ada%20Lov", "analytical.example", me.ID} {
		r := find(q)
		if len(r.Results) != 1 || r.Results[0].ID != me.ID || r.Results[0].Kind != "customer" || r.Results[0].Title != "Ada Lovelace" ||
			!strings.Contains(r.Results[0].Detail, "ada@analytical.example") || r.Results[0].CustomerID != me.ID {
			t.Errorf("search %q = %+v", q, r.Results)
		}
	}
	if code, body, _ := ada.Do("PUT", "/v1/me/profile", map[string]any{"name": "Ada Byron"}); code != 200 {
		t.Fatalf("rename: %d %s", code, body)
	}
	if r := find("lovelace"); len(r.Results) != 0 {
		t.Errorf("the old name still finds %+v", r.Results)
	}
	if r := find("byron"); len(r.Results) != 1 || r.Results[0].Title != "Ada Byron" {
		t.Errorf("the new name finds %+v", r.Results)
	}

	for _, c := range []struct {
		name, q, field string
	}{{"too short", "a", "q"}, {"bad limit", "ada&limit=99", "limit"}} {
		code, raw, _ := e.admin.Do("GET", "/v1/admin/search?q="+c.q, nil)
		if code != 400 || !strings.Contains(string(raw), `"`+c.field+`"`) {
			t.Errorf("%s: %d %s, want 400 naming %s", c.name, code, raw, c.field)
		}
	}
	// The customer page's other lists.
	for _, c := range []struct {
		path string
		want int
		has  string
	}{
		{"/v1/admin/orders?customer=" + me.ID, 200, `"orders":[]`},
		{"/v1/admin/orders?customer=" + me.ID + "&status=paid", 400, `"status"`},
		{"/v1/admin/customers/" + me.ID + "/subscriptions", 200, `"subscriptions":[]`},
	} {
		if code, raw, _ := e.admin.Do("GET", c.path, nil); code != c.want || !strings.Contains(string(raw), c.has) {
			t.Errorf("GET %s: %d %s, want %d with %s", c.path, code, raw, c.want, c.has)
		}
	}
	if code, _, _ := ada.Do("GET", "/v1/admin/search?q=ada", nil); code != 403 && code != 401 {
		t.Errorf("a customer searched: %d", code)
	}
}
