// Package invoicepdf renders invoices as PDF with go-pdf/fpdf. DejaVu Sans
// is embedded (Bitstream Vera licence, fonts/LICENSE-DejaVu.txt) so names
// like Łódź or Ελληνικά print correctly; creation dates come from the
// invoice and the catalog is sorted, so the same invoice always renders to
// the same bytes.
package invoicepdf

import (
	"bytes"
	_ "embed"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/go-pdf/fpdf"

	"github.com/ezscale/platform/shared/domain/billing"
	"github.com/ezscale/platform/shared/platform/config"
)

//go:embed fonts/DejaVuSans.ttf
var regular []byte

//go:embed fonts/DejaVuSans-Bold.ttf
var bold []byte

// fonts are parsed on the first render and shared by every later one, in
// any goroutine (fpdf.UTF8Font is read-only once parsed).
var fonts = sync.OnceValues(func() ([2]*fpdf.UTF8Font, error) {
	r, err := fpdf.ParseUTF8Font(regular)
	if err != nil {
		return [2]*fpdf.UTF8Font{}, fmt.Errorf("parse DejaVu Sans: %w", err)
	}
	b, err := fpdf.ParseUTF8Font(bold)
	if err != nil {
		return [2]*fpdf.UTF8Font{}, fmt.Errorf("parse DejaVu Sans Bold: %w", err)
	}
	return [2]*fpdf.UTF8Font{r, b}, nil
})

// Seller is the company on the invoice.
type Seller struct {
	Name    string
	Address []string
	VATID   string
	Email   string
}

// Renderer implements billing.Renderer.
type Renderer struct{ seller Seller }

var _ billing.Renderer = (*Renderer)(nil)

// New returns a renderer for the seller.
func New(s Seller) *Renderer { return &Renderer{seller: s} }

// Configured is the renderer for the company the configuration names.
func Configured(cfg config.Config) *Renderer {
	return New(Seller{Name: cfg.CompanyName, Address: cfg.CompanyAddress, VATID: cfg.CompanyVATID, Email: cfg.SupportEmail})
}

// Render draws one invoice.
func (r *Renderer) Render(inv *billing.Invoice) ([]byte, error) {
	if inv.IssuedAt == nil {
		return nil, fmt.Errorf("invoice %s is not issued", inv.ID)
	}
	font, err := fonts()
	if err != nil {
		return nil, err
	}
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCatalogSort(true)
	pdf.SetCreationDate(*inv.IssuedAt)
	pdf.SetModificationDate(*inv.IssuedAt)
	pdf.SetTitle("Invoice "+inv.Number, true)
	pdf.SetAuthor(r.seller.Name, true)
	pdf.AddUTF8FontParsed("dejavu", "", font[0])
	pdf.AddUTF8FontParsed("dejavu", "B", font[1])
	pdf.SetMargins(18, 18, 18)
	pdf.AddPage()
	money := func(a int64) string { return billing.Format(a, inv.Currency) }

	pdf.SetFont("dejavu", "B", 18)
	pdf.SetTextColor(31, 79, 209)
	pdf.CellFormat(100, 10, r.seller.Name, "", 0, "L", false, 0, "")
	pdf.SetTextColor(27, 31, 36)
	pdf.SetFont("dejavu", "B", 14)
	pdf.CellFormat(0, 10, "Invoice "+inv.Number, "", 1, "R", false, 0, "")
	pdf.SetFont("dejavu", "", 9)
	for _, l := range append(append([]string{}, r.seller.Address...), r.seller.Email, vat(r.seller.VATID)) {
		if l != "" {
			pdf.CellFormat(0, 4.5, l, "", 1, "L", false, 0, "")
		}
	}
	pdf.Ln(6)

	y := pdf.GetY()
	pdf.SetFont("dejavu", "B", 10)
	pdf.CellFormat(90, 6, "Bill to", "", 1, "L", false, 0, "")
	pdf.SetFont("dejavu", "", 10)
	b := inv.BillTo
	for _, l := range []string{b.Name, b.Company, b.Line1, b.Line2, strings.TrimSpace(b.PostalCode + " " + b.City), b.Region, b.Country, b.Email, vat(b.VATID)} {
		if strings.TrimSpace(l) != "" {
			pdf.CellFormat(90, 5, l, "", 1, "L", false, 0, "")
		}
	}
	end := pdf.GetY()
	pdf.SetXY(120, y)
	for _, kv := range [][2]string{{"Issued", inv.IssuedAt.Format("2 Jan 2006")}, {"Due", date(inv.DueAt)}, {"Status", strings.ToUpper(string(inv.Status))}} {
		pdf.SetX(120)
		pdf.SetFont("dejavu", "B", 10)
		pdf.CellFormat(25, 5, kv[0], "", 0, "L", false, 0, "")
		pdf.SetFont("dejavu", "", 10)
		pdf.CellFormat(0, 5, kv[1], "", 1, "R", false, 0, "")
	}
	pdf.SetY(max(end, pdf.GetY()) + 8)

	pdf.SetFillColor(240, 243, 248)
	pdf.SetFont("dejavu", "B", 10)
	pdf.CellFormat(100, 8, "Description", "B", 0, "L", true, 0, "")
	pdf.CellFormat(15, 8, "Qty", "B", 0, "R", true, 0, "")
	pdf.CellFormat(29, 8, "Unit price", "B", 0, "R", true, 0, "")
	pdf.CellFormat(30, 8, "Amount", "B", 1, "R", true, 0, "")
	pdf.SetFont("dejavu", "", 10)
	for _, l := range inv.Lines {
		pdf.CellFormat(100, 7, l.Description, "", 0, "L", false, 0, "")
		pdf.CellFormat(15, 7, fmt.Sprint(l.Quantity), "", 0, "R", false, 0, "")
		pdf.CellFormat(29, 7, money(l.UnitAmount), "", 0, "R", false, 0, "")
		pdf.CellFormat(30, 7, money(l.Amount), "", 1, "R", false, 0, "")
	}
	pdf.Ln(2)
	total := func(label, value string, strong bool) {
		style := ""
		if strong {
			style = "B"
		}
		pdf.SetFont("dejavu", style, 10)
		pdf.CellFormat(144, 7, label, "", 0, "R", false, 0, "")
		pdf.CellFormat(30, 7, value, "", 1, "R", false, 0, "")
	}
	total("Subtotal", money(inv.Subtotal), false)
	for _, t := range inv.Taxes {
		total(fmt.Sprintf("%s %s%%", t.Name, percent(t.RateBP)), money(t.Amount), false)
	}
	total("Total ("+inv.Currency+")", money(inv.Total), true)
	if inv.CreditApplied > 0 {
		total("Paid from account credit", money(-inv.CreditApplied), false)
	}
	if inv.Status == billing.Paid && inv.PaidAt != nil {
		total("Paid "+inv.PaidAt.Format("2 Jan 2006"), money(inv.Total-inv.CreditApplied), false)
		total("Amount due", money(0), true)
	}
	if inv.Notes != "" {
		pdf.Ln(6)
		pdf.SetFont("dejavu", "", 9)
		pdf.MultiCell(0, 5, inv.Notes, "", "L", false)
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("render invoice %s: %w", inv.Number, err)
	}
	return buf.Bytes(), nil
}

func vat(id string) string {
	if id == "" {
		return ""
	}
	return "VAT ID " + id
}

func date(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format("2 Jan 2006")
}

func percent(bp int64) string {
	s := fmt.Sprintf("%d.%02d", bp/100, bp%100)
	return strings.TrimSuffix(strings.TrimSuffix(s, "0"), ".0")
}
