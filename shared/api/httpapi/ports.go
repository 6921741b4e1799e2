package httpapi

import (
	"context"
	"encoding/json"
	"time"

	"github.com/ezscale/platform/shared/adapters/cfaccess"
	"github.com/ezscale/platform/shared/domain/accounts"
	"github.com/ezscale/platform/shared/domain/billing"
	"github.com/ezscale/platform/shared/domain/catalog"
	"github.com/ezscale/platform/shared/domain/coupons"
	"github.com/ezscale/platform/shared/domain/gateway"
	"github.com/ezscale/platform/shared/domain/notify"
	"github.com/ezscale/platform/shared/domain/orders"
	"github.com/ezscale/platform/shared/domain/passkeys"
	"github.com/ezscale/platform/shared/domain/provisioning"
	"github.com/ezscale/platform/shared/domain/search"
)

// The routes depend on these, each what one group of routes asks of a
// domain service, so a handler can be tested with a fake of just that
// (see fakes_test.go). The domain services satisfy them; app wires them.

// Catalog is the plan catalog.
type Catalog interface {
	Create(ctx context.Context, in catalog.PlanInput) (*catalog.Plan, error)
	Delete(ctx context.Context, id string, version int64) error
	Get(ctx context.Context, id string) (*catalog.Plan, error)
	List(ctx context.Context, status catalog.Status, t catalog.ServiceType) ([]catalog.Plan, error)
	Public(ctx context.Context, q catalog.PublicQuery) (*catalog.PublicListing, error)
	Replace(ctx context.Context, id string, version int64, in catalog.PlanInput) (*catalog.Plan, error)
}

// Notifications is notification templates and the delivery log.
type Notifications interface {
	Get(ctx context.Context, id string) (*notify.Message, error)
	List(ctx context.Context, status notify.Status, cursor string) ([]notify.Message, string, error)
	Preview(ctx context.Context, kind notify.Kind, t *notify.Template) (notify.Rendered, error)
	Resend(ctx context.Context, id string) (*notify.Message, error)
	ResetTemplate(ctx context.Context, kind notify.Kind) (*notify.TemplateView, error)
	SaveTemplate(ctx context.Context, kind notify.Kind, t notify.Template, actor string) (*notify.TemplateView, error)
	SendSample(ctx context.Context, kind notify.Kind, to string) (*notify.Message, error)
	TemplateOf(ctx context.Context, kind notify.Kind) (*notify.TemplateView, error)
	Templates(ctx context.Context) ([]notify.TemplateView, error)
}

// Billing is invoices and tax rates.
type Billing interface {
	CreateDraft(ctx context.Context, in billing.DraftInput) (*billing.Invoice, error)
	DeleteTaxRate(ctx context.Context, country, region string) error
	Finalize(ctx context.Context, id string) (*billing.Invoice, error)
	Get(ctx context.Context, id string) (*billing.Invoice, error)
	List(ctx context.Context, customerID, cursor string) ([]billing.Invoice, string, error)
	MarkPaid(ctx context.Context, id, method, reference string) (*billing.Invoice, error)
	PDF(ctx context.Context, inv *billing.Invoice) ([]byte, error)
	PutTaxRate(ctx context.Context, r billing.TaxRate) (billing.TaxRate, error)
	TaxRates(ctx context.Context) ([]billing.TaxRate, error)
}

// Coupons is discount codes.
type Coupons interface {
	Check(ctx context.Context, code, customerID, planID, currency string, amount int64) (*coupons.Coupon, coupons.Quote, error)
	Create(ctx context.Context, c coupons.Coupon) (*coupons.Coupon, error)
	Get(ctx context.Context, code string) (*coupons.Coupon, error)
	List(ctx context.Context) ([]coupons.Coupon, error)
	Update(ctx context.Context, code string, ch coupons.Changes) (*coupons.Coupon, error)
}

// Passkeys is WebAuthn ceremonies and stored passkeys.
type Passkeys interface {
	BeginLogin(ctx context.Context) (*passkeys.Ceremony, error)
	BeginRegistration(ctx context.Context, userID string) (*passkeys.Ceremony, error)
	Delete(ctx context.Context, userID, id string, m accounts.Meta) error
	FinishLogin(ctx context.Context, ceremonyID string, credential json.RawMessage, m accounts.Meta) (*accounts.LoginResult, error)
	FinishRegistration(ctx context.Context, userID, ceremonyID, name string, credential json.RawMessage, m accounts.Meta) (*passkeys.Passkey, error)
	List(ctx context.Context, userID string) ([]passkeys.Passkey, error)
}

// Sessions is signing in and out, and what a session or API token is.
type Sessions interface {
	Authenticate(ctx context.Context, token string) (*accounts.Session, *accounts.User, error)
	AuthenticateToken(ctx context.Context, secret string) (*accounts.APIToken, *accounts.User, error)
	EndImpersonation(ctx context.Context, sess *accounts.Session, m accounts.Meta) error
	ForgotPassword(ctx context.Context, email string, m accounts.Meta) error
	Impersonate(ctx context.Context, actor *accounts.User, customerID, reason string, m accounts.Meta) (*accounts.LoginResult, error)
	Login(ctx context.Context, email, password string, m accounts.Meta) (*accounts.LoginResult, error)
	Logout(ctx context.Context, sess *accounts.Session, m accounts.Meta) error
	LogoutEverywhere(ctx context.Context, userID, keep string, m accounts.Meta) (int, error)
	Reauthenticate(ctx context.Context, userID, password, purpose string, m accounts.Meta) error
	Register(ctx context.Context, in accounts.RegisterInput, m accounts.Meta) error
	ResendVerification(ctx context.Context, email string, m accounts.Meta) error
	ResetPassword(ctx context.Context, token, password string, m accounts.Meta) error
	SecondFactor(ctx context.Context, sess *accounts.Session, code string, m accounts.Meta) (*accounts.LoginResult, error)
	VerifyEmail(ctx context.Context, token string, m accounts.Meta) (*accounts.User, error)
}

// Profiles is a signed-in user's own account: profile, password, e-mail,
// sessions, second factor and API tokens.
type Profiles interface {
	APITokens(ctx context.Context, userID string) ([]accounts.APIToken, error)
	ChangePassword(ctx context.Context, sess *accounts.Session, current, next string, m accounts.Meta) (*accounts.LoginResult, error)
	ConfirmTOTP(ctx context.Context, sess *accounts.Session, code string, m accounts.Meta) ([]string, *accounts.LoginResult, error)
	CreateAPIToken(ctx context.Context, userID string, in accounts.CreateTokenInput, m accounts.Meta) (*accounts.APIToken, string, error)
	DisableTOTP(ctx context.Context, sess *accounts.Session, password string, m accounts.Meta) error
	Me(ctx context.Context, userID string) (*accounts.User, error)
	RequestEmailChange(ctx context.Context, userID, newEmail, password string, m accounts.Meta) error
	RevokeAPIToken(ctx context.Context, userID, id string, m accounts.Meta) error
	RevokeSession(ctx context.Context, userID, idHash string, m accounts.Meta) error
	Sessions(ctx context.Context, userID string) ([]accounts.Session, error)
	StartTOTP(ctx context.Context, userID string) (*accounts.Enrolment, error)
	UpdateProfile(ctx context.Context, userID string, p accounts.Profile, m accounts.Meta) (*accounts.User, error)
}

// Customers is customer accounts as staff see them.
type Customers interface {
	AddNote(ctx context.Context, actor *accounts.User, customerID, body string, m accounts.Meta) (*accounts.Note, error)
	DeleteNote(ctx context.Context, actor *accounts.User, customerID, id string, m accounts.Meta) error
	ListUsers(ctx context.Context, cursor string) (*accounts.UserPage, error)
	Me(ctx context.Context, userID string) (*accounts.User, error)
	Notes(ctx context.Context, customerID string) ([]accounts.Note, error)
	SetTaxExempt(ctx context.Context, actor *accounts.User, userID string, exempt bool, m accounts.Meta) (*accounts.User, error)
	SetRole(ctx context.Context, actor *accounts.User, userID string, role accounts.Role, m accounts.Meta) (*accounts.User, error)
}

// Checkout is a customer's orders, subscriptions, payments and cards.
type Checkout interface {
	AbandonChange(ctx context.Context, customerID, subID string) (*orders.Subscription, error)
	CancelSubscription(ctx context.Context, customerID, id string, req orders.CancelRequest, by string) (*orders.Subscription, error)
	ChangePlan(ctx context.Context, customerID, subID, planID string, at time.Time) (*orders.PlanChange, error)
	Checkout(ctx context.Context, customerID string, in orders.Input) (*orders.Order, error)
	Get(ctx context.Context, id string) (*orders.Order, error)
	List(ctx context.Context, customerID, cursor string) ([]orders.Order, string, error)
	Gateways() []orders.GatewayOffer
	PaymentMethods(ctx context.Context, customerID string) ([]orders.PaymentMethod, error)
	Payments(ctx context.Context, customerID string) ([]orders.Payment, error)
	PayNow(ctx context.Context, customerID, id, paymentMethod string) (string, error)
	PayInvoice(ctx context.Context, customerID, invoiceID, paymentMethod string) error
	PreviewChange(ctx context.Context, customerID, subID, planID string) (*orders.PlanChange, error)
	Quote(ctx context.Context, customerID string, in orders.Input) (*orders.Order, error)
	RemovePaymentMethod(ctx context.Context, customerID, id string) error
	ResumeSubscription(ctx context.Context, customerID, id string) (*orders.Subscription, error)
	SetDefaultPaymentMethod(ctx context.Context, customerID, id string) error
	SetupPaymentMethod(ctx context.Context, customerID string) (string, error)
	Subscription(ctx context.Context, customerID, id string) (*orders.Subscription, error)
	Subscriptions(ctx context.Context, customerID string) ([]orders.Subscription, error)
}

// OrderDesk is orders, payments and cancellations as staff handle them.
type OrderDesk interface {
	Approve(ctx context.Context, id, staffID string) (*orders.Order, error)
	Cancel(ctx context.Context, id, reason string) (*orders.Order, error)
	CancelSubscription(ctx context.Context, customerID, id string, req orders.CancelRequest, by string) (*orders.Subscription, error)
	Cancellations(ctx context.Context) ([]orders.Survey, error)
	Get(ctx context.Context, id string) (*orders.Order, error)
	List(ctx context.Context, customerID, cursor string) ([]orders.Order, string, error)
	ListAll(ctx context.Context, status orders.Status, cursor string) ([]orders.Order, string, error)
	Payments(ctx context.Context, customerID string) ([]orders.Payment, error)
	Subscriptions(ctx context.Context, customerID string) ([]orders.Subscription, error)
	RefundPayment(ctx context.Context, paymentID string, req orders.RefundRequest, staffID string) (*orders.Payment, error)
	CancelAndRefund(ctx context.Context, orderID, staffID string) (*orders.Undone, error)
}

// Webhooks is gateways' event deliveries.
type Webhooks interface {
	HandleWebhook(ctx context.Context, gatewayName string, d gateway.Delivery) (*gateway.Event, error)
}

// Provisioning is services on control panels.
type Provisioning interface {
	AssignHardware(ctx context.Context, svcID, machine, actor string) (*provisioning.Service, error)
	Candidates(ctx context.Context, svcID string) ([]provisioning.Hardware, error)
	Capabilities(s *provisioning.Service) []provisioning.Capability
	NoHardware(ctx context.Context, svcID, reason, actor string) (*provisioning.Service, error)
	History(ctx context.Context, id string) ([]provisioning.LogEntry, error)
	LoginURL(ctx context.Context, customerID, id string) (string, error)
	Power(ctx context.Context, customerID, id string, a provisioning.Power, actor string) error
	Retry(ctx context.Context, id, actor string) (*provisioning.Service, error)
	RetryOnOtherHardware(ctx context.Context, id, actor string) (*provisioning.Service, error)
	Reinstall(ctx context.Context, customerID, id, os, actor string) (*provisioning.Service, error)
	Resize(ctx context.Context, id, planID, actor string) (*provisioning.Service, error)
	RevealCredentials(ctx context.Context, customerID, id, actor string) (*provisioning.Credentials, error)
	Service(ctx context.Context, customerID, id string) (*provisioning.Service, error)
	Services(ctx context.Context, customerID string, archived bool) ([]provisioning.Service, error)
	SetAddresses(ctx context.Context, id string, ips []string, actor string) (*provisioning.Service, error)
	SetArchived(ctx context.Context, id string, archived bool) (*provisioning.Service, error)
	Suspend(ctx context.Context, id, actor, reason string) (*provisioning.Service, error)
	SuspendFor(ctx context.Context, id, actor, reason, code string) (*provisioning.Service, error)
	Terminate(ctx context.Context, id, actor, reason string) (*provisioning.Service, error)
	Unsuspend(ctx context.Context, id, actor string) (*provisioning.Service, error)
	Usage(ctx context.Context, customerID, id string) (*provisioning.Usage, error)
}

// Search finds customers, services, invoices and orders for staff.
type Search interface {
	Search(ctx context.Context, q string, allowed []search.Kind, limit int) ([]search.Result, error)
}

// AccessVerifier checks a Cloudflare Access token (staff requests).
type AccessVerifier interface {
	Verify(ctx context.Context, token string) (*cfaccess.Identity, error)
}
