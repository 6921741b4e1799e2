package billing

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/ezscale/platform/shared/domain/money"
	"github.com/ezscale/platform/shared/domain/notify"
	"github.com/ezscale/platform/shared/platform/apperr"
	"github.com/ezscale/platform/shared/platform/clock"
	"github.com/ezscale/platform/shared/platform/ids"
)

// Store keeps invoices.
type Store interface {
	CreateInvoice(ctx context.Context, inv *Invoice) error
	GetInvoice(ctx context.Context, id string) (*Invoice, error)
	UpdateInvoice(ctx context.Context, id string, fn func(*Invoice) error) (*Invoice, error)
	// Finalize gives the draft the next number of series in the same
	// transaction as fn's changes, retrying on contention: numbers are
	// sequential and gap-free however many finalise at once.
	Finalize(ctx context.Context, id, series string, fn func(inv *Invoice, seq int64) error) (*Invoice, error)
	ListInvoices(ctx context.Context, customerID, cursor string, limit int32) ([]Invoice, string, error)
}

// Customers tells billing who a customer is.
type Customers interface {
	BillTo(ctx context.Context, customerID string) (BillTo, error)
}

// Renderer makes an invoice's PDF.
type Renderer interface {
	Render(inv *Invoice) ([]byte, error)
}

// Blobs stores PDFs.
type Blobs interface {
	Put(ctx context.Context, key, contentType string, data []byte) error
	Get(ctx context.Context, key string) ([]byte, error)
}

// Notifier sends e-mail.
type Notifier interface {
	Send(ctx context.Context, r notify.Request) (*notify.Message, error)
}

// Service is invoices' use cases.
type Service struct {
	store      Store
	rates      TaxRates
	seller     string
	customers  Customers
	pdf        Renderer
	blobs      Blobs
	notify     Notifier
	clock      clock.Clock
	log        *slog.Logger
	prefix     string
	accountURL string
}

// Config wires a Service.
type Config struct {
	Store    Store
	TaxRates TaxRates
	// SellerCountry decides EU reverse charge (ISO 3166 two-letter code).
	SellerCountry string
	Customers     Customers
	PDF           Renderer
	Blobs         Blobs
	Notify        Notifier
	Clock         clock.Clock
	Log           *slog.Logger
	Prefix        string // invoice numbers look like PREFIX-2026-000123
	AccountURL    string
}

// NewService returns a Service.
func NewService(c Config) *Service {
	return &Service{store: c.Store, rates: c.TaxRates, seller: c.SellerCountry, customers: c.Customers, pdf: c.PDF, blobs: c.Blobs, notify: c.Notify, clock: c.Clock, log: c.Log,
		prefix: c.Prefix, accountURL: strings.TrimRight(c.AccountURL, "/")}
}

// CreateDraft makes a manual invoice for a customer.
func (s *Service) CreateDraft(ctx context.Context, in DraftInput) (*Invoice, error) {
	billTo, err := s.customers.BillTo(ctx, in.CustomerID)
	if apperr.Is(err, apperr.NotFound) {
		return nil, apperr.Validation(map[string]string{"customer_id": "no such customer"})
	}
	if err != nil {
		return nil, err
	}
	if in.AutoTax {
		rates, err := s.rates.ListTaxRates(ctx)
		if err != nil {
			return nil, err
		}
		d := DecideTax(billTo, s.seller, rates)
		in.TaxName, in.TaxRateBP = d.Name, d.RateBP
		if d.Note != "" {
			in.Notes = strings.TrimSpace(d.Note + "\n" + in.Notes)
		}
	}
	lines, subtotal, taxes, total, err := in.compute()
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	inv := &Invoice{ID: ids.New("inv"), CustomerID: in.CustomerID, Currency: in.Currency, Status: Draft, BillTo: billTo, Lines: lines,
		Subtotal: subtotal, Taxes: taxes, Total: total, Notes: strings.TrimSpace(in.Notes), DueInDays: in.DueInDays, CreatedAt: now, UpdatedAt: now, Version: 1}
	if err := s.store.CreateInvoice(ctx, inv); err != nil {
		return nil, fmt.Errorf("create invoice: %w", err)
	}
	return inv, nil
}

func (s *Service) series(t time.Time) string { return fmt.Sprintf("%s-%d", s.prefix, t.Year()) }

// Finalize numbers and issues a draft, stores its PDF and e-mails it with
// the PDF attached. Calling it on an already open invoice delivers again
// (idempotent: same PDF key, same notification key), which is also how a
// delivery interrupted after numbering completes.
func (s *Service) Finalize(ctx context.Context, id string) (*Invoice, error) {
	inv, err := s.store.GetInvoice(ctx, id)
	if err != nil {
		return nil, err
	}
	if inv.Status == Draft {
		now := s.clock.Now()
		inv, err = s.store.Finalize(ctx, id, s.series(now), func(inv *Invoice, seq int64) error {
			if inv.Status != Draft {
				return apperr.New(apperr.Conflict, "invoice %s is already %s", id, inv.Status)
			}
			due := now.AddDate(0, 0, inv.DueInDays)
			inv.Number = fmt.Sprintf("%s-%06d", s.series(now), seq)
			inv.Status, inv.IssuedAt, inv.DueAt, inv.UpdatedAt = Open, &now, &due, now
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("finalize invoice %s: %w", id, err)
		}
	} else if inv.Status != Open {
		return nil, apperr.New(apperr.Conflict, "invoice %s is %s", id, inv.Status)
	}
	pdf, err := s.PDF(ctx, inv)
	if err != nil {
		return inv, err
	}
	_, err = s.notify.Send(ctx, notify.Request{Kind: notify.InvoiceIssued, To: inv.BillTo.Email, Key: "invoice_issued:" + inv.ID,
		Data: map[string]any{"customer_name": inv.BillTo.Name, "invoice_number": inv.Number, "amount": inv.Total, "currency": inv.Currency,
			"due_date": inv.DueAt.Format("2 January 2006"), "invoice_url": s.accountURL + "/"},
		Attachments: []notify.Attachment{{Filename: inv.Number + ".pdf", ContentType: "application/pdf", Content: pdf}}})
	if err != nil {
		return inv, fmt.Errorf("e-mail invoice %s: %w", inv.Number, err)
	}
	return inv, nil
}

func pdfKey(inv *Invoice) string { return "invoices/" + inv.CustomerID + "/" + inv.ID + ".pdf" }

// PDF returns the invoice's PDF, rendering and storing it the first time.
// Drafts have no PDF.
func (s *Service) PDF(ctx context.Context, inv *Invoice) ([]byte, error) {
	if inv.Status == Draft {
		return nil, apperr.New(apperr.Conflict, "a draft has no PDF; finalise it first")
	}
	if b, err := s.blobs.Get(ctx, pdfKey(inv)); err == nil {
		return b, nil
	} else if !apperr.Is(err, apperr.NotFound) {
		return nil, err
	}
	b, err := s.pdf.Render(inv)
	if err != nil {
		return nil, fmt.Errorf("render invoice %s: %w", inv.Number, err)
	}
	if err := s.blobs.Put(ctx, pdfKey(inv), "application/pdf", b); err != nil {
		return nil, fmt.Errorf("store invoice %s PDF: %w", inv.Number, err)
	}
	return b, nil
}

// MarkPaid records a manual payment (bank transfer, cash) of an open
// invoice in full and sends the receipt.
func (s *Service) MarkPaid(ctx context.Context, id, method, reference string) (*Invoice, error) {
	f := apperr.FieldErrors{}
	if method != "bank_transfer" && method != "cash" && method != "other" {
		f.Add("method", "must be bank_transfer, cash or other")
	}
	if len(reference) > 100 {
		f.Add("reference", "must be at most 100 characters")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	now := s.clock.Now()
	inv, err := s.store.UpdateInvoice(ctx, id, func(inv *Invoice) error {
		if inv.Status != Open {
			return apperr.New(apperr.Conflict, "only open invoices can be marked paid; this one is %s", inv.Status)
		}
		inv.Status, inv.PaidAt, inv.PaymentMethod, inv.PaymentReference, inv.UpdatedAt = Paid, &now, method, strings.TrimSpace(reference), now
		return nil
	})
	if err != nil {
		return nil, err
	}
	_, err = s.notify.Send(ctx, notify.Request{Kind: notify.PaymentReceived, To: inv.BillTo.Email, Key: "payment_received:" + inv.ID,
		Data: map[string]any{"customer_name": inv.BillTo.Name, "invoice_number": inv.Number, "amount": inv.Total, "currency": inv.Currency,
			"paid_at": now.Format("2 January 2006"), "payment_method": strings.ReplaceAll(method, "_", " "), "invoice_url": s.accountURL + "/"}})
	if err != nil {
		s.log.WarnContext(ctx, "receipt not queued", "invoice", inv.ID, "err", err.Error())
	}
	return inv, nil
}

// Get returns an invoice.
func (s *Service) Get(ctx context.Context, id string) (*Invoice, error) {
	return s.store.GetInvoice(ctx, id)
}

// List pages through invoices, newest first: one customer's, or all ("").
func (s *Service) List(ctx context.Context, customerID, cursor string) ([]Invoice, string, error) {
	return s.store.ListInvoices(ctx, customerID, cursor, 50)
}

// Format renders an amount of an invoice for display.
func Format(amount int64, currency string) string {
	return money.Money{Amount: amount, Currency: currency}.String()
}

// TaxRates lists the admin-managed rates.
func (s *Service) TaxRates(ctx context.Context) ([]TaxRate, error) { return s.rates.ListTaxRates(ctx) }

// PutTaxRate creates or replaces the rate of a country or region.
// Regions are stored upper-case so "tx" and "TX" are one rate.
func (s *Service) PutTaxRate(ctx context.Context, r TaxRate) (TaxRate, error) {
	r.Name, r.Region = strings.TrimSpace(r.Name), strings.ToUpper(strings.TrimSpace(r.Region))
	if err := r.Validate(); err != nil {
		return r, err
	}
	return r, s.rates.PutTaxRate(ctx, r)
}

// DeleteTaxRate removes a rate (apperr.NotFound if there is none).
func (s *Service) DeleteTaxRate(ctx context.Context, country, region string) error {
	return s.rates.DeleteTaxRate(ctx, country, strings.ToUpper(strings.TrimSpace(region)))
}
