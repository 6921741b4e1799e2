package httpapi_test

import (
	"log/slog"
	"slices"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ezscale/platform/shared/httpapi"
	"github.com/ezscale/platform/shared/httpx"
	"github.com/ezscale/platform/shared/openapi"
)

func routes() []httpx.Route {
	return httpapi.Routes(httpapi.Deps{Log: slog.New(slog.DiscardHandler)})
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

// Every route declares who may call it and which function serves it, and
// admin routes live only in the admin function.
func TestEveryRouteHasAnAuthRule(t *testing.T) {
	for _, r := range routes() {
		if r.Auth != httpx.Public && r.Auth != httpx.Admin {
			t.Errorf("%s %s: no auth rule", r.Method, r.Path)
		}
		if !slices.Contains(httpapi.Functions, r.Function) {
			t.Errorf("%s %s: unknown function %q", r.Method, r.Path, r.Function)
		}
		if (r.Auth == httpx.Admin) != (r.Function == httpapi.FnAdmin) {
			t.Errorf("%s %s: admin routes must be served by the admin function and vice versa", r.Method, r.Path)
		}
	}
}
