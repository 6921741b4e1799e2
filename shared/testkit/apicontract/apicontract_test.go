package apicontract_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ezscale/platform/shared/testkit/apicontract"
)

// The checker catches what breaks the document and lets the rest pass.
func TestChecker(t *testing.T) {
	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		reply                    string
		broken                   bool
	}{
		{"a documented answer", "GET", "/v1/healthz", "", 200, `{"status":"ok","stage":"test"}`, false},
		{"a body of the wrong shape", "GET", "/v1/plans", "", 200, `{"plans":"none"}`, true},
		{"an undocumented status", "GET", "/v1/plans", "", http.StatusTeapot, `{}`, true},
		{"an unknown route answered 404", "GET", "/v1/nowhere", "", 404, `{"error":{"code":"not_found","message":"no such route"}}`, false},
		{"a refused request may break the request schema", "POST", "/v1/auth/login", `{"nope":1}`, 400,
			`{"error":{"code":"invalid","message":"bad","request_id":"r"}}`, false},
		{"pages outside the API are not checked", "GET", "/account/", "", 200, `<html>`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := apicontract.New()
			if err != nil {
				t.Fatal(err)
			}
			h := c.Wrap(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.reply))
			}))
			req := httptest.NewRequest(tc.method, tc.path, strings.NewReader(tc.body))
			if tc.body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tc.status || rec.Body.String() != tc.reply {
				t.Fatalf("the wrapped answer changed: %d %s", rec.Code, rec.Body)
			}
			if got := c.Failures(); (len(got) > 0) != tc.broken {
				t.Fatalf("failures %q, want broken=%v", got, tc.broken)
			}
		})
	}
}
