package httpapi_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ezscale/platform/shared/api/httpapi"
	"github.com/ezscale/platform/shared/api/httpx"
	"github.com/ezscale/platform/shared/domain/accounts"
	"github.com/ezscale/platform/shared/domain/audit"
	"github.com/ezscale/platform/shared/domain/billing"
	"github.com/ezscale/platform/shared/domain/catalog"
	"github.com/ezscale/platform/shared/domain/coupons"
	"github.com/ezscale/platform/shared/domain/gateway"
	"github.com/ezscale/platform/shared/domain/notify"
	"github.com/ezscale/platform/shared/domain/orders"
	"github.com/ezscale/platform/shared/domain/outbox"
	"github.com/ezscale/platform/shared/domain/provisioning"
	"github.com/ezscale/platform/shared/platform/apperr"
	"github.com/ezscale/platform/shared/platform/clock"
)

// Handler tests run the real routes, auth rules and error rendering over
// fakes of the ports: each fake embeds its interface (a method a test did
// not expect panics) and answers from fails, keyed by method name.

type fails map[string]error

func (f fails) of(method string) error { return f[method] }

var t0 = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

// Signed-in principals, by session cookie value.
var people = map[string]*accounts.User{
	"customer": {ID: "usr_customer", Email: "customer@example.com", Role: accounts.Customer},
	"support":  {ID: "usr_support", Email: "support@example.com", Role: accounts.Support},
	"admin":    {ID: "usr_admin", Email: "admin@example.com", Role: accounts.Admin},
}

type fakeSessions struct {
	httpapi.Sessions
	fails
}

// Impersonate holds the domain's rule the handler relies on: a reason.
func (f *fakeSessions) Impersonate(_ context.Context, _ *accounts.User, customerID, reason string, _ accounts.Meta) (*accounts.LoginResult, error) {
	if err := f.of("Impersonate"); err != nil {
		return nil, err
	}
	if strings.TrimSpace(reason) == "" {
		return nil, apperr.Validation(map[string]string{"reason": "is required"})
	}
	return &accounts.LoginResult{Token: "tok", Session: &accounts.Session{CSRF: "c", ImpersonatorID: "usr_admin"}, User: people["customer"]}, nil
}

func (f *fakeSessions) Authenticate(_ context.Context, token string) (*accounts.Session, *accounts.User, error) {
	u, ok := people[token]
	if !ok {
		return nil, nil, apperr.New(apperr.Unauthorized, "your session has ended; sign in again")
	}
	return &accounts.Session{UserID: u.ID, Role: u.Role, CSRF: "csrf-" + token, MFA: true}, u, nil
}

func (f *fakeSessions) Login(context.Context, string, string, accounts.Meta) (*accounts.LoginResult, error) {
	if err := f.of("Login"); err != nil {
		return nil, err
	}
	return &accounts.LoginResult{Token: "tok", Session: &accounts.Session{CSRF: "c", MFA: true}, User: people["customer"]}, nil
}

func (f *fakeSessions) Register(context.Context, accounts.RegisterInput, accounts.Meta) error {
	return f.of("Register")
}

func (f *fakeSessions) Reauthenticate(context.Context, string, string, string, accounts.Meta) error {
	return f.of("Reauthenticate")
}

type fakeProfiles struct {
	httpapi.Profiles
	fails
}

func (f *fakeProfiles) Me(_ context.Context, id string) (*accounts.User, error) {
	for _, u := range people {
		if u.ID == id {
			return u, f.of("Me")
		}
	}
	return nil, apperr.New(apperr.NotFound, "no user %s", id)
}

func (f *fakeProfiles) UpdateProfile(_ context.Context, id string, p accounts.Profile, _ accounts.Meta) (*accounts.User, error) {
	if err := f.of("UpdateProfile"); err != nil {
		return nil, err
	}
	u := *people["customer"]
	u.Profile = p
	return &u, nil
}

type fakeCustomers struct {
	httpapi.Customers
	fails
}

func (f *fakeCustomers) SetTaxExempt(_ context.Context, _ *accounts.User, id string, exempt bool, _ accounts.Meta) (*accounts.User, error) {
	if err := f.of("SetTaxExempt"); err != nil {
		return nil, err
	}
	return &accounts.User{ID: id, Role: accounts.Customer, TaxExempt: exempt}, nil
}

type fakeCatalog struct {
	httpapi.Catalog
	fails
}

var plan = catalog.Plan{ID: "pln_1", Slug: "vps-1", Name: "VPS 1", ServiceType: catalog.VPS, Status: catalog.Active, Version: 3,
	Prices: catalog.Prices{"USD": {catalog.Monthly: 500}}, GatewayPriceIDs: map[string]string{}, Features: catalog.Features{Locations: []string{}}}

func (f *fakeCatalog) Get(_ context.Context, id string) (*catalog.Plan, error) {
	if err := f.of("Get"); err != nil {
		return nil, err
	}
	if id != plan.ID {
		return nil, apperr.New(apperr.NotFound, "plan %s not found", id)
	}
	p := plan
	return &p, nil
}

func (f *fakeCatalog) Create(context.Context, catalog.PlanInput) (*catalog.Plan, error) {
	if err := f.of("Create"); err != nil {
		return nil, err
	}
	p := plan
	return &p, nil
}

func (f *fakeCatalog) Replace(context.Context, string, int64, catalog.PlanInput) (*catalog.Plan, error) {
	if err := f.of("Replace"); err != nil {
		return nil, err
	}
	p := plan
	return &p, nil
}

func (f *fakeCatalog) Delete(context.Context, string, int64) error { return f.of("Delete") }

type fakeCoupons struct {
	httpapi.Coupons
	fails
}

func (f *fakeCoupons) Create(_ context.Context, c coupons.Coupon) (*coupons.Coupon, error) {
	return &c, f.of("Create")
}

func (f *fakeCoupons) Check(context.Context, string, string, string, string, int64) (*coupons.Coupon, coupons.Quote, error) {
	return &coupons.Coupon{}, coupons.Quote{}, f.of("Check")
}

type fakeBilling struct {
	httpapi.Billing
	fails
}

func (f *fakeBilling) Get(_ context.Context, id string) (*billing.Invoice, error) {
	if err := f.of("Get"); err != nil {
		return nil, err
	}
	return &billing.Invoice{ID: id, CustomerID: "usr_customer", Status: billing.Open, Currency: "USD"}, nil
}

func (f *fakeBilling) CreateDraft(_ context.Context, in billing.DraftInput) (*billing.Invoice, error) {
	if err := f.of("CreateDraft"); err != nil {
		return nil, err
	}
	return &billing.Invoice{ID: "inv_1", CustomerID: in.CustomerID, Status: billing.Draft, Currency: in.Currency}, nil
}

func (f *fakeBilling) Finalize(_ context.Context, id string) (*billing.Invoice, error) {
	if err := f.of("Finalize"); err != nil {
		return nil, err
	}
	return &billing.Invoice{ID: id, Status: billing.Open}, nil
}

func (f *fakeBilling) PutTaxRate(_ context.Context, r billing.TaxRate) (billing.TaxRate, error) {
	return r, f.of("PutTaxRate")
}

// checkoutPort names the embedded interface apart from its Checkout method.
type checkoutPort = httpapi.Checkout

type fakeCheckout struct {
	checkoutPort
	fails
}

func (f *fakeCheckout) Checkout(_ context.Context, customer string, in orders.Input) (*orders.Order, error) {
	if err := f.of("Checkout"); err != nil {
		return nil, err
	}
	return &orders.Order{ID: "ord_1", CustomerID: customer, PlanID: in.PlanID, Status: orders.Pending, CheckoutURL: "https://pay.example/1"}, nil
}

func (f *fakeCheckout) Subscription(_ context.Context, _, id string) (*orders.Subscription, error) {
	if err := f.of("Subscription"); err != nil {
		return nil, err
	}
	return &orders.Subscription{ID: id}, nil
}

func (f *fakeCheckout) ChangePlan(_ context.Context, _, sub, planID string, _ time.Time) (*orders.PlanChange, error) {
	if err := f.of("ChangePlan"); err != nil {
		return nil, err
	}
	return &orders.PlanChange{ID: "chg_1", SubscriptionID: sub, ToPlanID: planID}, nil
}

type fakeOrderDesk struct {
	httpapi.OrderDesk
	fails
}

func (f *fakeOrderDesk) ListAll(context.Context, orders.Status, string) ([]orders.Order, string, error) {
	return nil, "", f.of("ListAll")
}

func (f *fakeOrderDesk) Cancel(_ context.Context, id, _ string) (*orders.Order, error) {
	if err := f.of("Cancel"); err != nil {
		return nil, err
	}
	return &orders.Order{ID: id, Status: orders.Cancelled}, nil
}

func (f *fakeOrderDesk) RefundPayment(_ context.Context, id string, req orders.RefundRequest, _ string) (*orders.Payment, error) {
	if err := f.of("RefundPayment"); err != nil {
		return nil, err
	}
	return &orders.Payment{ID: "pay_refund", RefundOf: id, Amount: -req.Amount, Currency: "USD"}, nil
}

type fakeProvisioning struct {
	httpapi.Provisioning
	fails
}

func (f *fakeProvisioning) Capabilities(*provisioning.Service) []provisioning.Capability {
	return []provisioning.Capability{provisioning.CapPower}
}

func (f *fakeProvisioning) Service(_ context.Context, _, id string) (*provisioning.Service, error) {
	if err := f.of("Service"); err != nil {
		return nil, err
	}
	return &provisioning.Service{ID: id, PlanID: "pln_1", Status: provisioning.StatusActive}, nil
}

func (f *fakeProvisioning) Suspend(_ context.Context, id, _, _ string) (*provisioning.Service, error) {
	if err := f.of("Suspend"); err != nil {
		return nil, err
	}
	return &provisioning.Service{ID: id, Status: provisioning.StatusSuspended}, nil
}

func (f *fakeProvisioning) Resize(_ context.Context, id, planID, _ string) (*provisioning.Service, error) {
	if err := f.of("Resize"); err != nil {
		return nil, err
	}
	return &provisioning.Service{ID: id, PlanID: planID, Status: provisioning.StatusActive}, nil
}

func (f *fakeProvisioning) RevealCredentials(context.Context, string, string, string) (*provisioning.Credentials, error) {
	return &provisioning.Credentials{Username: "root", Password: "secret"}, f.of("RevealCredentials")
}

type fakeNotify struct {
	httpapi.Notifications
	fails
}

func (f *fakeNotify) SendSample(_ context.Context, kind notify.Kind, to string) (*notify.Message, error) {
	if err := f.of("SendSample"); err != nil {
		return nil, err
	}
	return &notify.Message{ID: "ntf_1", Kind: kind, To: to}, nil
}

func (f *fakeNotify) Get(_ context.Context, id string) (*notify.Message, error) {
	if err := f.of("Get"); err != nil {
		return nil, err
	}
	return &notify.Message{ID: id}, nil
}

type fakeWebhooks struct{ fails }

func (f *fakeWebhooks) HandleWebhook(context.Context, string, gateway.Delivery) (*gateway.Event, error) {
	if err := f.of("HandleWebhook"); err != nil {
		return nil, err
	}
	return &gateway.Event{ID: "evt_1", Type: "invoice.paid"}, nil
}

type fakeAudit struct{}

func (fakeAudit) Record(context.Context, audit.Entry) error { return nil }
func (fakeAudit) List(context.Context, audit.Query) ([]audit.Entry, string, error) {
	return nil, "", nil
}

type fakeOutbox struct{}

func (fakeOutbox) ListOutbox(context.Context, string) ([]outbox.Item, error) { return nil, nil }

type allow struct{}

func (allow) Allow(context.Context, string, int, time.Duration) (bool, time.Duration, error) {
	return true, 0, nil
}

// fakes are one of each port, for a test to set failures on.
type fakes struct {
	sessions     *fakeSessions
	profiles     *fakeProfiles
	customers    *fakeCustomers
	catalog      *fakeCatalog
	coupons      *fakeCoupons
	billing      *fakeBilling
	checkout     *fakeCheckout
	orderDesk    *fakeOrderDesk
	provisioning *fakeProvisioning
	notify       *fakeNotify
	webhooks     *fakeWebhooks
	// noProvisioning leaves the panels unwired, as in functions without them.
	noProvisioning bool
	// openAPI is the API document's source (nil: not served, as in every
	// function but catalog).
	openAPI func() ([]byte, error)
}

func newFakes() *fakes {
	return &fakes{sessions: &fakeSessions{fails: fails{}}, profiles: &fakeProfiles{fails: fails{}}, customers: &fakeCustomers{fails: fails{}},
		catalog: &fakeCatalog{fails: fails{}}, coupons: &fakeCoupons{fails: fails{}}, billing: &fakeBilling{fails: fails{}},
		checkout: &fakeCheckout{fails: fails{}}, orderDesk: &fakeOrderDesk{fails: fails{}}, provisioning: &fakeProvisioning{fails: fails{}},
		notify: &fakeNotify{fails: fails{}}, webhooks: &fakeWebhooks{fails: fails{}},
		openAPI: func() ([]byte, error) { return []byte(`{"openapi":"3.1.0"}`), nil }}
}

func (f *fakes) handler() http.Handler {
	d := httpapi.Deps{Log: slog.New(slog.DiscardHandler), Clock: clock.NewFake(t0), Stage: "test",
		Sessions: f.sessions, Profiles: f.profiles, Customers: f.customers, Catalog: f.catalog, Coupons: f.coupons,
		Billing: f.billing, Checkout: f.checkout, OrderDesk: f.orderDesk, Provisioning: f.provisioning, Notify: f.notify,
		Webhooks: f.webhooks, Audit: fakeAudit{}, Outbox: fakeOutbox{}, Limiter: allow{}, OpenAPI: f.openAPI}
	if f.noProvisioning {
		d.Provisioning = nil
	}
	return httpapi.Router(d, "")
}

// call is one request and what must come back: the status and, for an
// error, its stable code and field errors.
type call struct {
	name         string
	method, path string
	as           string // a key of people; empty: signed out
	noCSRF       bool   // leave out the session's CSRF token
	body         string
	fail         func(*fakes)
	status       int
	code         apperr.Code
	fields       map[string]string
}

func run(t *testing.T, calls []call) {
	t.Helper()
	for _, c := range calls {
		t.Run(c.name, func(t *testing.T) {
			f := newFakes()
			if c.fail != nil {
				c.fail(f)
			}
			var body io.Reader
			if c.body != "" {
				body = strings.NewReader(c.body)
			}
			req := httptest.NewRequest(c.method, c.path, body)
			if c.body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			if c.as != "" {
				req.AddCookie(&http.Cookie{Name: httpapi.SessionCookie, Value: c.as})
				if !c.noCSRF {
					req.Header.Set(httpapi.CSRFHeader, "csrf-"+c.as)
				}
			}
			rec := httptest.NewRecorder()
			f.handler().ServeHTTP(rec, req)
			if rec.Code != c.status {
				t.Fatalf("%s %s = %d, want %d: %s", c.method, c.path, rec.Code, c.status, rec.Body)
			}
			if c.code == "" {
				return
			}
			var e httpx.ErrorBody
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil {
				t.Fatalf("error body %q: %v", rec.Body, err)
			}
			if e.Error.Code != c.code || e.Error.Message == "" {
				t.Errorf("error %+v, want code %s with a message", e.Error, c.code)
			}
			if len(c.fields) != len(e.Error.Fields) {
				t.Errorf("fields %v, want %v", e.Error.Fields, c.fields)
			}
			for k, v := range c.fields {
				if !strings.Contains(e.Error.Fields[k], v) {
					t.Errorf("field %s = %q, want it to say %q", k, e.Error.Fields[k], v)
				}
			}
		})
	}
}
