package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	minidyn "github.com/truora/minidyn/aws-v2/client"

	"github.com/ezscale/platform/shared/adapters/dynamo"
	"github.com/ezscale/platform/shared/adapters/invoicepdf"
	"github.com/ezscale/platform/shared/adapters/stripegw"
	"github.com/ezscale/platform/shared/adapters/webauthnrp"
	"github.com/ezscale/platform/shared/api/openapi"
	"github.com/ezscale/platform/shared/app"
	"github.com/ezscale/platform/shared/domain/accounts"
	"github.com/ezscale/platform/shared/domain/gateway"
	"github.com/ezscale/platform/shared/domain/provisioning"
	"github.com/ezscale/platform/shared/platform/clock"
	"github.com/ezscale/platform/shared/platform/config"
	"github.com/ezscale/platform/shared/testkit/apicontract"
	"github.com/ezscale/platform/shared/testkit/catalogtest"
	"github.com/ezscale/platform/shared/testkit/session"
)

const adminTOTP = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

type env struct {
	t     *testing.T
	srv   *httptest.Server
	p     *app.Platform
	api   *minidyn.Client
	admin *session.Client
	clock *clock.Fake
}

func newEnv(t *testing.T) *env { return newEnvWith(t, nil) }

// newEnvWith builds the platform with extra configuration variables.
func newEnvWith(t *testing.T, extra map[string]string) *env {
	t.Helper()
	return newEnvOver(t, extra, func(api dynamo.API) dynamo.API { return api }, nil)
}

// newEnvOver builds the platform on the emulator as seen through wrap,
// with the panels and routes it may sell through (nil: none).
func newEnvOver(t *testing.T, extra map[string]string, wrap func(dynamo.API) dynamo.API, panels *provisioning.Registry) *env {
	t.Helper()
	api := minidyn.NewClient()
	if err := dynamo.EnsureTable(context.Background(), api, "ezscale"); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{
		"LOCAL_KEY_FILE": filepath.Join(t.TempDir(), "k"), "COOKIE_SECURE": "false",
		"WEB_ORIGINS": "https://app.example.com", "MAX_BODY_BYTES": "4096", "ARGON2_MEMORY_KIB": "1024", "ARGON2_TIME": "1", "WEBAUTHN_RP_ID": "localhost",
	}
	maps.Copy(vars, extra)
	cfg, err := config.Load(vars)
	if err != nil {
		t.Fatal(err)
	}
	adapters, _, _, err := app.Embedded(wrap(api), t.TempDir(), 3, clock.System{})
	if err != nil {
		t.Fatal(err)
	}
	adapters.Gateways = []gateway.Gateway{stripegw.Configured(cfg, adapters.HTTP)}
	adapters.PDF = invoicepdf.Configured(cfg)
	if panels != nil {
		adapters.Panels = app.PanelsOf(panels)
	}
	if adapters.Passkeys, err = webauthnrp.Configured(cfg); err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFake(time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC))
	p := app.New(cfg, adapters, slog.New(slog.DiscardHandler), clk)
	p.OpenAPI = openapi.JSON
	srv := httptest.NewServer(apicontract.For(t, p.Handler("")))
	t.Cleanup(srv.Close)
	if _, err := p.Accounts.CreateUser(context.Background(), accounts.NewUser{Email: "admin@example.com", Name: "Admin", Password: "correct horse battery staple", Role: accounts.Admin, Verified: true, TOTPSecret: adminTOTP}); err != nil {
		t.Fatal(err)
	}
	admin, err := session.SignIn(srv.URL, "admin@example.com", "correct horse battery staple", adminTOTP, clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, srv: srv, p: p, api: api, admin: admin, clock: clk}
}

// do sends a request and decodes a JSON response into a map.
func (e *env) do(method, path, body string, admin bool) (*http.Response, map[string]any) {
	e.t.Helper()
	req, _ := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	client := http.DefaultClient
	if admin {
		client = e.admin.Client
	}
	resp, err := client.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &m); err != nil {
			e.t.Fatalf("%s %s: non-JSON body %q", method, path, raw)
		}
	}
	return resp, m
}

func planJSON(t *testing.T, slug string, change func(map[string]any)) string {
	t.Helper()
	b, _ := json.Marshal(catalogtest.Input(slug))
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	if change != nil {
		change(m)
	}
	out, _ := json.Marshal(m)
	return string(out)
}

func errorOf(m map[string]any) (code string, fields map[string]any) {
	e, _ := m["error"].(map[string]any)
	code, _ = e["code"].(string)
	fields, _ = e["fields"].(map[string]any)
	return code, fields
}

func TestAdminPlanCRUD(t *testing.T) {
	e := newEnv(t)
	resp, created := e.do("POST", "/v1/admin/plans", planJSON(t, "vps-1", nil), true)
	if resp.StatusCode != 201 || created["id"] == "" || resp.Header.Get("Location") == "" {
		t.Fatalf("create = %d %v", resp.StatusCode, created)
	}
	id := created["id"].(string)
	resp, got := e.do("GET", "/v1/admin/plans/"+id, "", true)
	if resp.StatusCode != 200 || got["slug"] != "vps-1" {
		t.Fatalf("get = %d %v", resp.StatusCode, got)
	}
	body := planJSON(t, "vps-1", func(m map[string]any) { m["name"] = "Renamed"; m["version"] = 1 })
	if resp, got = e.do("PUT", "/v1/admin/plans/"+id, body, true); resp.StatusCode != 200 || got["version"] != 2.0 {
		t.Fatalf("replace = %d %v", resp.StatusCode, got)
	}
	if resp, got = e.do("PUT", "/v1/admin/plans/"+id, body, true); resp.StatusCode != 409 {
		t.Fatalf("stale replace = %d %v", resp.StatusCode, got)
	}
	if resp, _ = e.do("DELETE", "/v1/admin/plans/"+id+"?version=1", "", true); resp.StatusCode != 409 {
		t.Fatalf("stale delete = %d", resp.StatusCode)
	}
	if resp, _ = e.do("DELETE", "/v1/admin/plans/"+id+"?version=2", "", true); resp.StatusCode != 204 {
		t.Fatalf("delete = %d", resp.StatusCode)
	}
	if resp, got = e.do("GET", "/v1/admin/plans/"+id, "", true); resp.StatusCode != 404 {
		t.Fatalf("get deleted = %d %v", resp.StatusCode, got)
	}
}

func TestBadInputWritesNothing(t *testing.T) {
	e := newEnv(t)
	if resp, _ := e.do("POST", "/v1/admin/plans", planJSON(t, "taken", nil), true); resp.StatusCode != 201 {
		t.Fatal("setup create failed")
	}
	set := func(path []string, v any) func(map[string]any) {
		return func(m map[string]any) {
			cur := m
			for _, k := range path[:len(path)-1] {
				cur = cur[k].(map[string]any)
			}
			cur[path[len(path)-1]] = v
		}
	}
	tests := []struct {
		name   string
		body   string
		status int
		code   string
		field  string
	}{
		{"MalformedJSON", `{"slug": "x",`, 400, "invalid", ""},
		{"NotAnObject", `[1,2]`, 400, "invalid", ""},
		{"Empty", ``, 400, "invalid", ""},
		{"TrailingData", planJSON(t, "x1", nil) + `{}`, 400, "invalid", ""},
		{"UnknownField", planJSON(t, "x2", set([]string{"colour"}, "red")), 400, "invalid", "colour"},
		{"WrongType", planJSON(t, "x3", set([]string{"sort_order"}, "first")), 400, "invalid", "sort_order"},
		{"FractionalPrice", planJSON(t, "x4", set([]string{"prices", "USD", "monthly"}, 9.99)), 400, "invalid", "prices.USD.monthly"},
		{"NegativePrice", planJSON(t, "x5", set([]string{"prices", "USD", "monthly"}, -100)), 400, "invalid", "prices.USD.monthly"},
		{"UnknownCurrency", planJSON(t, "x6", set([]string{"prices", "ABC"}, map[string]any{"monthly": 1})), 400, "invalid", "prices.ABC"},
		{"UnknownCycle", planJSON(t, "x7", set([]string{"prices", "USD", "biennial"}, 1)), 400, "invalid", "prices.USD.biennial"},
		{"DuplicateSlug", planJSON(t, "taken", nil), 409, "conflict", "slug"},
		{"Oversized", planJSON(t, "x8", set([]string{"description"}, strings.Repeat("a", 5000))), 413, "payload_too_large", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, m := e.do("POST", "/v1/admin/plans", tt.body, true)
			code, fields := errorOf(m)
			if resp.StatusCode != tt.status || code != tt.code {
				t.Fatalf("got %d %v, want %d %s", resp.StatusCode, m, tt.status, tt.code)
			}
			if tt.field != "" && fields[tt.field] == nil {
				t.Fatalf("no field error for %s: %v", tt.field, m)
			}
			if m["error"].(map[string]any)["request_id"] == "" {
				t.Error("error without request id")
			}
		})
	}
	_, list := e.do("GET", "/v1/admin/plans", "", true)
	if n := len(list["plans"].([]any)); n != 1 {
		t.Fatalf("bad input wrote plans: %d stored, want 1", n)
	}
}

func TestAdminNeedsAStaffSessionWithSecondFactor(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	status := func(c *session.Client) int {
		code, _, err := c.Do("GET", "/v1/admin/plans", nil)
		if err != nil {
			t.Fatal(err)
		}
		return code
	}
	if got := status(session.New(e.srv.URL)); got != 401 {
		t.Errorf("anonymous: %d, want 401", got)
	}
	mk := func(email string, role accounts.Role, totpSecret string) {
		if _, err := e.p.Accounts.CreateUser(ctx, accounts.NewUser{Email: email, Name: "X", Password: "a long enough password", Role: role, Verified: true, TOTPSecret: totpSecret}); err != nil {
			t.Fatal(err)
		}
	}
	mk("customer@example.com", accounts.Customer, "")
	mk("nofactor@example.com", accounts.Admin, "")
	mk("support@example.com", accounts.Support, adminTOTP)
	cust, _ := session.SignIn(e.srv.URL, "customer@example.com", "a long enough password", "", e.clock.Now)
	if got := status(cust); got != 403 {
		t.Errorf("customer: %d, want 403", got)
	}
	nofactor, _ := session.SignIn(e.srv.URL, "nofactor@example.com", "a long enough password", "", e.clock.Now)
	if got := status(nofactor); got != 403 {
		t.Errorf("admin without a second factor: %d, want 403", got)
	}
	e.clock.Advance(time.Minute) // a fresh TOTP step for the second sign-in with this secret
	support, err := session.SignIn(e.srv.URL, "support@example.com", "a long enough password", adminTOTP, e.clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	if got := status(support); got != 200 {
		t.Errorf("support reading plans: %d, want 200", got)
	}
	if code, _, _ := support.Do("POST", "/v1/admin/plans", planJSON(t, "by-support", nil)); code != 403 {
		t.Errorf("support writing plans: %d, want 403 (no catalog:write)", code)
	}
	// A write without the CSRF header is refused even with a valid session.
	req, _ := http.NewRequest("POST", e.srv.URL+"/v1/admin/plans", strings.NewReader(planJSON(t, "no-csrf", nil)))
	req.Header.Set("Content-Type", "application/json")
	for _, c := range e.admin.Jar.Cookies(req.URL) {
		if c.Name == "ezs_session" {
			req.AddCookie(c)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Errorf("write without CSRF token: %d, want 403", resp.StatusCode)
	}
}

func TestAdminActionsAreAudited(t *testing.T) {
	e := newEnv(t)
	resp, created := e.do("POST", "/v1/admin/plans", planJSON(t, "audited", nil), true)
	if resp.StatusCode != 201 {
		t.Fatal(created)
	}
	_, log := e.do("GET", "/v1/admin/audit?target="+created["id"].(string), "", true)
	entries := log["entries"].([]any)
	if len(entries) != 1 {
		t.Fatalf("audit = %v", log)
	}
	en := entries[0].(map[string]any)
	if en["Action"] != nil || en["action"] != "plan.create" || en["actor_email"] != "admin@example.com" || en["after"] == "" || en["ip"] == "" {
		t.Fatalf("entry = %v", en)
	}
}

func TestPublicPlans(t *testing.T) {
	e := newEnv(t)
	e.do("POST", "/v1/admin/plans", planJSON(t, "pub", nil), true)
	e.do("POST", "/v1/admin/plans", planJSON(t, "hid", func(m map[string]any) { m["status"] = "hidden" }), true)
	resp, m := e.do("GET", "/v1/plans?currency=USD&cycle=annual", "", false)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d %v", resp.StatusCode, m)
	}
	plans := m["plans"].([]any)
	if len(plans) != 1 {
		t.Fatalf("plans = %v", plans)
	}
	price := plans[0].(map[string]any)["price"].(map[string]any)
	if price["amount"] != 10000.0 || price["effective_monthly"] != 833.0 || price["saving_percent"] != 17.0 {
		t.Fatalf("price = %v", price)
	}
	if resp, m = e.do("GET", "/v1/plans?cycle=weekly", "", false); resp.StatusCode != 400 {
		t.Fatalf("bad cycle = %d %v", resp.StatusCode, m)
	}
}

func TestStoreDownIs503(t *testing.T) {
	e := newEnv(t)
	// Make every call fail as DynamoDB does during an outage.
	minidyn.EmulateFailure(e.api, minidyn.FailureConditionInternalServerError)
	resp, m := e.do("GET", "/v1/plans", "", false)
	if code, _ := errorOf(m); resp.StatusCode != 503 || code != "unavailable" || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("plans with store down = %d %v", resp.StatusCode, m)
	}
	resp, m = e.do("POST", "/v1/admin/plans", planJSON(t, "down", nil), true)
	if resp.StatusCode != 503 {
		t.Fatalf("create with store down = %d %v", resp.StatusCode, m)
	}
	if resp, _ = e.do("GET", "/v1/healthz", "", false); resp.StatusCode != 503 {
		t.Fatalf("healthz with store down = %d", resp.StatusCode)
	}
	minidyn.EmulateFailure(e.api, minidyn.FailureConditionNone)
	_, list := e.do("GET", "/v1/admin/plans", "", true)
	if n := len(list["plans"].([]any)); n != 0 {
		t.Fatalf("a failed create left %d plans", n)
	}
}

// queriesFail answers reads but fails every query, as the embedded store
// did after a rollback had poisoned an index.
type queriesFail struct {
	dynamo.API
	fail atomic.Bool
}

func (q *queriesFail) Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	if q.fail.Load() {
		return nil, errors.New("ValidationException: unsupported expression or attribute type")
	}
	return q.API.Query(ctx, in, opts...)
}

func TestHealthRunsAQuery(t *testing.T) {
	var broken *queriesFail
	e := newEnvOver(t, nil, func(api dynamo.API) dynamo.API { broken = &queriesFail{API: api}; return broken }, nil)
	if resp, m := e.do("GET", "/v1/healthz", "", false); resp.StatusCode != 200 {
		t.Fatalf("healthy store: %d %v", resp.StatusCode, m)
	}
	broken.fail.Store(true)
	if resp, m := e.do("GET", "/v1/healthz", "", false); resp.StatusCode < 500 {
		t.Fatalf("health with failing queries = %d %v, want a 5xx", resp.StatusCode, m)
	}
}

func TestPlumbing(t *testing.T) {
	e := newEnv(t)
	t.Run("Health", func(t *testing.T) {
		resp, m := e.do("GET", "/v1/healthz", "", false)
		if resp.StatusCode != 200 || m["status"] != "ok" {
			t.Fatalf("%d %v", resp.StatusCode, m)
		}
	})
	t.Run("NotFoundIsJSON", func(t *testing.T) {
		resp, m := e.do("GET", "/v1/nope", "", false)
		if code, _ := errorOf(m); resp.StatusCode != 404 || code != "not_found" {
			t.Fatalf("%d %v", resp.StatusCode, m)
		}
	})
	t.Run("MethodNotAllowedIsJSON", func(t *testing.T) {
		resp, m := e.do("PATCH", "/v1/plans", "", false)
		if code, _ := errorOf(m); resp.StatusCode != 405 || code != "method_not_allowed" || resp.Header.Get("Allow") == "" {
			t.Fatalf("%d %v %v", resp.StatusCode, m, resp.Header)
		}
	})
	t.Run("SecurityHeadersAndRequestID", func(t *testing.T) {
		resp, _ := e.do("GET", "/v1/plans", "", false)
		for _, h := range []string{"X-Content-Type-Options", "X-Frame-Options", "Strict-Transport-Security", "Content-Security-Policy", "X-Request-Id"} {
			if resp.Header.Get(h) == "" {
				t.Errorf("missing %s", h)
			}
		}
	})
	t.Run("CORS", func(t *testing.T) {
		for origin, allowed := range map[string]bool{"https://app.example.com": true, "https://evil.example.com": false} {
			req, _ := http.NewRequest("OPTIONS", e.srv.URL+"/v1/admin/plans", nil)
			req.Header.Set("Origin", origin)
			req.Header.Set("Access-Control-Request-Method", "POST")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			got := resp.Header.Get("Access-Control-Allow-Origin") == origin
			if resp.StatusCode != 204 || got != allowed {
				t.Errorf("origin %s: status %d allowed %v, want %v", origin, resp.StatusCode, got, allowed)
			}
		}
	})
	t.Run("OpenAPIServed", func(t *testing.T) {
		resp, m := e.do("GET", "/v1/openapi.json", "", false)
		if resp.StatusCode != 200 || m["openapi"] != "3.1.0" {
			t.Fatalf("%d %v", resp.StatusCode, m["openapi"])
		}
	})
}

// The Lambda adapter must serve the same handler from an HTTP API v2 event.
func TestLambdaAdapter(t *testing.T) {
	e := newEnv(t)
	handle := e.p.LambdaHandler("catalog")
	resp, err := handle(context.Background(), events.APIGatewayV2HTTPRequest{
		Version: "2.0", RawPath: "/v1/plans", RawQueryString: "currency=EUR",
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RequestID: "apigw-request-0001",
			HTTP:      events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET", Path: "/v1/plans", SourceIP: "2001:db8::1"},
		},
	})
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("%v %+v", err, resp)
	}
	if got := resp.Headers["X-Request-Id"]; got != "apigw-request-0001" {
		t.Errorf("request id = %q, want API Gateway's", got)
	}
	var listing map[string]any
	if err := json.NewDecoder(bytes.NewReader([]byte(resp.Body))).Decode(&listing); err != nil || listing["currency"] != "EUR" {
		t.Fatalf("body %q: %v", resp.Body, err)
	}
	// An admin route is not served by the catalog function.
	resp, _ = handle(context.Background(), events.APIGatewayV2HTTPRequest{
		Version: "2.0", RawPath: "/v1/admin/plans",
		RequestContext: events.APIGatewayV2HTTPRequestContext{HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET", Path: "/v1/admin/plans"}},
	})
	if resp.StatusCode != 404 {
		t.Fatalf("admin route on catalog function = %d", resp.StatusCode)
	}
}

// What the functions serve has no /dev/ routes in any stage: the clock
// control and the simulators belong to the local stack alone.
func TestNoDevRoutesOutsideTheLocalStack(t *testing.T) {
	e := newEnv(t)
	for _, r := range []struct{ method, path string }{{"GET", "/dev/clock"}, {"POST", "/dev/clock"}, {"GET", "/dev/mail"}, {"GET", "/dev/stripe/"}} {
		req, _ := http.NewRequest(r.method, e.srv.URL+r.path, strings.NewReader(`{"advance":"72h"}`))
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusNotFound {
			t.Fatalf("%s %s: %d", r.method, r.path, res.StatusCode)
		}
	}
}
