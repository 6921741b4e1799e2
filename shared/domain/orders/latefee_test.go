package orders_test

import (
	"testing"
	"time"

	"github.com/ezscale/platform/shared/domain/orders"
)

func TestUnpaidFees(t *testing.T) {
	at := func(h int) time.Time { return time.Date(2026, 12, 1, h, 0, 0, 0, time.UTC) }
	ledger := []orders.Payment{
		{OrderID: "ord_1", GatewayInvoiceID: "in_renewal", Status: orders.PaymentFailed, Amount: 1190, At: at(1)},                           // not a fee
		{OrderID: "ord_1", GatewayInvoiceID: "in_fee1", Status: orders.PaymentFailed, Amount: 119, LateFeeFor: "in_renewal", At: at(3)},     // retried
		{OrderID: "ord_1", GatewayInvoiceID: "in_fee1", Status: orders.PaymentFailed, Amount: 119, LateFeeFor: "in_renewal", At: at(2)},     // first
		{OrderID: "ord_1", GatewayInvoiceID: "in_fee2", Status: orders.PaymentFailed, Amount: 500, LateFeeFor: "in_renewal2", At: at(4)},    // paid later
		{OrderID: "ord_1", GatewayInvoiceID: "in_fee2", Status: orders.PaymentSucceeded, Amount: 500, LateFeeFor: "in_renewal2", At: at(5)}, //
		{OrderID: "ord_2", GatewayInvoiceID: "in_fee3", Status: orders.PaymentFailed, Amount: 700, LateFeeFor: "in_other", At: at(2)},       // another order
	}
	got := orders.UnpaidFees(ledger, "ord_1")
	if len(got) != 1 || got[0].GatewayInvoiceID != "in_fee1" || !got[0].At.Equal(at(2)) {
		t.Fatalf("unpaid fees %+v", got)
	}
	if due := orders.FeesDue(ledger, "ord_1"); due != 119 {
		t.Fatalf("fees due %d, want 119", due)
	}
	if due := orders.FeesDue(ledger, "ord_3"); due != 0 {
		t.Fatalf("fees due on an order without any: %d", due)
	}
}
