package httpapi_test

import (
	"log/slog"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ezscale/platform/shared/api/httpapi"
	"github.com/ezscale/platform/shared/api/httpx"
	"github.com/ezscale/platform/shared/api/openapi"
	"github.com/ezscale/platform/shared/domain/accounts"
	"github.com/ezscale/platform/shared/platform/clock"
)

var allPermissions = []accounts.Permission{accounts.CatalogRead, accounts.CatalogWrite, accounts.NotificationsRead, accounts.NotificationsManage, accounts.AuditRead, accounts.CustomersRead, accounts.CustomersManage, accounts.CustomersImpersonate, accounts.BillingRead, accounts.BillingManage, accounts.ServicesRead, accounts.ServicesManage, accounts.StaffManage, accounts.TicketsRead, accounts.TicketsManage, accounts.HelpdeskManage}

func routes() []httpx.Route {
	return httpapi.Routes(httpapi.Deps{Log: slog.New(slog.DiscardHandler), Clock: clock.System{}})
}

// Every route has a spec entry and every spec entry a route.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	var have []string
	for _, r := range routes() {
		have = append(have, r.Method+" "+r.Path)
	}
	sort.Strings(have)
	spec, err := openapi.Operations()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(spec, have); diff != "" {
		t.Fatalf("OpenAPI operations (-spec +routes):\n%s", diff)
	}
}

// The spec's x-permission equals each staff route's permission.
func TestOpenAPIPermissionsMatchRoutes(t *testing.T) {
	spec, err := openapi.Permissions()
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]string{}
	for _, r := range routes() {
		if r.Permission != "" {
			have[r.Method+" "+r.Path] = r.Permission
		}
	}
	if diff := cmp.Diff(spec, have); diff != "" {
		t.Fatalf("x-permission (-spec +routes):\n%s", diff)
	}
}

// The spec's x-token-scope equals each route's API token scope.
func TestOpenAPITokenScopesMatchRoutes(t *testing.T) {
	spec, err := openapi.Extension("x-token-scope")
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]string{}
	for _, r := range routes() {
		if r.Scope != "" {
			have[r.Method+" "+r.Path] = r.Scope
			if r.Auth != httpx.User || !slices.Contains(accounts.Scopes, accounts.Scope(r.Scope)) {
				t.Errorf("%s %s: scope %q on a %s route", r.Method, r.Path, r.Scope, r.Auth)
			}
		}
	}
	if diff := cmp.Diff(spec, have); diff != "" {
		t.Fatalf("x-token-scope (-spec +routes):\n%s", diff)
	}
}

// Every route declares who may call it and which function serves it, and
// admin routes live only in the admin function.
func TestEveryRouteHasAnAuthRule(t *testing.T) {
	for _, r := range routes() {
		if !slices.Contains([]httpx.Auth{httpx.Public, httpx.Pending, httpx.User, httpx.Staff}, r.Auth) {
			t.Errorf("%s %s: no auth rule", r.Method, r.Path)
		}
		if !slices.Contains(httpapi.Functions, r.Function) {
			t.Errorf("%s %s: unknown function %q", r.Method, r.Path, r.Function)
		}
		if (r.Auth == httpx.Staff) != (r.Function == httpapi.FnAdmin) {
			t.Errorf("%s %s: staff routes must be served by the admin function and vice versa", r.Method, r.Path)
		}
		if r.Auth == httpx.Staff && !slices.Contains(allPermissions, accounts.Permission(r.Permission)) {
			t.Errorf("%s %s: staff route without a known permission (%q)", r.Method, r.Path, r.Permission)
		}
		if r.Auth != httpx.Staff && r.Permission != "" {
			t.Errorf("%s %s: a permission on a non-staff route would be ignored", r.Method, r.Path)
		}
		if strings.HasPrefix(r.Path, "/v1/admin/") != (r.Auth == httpx.Staff) {
			t.Errorf("%s %s: /v1/admin/ paths and staff routes must coincide", r.Method, r.Path)
		}
	}
}

// Walks every operation of the OpenAPI document: each must map to a route
// with an auth rule (public routes say so explicitly).
func TestEveryOpenAPIOperationHasAnAuthRule(t *testing.T) {
	ops, err := openapi.Operations()
	if err != nil {
		t.Fatal(err)
	}
	rules := map[string]httpx.Auth{}
	for _, r := range routes() {
		rules[r.Method+" "+r.Path] = r.Auth
	}
	for _, op := range ops {
		if rules[op] == "" {
			t.Errorf("%s: no auth rule", op)
		}
	}
}
