package invoicepdf

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ezscale/platform/shared/domain/billing"
)

var issued = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

func sample(name string) *billing.Invoice {
	return &billing.Invoice{ID: "inv_1", Number: "EZS-2026-000042", Currency: "EUR", Status: billing.Paid, IssuedAt: &issued, DueAt: &issued, PaidAt: &issued,
		BillTo:   billing.BillTo{Name: name, Company: "Łódź Hosting Sp. z o.o.", Line1: "ul. Piotrkowska 1", City: "Łódź", PostalCode: "90-001", Country: "PL", Email: "zofia@example.com", VATID: "PL1234567890"},
		Lines:    []billing.Line{{Description: "VPS Standard — November", Quantity: 1, UnitAmount: 1199, Amount: 1199}, {Description: "Extra IPv4", Quantity: 2, UnitAmount: 300, Amount: 600}},
		Subtotal: 1799, Taxes: []billing.TaxLine{{Name: "VAT", RateBP: 2300, Amount: 414}}, Total: 2213, CreditApplied: 200, Notes: "Reverse charge does not apply."}
}

var seller = Seller{Name: "EZSCALE", Address: []string{"1 Server Street", "Dallas, TX"}, VATID: "US123", Email: "billing@ezscale.example"}

// The fonts are parsed once and shared (infra/third_party/fpdf, PATCHES.md);
// the document must still be, byte for byte, what go-pdf/fpdf v0.9.0 made
// parsing the fonts in every document. The digest was taken with v0.9.0
// unpatched and AddUTF8FontFromBytes.
func TestRenderMatchesUnpatchedFpdf(t *testing.T) {
	pdf, err := New(seller).Render(sample("Zofia Ελληνικά Русский"))
	if err != nil {
		t.Fatal(err)
	}
	const want = "76345dbd24605edcb52d6a4e7d741adcd09deb4012d29d5e1a95aebcf72890b4"
	if got := fmt.Sprintf("%x", sha256.Sum256(pdf)); got != want {
		t.Errorf("rendered %d bytes with sha256 %s, want %s", len(pdf), got, want)
	}
}

// Renders share the parsed fonts across goroutines: each must come out as
// it does alone (and the race detector must stay quiet).
func TestRenderConcurrently(t *testing.T) {
	r := New(seller)
	names := []string{"Zofia", "Ελληνικά", "Русский", "Ünal Çelik", "Åsa Øberg", "Nguyễn Văn A", "Zoë", "O'Brien"}
	alone := make([][]byte, len(names))
	for i, n := range names {
		var err error
		if alone[i], err = r.Render(sample(n)); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	for i, n := range names {
		wg.Go(func() {
			for range 4 {
				got, err := r.Render(sample(n))
				if err != nil {
					t.Error(err)
					return
				}
				if !bytes.Equal(got, alone[i]) {
					t.Errorf("%s rendered differently beside other renders", n)
					return
				}
			}
		})
	}
	wg.Wait()
}
