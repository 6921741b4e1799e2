package dynamo

import (
	"context"
	"time"

	"github.com/ezscale/platform/shared/domain/orders"
)

// How far an order's service is paid, beside the order:
//
//	paid_through  PK=ORDER#<id>  SK=PAID_THROUGH
type paidThroughRecord struct {
	Item
	OrderID   string    `dynamodbav:"order_id"`
	Through   time.Time `dynamodbav:"through"`
	InvoiceID string    `dynamodbav:"invoice_id"`
	UpdatedAt time.Time `dynamodbav:"updated_at"`
}

func paidThroughKey(orderID string) Key { return Key{PK: "ORDER#" + orderID, SK: "PAID_THROUGH"} }

// GetPaidThrough implements orders.Store.
func (s *Orders) GetPaidThrough(ctx context.Context, orderID string) (*orders.PaidThrough, error) {
	var r paidThroughRecord
	if err := s.t.Get(ctx, paidThroughKey(orderID), &r); err != nil {
		return nil, err
	}
	return &orders.PaidThrough{OrderID: r.OrderID, Through: r.Through, InvoiceID: r.InvoiceID, UpdatedAt: r.UpdatedAt, Version: r.Version}, nil
}

// paidThroughOp creates the record at version 1 or replaces it at the
// version before.
func paidThroughOp(pt *orders.PaidThrough) Op {
	k := paidThroughKey(pt.OrderID)
	rec := &paidThroughRecord{Item: Item{PK: k.PK, SK: k.SK, Type: "paid_through", Version: pt.Version}, OrderID: pt.OrderID, Through: pt.Through,
		InvoiceID: pt.InvoiceID, UpdatedAt: pt.UpdatedAt}
	if pt.Version == 1 {
		return Create(rec)
	}
	return Replace(rec, pt.Version-1)
}
