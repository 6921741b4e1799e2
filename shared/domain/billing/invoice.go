// Package billing is invoices and payments: drafts, finalisation with our
// own gap-free numbers, PDFs, manual payments. Gateways (Stripe, PayPal),
// checkout, subscriptions, coupons and tax rules build on it.
package billing

import (
	"fmt"
	"strings"
	"time"

	"github.com/ezscale/platform/shared/domain/money"
	"github.com/ezscale/platform/shared/platform/apperr"
	"github.com/ezscale/platform/shared/platform/text"
)

// Status is an invoice's state. Numbers are assigned at finalisation, so
// drafts have none and the sequence has no gaps.
type Status string

// Invoice statuses.
const (
	Draft Status = "draft"
	Open  Status = "open"
	Paid  Status = "paid"
)

// Line is one charge.
type Line struct {
	Description string `json:"description"`
	Quantity    int64  `json:"quantity"`
	UnitAmount  int64  `json:"unit_amount"` // minor units
	Amount      int64  `json:"amount"`      // Quantity × UnitAmount
}

// TaxLine is one tax on the subtotal.
type TaxLine struct {
	Name   string `json:"name"`
	RateBP int64  `json:"rate_bp"` // basis points: 2000 = 20 %
	Amount int64  `json:"amount"`
}

// BillTo is the customer as the invoice shows them, frozen at issue.
type BillTo struct {
	Name       string `json:"name"`
	Company    string `json:"company"`
	Email      string `json:"email"`
	VATID      string `json:"vat_id"`
	Line1      string `json:"line1"`
	Line2      string `json:"line2"`
	City       string `json:"city"`
	Region     string `json:"region"`
	PostalCode string `json:"postal_code"`
	Country    string `json:"country"`
	// TaxExempt is set by staff on the account; not printed.
	TaxExempt bool `json:"tax_exempt"`
}

// Invoice is a bill to a customer.
type Invoice struct {
	ID               string     `json:"id"`
	Number           string     `json:"number"`
	CustomerID       string     `json:"customer_id"`
	Currency         string     `json:"currency"`
	Status           Status     `json:"status"`
	BillTo           BillTo     `json:"bill_to"`
	Lines            []Line     `json:"lines"`
	Subtotal         int64      `json:"subtotal"`
	Taxes            []TaxLine  `json:"taxes"`
	Total            int64      `json:"total"`
	Notes            string     `json:"notes"`
	DueInDays        int        `json:"due_in_days"`
	IssuedAt         *time.Time `json:"issued_at"`
	DueAt            *time.Time `json:"due_at"`
	PaidAt           *time.Time `json:"paid_at"`
	PaymentMethod    string     `json:"payment_method,omitempty"`
	PaymentReference string     `json:"payment_reference,omitempty"`
	// CreditApplied is what the customer's account credit paid of Total.
	CreditApplied int64     `json:"credit_applied,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
	Version       int64     `json:"version"`
}

// LineInput is a line as an admin enters it.
type LineInput struct {
	Description string `json:"description"`
	Quantity    int64  `json:"quantity"`
	UnitAmount  int64  `json:"unit_amount"`
}

// DraftInput is a manual invoice (bank transfer and the like).
type DraftInput struct {
	CustomerID string      `json:"customer_id"`
	Currency   string      `json:"currency"`
	Lines      []LineInput `json:"lines"`
	TaxName    string      `json:"tax_name"`
	TaxRateBP  int64       `json:"tax_rate_bp"`
	DueInDays  int         `json:"due_in_days"`
	Notes      string      `json:"notes"`
	// AutoTax applies the tax rules (rates by country and region, EU
	// reverse charge, exemption) instead of TaxName/TaxRateBP.
	AutoTax bool `json:"auto_tax"`
}

// maxAmount keeps every figure far from int64 overflow.
const maxAmount = 1_000_000_000_000

// compute validates in and returns lines, subtotal, taxes and total.
func (in DraftInput) compute() ([]Line, int64, []TaxLine, int64, error) {
	f := apperr.FieldErrors{}
	if !money.Supported(in.Currency) {
		f.Add("currency", "must be a supported ISO 4217 code in upper case")
	}
	if len(in.Lines) == 0 || len(in.Lines) > 100 {
		f.Add("lines", "must have 1 to 100 lines")
	}
	if in.TaxRateBP < 0 || in.TaxRateBP > 10000 {
		f.Add("tax_rate_bp", "must be between 0 and 10000 (basis points)")
	}
	if in.TaxRateBP > 0 && strings.TrimSpace(in.TaxName) == "" {
		f.Add("tax_name", "is required with a tax rate (e.g. VAT)")
	}
	if in.DueInDays < 0 || in.DueInDays > 365 {
		f.Add("due_in_days", "must be 0 to 365")
	}
	if why := text.MultilineProblem(in.Notes, 0, 1000); why != "" {
		f.Add("notes", why)
	}
	var lines []Line
	var subtotal int64
	for i, l := range in.Lines {
		field := fmt.Sprintf("lines[%d]", i)
		if why := text.Problem(l.Description, 1, 200); why != "" {
			f.Add(field+".description", why)
		}
		if l.Quantity < 1 || l.Quantity > 10_000 {
			f.Add(field+".quantity", "must be 1 to 10000")
		}
		if l.UnitAmount < 0 || l.UnitAmount > maxAmount {
			f.Add(field+".unit_amount", "must be 0 to 10^12 minor units")
		}
		amount := l.Quantity * l.UnitAmount
		if amount > maxAmount || subtotal+amount > maxAmount {
			f.Add(field+".unit_amount", "makes the invoice too large")
		}
		lines = append(lines, Line{Description: strings.TrimSpace(l.Description), Quantity: l.Quantity, UnitAmount: l.UnitAmount, Amount: amount})
		subtotal += amount
	}
	if err := f.Err(); err != nil {
		return nil, 0, nil, 0, err
	}
	var taxes []TaxLine
	total := subtotal
	if in.TaxRateBP > 0 {
		// Half up on the subtotal: one rounding per invoice, not per line.
		tax := (subtotal*in.TaxRateBP + 5000) / 10000
		taxes = append(taxes, TaxLine{Name: strings.TrimSpace(in.TaxName), RateBP: in.TaxRateBP, Amount: tax})
		total += tax
	}
	return lines, subtotal, taxes, total, nil
}
