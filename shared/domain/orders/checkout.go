package orders

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/ezscale/platform/shared/domain/billing"
	"github.com/ezscale/platform/shared/domain/catalog"
	"github.com/ezscale/platform/shared/domain/coupons"
	"github.com/ezscale/platform/shared/domain/gateway"
	"github.com/ezscale/platform/shared/domain/outbox"
	"github.com/ezscale/platform/shared/platform/apperr"
	"github.com/ezscale/platform/shared/platform/clock"
	"github.com/ezscale/platform/shared/platform/ids"
)

// Plans finds plans.
type Plans interface {
	Get(ctx context.Context, id string) (*catalog.Plan, error)
}

// Coupons quotes coupons.
type Coupons interface {
	Check(ctx context.Context, code, customerID, planID, currency string, amount int64) (*coupons.Coupon, coupons.Quote, error)
}

// Customers tells who a customer is (for tax and the gateway).
type Customers interface {
	BillTo(ctx context.Context, customerID string) (billing.BillTo, error)
}

// TaxRates lists the admin-managed rates.
type TaxRates interface {
	ListTaxRates(ctx context.Context) ([]billing.TaxRate, error)
}

// Service is checkout and the webhook-driven life of orders.
type Service struct {
	store     Store
	plans     Plans
	coupons   Coupons
	customers Customers
	rates     TaxRates
	gateways  *gateway.Registry
	seller    string
	clock     clock.Clock
	log       *slog.Logger
	account   string
	ttl       time.Duration
	kick      func()
	alerts    map[string]int64
	delivery  catalog.Delivery
	services  Services
}

// Config wires a Service.
type Config struct {
	Store     Store
	Plans     Plans
	Coupons   Coupons
	Customers Customers
	TaxRates  TaxRates
	// Gateways are the payment gateways, by name; new orders go to the
	// first unless the customer chooses another.
	Gateways *gateway.Registry
	// SellerCountry decides EU reverse charge.
	SellerCountry string
	Clock         clock.Clock
	Log           *slog.Logger
	AccountURL    string // success and cancel pages live here
	// CheckoutTTL is how long an unpaid checkout holds stock (Stripe
	// allows 30 minutes to 24 hours).
	CheckoutTTL time.Duration
	// Kick is called after a change that wrote outbox items.
	Kick func()
	// HighValue maps currency to the order total at which the admin alert
	// is the high-value one.
	HighValue map[string]int64
	// Delivery refuses plans nothing here can deliver (required: nothing
	// is sold without it).
	Delivery catalog.Delivery
	// Services refuses plan changes of services that are not running
	// (nil: not asked).
	Services Services
}

// NewService returns a Service.
func NewService(c Config) *Service {
	if c.CheckoutTTL == 0 {
		c.CheckoutTTL = time.Hour
	}
	if c.Kick == nil {
		c.Kick = func() {}
	}
	return &Service{store: c.Store, plans: c.Plans, coupons: c.Coupons, customers: c.Customers, rates: c.TaxRates, gateways: c.Gateways,
		seller: c.SellerCountry, clock: c.Clock, log: c.Log, account: strings.TrimRight(c.AccountURL, "/"), ttl: c.CheckoutTTL, kick: c.Kick, alerts: c.HighValue, delivery: c.Delivery, services: c.Services}
}

// Input is what the customer chooses at checkout.
type Input struct {
	PlanID   string        `json:"plan_id"`
	Cycle    catalog.Cycle `json:"cycle"`
	Currency string        `json:"currency"`
	Options  Options       `json:"options"`
	Coupon   string        `json:"coupon"`
	// PaymentMethodID pays with a saved card at once instead of the
	// gateway's hosted page.
	PaymentMethodID string `json:"payment_method_id"`
	// Gateway is who the customer pays through ("": the first configured).
	Gateway string `json:"gateway"`
}

// Quote prices in for the customer without writing anything: the same
// checks and amounts as Checkout.
func (s *Service) Quote(ctx context.Context, customerID string, in Input) (*Order, error) {
	o, _, _, err := s.prepare(ctx, customerID, in)
	return o, err
}

// prepare validates in and prices the order it would make.
func (s *Service) prepare(ctx context.Context, customerID string, in Input) (*Order, *coupons.Coupon, billing.BillTo, error) {
	var bill billing.BillTo
	f := apperr.FieldErrors{}
	p, err := s.plans.Get(ctx, in.PlanID)
	if apperr.Is(err, apperr.NotFound) || (err == nil && p.Status != catalog.Active) {
		return nil, nil, bill, apperr.Validation(map[string]string{"plan_id": "no such plan on sale"})
	}
	if err != nil {
		return nil, nil, bill, err
	}
	// Before anything else: no options can make an undeliverable plan sold.
	if why := s.undeliverable(p, ""); why != "" {
		return nil, nil, bill, apperr.New(apperr.Conflict, "this plan cannot be ordered: %s", why)
	}
	in.Currency = strings.ToUpper(strings.TrimSpace(in.Currency))
	g := s.gateways.Default()
	if in.Gateway != "" {
		if g, err = s.gw(in.Gateway); err != nil {
			f.Add("gateway", "must be one of: "+strings.Join(s.gateways.Names(), ", "))
			g = s.gateways.Default()
		}
	}
	if in.PaymentMethodID != "" && !g.Capabilities().SavedCards {
		f.Add("payment_method_id", "paying through "+gatewayName(g.Name())+" uses its own page, not a saved card")
	}
	if !slices.Contains(catalog.Cycles, in.Cycle) {
		f.Add("cycle", "must be monthly, quarterly, semi_annual or annual")
	}
	price, ok := p.Prices[in.Currency][in.Cycle]
	if !ok && f["cycle"] == "" {
		f.Add("currency", fmt.Sprintf("this plan has no %s price for the %s cycle", in.Currency, in.Cycle))
	}
	acct, err := s.store.Account(ctx, customerID)
	if err != nil {
		return nil, nil, bill, err
	}
	if acct.Currency != "" && acct.Currency != in.Currency && f["currency"] == "" {
		f.Add("currency", "your account is billed in "+acct.Currency+"; it was fixed by your first purchase")
	}
	opts := in.Options.validate(p, f)
	if f["options.location"] == "" && opts.Location != "" {
		if why := s.undeliverable(p, opts.Location); why != "" {
			f.Add("options.location", why)
		}
	}
	var claimVersion int64
	if p.ServiceType == catalog.Hosting && f["options.domain"] == "" {
		v, taken, err := s.domainHolder(ctx, opts.Domain)
		if err != nil {
			return nil, nil, bill, err
		}
		if taken {
			f.Add("options.domain", opts.Domain+" is already hosted here (or being ordered); choose another domain, or contact us if it is yours")
		}
		claimVersion = v + 1
	}
	if err := f.Err(); err != nil {
		return nil, nil, bill, err
	}
	if p.Stock != nil && *p.Stock <= 0 {
		return nil, nil, bill, apperr.Wrap(ErrOutOfStock, apperr.Conflict, "this plan is out of stock")
	}
	now := s.clock.Now()
	o := &Order{ID: ids.New("ord"), CustomerID: customerID, PlanID: p.ID, PlanName: p.Name, ServiceType: p.ServiceType, Cycle: in.Cycle, Currency: in.Currency,
		Options: opts, Status: Pending, Price: price, RequiresApproval: p.RequiresApproval, StockReserved: p.Stock != nil,
		Gateway: g.Name(), CreatedAt: now, ExpiresAt: now.Add(s.ttl), UpdatedAt: now, Version: 1}
	if claimVersion > 0 {
		o.Claim = &DomainClaim{Domain: opts.Domain, OrderID: o.ID, CustomerID: customerID, Version: claimVersion}
	}
	var terms *coupons.Coupon
	if code := strings.TrimSpace(in.Coupon); code != "" {
		c, q, err := s.coupons.Check(ctx, code, customerID, p.ID, in.Currency, price)
		if err != nil {
			return nil, nil, bill, err
		}
		terms, o.CouponCode, o.Discount, o.TrialDays = c, c.Code, q.Discount, q.TrialDays
	}
	bill, err = s.customers.BillTo(ctx, customerID)
	if err != nil {
		return nil, nil, bill, err
	}
	rates, err := s.rates.ListTaxRates(ctx)
	if err != nil {
		return nil, nil, bill, err
	}
	d := billing.DecideTax(bill, s.seller, rates)
	o.TaxName, o.TaxRateBP, o.TaxNote = d.Name, d.RateBP, d.Note
	o.price()
	return o, terms, bill, nil
}

// Checkout makes a pending order — reserving stock and the coupon use in
// the same transaction — and opens the gateway's hosted checkout for it.
// When the gateway cannot open it the order is cancelled and what it held
// is released, so nothing is charged and nothing stays reserved.
func (s *Service) Checkout(ctx context.Context, customerID string, in Input) (*Order, error) {
	o, terms, bill, err := s.prepare(ctx, customerID, in)
	if err != nil {
		return nil, err
	}
	if in.PaymentMethodID != "" {
		if _, err := s.ownedCard(ctx, customerID, in.PaymentMethodID); apperr.Is(err, apperr.NotFound) {
			return nil, apperr.Validation(map[string]string{"payment_method_id": "no such saved card"})
		} else if err != nil {
			return nil, err
		}
	}
	g, err := s.gw(o.Gateway)
	if err != nil {
		return nil, err
	}
	// The gateway customer first: if the gateway is down nothing is written.
	gwCustomer, err := s.gatewayCustomer(ctx, g, customerID, bill)
	if err != nil {
		return nil, err
	}
	var later []outbox.Item
	if !g.Capabilities().CheckoutExpires && in.PaymentMethodID == "" {
		// Nothing at the gateway ends an unapproved checkout: this does,
		// written with the order so a crash cannot leave stock held.
		later = append(later, notBefore(outbox.New("checkout-due-"+o.ID, KindCheckoutDue, o.ID, map[string]string{"order_id": o.ID}, o.CreatedAt), o.ExpiresAt))
	}
	if err := s.store.CreateOrder(ctx, o, terms, later...); err != nil {
		switch {
		case errors.Is(err, ErrOutOfStock):
			return nil, apperr.Wrap(err, apperr.Conflict, "this plan is out of stock")
		case errors.Is(err, coupons.ErrChanged):
			return nil, apperr.Wrap(err, apperr.Conflict, "the coupon changed while you checked out; try again")
		case errors.Is(err, ErrDomainTaken):
			return nil, apperr.Validation(map[string]string{"options.domain": o.Options.Domain + " was just ordered by someone else; choose another domain"})
		}
		return nil, err
	}
	interval, count := "month", o.Cycle.Months()
	if count == 12 {
		interval, count = "year", 1
	}
	ci := gateway.CheckoutInput{
		OrderID: o.ID, PlanID: o.PlanID, ServiceType: string(o.ServiceType), GatewayCustomerID: gwCustomer, Product: fmt.Sprintf("%s (%s)", o.PlanName, cycleName(o.Cycle)), Currency: o.Currency,
		Amount: o.Renewal, FirstDiscount: o.Renewal - o.Total, Interval: interval, IntervalCount: count, TrialDays: o.TrialDays, ExpiresAt: o.ExpiresAt,
		SuccessURL: s.account + "/orders/" + o.ID + "?checkout=success", CancelURL: s.account + "/orders/" + o.ID + "?checkout=cancelled",
	}
	if in.PaymentMethodID != "" {
		// Charged now; the webhooks mark the order paid as after a checkout.
		err := s.onUnknownCustomer(ctx, g, customerID, bill, &ci.GatewayCustomerID, func() error {
			_, err := g.StartSubscription(ctx, ci, in.PaymentMethodID)
			return err
		})
		if err != nil {
			if cerr := s.close(ctx, o.ID, Cancelled, "the saved card was not charged: "+apperr.MessageOf(err)); cerr != nil {
				s.log.ErrorContext(ctx, "order left pending after a failed charge; it expires by itself", "order", o.ID, "err", cerr.Error())
			}
			return nil, err
		}
		return o, nil
	}
	var co *gateway.Checkout
	err = s.onUnknownCustomer(ctx, g, customerID, bill, &ci.GatewayCustomerID, func() (err error) {
		co, err = g.CreateCheckout(ctx, ci)
		return err
	})
	if err != nil {
		if cerr := s.close(ctx, o.ID, Cancelled, "the payment page could not be opened"); cerr != nil {
			s.log.ErrorContext(ctx, "order left pending after a checkout failure; it expires by itself", "order", o.ID, "err", cerr.Error())
		}
		return nil, err
	}
	return s.update(ctx, o.ID, func(o *Order) bool {
		o.CheckoutID, o.CheckoutURL = co.ID, co.URL
		return true
	})
}

func cycleName(c catalog.Cycle) string { return strings.ReplaceAll(string(c), "_", "-") }

// gw is the gateway called name (the one a record names).
func (s *Service) gw(name string) (gateway.Gateway, error) { return s.gateways.Get(name) }

// cards is the gateway that keeps the customers' saved cards.
func (s *Service) cards() gateway.Gateway { return s.gateways.Default() }

// gatewayCustomer returns the customer's id at gateway g, creating it once.
func (s *Service) gatewayCustomer(ctx context.Context, g gateway.Gateway, customerID string, bill billing.BillTo) (string, error) {
	acct, err := s.store.Account(ctx, customerID)
	if err != nil {
		return "", err
	}
	if id := acct.GatewayCustomers[g.Name()]; id != "" {
		return id, nil
	}
	id, err := g.EnsureCustomer(ctx, gateway.Customer{UserID: customerID, Email: bill.Email, Name: bill.Name})
	if err != nil {
		return "", err
	}
	return s.store.SetGatewayCustomer(ctx, customerID, g.Name(), id)
}

// undeliverable says why plan p cannot be sold here (at location), or "".
func (s *Service) undeliverable(p *catalog.Plan, location string) string {
	if s.delivery == nil {
		return "no control panel is connected"
	}
	return catalog.Undeliverable(s.delivery, p, location)
}

// onUnknownCustomer runs call with the gateway customer *id. When the
// gateway no longer knows that customer (deleted in its dashboard, or the
// keys now belong to another account), a new customer replaces it and call
// runs once more with *id set to the new one.
func (s *Service) onUnknownCustomer(ctx context.Context, g gateway.Gateway, customerID string, bill billing.BillTo, id *string, call func() error) error {
	err := call()
	if !errors.Is(err, gateway.ErrUnknownCustomer) {
		return err
	}
	s.log.WarnContext(ctx, "gateway customer unknown to the gateway; replacing it", "customer", customerID, "gateway_customer", *id)
	next, err := g.EnsureCustomer(ctx, gateway.Customer{UserID: customerID, Email: bill.Email, Name: bill.Name, Replaces: *id})
	if err != nil {
		return err
	}
	if *id, err = s.store.ReplaceGatewayCustomer(ctx, customerID, g.Name(), *id, next); err != nil {
		return err
	}
	return call()
}

// update changes an order outside any event; fn returns false for no change.
func (s *Service) update(ctx context.Context, id string, fn func(*Order) bool) (*Order, error) {
	for attempt := 1; ; attempt++ {
		o, err := s.store.GetOrder(ctx, id)
		if err != nil {
			return nil, err
		}
		if !fn(o) {
			return o, nil
		}
		o.Version++
		o.UpdatedAt = s.clock.Now()
		err = s.store.Apply(ctx, Change{Order: o})
		if apperr.Is(err, apperr.Conflict) && attempt < 5 {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("update order %s: %w", id, err)
		}
		return o, nil
	}
}

// KindCheckoutDue: an order's checkout at a gateway whose checkouts do
// not lapse by themselves (PayPal) is past its time (ExpireCheckout).
const KindCheckoutDue = "order.checkout_due"

// ExpireCheckout ends an order still unpaid when its checkout's time is up
// and releases what it held — unless the buyer approved the gateway's
// subscription (after checking it is this order's), whose payment is on
// its way and pays the order.
func (s *Service) ExpireCheckout(ctx context.Context, orderID string) error {
	o, err := s.store.GetOrder(ctx, orderID)
	if err != nil || o.Status != Pending {
		return err
	}
	if o.CheckoutID != "" {
		g, err := s.gw(o.Gateway)
		if err != nil {
			return err
		}
		there, err := g.Subscription(ctx, o.CheckoutID)
		if err != nil {
			return fmt.Errorf("read %s subscription %s of order %s: %w", o.Gateway, o.CheckoutID, o.ID, err)
		}
		if there.OrderID != "" && there.OrderID != o.ID {
			return apperr.New(apperr.Conflict, "%s subscription %s belongs to order %s, not %s", o.Gateway, o.CheckoutID, there.OrderID, o.ID)
		}
		if there.Status != gateway.SubIncomplete {
			return nil // approved: its payment pays the order
		}
	}
	return s.close(ctx, o.ID, Expired, "the checkout expired unpaid")
}

// close ends a pending order and releases what it held.
func (s *Service) close(ctx context.Context, id string, to Status, note string) error {
	for attempt := 1; ; attempt++ {
		o, err := s.store.GetOrder(ctx, id)
		if err != nil {
			return err
		}
		if o.Status != Pending {
			return nil
		}
		if err := o.moveTo(to); err != nil {
			return err
		}
		now := s.clock.Now()
		o.Note, o.ClosedAt, o.UpdatedAt = note, &now, now
		o.Version++
		err = s.store.Apply(ctx, Change{Order: o, Release: true})
		if apperr.Is(err, apperr.Conflict) && attempt < 5 {
			continue
		}
		return err
	}
}

// Get returns an order.
func (s *Service) Get(ctx context.Context, id string) (*Order, error) {
	return s.store.GetOrder(ctx, id)
}

// List returns a customer's orders, newest first.
func (s *Service) List(ctx context.Context, customerID, cursor string) ([]Order, string, error) {
	return s.store.ListOrders(ctx, customerID, cursor, 50)
}

// ListAll returns every order in status (all when empty), newest first.
func (s *Service) ListAll(ctx context.Context, status Status, cursor string) ([]Order, string, error) {
	return s.store.ListAllOrders(ctx, status, cursor, 50)
}

// Subscriptions returns a customer's subscriptions.
func (s *Service) Subscriptions(ctx context.Context, customerID string) ([]Subscription, error) {
	list, err := s.store.ListSubscriptions(ctx, customerID)
	if err != nil {
		return nil, err
	}
	var ledger []Payment
	if len(list) > 0 {
		if ledger, err = s.store.ListPayments(ctx, customerID); err != nil {
			return nil, err
		}
	}
	for i := range list {
		t, err := s.PaidThrough(ctx, list[i].OrderID)
		if err != nil {
			return nil, err
		}
		if !t.IsZero() {
			list[i].PaidThrough = &t
		}
		list[i].FeesDue = FeesDue(ledger, list[i].OrderID)
		if g, err := s.gw(list[i].Gateway); err == nil {
			caps := g.Capabilities()
			list[i].Capabilities = &caps
		}
	}
	return list, nil
}

// Payments returns a customer's payments ledger.
func (s *Service) Payments(ctx context.Context, customerID string) ([]Payment, error) {
	return s.store.ListPayments(ctx, customerID)
}

// Balance is the account credit in each currency a ledger holds: credits
// granted less what invoices used. It is never negative; the gateway
// applies it to the next invoices.
func Balance(ledger []Payment) map[string]int64 {
	out := map[string]int64{}
	for _, p := range ledger {
		switch p.Status {
		case PaymentCredit:
			out[p.Currency] += p.Amount
		case PaymentCreditApplied:
			out[p.Currency] -= p.Amount
		}
	}
	for cur, v := range out {
		if v == 0 {
			delete(out, cur)
		}
	}
	return out
}

// domainHolder reads the claim on a hosting domain: its version (0 when
// unclaimed) and whether its order still holds it — pending and not
// expired, awaiting approval, or paid with a service that is not
// terminated. A claim whose order let go is replaced by the next order.
func (s *Service) domainHolder(ctx context.Context, domain string) (int64, bool, error) {
	c, err := s.store.DomainClaim(ctx, domain)
	if err != nil || c == nil {
		return 0, false, err
	}
	o, err := s.store.GetOrder(ctx, c.OrderID)
	if apperr.Is(err, apperr.NotFound) {
		return c.Version, false, nil // the claim outlived an order never written
	}
	if err != nil {
		return 0, false, err
	}
	switch o.Status {
	case Pending:
		return c.Version, s.clock.Now().Before(o.ExpiresAt), nil
	case AwaitingApproval:
		return c.Version, true, nil
	case Paid:
		if s.services == nil {
			return c.Version, true, nil
		}
		st, err := s.services.ServiceStatus(ctx, o.ID)
		return c.Version, st != "terminated", err
	}
	return c.Version, false, nil
}
