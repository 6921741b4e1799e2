package billing_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/ezscale/platform/shared/adapters/blob"
	"github.com/ezscale/platform/shared/adapters/dynamo"
	"github.com/ezscale/platform/shared/adapters/invoicepdf"
	"github.com/ezscale/platform/shared/domain/billing"
	"github.com/ezscale/platform/shared/domain/notify"
	"github.com/ezscale/platform/shared/platform/apperr"
	"github.com/ezscale/platform/shared/platform/clock"
	"github.com/ezscale/platform/shared/testkit/dynamotest"
	"github.com/ezscale/platform/shared/testkit/moto"
)

func TestMain(m *testing.M) { moto.Main(m) }

type customers struct{}

func (customers) BillTo(_ context.Context, id string) (billing.BillTo, error) {
	if id == "missing" {
		return billing.BillTo{}, apperr.New(apperr.NotFound, "no")
	}
	return billing.BillTo{Name: "Zofia Łódź-Ελληνικά Кириллица", Email: "zofia@example.com", City: "Łódź", Country: "PL", VATID: "PL1234567890"}, nil
}

type outbox struct {
	mu   sync.Mutex
	sent []notify.Request
}

func (o *outbox) Send(_ context.Context, r notify.Request) (*notify.Message, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.sent = append(o.sent, r)
	return &notify.Message{ID: r.Key}, nil
}

var t0 = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

func newService(t *testing.T, tbl *dynamo.Table, clk clock.Clock) (*billing.Service, *outbox) {
	out := &outbox{}
	return billing.NewService(billing.Config{Store: dynamo.NewInvoices(tbl), Customers: customers{}, Blobs: blob.NewDir(t.TempDir()), Notify: out,
		PDF:   invoicepdf.New(invoicepdf.Seller{Name: "EZSCALE", Address: []string{"1 Server Street", "Dallas, TX"}, Email: "billing@ezscale.example"}),
		Clock: clk, Log: slog.New(slog.DiscardHandler), Prefix: "EZS", AccountURL: "https://example.com/account"}), out
}

func draft(cust string) billing.DraftInput {
	return billing.DraftInput{CustomerID: cust, Currency: "EUR", TaxName: "VAT", TaxRateBP: 2300, DueInDays: 14,
		Lines: []billing.LineInput{{Description: "VPS Standard — November", Quantity: 1, UnitAmount: 1199}, {Description: "Extra IPv4", Quantity: 2, UnitAmount: 300}}}
}

func fields(err error) map[string]string {
	if ae, ok := errors.AsType[*apperr.Error](err); ok {
		return ae.Fields
	}
	return nil
}

func TestDraftsFinalizeAndPay(t *testing.T) {
	dynamotest.Run(t, clock.NewFake(t0), func(t *testing.T, tbl *dynamo.Table, _ dynamotest.Client) {
		ctx := context.Background()
		svc, out := newService(t, tbl, clock.NewFake(t0))
		inv, err := svc.CreateDraft(ctx, draft("usr_1"))
		if err != nil {
			t.Fatal(err)
		}
		// 1199 + 600 = 1799; 23 % of it = 413.77 → 414 (half up); total 2213.
		if inv.Subtotal != 1799 || inv.Taxes[0].Amount != 414 || inv.Total != 2213 || inv.Number != "" || inv.Status != billing.Draft {
			t.Fatalf("draft = %+v", inv)
		}
		if _, err := svc.PDF(ctx, inv); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("draft PDF: %v", err)
		}
		fin, err := svc.Finalize(ctx, inv.ID)
		if err != nil {
			t.Fatal(err)
		}
		if fin.Number != "EZS-2026-000001" || fin.Status != billing.Open || fin.DueAt.Sub(*fin.IssuedAt) != 14*24*time.Hour {
			t.Fatalf("finalized = %+v", fin)
		}
		if len(out.sent) != 1 || out.sent[0].Kind != notify.InvoiceIssued || len(out.sent[0].Attachments) != 1 ||
			!bytes.HasPrefix(out.sent[0].Attachments[0].Content, []byte("%PDF-")) || out.sent[0].Attachments[0].Filename != "EZS-2026-000001.pdf" {
			t.Fatalf("invoice e-mail = %+v", out.sent)
		}
		// Finalising again delivers again with the same keys and does not renumber.
		again, err := svc.Finalize(ctx, inv.ID)
		if err != nil || again.Number != fin.Number || out.sent[1].Key != out.sent[0].Key {
			t.Fatalf("second finalize = %+v, %v", again, err)
		}
		if _, err := svc.MarkPaid(ctx, inv.ID, "cheque", ""); fields(err)["method"] == "" {
			t.Fatalf("bad method: %v", err)
		}
		paid, err := svc.MarkPaid(ctx, inv.ID, "bank_transfer", "REF-42")
		if err != nil || paid.Status != billing.Paid || paid.PaymentReference != "REF-42" {
			t.Fatalf("paid = %+v, %v", paid, err)
		}
		if _, err := svc.MarkPaid(ctx, inv.ID, "bank_transfer", ""); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("paid twice: %v", err)
		}
		if out.sent[len(out.sent)-1].Kind != notify.PaymentReceived {
			t.Fatal("no receipt")
		}
	})
}

func TestBadDrafts(t *testing.T) {
	dynamotest.Run(t, clock.NewFake(t0), func(t *testing.T, tbl *dynamo.Table, _ dynamotest.Client) {
		svc, _ := newService(t, tbl, clock.NewFake(t0))
		cases := []struct {
			name  string
			edit  func(*billing.DraftInput)
			field string
		}{
			{"Currency", func(d *billing.DraftInput) { d.Currency = "eur" }, "currency"},
			{"NoLines", func(d *billing.DraftInput) { d.Lines = nil }, "lines"},
			{"ZeroQuantity", func(d *billing.DraftInput) { d.Lines[0].Quantity = 0 }, "lines[0].quantity"},
			{"Negative", func(d *billing.DraftInput) { d.Lines[1].UnitAmount = -1 }, "lines[1].unit_amount"},
			{"Overflow", func(d *billing.DraftInput) { d.Lines[0].UnitAmount = 999_999_999_999; d.Lines[0].Quantity = 10_000 }, "lines[0].unit_amount"},
			{"TaxWithoutName", func(d *billing.DraftInput) { d.TaxName = "" }, "tax_name"},
			{"UnknownCustomer", func(d *billing.DraftInput) { d.CustomerID = "missing" }, "customer_id"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				d := draft("usr_1")
				c.edit(&d)
				if _, err := svc.CreateDraft(context.Background(), d); fields(err)[c.field] == "" {
					t.Fatalf("err = %v, want a field error on %s", err, c.field)
				}
			})
		}
	})
}

// Invoice numbers stay sequential and gap-free when many invoices are
// finalised at once.
func TestNumbersGapFreeUnderConcurrency(t *testing.T) {
	dynamotest.Run(t, clock.NewFake(t0), func(t *testing.T, tbl *dynamo.Table, api dynamotest.Client) {
		ctx := context.Background()
		svc, _ := newService(t, tbl, clock.NewFake(t0))
		n := 50
		if !dynamotest.Embedded(api) {
			n = 15 // moto serves one request at a time: same semantics, less contention
		}
		var draftsIDs []string
		for i := range n {
			d, err := svc.CreateDraft(ctx, draft(fmt.Sprintf("usr_%d", i%5)))
			if err != nil {
				t.Fatal(err)
			}
			draftsIDs = append(draftsIDs, d.ID)
		}
		var mu sync.Mutex
		var numbers []string
		var wg sync.WaitGroup
		for _, id := range draftsIDs {
			wg.Go(func() {
				inv, err := svc.Finalize(ctx, id)
				if err != nil {
					t.Errorf("finalize %s: %v", id, err)
					return
				}
				mu.Lock()
				numbers = append(numbers, inv.Number)
				mu.Unlock()
			})
		}
		wg.Wait()
		sort.Strings(numbers)
		for i, num := range numbers {
			if want := fmt.Sprintf("EZS-2026-%06d", i+1); num != want {
				t.Fatalf("numbers[%d] = %s, want %s (all: %v)", i, num, want, numbers)
			}
		}
		if len(numbers) != n {
			t.Fatalf("%d numbers for %d invoices", len(numbers), n)
		}
	})
}

func TestPDFIsDeterministicAndUTF8(t *testing.T) {
	r := invoicepdf.New(invoicepdf.Seller{Name: "EZSCALE", VATID: "GB123"})
	issued, due := t0, t0.Add(14*24*time.Hour)
	inv := &billing.Invoice{ID: "inv_1", Number: "EZS-2026-000007", Currency: "PLN", Status: billing.Open, IssuedAt: &issued, DueAt: &due,
		BillTo: billing.BillTo{Name: "Zofia Łódź — Ελληνικά — Кириллица", City: "Łódź"}, Notes: "Dziękujemy! Ευχαριστούμε!",
		Lines: []billing.Line{{Description: "Serwer dedykowany — żółw", Quantity: 1, UnitAmount: 49900, Amount: 49900}}, Subtotal: 49900, Total: 49900}
	a, err := r.Render(inv)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := r.Render(inv)
	if !bytes.Equal(a, b) {
		t.Fatal("the same invoice rendered to different bytes")
	}
	if !bytes.HasPrefix(a, []byte("%PDF-1.")) || !bytes.Contains(a, []byte("/FontFile2")) || len(a) < 10_000 {
		t.Fatalf("not a PDF with the embedded font (%d bytes)", len(a))
	}
}
