// Package app wires the platform: store → domain services → HTTP handlers.
// Every Lambda entry point, the local stack and the end-to-end tests build
// the platform through here, so they all run the same graph.
package app

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/ezscale/platform/shared/domain/bandwidth"
	"log/slog"
	"net/http"
	"time"

	"github.com/ezscale/platform/shared/adapters/cfaccess"
	"github.com/ezscale/platform/shared/adapters/discord"
	"github.com/ezscale/platform/shared/adapters/dynamo"
	"github.com/ezscale/platform/shared/api/httpapi"
	"github.com/ezscale/platform/shared/api/httpx"
	"github.com/ezscale/platform/shared/domain/accounts"
	"github.com/ezscale/platform/shared/domain/billing"
	"github.com/ezscale/platform/shared/domain/catalog"
	"github.com/ezscale/platform/shared/domain/coupons"
	"github.com/ezscale/platform/shared/domain/dunning"
	"github.com/ezscale/platform/shared/domain/gateway"
	"github.com/ezscale/platform/shared/domain/helpdesk"
	"github.com/ezscale/platform/shared/domain/notify"
	"github.com/ezscale/platform/shared/domain/orders"
	"github.com/ezscale/platform/shared/domain/outbox"
	"github.com/ezscale/platform/shared/domain/passkeys"
	"github.com/ezscale/platform/shared/domain/provisioning"
	"github.com/ezscale/platform/shared/domain/search"
	"github.com/ezscale/platform/shared/platform/apperr"
	"github.com/ezscale/platform/shared/platform/clock"
	"github.com/ezscale/platform/shared/platform/config"
	"github.com/ezscale/platform/shared/platform/envelope"
	"github.com/ezscale/platform/shared/platform/passwords"
)

// Adapters are the outside systems the platform talks to. Each entry point
// chooses them: AWS services in Lambda (only those the function uses),
// embedded ones under make dev. What is left out refuses with a reason
// when something needs it.
type Adapters struct {
	DynamoDB dynamo.API
	Keys     envelope.KeyWrapper
	Queue    notify.Queue
	Blobs    notify.Blobs
	Mailer   notify.Mailer
	// HTTP is used for Discord webhooks; it must carry a timeout.
	HTTP *http.Client
	// Panels are the panel instances and the routes to them (zero: no
	// panel is called here and nothing is known to be deliverable).
	Panels Panels
	// Gateways take payments, the first for new orders unless the customer
	// chooses another (none: payments are not configured here).
	Gateways []gateway.Gateway
	// PDF renders invoices (nil: this function renders none).
	PDF billing.Renderer
	// Passkeys is the WebAuthn relying party (nil: no passkey routes here).
	Passkeys passkeys.Protocol
}

// Platform owns the wired services.
type Platform struct {
	Config       config.Config
	Log          *slog.Logger
	Clock        clock.Clock
	Table        *dynamo.Table
	Sealer       *envelope.Sealer
	Catalog      *catalog.Service
	Notify       *notify.Service
	NotifyWorker *notify.Worker
	Accounts     *accounts.Service
	Audit        *dynamo.Audit
	// CFAccess verifies Cloudflare Access tokens on staff routes when configured.
	CFAccess *cfaccess.Verifier
	Limiter  *dynamo.Limiter
	// Passkeys is nil when the relying party cannot be configured.
	Passkeys *passkeys.Service
	Billing  *billing.Service
	Coupons  *coupons.Service
	Orders   *orders.Service
	// Outbox turns recorded domain events into their effects.
	Outbox *outbox.Dispatcher
	// OrderStore is also the outbox's store.
	OrderStore   *dynamo.Orders
	Services     *dynamo.Services
	Provisioning *provisioning.Engine
	// PanelConcurrency bounds the panel worker's calls per panel.
	PanelConcurrency map[string]int
	// ReinstallCheckEvery is how often a reinstall is read at its panel
	// until it is done (a delayed outbox item each time).
	ReinstallCheckEvery time.Duration
	// Search is the admin console's search.
	Search *search.Finder
	// Helpdesk is the support desk.
	Helpdesk *helpdesk.Service
	// Bandwidth is metering (its Source is set only where flows are read).
	Bandwidth *bandwidth.Meter
	// Dunning is the dunning policy staff set; DunningTasks the dunning
	// workflow's task states.
	Dunning       *dunning.Service
	DunningTasks  *dunning.Runner
	dunningClaims dunning.Claims
	dunningHolds  dunning.Holds
	// effects performs orders' outbox items (StartDunningWith hooks it).
	effects *orders.Effects
	// OpenAPI returns the API document for GET /v1/openapi.json. Only what
	// serves that route sets it (the catalog function, the local stack), so
	// other functions do not link or initialise the YAML parser.
	OpenAPI func() ([]byte, error)
}

// New wires the platform.
func New(cfg config.Config, ad Adapters, log *slog.Logger, clk clock.Clock) *Platform {
	ad = withDefaults(ad)
	tbl := dynamo.New(ad.DynamoDB, cfg.TableName, clk)
	p := &Platform{
		ReinstallCheckEvery: time.Minute,
		PanelConcurrency:    ad.Panels.Limits,
		Config:              cfg,
		Log:                 log,
		Clock:               clk,
		Table:               tbl,
		Sealer:              envelope.New(ad.Keys),
		Catalog:             catalog.NewService(dynamo.NewPlans(tbl), clk, cfg.LowStockThreshold),
	}
	notes := dynamo.NewNotifications(tbl)
	p.Notify = notify.NewService(notify.Config{
		Sealer: p.Sealer, Store: notes, Queue: ad.Queue, Blobs: ad.Blobs, Clock: clk, Log: log, SupportEmail: cfg.SupportEmail,
		Renderer: notify.NewRenderer(notify.Brand{Company: cfg.CompanyName, SiteURL: cfg.SiteURL, AccountURL: cfg.AccountURL, SupportEmail: cfg.SupportEmail}),
	})
	routes := discord.Routes{Default: cfg.DiscordWebhookURL, ByKind: map[notify.Kind]string{}}
	for k, v := range cfg.DiscordWebhooks {
		routes.ByKind[notify.Kind(k)] = v
	}
	p.NotifyWorker = notify.NewWorker(notify.WorkerConfig{
		Sealer: p.Sealer, Store: notes, Blobs: ad.Blobs, Mailer: ad.Mailer, Alerts: discord.New(ad.HTTP, routes, clk),
		From: cfg.MailFrom, Clock: clk, Log: log, OnFailed: p.alertFailedDelivery,
		MaxAttempts: cfg.NotifyMaxAttempts, Backoff: cfg.NotifyRetryBase,
	})
	p.Audit = dynamo.NewAudit(tbl)
	if cfg.CFAccessTeamDomain != "" {
		p.CFAccess = cfaccess.New(cfg.CFAccessTeamDomain, cfg.CFAccessAudience, ad.HTTP, clk)
	}
	acctStore := dynamo.NewAccounts(tbl)
	p.Limiter = dynamo.NewLimiter(tbl)
	p.Accounts = accounts.NewService(accounts.Config{
		Store: acctStore, Tokens: acctStore, Notes: acctStore, Limiter: p.Limiter, Throttle: p.Limiter, Passkeys: dynamo.NewPasskeys(tbl), Audit: p.Audit, Notify: p.Notify, Sealer: p.Sealer,
		Clock: clk, Log: log, AccountURL: cfg.AccountURL, Issuer: cfg.CompanyName,
		Params: passwords.Params{Memory: cfg.Argon2MemoryKiB, Time: cfg.Argon2Time, Threads: passwords.Default.Threads, KeyLen: passwords.Default.KeyLen, SaltLen: passwords.Default.SaltLen},
	})
	p.Passkeys = p.newPasskeys(tbl, ad.Passkeys)
	p.Coupons = coupons.NewService(dynamo.NewCoupons(tbl), clk)
	p.Billing = billing.NewService(billing.Config{
		Store: dynamo.NewInvoices(tbl), TaxRates: dynamo.NewTaxRates(tbl), SellerCountry: cfg.CompanyCountry, Customers: customers{p.Accounts}, Blobs: ad.Blobs, Notify: p.Notify, Clock: clk, Log: log,
		PDF:    ad.PDF,
		Prefix: cfg.InvoicePrefix, AccountURL: cfg.AccountURL,
	})
	p.OrderStore = dynamo.NewOrders(tbl)
	p.Outbox = outbox.NewDispatcher(p.OrderStore, clk, log)
	p.Outbox.OnDead = p.alertDeadOutbox
	p.Orders = orders.NewService(orders.Config{
		Store: p.OrderStore, Plans: p.Catalog, Coupons: p.Coupons, Customers: customers{p.Accounts}, TaxRates: dynamo.NewTaxRates(tbl),
		Gateways: gateway.NewRegistry(ad.Gateways...), SellerCountry: cfg.CompanyCountry, Clock: clk, Log: log, AccountURL: cfg.AccountURL,
		CheckoutTTL: cfg.CheckoutTTL, Kick: p.Outbox.Kick, HighValue: cfg.HighValueOrder, Delivery: ad.Panels.delivery(),
		Services: serviceStates{tbl},
	})
	if ad.Panels.Routes != nil {
		p.Catalog.SetDelivery(ad.Panels.Routes)
	}
	p.effects = &orders.Effects{Orders: p.Orders, Invoices: p.Billing, Notify: p.Notify, Customers: customers{p.Accounts}, HighValue: cfg.HighValueOrder}
	p.effects.Register(p.Outbox)
	p.Services = dynamo.NewServices(tbl)
	// Without panels (a function that does not call them) services can be
	// read; panel actions answer that no panel is configured.
	p.Search = p.newSearch(tbl)
	p.Helpdesk = p.newHelpdesk(tbl, ad.Blobs, acctStore)
	p.Bandwidth = p.newBandwidth(tbl)
	settings := dynamo.NewSettings(tbl)
	p.Dunning, p.dunningClaims, p.dunningHolds = &dunning.Service{Store: settings, Clock: clk}, settings, settings
	p.Provisioning = &provisioning.Engine{Store: p.Services, Orders: p.Orders, Plans: p.Catalog, Customers: customers{p.Accounts}, Panels: ad.Panels.Registry,
		Sealer: p.Sealer, Notify: p.Notify, Clock: clk, Log: log, AccountURL: cfg.AccountURL, Kick: p.Outbox.Kick}
	p.DunningTasks = p.newDunning()
	p.Outbox.Handle(orders.KindResize, func(ctx context.Context, it outbox.Item) error {
		var in struct {
			ToPlanID string `json:"to_plan_id"`
		}
		if err := json.Unmarshal(it.Payload, &in); err != nil {
			return fmt.Errorf("resize item %s: %w", it.ID, err)
		}
		return p.Provisioning.PlanChanged(ctx, it.Subject, in.ToPlanID)
	})
	p.handleSubscriptionEnds(cfg.SubscriptionEndGrace)
	p.handleReinstalls()
	return p
}

// StartProvisioningWith makes paid orders, and staff retries of failed
// services, start provisioning through start (a Step Functions
// StartExecution, or the local runner) under the execution name given,
// derived from the order (and the retried version), so a repeated item
// starts nothing.
func (p *Platform) StartProvisioningWith(start func(ctx context.Context, orderID, name string) error) {
	p.Outbox.Handle(orders.KindProvision, func(ctx context.Context, it outbox.Item) error {
		return start(ctx, it.Subject, "provision-"+it.Subject)
	})
	p.Outbox.Handle(provisioning.KindRetry, func(ctx context.Context, it outbox.Item) error {
		var in provisioning.RetryRequest
		if err := json.Unmarshal(it.Payload, &in); err != nil || in.Execution == "" {
			return fmt.Errorf("retry item %s: no execution name (%v)", it.ID, err)
		}
		return start(ctx, it.Subject, in.Execution)
	})
}

// country prefers the billing address's country, then the profile's.
func country(address, profile string) string {
	if address != "" {
		return address
	}
	return profile
}

// customers tells billing who a customer is, from their account.
type customers struct{ accounts *accounts.Service }

func (c customers) BillTo(ctx context.Context, id string) (billing.BillTo, error) {
	u, err := c.accounts.Me(ctx, id)
	if err != nil {
		return billing.BillTo{}, err
	}
	a := u.Profile.Address
	return billing.BillTo{Name: u.Profile.Name, Company: u.Profile.Company, Email: u.Email, VATID: u.Profile.VATID,
		Line1: a.Line1, Line2: a.Line2, City: a.City, Region: a.Region, PostalCode: a.PostalCode, Country: country(a.Country, u.Profile.Country), TaxExempt: u.TaxExempt}, nil
}

// Owner tells provisioning who a customer is at a panel.
func (c customers) Owner(ctx context.Context, id string) (provisioning.Owner, error) {
	u, err := c.accounts.Me(ctx, id)
	if err != nil {
		return provisioning.Owner{}, err
	}
	name := u.Profile.Name
	if name == "" {
		name = u.Email
	}
	return provisioning.Owner{CustomerID: id, Email: u.Email, Name: name}, nil
}

// newPasskeys offers passkeys where a relying party is wired (the
// accounts function and the local stack).
func (p *Platform) newPasskeys(tbl *dynamo.Table, rp passkeys.Protocol) *passkeys.Service {
	if rp == nil {
		return nil
	}
	return passkeys.New(rp, dynamo.NewPasskeys(tbl), p.Accounts, p.Clock)
}

// alertFailedDelivery tells admins on Discord that a customer e-mail was
// not delivered. Alerts about failed alerts would loop, so those are only
// logged (and visible in the delivery log).
func (p *Platform) alertFailedDelivery(ctx context.Context, m *notify.Message) {
	if m.Channel != notify.Email {
		return
	}
	_, err := p.Notify.Send(ctx, notify.Request{
		Kind: notify.AlertSystemError, Key: "delivery-failed:" + m.ID,
		Data: map[string]any{"component": "notifications", "error": fmt.Sprintf("%s to %s %s: %s", m.Kind, m.To, m.Status, m.LastError),
			"reference": m.ID, "url": p.Config.AdminURL + "/notifications"},
	})
	if err != nil {
		p.Log.ErrorContext(ctx, "could not alert admins about a failed delivery", "id", m.ID, "err", err.Error())
	}
}

// alertDeadOutbox tells admins a domain event gave up after its retries
// (an invoice not issued, an e-mail not queued); it stays listed on the
// order for staff to look at.
func (p *Platform) alertDeadOutbox(ctx context.Context, it outbox.Item, err error) {
	_, serr := p.Notify.Send(ctx, notify.Request{Kind: notify.AlertSystemError, Key: "outbox-dead:" + it.ID,
		Data: map[string]any{"component": "outbox " + it.Kind, "error": err.Error(), "reference": it.Subject, "url": p.Config.AdminURL + "/orders"}})
	if serr != nil {
		p.Log.ErrorContext(ctx, "could not alert admins about a failed domain event", "item", it.ID, "err", serr.Error())
	}
}

// Deps returns the HTTP handlers' dependencies.
func (p *Platform) Deps() httpapi.Deps {
	d := httpapi.Deps{
		Log:          p.Log,
		Clock:        p.Clock,
		Stage:        p.Config.Stage,
		Catalog:      p.Catalog,
		Notify:       p.Notify,
		Sessions:     p.Accounts,
		Profiles:     p.Accounts,
		Customers:    p.Accounts,
		Audit:        p.Audit,
		Ping:         p.ping,
		CookieSecure: p.Config.CookieSecure,
		ViewerPlace:  p.Config.ViewerPlaceHeaders,
		Origins:      p.Config.WebOrigins,
		Limiter:      p.Limiter,
		Billing:      p.Billing,
		Coupons:      p.Coupons,
		Checkout:     p.Orders,
		OrderDesk:    p.Orders,
		Webhooks:     p.Orders,
		Outbox:       p.OrderStore,
		OpenAPI:      p.OpenAPI,
		Dunning:      p.Dunning,
		PastDue:      p,
	}
	// Optional parts stay nil interfaces when absent (a nil pointer in an
	// interface would look configured).
	if p.Provisioning != nil {
		d.Provisioning = p.Provisioning
	}
	if p.Passkeys != nil {
		d.Passkeys = p.Passkeys
	}
	if p.CFAccess != nil {
		d.CFAccess = p.CFAccess
	}
	if p.Search != nil {
		d.Search = p.Search
	}
	if p.Helpdesk != nil {
		d.Helpdesk = p.Helpdesk
	}
	if p.Bandwidth != nil {
		d.Bandwidth = p.Bandwidth
	}
	return d
}

// Router returns the routes of one function ("" for all of them).
func (p *Platform) Router(function string) *httpx.Router {
	return httpapi.Router(p.Deps(), function)
}

// Handler returns the routes of one function wrapped in the standard
// middleware ("" serves every function, as the local stack does).
func (p *Platform) Handler(function string) http.Handler {
	rt := p.Router(function)
	return httpx.Wrap(rt, httpx.Options{
		Log: p.Log, Origins: p.Config.WebOrigins, MaxBodyBytes: p.Config.MaxBodyBytes, RouteMaxBody: rt.MaxBody,
	})
}

// ping reads a key that never exists: NotFound proves the table answers.
// ping reads a key and runs a query over real items (the plans index the
// pricing page reads), so a store that answers reads but fails queries —
// as the embedded emulator did after a bad rollback — turns health red.
func (p *Platform) ping(ctx context.Context) error {
	err := p.Table.Get(ctx, dynamo.Key{PK: "HEALTH", SK: "HEALTH"}, &dynamo.Item{})
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return err
	}
	if _, err := dynamo.QueryPage[map[string]any](ctx, p.Table, dynamo.Query{Index: dynamo.GSI2, PK: "PLANS", Limit: 5}); err != nil {
		return fmt.Errorf("health query: %w", err)
	}
	return nil
}

// DefaultHTTPClient is the client for outside HTTP APIs: bounded time.
func DefaultHTTPClient() *http.Client { return &http.Client{Timeout: 15 * time.Second} }

// serviceStates tells orders the state of an order's service.
type serviceStates struct{ tbl *dynamo.Table }

func (s serviceStates) ServiceStatus(ctx context.Context, orderID string) (string, error) {
	svc, err := dynamo.NewServices(s.tbl).GetService(ctx, provisioning.ServiceID(orderID))
	if apperr.Is(err, apperr.NotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return string(svc.Status), nil
}
