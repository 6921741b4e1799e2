package dynamo

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/ezscale/platform/shared/domain/coupons"
	"github.com/ezscale/platform/shared/domain/orders"
	"github.com/ezscale/platform/shared/domain/outbox"
	"github.com/ezscale/platform/shared/platform/apperr"
	"github.com/ezscale/platform/shared/platform/logging"
)

// Orders stores orders, subscriptions, payments, webhook dedupe records
// and the outbox (see docs/access-patterns.md):
//
//	order         PK=ORDER#<id>         SK=ORDER    GSI1PK=CUSTORDERS#<customer>  GSI2PK=ORDERS#<status>  (SK <created>#<id>)
//	subscription  PK=SUB#<id>           SK=SUB      GSI1PK=CUSTSUBS#<customer>    GSI1SK=<created>#<id>
//	payment       PK=PAYMENT#<id>       SK=PAYMENT  GSI1PK=CUSTPAYMENTS#<customer> GSI2PK=PAYMENTS   (SK <at>#<id>)
//	event         PK=EVENT#<gw>#<id>    SK=EVENT    ttl 90 days
//	billing       PK=USER#<customer>    SK=BILLING  currency, gateway customer ids
//	survey        PK=SURVEY#<id>        SK=SURVEY   GSI2PK=SURVEYS  GSI2SK=<at>#<sub>
//	plan change   PK=CHANGE#<id>        SK=CHANGE
//	card          PK=PM#<gw>#<id>       SK=PM       GSI1PK=CUSTPMS#<customer>  GSI1SK=<id>
//	gw customer   PK=GWCUS#<gw>#<id>    SK=UNIQUE   owner=<customer>
//	outbox item   PK=OUTBOX#<id>        SK=OUTBOX   GSI1PK=OUTBOX#PENDING#<kind> (then OUTBOX#PUBLISHED or OUTBOX#DEAD); GSI2PK=OUTBOXFOR#<subject>
type Orders struct{ t *Table }

var (
	_ orders.Store = (*Orders)(nil)
	_ outbox.Store = (*Orders)(nil)
)

// NewOrders returns the order store on t.
func NewOrders(t *Table) *Orders { return &Orders{t: t} }

// eventTTL outlives every gateway's redelivery window (Stripe: 3 days).
const eventTTL = 90 * 24 * time.Hour

type orderRecord struct {
	Item
	orderData
}

type subscriptionRecord struct {
	Item
	subscriptionData
}

type paymentRecord struct {
	Item
	paymentData
}

type surveyRecord struct {
	Item
	surveyData
}

type eventRecord struct {
	Item
	Gateway string    `dynamodbav:"gateway"`
	ID      string    `dynamodbav:"id"`
	Kind    string    `dynamodbav:"event_type"`
	Created time.Time `dynamodbav:"created"`
}

func orderKey(id string) Key { return Key{PK: "ORDER#" + id, SK: "ORDER"} }
func subKey(id string) Key   { return Key{PK: "SUB#" + id, SK: "SUB"} }
func payKey(id string) Key   { return Key{PK: "PAYMENT#" + id, SK: "PAYMENT"} }
func billKey(id string) Key  { return Key{PK: "USER#" + id, SK: "BILLING"} }

func sortKey(t time.Time, id string) string { return t.UTC().Format(time.RFC3339Nano) + "#" + id }

func toOrderRecord(o *orders.Order) *orderRecord {
	k := sortKey(o.CreatedAt, o.ID)
	r := &orderRecord{Item: Item{PK: "ORDER#" + o.ID, SK: "ORDER", Type: "order", Version: o.Version,
		GSI1PK: "CUSTORDERS#" + o.CustomerID, GSI1SK: k, GSI2PK: "ORDERS#" + string(o.Status), GSI2SK: k}, orderData: orderDataOf(*o)}
	return r
}

func (r *orderRecord) order() *orders.Order {
	o := r.orderData.value()
	o.Version = r.Item.Version
	return &o
}

// CreateOrder implements orders.Store.
func (s *Orders) CreateOrder(ctx context.Context, o *orders.Order, terms *coupons.Coupon, items ...outbox.Item) error {
	ops := []Op{Create(toOrderRecord(o))}
	if o.StockReserved {
		ops = append(ops, Add(planKey(o.PlanID), "stock", -1, 0, math.MaxInt64/2))
	}
	for _, it := range items { // after the stock op: FailedAt(1) names it
		ops = append(ops, createOutbox(ctx, it, o.CreatedAt))
	}
	claimAt := len(ops)
	if c := o.Claim; c != nil {
		rec := &domainClaimRecord{Item: Item{PK: domainKey(c.Domain).PK, SK: domainKey(c.Domain).SK, Type: "domain_claim", Version: c.Version},
			OrderID: c.OrderID, CustomerID: c.CustomerID, ClaimedAt: o.CreatedAt}
		if c.Version <= 1 {
			ops = append(ops, Create(rec))
		} else {
			ops = append(ops, Replace(rec, c.Version-1))
		}
	}
	couponAt := len(ops)
	if terms != nil {
		ops = append(ops, redeemOps(coupons.Redemption{Code: terms.Code, CustomerID: o.CustomerID, OrderID: o.ID, Discount: o.Discount, Currency: o.Currency, At: o.CreatedAt}, terms)...)
	}
	err := s.t.Transact(ctx, ops...)
	if err == nil {
		return nil
	}
	if c, ok := errors.AsType[*TxConflict](err); ok && o.StockReserved && c.FailedAt(1) {
		return orders.ErrOutOfStock
	}
	if c, ok := errors.AsType[*TxConflict](err); ok && o.Claim != nil && c.FailedAt(claimAt) {
		return orders.ErrDomainTaken
	}
	if terms != nil {
		if err := redeemError(err, couponAt); err != nil {
			return err
		}
	}
	return fmt.Errorf("create order %s: %w", o.ID, err)
}

// GetOrder implements orders.Store.
func (s *Orders) GetOrder(ctx context.Context, id string) (*orders.Order, error) {
	var r orderRecord
	if err := s.t.Get(ctx, orderKey(id), &r); err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return nil, apperr.New(apperr.NotFound, "order %s not found", id)
		}
		return nil, err
	}
	return r.order(), nil
}

func orderPage(ctx context.Context, t *Table, q Query) ([]orders.Order, string, error) {
	q.Reverse = true
	page, err := QueryPage[orderRecord](ctx, t, q)
	if err != nil {
		return nil, "", err
	}
	out := make([]orders.Order, 0, len(page.Items))
	for i := range page.Items {
		out = append(out, *page.Items[i].order())
	}
	return out, page.Next, nil
}

// ListOrders implements orders.Store.
func (s *Orders) ListOrders(ctx context.Context, customerID, cursor string, limit int32) ([]orders.Order, string, error) {
	return orderPage(ctx, s.t, Query{Index: GSI1, PK: "CUSTORDERS#" + customerID, Cursor: cursor, Limit: limit})
}

// ListAllOrders implements orders.Store.
func (s *Orders) ListAllOrders(ctx context.Context, status orders.Status, cursor string, limit int32) ([]orders.Order, string, error) {
	return orderPage(ctx, s.t, Query{Index: GSI2, PK: "ORDERS#" + string(status), Cursor: cursor, Limit: limit})
}

// Apply implements orders.Store. Op order matters for reading failures:
// the event record is always first.
func (s *Orders) Apply(ctx context.Context, c orders.Change) error {
	var ops []Op
	if e := c.Event; e != nil {
		ops = append(ops, Create(&eventRecord{Item: Item{PK: "EVENT#" + e.Gateway + "#" + e.ID, SK: "EVENT", Type: "webhook_event", Version: 1,
			TTL: s.t.clock.Now().Add(eventTTL).Unix()}, Gateway: e.Gateway, ID: e.ID, Kind: e.Type, Created: e.Created}))
	}
	if o := c.Order; o != nil {
		ops = append(ops, Replace(toOrderRecord(o), o.Version-1))
		if c.Release {
			if o.StockReserved {
				ops = append(ops, Add(planKey(o.PlanID), "stock", 1, 0, math.MaxInt64/2))
			}
			if o.CouponCode != "" {
				ops = append(ops, releaseOps(o.CouponCode, o.CustomerID, o.ID)...)
			}
		}
	}
	if sub := c.Subscription; sub != nil {
		rec := &subscriptionRecord{Item: Item{PK: "SUB#" + sub.ID, SK: "SUB", Type: "subscription", Version: sub.Version,
			GSI1PK: "CUSTSUBS#" + sub.CustomerID, GSI1SK: sortKey(sub.CreatedAt, sub.ID)}, subscriptionData: subscriptionDataOf(*sub)}
		if sub.Version == 1 {
			ops = append(ops, Create(rec))
		} else {
			ops = append(ops, Replace(rec, sub.Version-1))
		}
	}
	if ch := c.PlanChange; ch != nil {
		ops = append(ops, Replace(toChangeRecord(ch), ch.Version-1))
		if c.ReleaseChange && ch.StockReserved {
			ops = append(ops, Add(planKey(ch.ToPlanID), "stock", 1, 0, math.MaxInt64/2))
		}
		if c.ReleaseChange && ch.StockReleased {
			ops = append(ops, Add(planKey(ch.FromPlanID), "stock", -1, 0, math.MaxInt64/2))
		}
	}
	if pm := c.PaymentMethod; pm != nil {
		rec := &paymentMethodRecord{Item: Item{PK: "PM#" + pm.Gateway + "#" + pm.ID, SK: "PM", Type: "payment_method", Version: pm.Version,
			GSI1PK: "CUSTPMS#" + pm.CustomerID, GSI1SK: pm.ID}, paymentMethodData: paymentMethodDataOf(*pm)}
		if pm.Version == 1 {
			ops = append(ops, Create(rec))
		} else {
			ops = append(ops, Replace(rec, pm.Version-1))
		}
	}
	if sv := c.Survey; sv != nil {
		k := sortKey(sv.At, sv.SubscriptionID)
		ops = append(ops, Create(&surveyRecord{Item: Item{PK: "SURVEY#" + sv.ID, SK: "SURVEY", Type: "cancellation_survey",
			Version: 1, GSI2PK: "SURVEYS", GSI2SK: k}, surveyData: surveyDataOf(*sv)}))
	}
	for i := range c.Payments {
		ops = append(ops, Create(toPaymentRecord(&c.Payments[i])))
	}
	if c.PaidThrough != nil {
		ops = append(ops, paidThroughOp(c.PaidThrough))
	}
	for i := range c.Refunds {
		p := &c.Refunds[i]
		ops = append(ops, Replace(toPaymentRecord(p), p.Version-1))
	}
	if c.Currency != "" {
		ops = append(ops, fixCurrency(billKey(c.CustomerID), c.Currency))
	}
	now := s.t.clock.Now()
	for _, it := range c.Outbox {
		ops = append(ops, createOutbox(ctx, it, now))
	}
	err := s.t.Transact(ctx, ops...)
	if tc, ok := errors.AsType[*TxConflict](err); ok && c.Event != nil && tc.FailedAt(0) {
		return orders.ErrDuplicate
	}
	return err
}

func toPaymentRecord(p *orders.Payment) *paymentRecord {
	k := sortKey(p.At, p.ID)
	r := &paymentRecord{Item: Item{PK: "PAYMENT#" + p.ID, SK: "PAYMENT", Type: "payment", Version: p.Version,
		GSI1PK: "CUSTPAYMENTS#" + p.CustomerID, GSI1SK: k, GSI2PK: "PAYMENTS", GSI2SK: k}, paymentData: paymentDataOf(*p)}
	return r
}

// fixCurrency sets the customer's billing currency unless one is set.
func fixCurrency(key Key, currency string) Op {
	return Op{func(t *Table) (types.TransactWriteItem, error) {
		return types.TransactWriteItem{Update: &types.Update{
			TableName:                 &t.name,
			Key:                       key.av(),
			UpdateExpression:          aws.String("SET #c = if_not_exists(#c, :c), #type = :type, #schema = :schema"),
			ExpressionAttributeNames:  map[string]string{"#c": "currency", "#type": "type", "#schema": schemaAttr},
			ExpressionAttributeValues: map[string]types.AttributeValue{":c": &types.AttributeValueMemberS{Value: currency}, ":type": &types.AttributeValueMemberS{Value: "billing_account"}, ":schema": schemaAV},
		}}, nil
	}}
}

// EventSeen implements orders.Store.
func (s *Orders) EventSeen(ctx context.Context, gateway, id string) (bool, error) {
	var r eventRecord
	err := s.t.Get(ctx, Key{PK: "EVENT#" + gateway + "#" + id, SK: "EVENT"}, &r)
	if apperr.Is(err, apperr.NotFound) {
		return false, nil
	}
	return err == nil, err
}

// createOutbox writes a new pending outbox item (once: its id is derived
// from its cause), traced to the request that wrote it.
func createOutbox(ctx context.Context, it outbox.Item, now time.Time) Op {
	it.CreatedAt = now
	if it.Trace == "" {
		it.Trace = logging.RequestID(ctx)
	}
	return Create(&outboxRecord{Item: Item{PK: "OUTBOX#" + it.ID, SK: "OUTBOX", Type: "outbox", Version: 1,
		GSI1PK: "OUTBOX#PENDING#" + it.Kind, GSI1SK: sortKey(now, it.ID), GSI2PK: "OUTBOXFOR#" + it.Subject, GSI2SK: sortKey(now, it.ID)}, outboxData: outboxDataOf(it)})
}

// domainClaimRecord is who holds a hosting domain (PK=DOMAIN#<domain>).
type domainClaimRecord struct {
	Item
	OrderID    string    `dynamodbav:"order_id"`
	CustomerID string    `dynamodbav:"customer_id"`
	ClaimedAt  time.Time `dynamodbav:"claimed_at"`
}

func domainKey(domain string) Key { return Key{PK: "DOMAIN#" + domain, SK: "CLAIM"} }

// DomainClaim implements orders.DomainClaims.
func (s *Orders) DomainClaim(ctx context.Context, domain string) (*orders.DomainClaim, error) {
	var r domainClaimRecord
	if err := s.t.Get(ctx, domainKey(domain), &r); err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return nil, nil
		}
		return nil, err
	}
	return &orders.DomainClaim{Domain: domain, OrderID: r.OrderID, CustomerID: r.CustomerID, Version: r.Version}, nil
}
