package dynamo

import (
	"context"
	"errors"
	"math"

	"github.com/ezscale/platform/shared/domain/orders"
	"github.com/ezscale/platform/shared/domain/outbox"
)

// Subscriptions, the payments ledger, cancellation surveys and plan
// changes (keys in orders.go).

type changeRecord struct {
	Item
	planChangeData
}

func changeKey(id string) Key { return Key{PK: "CHANGE#" + id, SK: "CHANGE"} }

func toChangeRecord(ch *orders.PlanChange) *changeRecord {
	r := &changeRecord{Item: Item{PK: "CHANGE#" + ch.ID, SK: "CHANGE", Type: "plan_change", Version: ch.Version}, planChangeData: planChangeDataOf(*ch)}
	return r
}

// CreateChange implements orders.Store.
func (s *Orders) CreateChange(ctx context.Context, ch *orders.PlanChange, later outbox.Item) error {
	ops := []Op{Create(toChangeRecord(ch)), createOutbox(ctx, later, s.t.clock.Now())}
	if ch.StockReserved {
		ops = append(ops, Add(planKey(ch.ToPlanID), "stock", -1, 0, math.MaxInt64/2))
	}
	if ch.StockReleased {
		ops = append(ops, Add(planKey(ch.FromPlanID), "stock", 1, 0, math.MaxInt64/2))
	}
	err := s.t.Transact(ctx, ops...)
	if c, ok := errors.AsType[*TxConflict](err); ok && ch.StockReserved && c.FailedAt(2) && !c.FailedAt(0) {
		return orders.ErrOutOfStock
	}
	return err
}

// GetChange implements orders.Store.
func (s *Orders) GetChange(ctx context.Context, id string) (*orders.PlanChange, error) {
	var r changeRecord
	if err := s.t.Get(ctx, changeKey(id), &r); err != nil {
		return nil, err
	}
	ch := r.planChangeData.value()
	ch.Version = r.Item.Version
	return &ch, nil
}

// GetSubscription implements orders.Store.
func (s *Orders) GetSubscription(ctx context.Context, id string) (*orders.Subscription, error) {
	var r subscriptionRecord
	if err := s.t.Get(ctx, subKey(id), &r); err != nil {
		return nil, err
	}
	sub := r.subscriptionData.value()
	sub.Version = r.Item.Version
	return &sub, nil
}

// ListSubscriptions implements orders.Store.
func (s *Orders) ListSubscriptions(ctx context.Context, customerID string) ([]orders.Subscription, error) {
	recs, err := QueryAll[subscriptionRecord](ctx, s.t, Query{Index: GSI1, PK: "CUSTSUBS#" + customerID, Reverse: true}, 1000)
	if err != nil {
		return nil, err
	}
	out := make([]orders.Subscription, 0, len(recs))
	for _, r := range recs {
		sub := r.subscriptionData.value()
		sub.Version = r.Item.Version
		out = append(out, sub)
	}
	return out, nil
}

// ListSurveys implements orders.Store (newest first, at most 1000).
func (s *Orders) ListSurveys(ctx context.Context) ([]orders.Survey, error) {
	recs, err := QueryAll[surveyRecord](ctx, s.t, Query{Index: GSI2, PK: "SURVEYS", Reverse: true}, 1000)
	if err != nil {
		return nil, err
	}
	out := make([]orders.Survey, 0, len(recs))
	for _, r := range recs {
		out = append(out, r.surveyData.value())
	}
	return out, nil
}

// GetPayment implements orders.Store.
func (s *Orders) GetPayment(ctx context.Context, id string) (*orders.Payment, error) {
	var r paymentRecord
	if err := s.t.Get(ctx, payKey(id), &r); err != nil {
		return nil, err
	}
	p := r.paymentData.value()
	p.Version = r.Item.Version
	return &p, nil
}

// ListPayments implements orders.Store (every customer's when customerID is empty).
func (s *Orders) ListPayments(ctx context.Context, customerID string) ([]orders.Payment, error) {
	q := Query{Index: GSI2, PK: "PAYMENTS", Reverse: true}
	if customerID != "" {
		q.Index, q.PK = GSI1, "CUSTPAYMENTS#"+customerID
	}
	recs, err := QueryAll[paymentRecord](ctx, s.t, q, 1000)
	if err != nil {
		return nil, err
	}
	out := make([]orders.Payment, 0, len(recs))
	for _, r := range recs {
		p := r.paymentData.value()
		p.Version = r.Item.Version
		out = append(out, p)
	}
	return out, nil
}
