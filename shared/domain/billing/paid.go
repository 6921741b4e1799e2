package billing

import (
	"context"
	"fmt"
	"strings"

	"github.com/ezscale/platform/shared/domain/notify"
	"github.com/ezscale/platform/shared/platform/apperr"
)

// PaidInput is an invoice for money a gateway already collected.
type PaidInput struct {
	// ID is derived from the gateway's invoice id, so issuing it again
	// (a redelivered event) finds the same invoice instead of a second.
	ID         string
	CustomerID string
	Currency   string
	Lines      []Line // discounts are lines with negative amounts
	TaxName    string
	TaxRateBP  int64
	Notes      string
	Method     string // e.g. "card (Stripe)"
	Reference  string // the gateway's charge id
	// CreditApplied is what the customer's account credit paid of the
	// total; the method paid the rest.
	CreditApplied int64
}

// IssuePaid creates, numbers and settles an invoice for a gateway payment
// in one step, stores its PDF and e-mails the receipt with the PDF
// attached. It is idempotent on in.ID at every step.
func (s *Service) IssuePaid(ctx context.Context, in PaidInput) (*Invoice, error) {
	inv, err := s.store.GetInvoice(ctx, in.ID)
	if apperr.Is(err, apperr.NotFound) {
		inv, err = s.paidDraft(ctx, in)
		if apperr.Is(err, apperr.Conflict) { // created meanwhile by a concurrent delivery
			inv, err = s.store.GetInvoice(ctx, in.ID)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("issue paid invoice %s: %w", in.ID, err)
	}
	if inv.Status == Draft {
		now := s.clock.Now()
		inv, err = s.store.Finalize(ctx, in.ID, s.series(now), func(inv *Invoice, seq int64) error {
			if inv.Status != Draft {
				return apperr.New(apperr.Conflict, "invoice %s is already %s", inv.ID, inv.Status)
			}
			inv.Number = fmt.Sprintf("%s-%06d", s.series(now), seq)
			inv.Status, inv.IssuedAt, inv.DueAt, inv.PaidAt, inv.UpdatedAt = Paid, &now, &now, &now, now
			return nil
		})
		if apperr.Is(err, apperr.Conflict) {
			inv, err = s.store.GetInvoice(ctx, in.ID)
		}
		if err != nil {
			return nil, fmt.Errorf("number paid invoice %s: %w", in.ID, err)
		}
	}
	pdf, err := s.PDF(ctx, inv)
	if err != nil {
		return inv, err
	}
	_, err = s.notify.Send(ctx, notify.Request{Kind: notify.PaymentReceived, To: inv.BillTo.Email, Key: "payment_received:" + inv.ID,
		Data: map[string]any{"customer_name": inv.BillTo.Name, "invoice_number": inv.Number, "amount": inv.Total, "currency": inv.Currency,
			"paid_at": inv.PaidAt.Format("2 January 2006"), "payment_method": inv.PaymentMethod, "invoice_url": s.accountURL + "/invoices"},
		Attachments: []notify.Attachment{{Filename: inv.Number + ".pdf", ContentType: "application/pdf", Content: pdf}}})
	if err != nil {
		return inv, fmt.Errorf("e-mail receipt %s: %w", inv.Number, err)
	}
	return inv, nil
}

func (s *Service) paidDraft(ctx context.Context, in PaidInput) (*Invoice, error) {
	billTo, err := s.customers.BillTo(ctx, in.CustomerID)
	if err != nil {
		return nil, err
	}
	var subtotal int64
	for _, l := range in.Lines {
		subtotal += l.Amount
	}
	var taxes []TaxLine
	total := subtotal
	if in.TaxRateBP > 0 {
		t := (subtotal*in.TaxRateBP + 5000) / 10000
		taxes = []TaxLine{{Name: in.TaxName, RateBP: in.TaxRateBP, Amount: t}}
		total += t
	}
	now := s.clock.Now()
	inv := &Invoice{ID: in.ID, CustomerID: in.CustomerID, Currency: in.Currency, Status: Draft, BillTo: billTo, Lines: in.Lines, Subtotal: subtotal,
		Taxes: taxes, Total: total, Notes: strings.TrimSpace(in.Notes), PaymentMethod: in.Method, PaymentReference: in.Reference,
		CreditApplied: min(in.CreditApplied, total), CreatedAt: now, UpdatedAt: now, Version: 1}
	if err := s.store.CreateInvoice(ctx, inv); err != nil {
		return nil, err
	}
	return inv, nil
}
