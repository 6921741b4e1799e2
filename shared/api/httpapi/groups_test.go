package httpapi_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/ezscale/platform/shared/domain/coupons"
	"github.com/ezscale/platform/shared/domain/gateway"
	"github.com/ezscale/platform/shared/domain/orders"
	"github.com/ezscale/platform/shared/platform/apperr"
)

const (
	G, P, U, D = http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete
)

func invalid(fields map[string]string) error { return apperr.Validation(fields) }

// Sign-up and sign-in (Sessions).
func TestAuthRoutes(t *testing.T) {
	run(t, []call{
		{name: "login", method: P, path: "/v1/auth/login", body: `{"email":"a@example.com","password":"pw"}`, status: 200},
		{name: "wrong password", method: P, path: "/v1/auth/login", body: `{"email":"a@example.com","password":"pw"}`,
			fail: func(f *fakes) {
				f.sessions.fails["Login"] = apperr.New(apperr.Unauthorized, "wrong e-mail or password")
			}, status: 401, code: apperr.Unauthorized},
		{name: "login locked", method: P, path: "/v1/auth/login", body: `{"email":"a@example.com","password":"pw"}`,
			fail: func(f *fakes) { f.sessions.fails["Login"] = apperr.New(apperr.RateLimited, "too many attempts") }, status: 429, code: apperr.RateLimited},
		{name: "login not JSON", method: P, path: "/v1/auth/login", body: `email=a`, status: 400, code: apperr.Invalid},
		{name: "login unknown field", method: P, path: "/v1/auth/login", body: `{"email":"a@example.com","pass":"pw"}`, status: 400, code: apperr.Invalid,
			fields: map[string]string{"pass": "not a known field"}},
		{name: "register", method: P, path: "/v1/auth/register", body: `{"email":"a@example.com","password":"a long pass phrase","name":"A"}`, status: 202},
		{name: "register weak password", method: P, path: "/v1/auth/register", body: `{"email":"a@example.com","password":"x","name":"A"}`,
			fail: func(f *fakes) {
				f.sessions.fails["Register"] = invalid(map[string]string{"password": "must be at least 12 characters"})
			},
			status: 400, code: apperr.Invalid, fields: map[string]string{"password": "at least 12"}},
		{name: "me signed out", method: G, path: "/v1/me", status: 401, code: apperr.Unauthorized},
		{name: "me with an ended session", method: G, path: "/v1/me", as: "nobody", status: 401, code: apperr.Unauthorized},
	})
}

// The customer's own account (Profiles).
func TestAccountRoutes(t *testing.T) {
	run(t, []call{
		{name: "me", method: G, path: "/v1/me", as: "customer", status: 200},
		{name: "profile", method: U, path: "/v1/me/profile", as: "customer", body: `{"name":"Zofia","country":"PL"}`, status: 200},
		{name: "profile with an unknown field", method: U, path: "/v1/me/profile", as: "customer", body: `{"name":"Zofia","address":{}}`,
			status: 400, code: apperr.Invalid, fields: map[string]string{"address": "not a known field"}},
		{name: "profile invalid", method: U, path: "/v1/me/profile", as: "customer", body: `{"name":""}`,
			fail:   func(f *fakes) { f.profiles.fails["UpdateProfile"] = invalid(map[string]string{"name": "is required"}) },
			status: 400, code: apperr.Invalid, fields: map[string]string{"name": "required"}},
		{name: "profile without CSRF token", method: U, path: "/v1/me/profile", as: "customer", noCSRF: true, body: `{"name":"Z"}`, status: 403, code: apperr.Forbidden},
	})
}

// The API document: served where it is wired, a clear miss elsewhere.
func TestOpenAPIRoute(t *testing.T) {
	run(t, []call{
		{name: "served", method: G, path: "/v1/openapi.json", status: 200},
		{name: "not wired", method: G, path: "/v1/openapi.json", fail: func(f *fakes) { f.openAPI = nil }, status: 404, code: apperr.NotFound},
		{name: "unreadable", method: G, path: "/v1/openapi.json", fail: func(f *fakes) {
			f.openAPI = func() ([]byte, error) { return nil, errors.New("yaml: line 3: mapping values are not allowed") }
		}, status: 500, code: apperr.Internal},
	})
}

// Plans: the public listing's neighbours and staff editing (Catalog).
func TestCatalogAdminRoutes(t *testing.T) {
	planBody := `{"slug":"vps-1","name":"VPS 1","service_type":"vps","prices":{"USD":{"monthly":500}},"status":"active"}`
	run(t, []call{
		{name: "get", method: G, path: "/v1/admin/plans/pln_1", as: "support", status: 200},
		{name: "get missing", method: G, path: "/v1/admin/plans/pln_x", as: "support", status: 404, code: apperr.NotFound},
		{name: "create", method: P, path: "/v1/admin/plans", as: "admin", body: planBody, status: 201},
		{name: "create as support", method: P, path: "/v1/admin/plans", as: "support", body: planBody, status: 403, code: apperr.Forbidden},
		{name: "create as customer", method: P, path: "/v1/admin/plans", as: "customer", body: planBody, status: 403, code: apperr.Forbidden},
		{name: "create invalid", method: P, path: "/v1/admin/plans", as: "admin", body: planBody,
			fail: func(f *fakes) {
				f.catalog.fails["Create"] = invalid(map[string]string{"prices.USD.monthly": "must be at least 0"})
			}, status: 400, code: apperr.Invalid, fields: map[string]string{"prices.USD.monthly": "at least 0"}},
		{name: "create slug taken", method: P, path: "/v1/admin/plans", as: "admin", body: planBody,
			fail: func(f *fakes) {
				f.catalog.fails["Create"] = &apperr.Error{Code: apperr.Conflict, Message: "a plan with this slug exists", Fields: map[string]string{"slug": "is already used"}}
			}, status: 409, code: apperr.Conflict, fields: map[string]string{"slug": "already used"}},
		{name: "replace without version", method: U, path: "/v1/admin/plans/pln_1", as: "admin", body: planBody,
			status: 400, code: apperr.Invalid, fields: map[string]string{"version": "required"}},
		{name: "replace stale", method: U, path: "/v1/admin/plans/pln_1", as: "admin", body: strings.Replace(planBody, "{", `{"version":2,`, 1),
			fail: func(f *fakes) {
				f.catalog.fails["Replace"] = apperr.New(apperr.Conflict, "the plan changed since you read it")
			},
			status: 409, code: apperr.Conflict},
		{name: "delete without version", method: D, path: "/v1/admin/plans/pln_1", as: "admin", status: 400, code: apperr.Invalid, fields: map[string]string{"version": "required"}},
		{name: "delete", method: D, path: "/v1/admin/plans/pln_1?version=3", as: "admin", status: 204},
		{name: "store down", method: G, path: "/v1/admin/plans/pln_1", as: "admin",
			fail: func(f *fakes) { f.catalog.fails["Get"] = apperr.New(apperr.Unavailable, "the store is unavailable") }, status: 503, code: apperr.Unavailable},
	})
}

// Coupons: staff create and customers check (Coupons, Catalog).
func TestCouponRoutes(t *testing.T) {
	run(t, []call{
		{name: "create", method: P, path: "/v1/admin/coupons", as: "admin", body: `{"code":"WELCOME","kind":"percent","percent_bp":1000}`, status: 201},
		{name: "create for a missing plan", method: P, path: "/v1/admin/coupons", as: "admin", body: `{"code":"WELCOME","kind":"percent","percent_bp":1000,"plan_ids":["pln_1","pln_x"]}`,
			status: 400, code: apperr.Invalid, fields: map[string]string{"plan_ids[1]": "no such plan"}},
		{name: "create invalid", method: P, path: "/v1/admin/coupons", as: "admin", body: `{"code":"x","kind":"percent"}`,
			fail: func(f *fakes) {
				f.coupons.fails["Create"] = invalid(map[string]string{"percent_bp": "must be between 1 and 10000"})
			},
			status: 400, code: apperr.Invalid, fields: map[string]string{"percent_bp": "between"}},
		{name: "create as support", method: P, path: "/v1/admin/coupons", as: "support", body: `{"code":"W"}`, status: 403, code: apperr.Forbidden},
		{name: "check", method: P, path: "/v1/me/coupons/check", as: "customer", body: `{"code":"W","plan_id":"pln_1","cycle":"monthly","currency":"USD"}`, status: 200},
		{name: "check a plan not on sale", method: P, path: "/v1/me/coupons/check", as: "customer", body: `{"code":"W","plan_id":"pln_x","cycle":"monthly","currency":"USD"}`,
			status: 400, code: apperr.Invalid, fields: map[string]string{"plan_id": "no such plan"}},
		{name: "check a cycle", method: P, path: "/v1/me/coupons/check", as: "customer", body: `{"code":"W","plan_id":"pln_1","cycle":"weekly","currency":"USD"}`,
			status: 400, code: apperr.Invalid, fields: map[string]string{"cycle": "monthly"}},
		{name: "check a currency", method: P, path: "/v1/me/coupons/check", as: "customer", body: `{"code":"W","plan_id":"pln_1","cycle":"monthly","currency":"EUR"}`,
			status: 400, code: apperr.Invalid, fields: map[string]string{"currency": "no EUR price"}},
		{name: "check used up", method: P, path: "/v1/me/coupons/check", as: "customer", body: `{"code":"W","plan_id":"pln_1","cycle":"monthly","currency":"USD"}`,
			fail: func(f *fakes) {
				f.coupons.fails["Check"] = invalid(map[string]string{"coupon": coupons.ErrExhausted.Error()})
			},
			status: 400, code: apperr.Invalid, fields: map[string]string{"coupon": ""}},
		{name: "check signed out", method: P, path: "/v1/me/coupons/check", body: `{"code":"W"}`, status: 401, code: apperr.Unauthorized},
	})
}

// Invoices and tax rates (Billing).
func TestInvoiceRoutes(t *testing.T) {
	run(t, []call{
		{name: "my invoice", method: G, path: "/v1/me/invoices/inv_1", as: "customer", status: 200},
		{name: "someone else's invoice", method: G, path: "/v1/me/invoices/inv_1", as: "customer",
			fail: func(f *fakes) { f.billing.fails["Get"] = apperr.New(apperr.NotFound, "invoice inv_1 not found") }, status: 404, code: apperr.NotFound},
		{name: "draft", method: P, path: "/v1/admin/invoices", as: "admin", body: `{"customer_id":"usr_customer","currency":"USD","lines":[{"description":"Setup","quantity":1,"unit_amount":1000}]}`, status: 201},
		{name: "draft invalid", method: P, path: "/v1/admin/invoices", as: "admin", body: `{"customer_id":"usr_customer","currency":"USD","lines":[]}`,
			fail: func(f *fakes) {
				f.billing.fails["CreateDraft"] = invalid(map[string]string{"lines": "needs at least one line"})
			},
			status: 400, code: apperr.Invalid, fields: map[string]string{"lines": "at least one"}},
		{name: "draft as support", method: P, path: "/v1/admin/invoices", as: "support", body: `{}`, status: 403, code: apperr.Forbidden},
		{name: "finalize twice", method: P, path: "/v1/admin/invoices/inv_1/finalize", as: "admin",
			fail: func(f *fakes) {
				f.billing.fails["Finalize"] = apperr.New(apperr.Conflict, "invoice inv_1 is already open")
			}, status: 409, code: apperr.Conflict},
		{name: "tax rate", method: U, path: "/v1/admin/tax-rates", as: "admin", body: `{"country":"PL","name":"VAT","rate_bp":2300}`, status: 200},
		{name: "tax rate invalid", method: U, path: "/v1/admin/tax-rates", as: "admin", body: `{"country":"XX","name":"VAT","rate_bp":2300}`,
			fail: func(f *fakes) {
				f.billing.fails["PutTaxRate"] = invalid(map[string]string{"country": "must be an ISO 3166-1 alpha-2 code"})
			},
			status: 400, code: apperr.Invalid, fields: map[string]string{"country": "ISO 3166"}},
	})
}

// Orders: customers check out, staff handle them (Checkout, OrderDesk).
func TestOrderRoutes(t *testing.T) {
	order := `{"plan_id":"pln_1","cycle":"monthly","currency":"USD"}`
	run(t, []call{
		{name: "checkout", method: P, path: "/v1/me/orders", as: "customer", body: order, status: 201},
		{name: "checkout sold out", method: P, path: "/v1/me/orders", as: "customer", body: order,
			fail: func(f *fakes) {
				f.checkout.fails["Checkout"] = &apperr.Error{Code: apperr.Conflict, Message: "sold out", Err: orders.ErrOutOfStock}
			},
			status: 409, code: apperr.Conflict},
		{name: "checkout invalid", method: P, path: "/v1/me/orders", as: "customer", body: order,
			fail: func(f *fakes) {
				f.checkout.fails["Checkout"] = invalid(map[string]string{"options.hostname": "must be a valid hostname"})
			},
			status: 400, code: apperr.Invalid, fields: map[string]string{"options.hostname": "hostname"}},
		{name: "checkout gateway down", method: P, path: "/v1/me/orders", as: "customer", body: order,
			fail: func(f *fakes) {
				f.checkout.fails["Checkout"] = apperr.New(apperr.Unavailable, "payments are unavailable")
			}, status: 503, code: apperr.Unavailable},
		{name: "checkout signed out", method: P, path: "/v1/me/orders", body: order, status: 401, code: apperr.Unauthorized},
		{name: "change plan without a preview", method: P, path: "/v1/me/subscriptions/sub_1/change", as: "customer", body: `{"plan_id":"pln_2"}`,
			status: 400, code: apperr.Invalid, fields: map[string]string{"proration_date": "required"}},
		{name: "change plan of someone else's subscription", method: P, path: "/v1/me/subscriptions/sub_1/change", as: "customer", body: `{"plan_id":"pln_2","proration_date":1}`,
			fail: func(f *fakes) {
				f.checkout.fails["Subscription"] = apperr.New(apperr.NotFound, "subscription sub_1 not found")
			}, status: 404, code: apperr.NotFound},
		{name: "change plan", method: P, path: "/v1/me/subscriptions/sub_1/change", as: "customer", body: `{"plan_id":"pln_2","proration_date":1764504000}`, status: 200},
		{name: "admin list by a bad status", method: G, path: "/v1/admin/orders?status=lost", as: "support", status: 400, code: apperr.Invalid, fields: map[string]string{"status": "must be"}},
		{name: "admin list", method: G, path: "/v1/admin/orders?status=pending", as: "support", status: 200},
		{name: "cancel with a long reason", method: P, path: "/v1/admin/orders/ord_1/cancel", as: "admin", body: `{"reason":"` + strings.Repeat("x", 501) + `"}`,
			status: 400, code: apperr.Invalid, fields: map[string]string{"reason": "at most 500"}},
		{name: "cancel as support", method: P, path: "/v1/admin/orders/ord_1/cancel", as: "support", body: `{}`, status: 403, code: apperr.Forbidden},
		{name: "cancel", method: P, path: "/v1/admin/orders/ord_1/cancel", as: "admin", body: `{"reason":"fraud"}`, status: 200},
		{name: "refund", method: P, path: "/v1/admin/payments/pay_1/refund", as: "admin", body: `{"amount":100,"reason":"goodwill"}`, status: 201},
		{name: "refund too much", method: P, path: "/v1/admin/payments/pay_1/refund", as: "admin", body: `{"amount":100000}`,
			fail: func(f *fakes) {
				f.orderDesk.fails["RefundPayment"] = invalid(map[string]string{"amount": "is more than the 500 left to refund"})
			}, status: 400, code: apperr.Invalid, fields: map[string]string{"amount": "left to refund"}},
		{name: "refund a body of null", method: P, path: "/v1/admin/payments/pay_1/refund", as: "admin", body: `null`, status: 400, code: apperr.Invalid},
	})
}

// Services on panels (Provisioning).
func TestServiceRoutes(t *testing.T) {
	run(t, []call{
		{name: "credentials without password", method: P, path: "/v1/me/services/svc_1/credentials", as: "customer", body: `{}`,
			status: 400, code: apperr.Invalid, fields: map[string]string{"password": "required"}},
		{name: "credentials with a wrong password", method: P, path: "/v1/me/services/svc_1/credentials", as: "customer", body: `{"password":"nope"}`,
			fail: func(f *fakes) { f.sessions.fails["Reauthenticate"] = apperr.New(apperr.Unauthorized, "wrong password") }, status: 401, code: apperr.Unauthorized},
		{name: "credentials of someone else's service", method: P, path: "/v1/me/services/svc_1/credentials", as: "customer", body: `{"password":"pw"}`,
			fail: func(f *fakes) {
				f.provisioning.fails["Service"] = apperr.New(apperr.NotFound, "service svc_1 not found")
			}, status: 404, code: apperr.NotFound},
		{name: "credentials", method: P, path: "/v1/me/services/svc_1/credentials", as: "customer", body: `{"password":"pw"}`, status: 200},
		{name: "suspend with a reason", method: P, path: "/v1/admin/services/svc_1/suspend", as: "support", body: `{"reason":"abuse report"}`, status: 200},
		{name: "suspend with a control character", method: P, path: "/v1/admin/services/svc_1/suspend", as: "support", body: `{"reason":"bad\u0000"}`,
			status: 400, code: apperr.Invalid, fields: map[string]string{"reason": ""}},
		{name: "suspend at a panel that is down", method: P, path: "/v1/admin/services/svc_1/suspend", as: "support",
			fail: func(f *fakes) {
				f.provisioning.fails["Suspend"] = apperr.New(apperr.Unavailable, "the panel is unreachable")
			}, status: 503, code: apperr.Unavailable},
		{name: "modify without a plan", method: P, path: "/v1/admin/services/svc_1/modify", as: "admin", body: `{}`,
			status: 400, code: apperr.Invalid, fields: map[string]string{"plan_id": "required"}},
		{name: "modify", method: P, path: "/v1/admin/services/svc_1/modify", as: "admin", body: `{"plan_id":"pln_2"}`, status: 200},
		{name: "modify as a customer", method: P, path: "/v1/admin/services/svc_1/modify", as: "customer", body: `{"plan_id":"pln_2"}`, status: 403, code: apperr.Forbidden},
	})
}

// Notification templates and the log (Notifications), customers (Customers).
func TestNotificationAndCustomerRoutes(t *testing.T) {
	run(t, []call{
		{name: "sample without a kind", method: P, path: "/v1/admin/notifications", as: "admin", body: `{"to":"a@example.com"}`,
			status: 400, code: apperr.Invalid, fields: map[string]string{"kind": "required"}},
		{name: "sample of an unknown kind", method: P, path: "/v1/admin/notifications", as: "admin", body: `{"kind":"nope"}`,
			fail: func(f *fakes) {
				f.notify.fails["SendSample"] = invalid(map[string]string{"kind": "is not a notification kind"})
			}, status: 400, code: apperr.Invalid,
			fields: map[string]string{"kind": "not a notification kind"}},
		{name: "sample", method: P, path: "/v1/admin/notifications", as: "admin", body: `{"kind":"welcome","to":"a@example.com"}`, status: 202},
		{name: "sample as support", method: P, path: "/v1/admin/notifications", as: "support", body: `{"kind":"welcome"}`, status: 403, code: apperr.Forbidden},
		{name: "message missing", method: G, path: "/v1/admin/notifications/ntf_x", as: "support",
			fail: func(f *fakes) { f.notify.fails["Get"] = apperr.New(apperr.NotFound, "no message ntf_x") }, status: 404, code: apperr.NotFound},
		{name: "tax exemption needs a value", method: U, path: "/v1/admin/customers/usr_customer/tax-exempt", as: "admin", body: `{}`,
			status: 400, code: apperr.Invalid, fields: map[string]string{"tax_exempt": "required"}},
		{name: "tax exemption", method: U, path: "/v1/admin/customers/usr_customer/tax-exempt", as: "admin", body: `{"tax_exempt":true}`, status: 200},
		{name: "act as needs a reason", method: P, path: "/v1/admin/customers/usr_customer/impersonate", as: "admin", body: `{}`,
			status: 400, code: apperr.Invalid, fields: map[string]string{"reason": "required"}},
		{name: "act as with an unknown field", method: P, path: "/v1/admin/customers/usr_customer/impersonate", as: "admin", body: `{"why":"x"}`,
			status: 400, code: apperr.Invalid, fields: map[string]string{"why": "not a known field"}},
		{name: "act as", method: P, path: "/v1/admin/customers/usr_customer/impersonate", as: "admin", body: `{"reason":"ticket 42"}`, status: 200},
		{name: "audit day", method: G, path: "/v1/admin/audit?day=yesterday", as: "admin", status: 400, code: apperr.Invalid, fields: map[string]string{"day": "a date"}},
		{name: "audit as support", method: G, path: "/v1/admin/audit", as: "support", status: 403, code: apperr.Forbidden},
	})
}

// Gateway deliveries (Webhooks) and what is not configured (passkeys,
// panels) answer as the gateway and the web apps expect.
func TestWebhookAndUnconfiguredRoutes(t *testing.T) {
	run(t, []call{
		{name: "webhook", method: P, path: "/v1/webhooks/stripe", body: `{"id":"evt_1"}`, status: 200},
		{name: "webhook forged", method: P, path: "/v1/webhooks/stripe", body: `{"id":"evt_1"}`,
			fail: func(f *fakes) { f.webhooks.fails["HandleWebhook"] = gateway.ErrSignature }, status: 400, code: apperr.Invalid},
		{name: "webhook while the store is down", method: P, path: "/v1/webhooks/stripe", body: `{"id":"evt_1"}`,
			fail: func(f *fakes) {
				f.webhooks.fails["HandleWebhook"] = apperr.New(apperr.Unavailable, "the store is unavailable")
			}, status: 503, code: apperr.Unavailable},
		{name: "webhook too large", method: P, path: "/v1/webhooks/stripe", body: `{"pad":"` + strings.Repeat("x", 1<<20) + `"}`, status: 413, code: apperr.PayloadTooLarge},
		{name: "passkeys not configured", method: P, path: "/v1/auth/passkey/options", body: `{}`, status: 503, code: apperr.Unavailable},
		{name: "panels not wired", method: G, path: "/v1/me/services", as: "customer",
			fail: func(f *fakes) { f.noProvisioning = true }, status: 503, code: apperr.Unavailable},
	})
}
