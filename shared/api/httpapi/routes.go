// Package httpapi holds the API's handlers and its route table: which
// function serves each route and who may call it. The router, the OpenAPI
// document and template.yaml are all checked against Routes.
package httpapi

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/ezscale/platform/shared/api/httpx"
	"github.com/ezscale/platform/shared/domain/accounts"
	"github.com/ezscale/platform/shared/domain/audit"
	"github.com/ezscale/platform/shared/platform/clock"
)

// Function names; each is one Lambda function in template.yaml.
const (
	FnCatalog  = "catalog"
	FnAccounts = "accounts"
	// FnPasskeys serves the WebAuthn ceremonies: the only function linking
	// go-webauthn, whose initialisation (attestation formats, TPM, CBOR,
	// JOSE) was 0.4 ms of every accounts cold start.
	FnPasskeys = "passkeys"
	FnAdmin    = "admin"
	FnWebhooks = "webhooks"
)

// UploadBodyBytes caps the requests that carry ticket attachments: what a
// Lambda request payload holds (6 MB), base64 included.
const UploadBodyBytes = 6_000_000

// Functions lists every HTTP function.
var Functions = []string{FnCatalog, FnAccounts, FnPasskeys, FnAdmin, FnWebhooks}

// AuditLog records and lists audit entries.
type AuditLog interface {
	audit.Recorder
	audit.Reader
}

// Deps is what the handlers need.
type Deps struct {
	Log       *slog.Logger
	Clock     clock.Clock
	Stage     string
	Catalog   Catalog
	Notify    Notifications
	Sessions  Sessions
	Profiles  Profiles
	Customers Customers
	Billing   Billing
	Coupons   Coupons
	Checkout  Checkout
	OrderDesk OrderDesk
	Webhooks  Webhooks
	// Provisioning runs services (nil where no panels are wired).
	Provisioning Provisioning
	// Outbox shows staff what an order's domain events did.
	Outbox OutboxReader
	Audit  AuditLog
	// OpenAPI returns the API document (nil: not served by this function).
	OpenAPI func() ([]byte, error)
	// Ping checks the store is reachable.
	Ping func(ctx context.Context) error
	// ViewerPlace trusts CloudFront's viewer location headers (see config).
	ViewerPlace bool
	// CookieSecure marks session cookies Secure (off only for plain-http tests).
	CookieSecure bool
	// Origins are the web apps' origins (WEB_ORIGINS); with the API's own
	// origin, the only ones whose pages may send public writes.
	Origins []string
	// CFAccess, when set, must vouch for every staff request (Cloudflare Access).
	CFAccess AccessVerifier
	// Limiter bounds API writes per address and requests per API token.
	Limiter accounts.Limiter
	// Passkeys runs WebAuthn ceremonies (nil: passkeys not configured).
	Passkeys Passkeys
	// Search is the admin console's search (nil where not served).
	Search Search
	// Dunning is the dunning policy (nil where not served).
	Dunning Dunning
	// PastDue is staff's view of unpaid renewals (nil where not served).
	PastDue PastDueDesk
	// Helpdesk is the support desk.
	Helpdesk Helpdesk
	// Bandwidth is metered traffic (nil: not wired).
	Bandwidth Bandwidth
}

// Routes returns every route of the API.
func Routes(d Deps) []httpx.Route {
	c := catalogHandlers{d, &encodedListings{}}
	a := adminHandlers{d}
	n := notifyHandlers{d}
	u := accountHandlers{d}
	pk := passkeyHandlers{d}
	inv := invoiceHandlers{d}
	cp := couponHandlers{d}
	or := orderHandlers{d}
	sv := serviceHandlers{d}
	dn := dunningHandlers{d}
	tk := ticketHandlers{d}
	pub := func(m, p string, h httpx.HandlerFunc) httpx.Route {
		return httpx.Route{Method: m, Path: p, Function: FnAccounts, Auth: httpx.Public, Handler: h}
	}
	user := func(m, p string, h httpx.HandlerFunc) httpx.Route {
		return httpx.Route{Method: m, Path: p, Function: FnAccounts, Auth: httpx.User, Handler: h}
	}
	// sensitive routes change how the account signs in: never while impersonating.
	sensitive := func(m, p string, h httpx.HandlerFunc) httpx.Route {
		r := user(m, p, h)
		r.Sensitive = true
		return r
	}
	servicesScope := func(m, p string, scope accounts.Scope, h httpx.HandlerFunc) httpx.Route {
		r := user(m, p, h)
		r.Scope = string(scope)
		return r
	}
	billingScope := func(m, p string, h httpx.HandlerFunc) httpx.Route {
		r := user(m, p, h)
		r.Scope = string(accounts.ScopeBilling)
		return r
	}
	passkey := func(r httpx.Route) httpx.Route {
		r.Function = FnPasskeys
		return r
	}
	staff := func(m, p string, perm accounts.Permission, h httpx.HandlerFunc) httpx.Route {
		return httpx.Route{Method: m, Path: p, Function: FnAdmin, Auth: httpx.Staff, Permission: string(perm), Handler: h}
	}
	// uploads take ticket attachments (base64 in JSON): their body cap is
	// what one Lambda request can carry, above the server's usual one.
	uploads := func(r httpx.Route) httpx.Route {
		r.MaxBody = UploadBodyBytes
		return r
	}
	G, P, U, D := http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete
	return []httpx.Route{
		{Method: G, Path: "/v1/healthz", Function: FnCatalog, Auth: httpx.Public, Handler: c.health},
		{Method: G, Path: "/v1/openapi.json", Function: FnCatalog, Auth: httpx.Public, Handler: c.openAPI},
		{Method: G, Path: "/v1/plans", Function: FnCatalog, Auth: httpx.Public, Handler: c.listPlans},

		pub(P, "/v1/auth/register", u.register),
		pub(P, "/v1/auth/verify-email", u.verifyEmail),
		pub(P, "/v1/auth/verify-email/resend", u.resendVerification),
		pub(P, "/v1/auth/login", u.login),
		{Method: P, Path: "/v1/auth/second-factor", Function: FnAccounts, Auth: httpx.Pending, Handler: u.secondFactor},
		passkey(pub(P, "/v1/auth/passkey/options", pk.beginLogin)),
		passkey(pub(P, "/v1/auth/passkey", pk.finishLogin)),
		pub(P, "/v1/auth/password/forgot", u.forgotPassword),
		pub(P, "/v1/auth/password/reset", u.resetPassword),
		user(P, "/v1/auth/logout", u.logout),
		user(P, "/v1/auth/impersonation/end", u.endImpersonation),
		sensitive(P, "/v1/auth/logout-everywhere", u.logoutEverywhere),
		{Method: G, Path: "/v1/me", Function: FnAccounts, Auth: httpx.User, Scope: string(accounts.ScopeRead), Handler: u.me},
		user(U, "/v1/me/profile", u.updateProfile),
		sensitive(P, "/v1/me/password", u.changePassword),
		sensitive(P, "/v1/me/email", u.changeEmail),
		user(G, "/v1/me/sessions", u.sessions),
		sensitive(D, "/v1/me/sessions/{id}", u.revokeSession),
		sensitive(P, "/v1/me/totp", u.startTOTP),
		sensitive(P, "/v1/me/totp/confirm", u.confirmTOTP),
		sensitive(P, "/v1/me/totp/disable", u.disableTOTP),
		passkey(sensitive(P, "/v1/me/passkeys/options", pk.beginRegistration)),
		passkey(user(G, "/v1/me/passkeys", pk.list)),
		passkey(sensitive(P, "/v1/me/passkeys", pk.finishRegistration)),
		passkey(sensitive(D, "/v1/me/passkeys/{id}", pk.delete)),
		billingScope(G, "/v1/me/invoices", inv.myList),
		billingScope(P, "/v1/me/coupons/check", cp.check),
		billingScope(P, "/v1/me/checkout/quote", or.quote),
		billingScope(P, "/v1/me/orders", or.checkout),
		billingScope(G, "/v1/me/orders", or.myList),
		billingScope(G, "/v1/me/orders/{id}", or.myGet),
		billingScope(G, "/v1/me/subscriptions", or.mySubscriptions),
		billingScope(G, "/v1/me/payments", or.myPayments),
		servicesScope(G, "/v1/me/services", accounts.ScopeRead, sv.myList),
		servicesScope(G, "/v1/me/services/{id}", accounts.ScopeRead, sv.myGet),
		servicesScope(G, "/v1/me/services/{id}/usage", accounts.ScopeRead, sv.myUsage),
		servicesScope(G, "/v1/me/services/{id}/bandwidth", accounts.ScopeRead, sv.myBandwidth),
		servicesScope(P, "/v1/me/services/{id}/power", accounts.ScopeServicesControl, sv.myPower),
		servicesScope(P, "/v1/me/services/{id}/login", accounts.ScopeServicesControl, sv.myLogin),
		// Credentials need the password again, in a session (no API token, no impersonation).
		sensitive(P, "/v1/me/services/{id}/credentials", sv.myCredentials),
		// A reinstall wipes the server: the password again, in a session.
		sensitive(P, "/v1/me/services/{id}/reinstall", sv.myReinstall),
		billingScope(G, "/v1/me/payment-methods", or.myPaymentMethods),
		billingScope(P, "/v1/me/payment-methods/setup", or.setupPaymentMethod),
		billingScope(P, "/v1/me/payment-methods/{id}/default", or.defaultPaymentMethod),
		billingScope(D, "/v1/me/payment-methods/{id}", or.removePaymentMethod),
		billingScope(P, "/v1/me/subscriptions/{id}/change/preview", or.previewChange),
		billingScope(P, "/v1/me/subscriptions/{id}/change", or.changePlan),
		billingScope(D, "/v1/me/subscriptions/{id}/change", or.abandonChange),
		billingScope(P, "/v1/me/subscriptions/{id}/cancel", or.myCancel),
		billingScope(P, "/v1/me/subscriptions/{id}/resume", or.myResume),
		billingScope(P, "/v1/me/subscriptions/{id}/pay", or.myPayNow),
		billingScope(P, "/v1/me/invoices/{id}/pay", or.myPayInvoice),
		{Method: P, Path: "/v1/webhooks/stripe", Function: FnWebhooks, Auth: httpx.Public, Handler: or.webhook("stripe", "the Stripe-Signature header")},
		{Method: P, Path: "/v1/webhooks/paypal", Function: FnWebhooks, Auth: httpx.Public, Handler: or.webhook("paypal", "the PayPal-Transmission-Sig signature")},
		billingScope(G, "/v1/me/invoices/{id}", inv.myGet),
		billingScope(G, "/v1/me/invoices/{id}/pdf", inv.myPDF),
		servicesScope(G, "/v1/me/tickets", accounts.ScopeRead, tk.list(customerActor)),
		uploads(user(P, "/v1/me/tickets", tk.open(customerActor))),
		servicesScope(G, "/v1/me/ticket-departments", accounts.ScopeRead, tk.departments),
		servicesScope(G, "/v1/me/tickets/{id}", accounts.ScopeRead, tk.get(customerActor)),
		uploads(user(P, "/v1/me/tickets/{id}/replies", tk.reply(customerActor))),
		user(P, "/v1/me/tickets/{id}/status", tk.myStatus),
		servicesScope(G, "/v1/me/tickets/{id}/attachments/{file}", accounts.ScopeRead, tk.file(customerActor)),
		user(G, "/v1/me/tokens", u.listTokens),
		sensitive(P, "/v1/me/tokens", u.createToken),
		sensitive(D, "/v1/me/tokens/{id}", u.revokeToken),

		staff(G, "/v1/admin/plans", accounts.CatalogRead, a.listPlans),
		staff(P, "/v1/admin/plans", accounts.CatalogWrite, a.createPlan),
		staff(G, "/v1/admin/plans/{id}", accounts.CatalogRead, a.getPlan),
		staff(U, "/v1/admin/plans/{id}", accounts.CatalogWrite, a.replacePlan),
		staff(D, "/v1/admin/plans/{id}", accounts.CatalogWrite, a.deletePlan),

		staff(G, "/v1/admin/notification-templates", accounts.NotificationsRead, n.listTemplates),
		staff(G, "/v1/admin/notification-templates/{kind}", accounts.NotificationsRead, n.getTemplate),
		staff(U, "/v1/admin/notification-templates/{kind}", accounts.NotificationsManage, n.saveTemplate),
		staff(D, "/v1/admin/notification-templates/{kind}", accounts.NotificationsManage, n.resetTemplate),
		staff(P, "/v1/admin/notification-templates/{kind}/preview", accounts.NotificationsRead, n.preview),
		staff(G, "/v1/admin/notifications", accounts.NotificationsRead, n.list),
		staff(P, "/v1/admin/notifications", accounts.NotificationsManage, n.sendSample),
		staff(G, "/v1/admin/notifications/{id}", accounts.NotificationsRead, n.get),
		staff(P, "/v1/admin/notifications/{id}/resend", accounts.NotificationsManage, n.resend),

		staff(G, "/v1/admin/audit", accounts.AuditRead, a.auditLog),
		staff(G, "/v1/admin/invoices", accounts.BillingRead, inv.adminList),
		staff(P, "/v1/admin/invoices", accounts.BillingManage, inv.adminCreate),
		staff(G, "/v1/admin/invoices/{id}", accounts.BillingRead, inv.adminGet),
		staff(P, "/v1/admin/invoices/{id}/finalize", accounts.BillingManage, inv.adminFinalize),
		staff(P, "/v1/admin/invoices/{id}/mark-paid", accounts.BillingManage, inv.adminMarkPaid),
		staff(G, "/v1/admin/invoices/{id}/pdf", accounts.BillingRead, inv.adminPDF),
		staff(G, "/v1/admin/settings/dunning", accounts.BillingRead, dn.get),
		staff(U, "/v1/admin/settings/dunning", accounts.BillingManage, dn.put),
		staff(G, "/v1/admin/dunning", accounts.BillingRead, dn.list),
		staff(P, "/v1/admin/dunning/{invoice}/pause", accounts.BillingManage, dn.pause(false)),
		staff(P, "/v1/admin/dunning/{invoice}/resume", accounts.BillingManage, dn.pause(true)),
		staff(G, "/v1/admin/customers/{id}/dunning-hold", accounts.BillingRead, dn.getHold),
		staff(U, "/v1/admin/customers/{id}/dunning-hold", accounts.BillingManage, dn.putHold),
		staff(D, "/v1/admin/customers/{id}/dunning-hold", accounts.BillingManage, dn.deleteHold),
		staff(G, "/v1/admin/tax-rates", accounts.BillingRead, inv.listTaxRates),
		staff(U, "/v1/admin/tax-rates", accounts.BillingManage, inv.putTaxRate),
		staff(D, "/v1/admin/tax-rates/{country}", accounts.BillingManage, inv.deleteTaxRate),
		staff(G, "/v1/admin/coupons", accounts.BillingRead, cp.list),
		staff(P, "/v1/admin/coupons", accounts.BillingManage, cp.create),
		staff(http.MethodPatch, "/v1/admin/coupons/{code}", accounts.BillingManage, cp.update),
		staff(G, "/v1/admin/orders", accounts.BillingRead, or.adminList),
		staff(G, "/v1/admin/orders/{id}", accounts.BillingRead, or.adminGet),
		staff(P, "/v1/admin/orders/{id}/approve", accounts.BillingManage, or.approve),
		staff(P, "/v1/admin/orders/{id}/cancel", accounts.BillingManage, or.cancel),
		staff(G, "/v1/admin/payments", accounts.BillingRead, or.adminPayments),
		staff(P, "/v1/admin/payments/{id}/refund", accounts.BillingManage, or.refund),
		staff(P, "/v1/admin/subscriptions/{id}/cancel", accounts.BillingManage, or.adminCancelSubscription),
		staff(G, "/v1/admin/cancellations", accounts.BillingRead, or.cancellations),
		staff(G, "/v1/admin/services", accounts.ServicesRead, sv.adminList),
		staff(G, "/v1/admin/services/{id}", accounts.ServicesRead, sv.adminGet),
		staff(G, "/v1/admin/bandwidth", accounts.ServicesRead, sv.adminBandwidthOverview),
		staff(G, "/v1/admin/services/{id}/bandwidth", accounts.ServicesRead, sv.adminBandwidth),
		staff(U, "/v1/admin/services/{id}/ips", accounts.ServicesManage, sv.adminSetIPs),
		staff(P, "/v1/admin/services/{id}/bandwidth/decision", accounts.ServicesManage, sv.adminBandwidthDecision),
		staff(P, "/v1/admin/services/{id}/suspend", accounts.ServicesManage, sv.adminAction("suspend", suspendService)),
		staff(P, "/v1/admin/services/{id}/unsuspend", accounts.ServicesManage, sv.adminAction("unsuspend", unsuspendService)),
		staff(P, "/v1/admin/services/{id}/terminate", accounts.ServicesManage, sv.adminAction("terminate", terminateService)),
		staff(P, "/v1/admin/services/{id}/archive", accounts.ServicesManage, sv.adminAction("archive", archiveService)),
		staff(P, "/v1/admin/services/{id}/restore", accounts.ServicesManage, sv.adminAction("restore", restoreService)),
		staff(P, "/v1/admin/services/{id}/retry", accounts.ServicesManage, sv.adminAction("retry", retryService)),
		staff(P, "/v1/admin/services/{id}/retry-hardware", accounts.ServicesManage, sv.adminAction("retry_hardware", retryOnOtherHardware)),
		staff(P, "/v1/admin/services/{id}/modify", accounts.ServicesManage, sv.adminModify),
		staff(P, "/v1/admin/services/{id}/reinstall", accounts.ServicesManage, sv.adminReinstall),
		staff(G, "/v1/admin/services/{id}/hardware", accounts.ServicesRead, sv.adminHardware),
		staff(P, "/v1/admin/services/{id}/hardware", accounts.ServicesManage, sv.adminAssignHardware),
		staff(P, "/v1/admin/services/{id}/cancel-refund", accounts.BillingManage, sv.adminCancelRefund),
		staff(G, "/v1/admin/tickets", accounts.TicketsRead, tk.list(actor)),
		uploads(staff(P, "/v1/admin/tickets", accounts.TicketsManage, tk.open(actor))),
		staff(G, "/v1/admin/tickets/{id}", accounts.TicketsRead, tk.get(actor)),
		staff(http.MethodPatch, "/v1/admin/tickets/{id}", accounts.TicketsManage, tk.change),
		uploads(staff(P, "/v1/admin/tickets/{id}/replies", accounts.TicketsManage, tk.reply(actor))),
		staff(P, "/v1/admin/tickets/{id}/merge", accounts.TicketsManage, tk.merge),
		staff(G, "/v1/admin/tickets/{id}/attachments/{file}", accounts.TicketsRead, tk.file(actor)),
		staff(G, "/v1/admin/helpdesk/settings", accounts.TicketsRead, tk.settings),
		staff(U, "/v1/admin/helpdesk/settings", accounts.HelpdeskManage, tk.saveSettings),
		staff(G, "/v1/admin/search", accounts.CustomersRead, a.search),
		staff(G, "/v1/admin/customers", accounts.CustomersRead, a.listCustomers),
		staff(G, "/v1/admin/customers/{id}/subscriptions", accounts.BillingRead, or.customerSubscriptions),
		staff(G, "/v1/admin/customers/{id}/notes", accounts.CustomersRead, a.listNotes),
		staff(P, "/v1/admin/customers/{id}/notes", accounts.CustomersRead, a.addNote),
		staff(D, "/v1/admin/customers/{id}/notes/{note}", accounts.CustomersRead, a.deleteNote),
		staff(G, "/v1/admin/customers/{id}", accounts.CustomersRead, a.getCustomer),
		staff(U, "/v1/admin/customers/{id}/tax-exempt", accounts.CustomersManage, a.setTaxExempt),
		staff(P, "/v1/admin/customers/{id}/impersonate", accounts.CustomersImpersonate, u.impersonate),
		staff(U, "/v1/admin/customers/{id}/role", accounts.StaffManage, a.setRole),
	}
}

// Router returns a router with the routes of function (all when empty),
// each behind its auth rule.
func Router(d Deps, function string) *httpx.Router {
	rt := httpx.NewRouter(d.Log)
	for _, r := range Routes(d) {
		if function == "" || r.Function == function {
			r.Handler = d.guard(r)
			rt.Handle(r)
		}
	}
	return rt
}
