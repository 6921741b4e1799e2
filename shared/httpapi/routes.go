// Package httpapi holds the API's handlers and its route table: which
// function serves each route and who may call it. The router, the OpenAPI
// document and template.yaml are all checked against Routes.
package httpapi

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/ezscale/platform/shared/catalog"
	"github.com/ezscale/platform/shared/httpx"
	"github.com/ezscale/platform/shared/notify"
)

// Function names; each is one Lambda function in template.yaml.
const (
	FnCatalog = "catalog"
	FnAdmin   = "admin"
)

// Functions lists every HTTP function.
var Functions = []string{FnCatalog, FnAdmin}

// Deps is what the handlers need.
type Deps struct {
	Log     *slog.Logger
	Stage   string
	Catalog *catalog.Service
	Notify  *notify.Service
	// Ping checks the store is reachable.
	Ping func(ctx context.Context) error
	// AdminSecret guards the admin API until accounts replace it.
	AdminSecret string
}

// Routes returns every route of the API.
func Routes(d Deps) []httpx.Route {
	c := catalogHandlers{d}
	a := adminHandlers{d}
	n := notifyHandlers{d}
	admin := func(h httpx.HandlerFunc) httpx.HandlerFunc { return requireAdmin(d.AdminSecret, h) }
	return []httpx.Route{
		{Method: http.MethodGet, Path: "/v1/healthz", Function: FnCatalog, Auth: httpx.Public, Handler: c.health},
		{Method: http.MethodGet, Path: "/v1/openapi.json", Function: FnCatalog, Auth: httpx.Public, Handler: c.openAPI},
		{Method: http.MethodGet, Path: "/v1/plans", Function: FnCatalog, Auth: httpx.Public, Handler: c.listPlans},

		{Method: http.MethodGet, Path: "/v1/admin/plans", Function: FnAdmin, Auth: httpx.Admin, Handler: admin(a.listPlans)},
		{Method: http.MethodPost, Path: "/v1/admin/plans", Function: FnAdmin, Auth: httpx.Admin, Handler: admin(a.createPlan)},
		{Method: http.MethodGet, Path: "/v1/admin/plans/{id}", Function: FnAdmin, Auth: httpx.Admin, Handler: admin(a.getPlan)},
		{Method: http.MethodPut, Path: "/v1/admin/plans/{id}", Function: FnAdmin, Auth: httpx.Admin, Handler: admin(a.replacePlan)},
		{Method: http.MethodDelete, Path: "/v1/admin/plans/{id}", Function: FnAdmin, Auth: httpx.Admin, Handler: admin(a.deletePlan)},

		{Method: http.MethodGet, Path: "/v1/admin/notification-templates", Function: FnAdmin, Auth: httpx.Admin, Handler: admin(n.listTemplates)},
		{Method: http.MethodGet, Path: "/v1/admin/notification-templates/{kind}", Function: FnAdmin, Auth: httpx.Admin, Handler: admin(n.getTemplate)},
		{Method: http.MethodPut, Path: "/v1/admin/notification-templates/{kind}", Function: FnAdmin, Auth: httpx.Admin, Handler: admin(n.saveTemplate)},
		{Method: http.MethodDelete, Path: "/v1/admin/notification-templates/{kind}", Function: FnAdmin, Auth: httpx.Admin, Handler: admin(n.resetTemplate)},
		{Method: http.MethodPost, Path: "/v1/admin/notification-templates/{kind}/preview", Function: FnAdmin, Auth: httpx.Admin, Handler: admin(n.preview)},
		{Method: http.MethodGet, Path: "/v1/admin/notifications", Function: FnAdmin, Auth: httpx.Admin, Handler: admin(n.list)},
		{Method: http.MethodPost, Path: "/v1/admin/notifications", Function: FnAdmin, Auth: httpx.Admin, Handler: admin(n.sendSample)},
		{Method: http.MethodGet, Path: "/v1/admin/notifications/{id}", Function: FnAdmin, Auth: httpx.Admin, Handler: admin(n.get)},
		{Method: http.MethodPost, Path: "/v1/admin/notifications/{id}/resend", Function: FnAdmin, Auth: httpx.Admin, Handler: admin(n.resend)},
	}
}

// Router returns a router with the routes of function (all when empty).
func Router(d Deps, function string) *httpx.Router {
	rt := httpx.NewRouter(d.Log)
	for _, r := range Routes(d) {
		if function == "" || r.Function == function {
			rt.Handle(r)
		}
	}
	return rt
}
