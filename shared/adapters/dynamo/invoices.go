package dynamo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/ezscale/platform/shared/domain/billing"
	"github.com/ezscale/platform/shared/domain/search"
	"github.com/ezscale/platform/shared/platform/apperr"
)

// Invoices stores invoices and their number series:
//
//	invoice  PK=INVOICE#<id>  SK=INVOICE  GSI1PK=CUSTINVOICES#<customer>  GSI2PK=INVOICES  (SK: <created>#<id>)
//	series   PK=COUNTER#invoice#<series>  SK=COUNTER  seq=<last number used>
type Invoices struct{ t *Table }

var _ billing.Store = (*Invoices)(nil)

// NewInvoices returns the invoice store on t.
func NewInvoices(t *Table) *Invoices { return &Invoices{t: t} }

type invoiceRecord struct {
	Item
	invoiceData
}

func invoiceKey(id string) Key { return Key{PK: "INVOICE#" + id, SK: "INVOICE"} }

func toInvoiceRecord(inv *billing.Invoice, version int64) *invoiceRecord {
	order := inv.CreatedAt.UTC().Format(time.RFC3339Nano) + "#" + inv.ID
	r := &invoiceRecord{Item: Item{PK: "INVOICE#" + inv.ID, SK: "INVOICE", Type: "invoice", Version: version,
		GSI1PK: "CUSTINVOICES#" + inv.CustomerID, GSI1SK: order, GSI2PK: "INVOICES", GSI2SK: order}, invoiceData: invoiceDataOf(*inv)}
	return r
}

func (r *invoiceRecord) invoice() *billing.Invoice {
	inv := r.invoiceData.value()
	inv.Version = r.Item.Version
	return &inv
}

// CreateInvoice implements billing.Store.
func (s *Invoices) CreateInvoice(ctx context.Context, inv *billing.Invoice) error {
	return s.t.Write(ctx, Create(toInvoiceRecord(inv, 1)))
}

// GetInvoice implements billing.Store.
func (s *Invoices) GetInvoice(ctx context.Context, id string) (*billing.Invoice, error) {
	var r invoiceRecord
	if err := s.t.Get(ctx, invoiceKey(id), &r); err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return nil, apperr.New(apperr.NotFound, "invoice %s not found", id)
		}
		return nil, err
	}
	return r.invoice(), nil
}

// UpdateInvoice implements billing.Store.
func (s *Invoices) UpdateInvoice(ctx context.Context, id string, fn func(*billing.Invoice) error) (*billing.Invoice, error) {
	var out *billing.Invoice
	_, err := Update(ctx, s.t, invoiceKey(id), func(r *invoiceRecord) ([]Op, error) {
		inv := r.invoice()
		if err := fn(inv); err != nil {
			return nil, err
		}
		*r = *toInvoiceRecord(inv, r.Item.Version)
		out = inv
		return nil, nil
	})
	if err != nil {
		return nil, err
	}
	out.Version++
	return out, nil
}

type counterRecord struct {
	Item
	Seq int64 `dynamodbav:"seq"`
}

// Finalize implements billing.Store. The counter moves from n to n+1 only
// in the transaction that writes invoice number n+1, so a failed attempt
// consumes no number; contention is retried (many attempts, jittered) until
// every concurrent finalisation has its own consecutive number.
func (s *Invoices) Finalize(ctx context.Context, id, series string, fn func(*billing.Invoice, int64) error) (*billing.Invoice, error) {
	ck := Key{PK: "COUNTER#invoice#" + series, SK: "COUNTER"}
	for attempt := 1; attempt <= 200; attempt++ {
		var c counterRecord
		err := s.t.Get(ctx, ck, &c)
		if err != nil && !apperr.Is(err, apperr.NotFound) {
			return nil, err
		}
		exists := err == nil
		var r invoiceRecord
		if err := s.t.Get(ctx, invoiceKey(id), &r); err != nil {
			return nil, err
		}
		inv := r.invoice()
		next := c.Seq + 1
		if err := fn(inv, next); err != nil {
			return nil, err
		}
		counter := &counterRecord{Item: Item{PK: ck.PK, SK: ck.SK, Type: "counter", Version: c.Version + 1}, Seq: next}
		counterOp := Create(counter)
		if exists {
			counterOp = Replace(counter, c.Version)
		}
		err = s.t.Transact(ctx, append([]Op{counterOp, Replace(toInvoiceRecord(inv, r.Item.Version+1), r.Item.Version)},
			termOps(search.Invoice, inv.ID, invoiceTerms(r.invoice().Number), invoiceTerms(inv.Number))...)...)
		if err == nil {
			inv.Version = r.Item.Version + 1
			return inv, nil
		}
		if !apperr.Is(err, apperr.Conflict) {
			return nil, err
		}
		if tc, ok := errors.AsType[*TxConflict](err); ok && tc.FailedAt(1) && !tc.FailedAt(0) {
			continue // the invoice itself changed: re-read and let fn decide
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Duration(rand.IntN(5*min(attempt, 10))+1) * time.Millisecond):
		}
	}
	return nil, apperr.New(apperr.Unavailable, "invoice numbering is too contended; try again")
}

// ListInvoices implements billing.Store.
func (s *Invoices) ListInvoices(ctx context.Context, customerID, cursor string, limit int32) ([]billing.Invoice, string, error) {
	q := Query{Index: GSI2, PK: "INVOICES", Reverse: true, Cursor: cursor, Limit: limit}
	if customerID != "" {
		q.Index, q.PK = GSI1, "CUSTINVOICES#"+customerID
	}
	page, err := QueryPage[invoiceRecord](ctx, s.t, q)
	if err != nil {
		return nil, "", fmt.Errorf("list invoices: %w", err)
	}
	out := make([]billing.Invoice, 0, len(page.Items))
	for i := range page.Items {
		out = append(out, *page.Items[i].invoice())
	}
	return out, page.Next, nil
}
