package stack_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ezscale/platform/shared/domain/dunning"
	"github.com/ezscale/platform/shared/domain/notify"
	"github.com/ezscale/platform/shared/domain/orders"
	"github.com/ezscale/platform/shared/domain/provisioning"
	"github.com/ezscale/platform/shared/testkit/session"
)

// With a late fee in the policy, an unpaid renewal gets one on its day:
// its own gateway invoice, for the percentage or the minimum with the
// renewal's tax, on the ledger and on our invoice once paid — and asking
// again (a retried step) finds the same fee instead of a second.
func TestLateFeeChargedOnceOnItsDay(t *testing.T) {
	st, base := openStack(t)
	ctx := context.Background()
	pol, err := st.Platform.Dunning.Policy(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pol.LateFee = dunning.LateFee{Enabled: true, PercentBP: 1000, Minimum: map[string]int64{"USD": 500}, AfterDays: 2}
	if pol, err = st.Platform.Dunning.SetPolicy(ctx, *pol, "test"); err != nil {
		t.Fatal(err)
	}
	svc, sub, due := declined(t, st, base, "late.example.com")
	o, err := st.Platform.OrderStore.GetOrder(ctx, svc.OrderID)
	if err != nil {
		t.Fatal(err)
	}
	fees := func() []orders.Payment {
		list, _ := st.Platform.OrderStore.ListPayments(ctx, svc.CustomerID)
		var out []orders.Payment
		for _, p := range list {
			if p.LateFeeFor != "" {
				out = append(out, p)
			}
		}
		return out
	}
	if code, _, raw := devClock(t, base, fmt.Sprintf(`{"advance":"%s"}`, due.Add(2*24*time.Hour+time.Hour).Sub(st.Clock.Now()).Round(time.Second))); code != 200 {
		t.Fatalf("advance: %s", raw)
	}
	for deadline := time.Now().Add(15 * time.Second); len(fees()) == 0; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no late fee on the ledger by day 2")
		}
	}
	fee := fees()[0]
	net := pol.LateFee.Net(o.Price, "USD")
	want := net + (net*o.TaxRateBP+5000)/10000
	if fee.Status != orders.PaymentSucceeded || fee.Amount != want || fee.LateFeeFor == "" || fee.Currency != "USD" {
		t.Fatalf("fee payment %+v, want %d USD", fee, want)
	}
	again, err := st.Platform.Orders.ChargeLateFee(ctx, o.ID, fee.LateFeeFor, pol.LateFee.Net)
	if err != nil || again != fee.GatewayInvoiceID {
		t.Fatalf("the fee asked for again: %q %v, want %q", again, err, fee.GatewayInvoiceID)
	}

	c, err := session.SignIn(base, st.DemoCustomer.Email, st.DemoCustomer.Password, "", st.Clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	var invoices struct {
		Invoices []struct {
			Total int64 `json:"total"`
			Lines []struct {
				Description string `json:"description"`
			} `json:"lines"`
		} `json:"invoices"`
	}
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		_, raw, _ := c.Do("GET", "/v1/me/invoices", nil)
		_ = json.Unmarshal(raw, &invoices)
		if len(invoices.Invoices) > 0 && strings.HasPrefix(invoices.Invoices[0].Lines[0].Description, "Late fee") {
			if invoices.Invoices[0].Total != want {
				t.Fatalf("our invoice for the fee: %s", raw)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no invoice for the fee: %s", raw)
		}
	}
	// The renewal itself is still due: paying it restores nothing else.
	if s, _ := st.Platform.OrderStore.GetSubscription(ctx, sub.ID); s.Status != "past_due" {
		t.Fatalf("subscription %s after the fee", s.Status)
	}
}

// A late fee whose charge is declined stays due beside the renewal. Pay
// now pays the renewal first (the service comes back even when the fee is
// declined again); the fee left is reminded on its days and is paid
// alone by its invoice, after which nothing is due.
func TestDeclinedLateFeeIsPaidWithTheRenewal(t *testing.T) {
	st, base := openStack(t)
	ctx := context.Background()
	pol, err := st.Platform.Dunning.Policy(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pol.LateFee = dunning.LateFee{Enabled: true, PercentBP: 1000, Minimum: map[string]int64{}, AfterDays: 1}
	if _, err = st.Platform.Dunning.SetPolicy(ctx, *pol, "test"); err != nil {
		t.Fatal(err)
	}
	svc, sub, due := declined(t, st, base, "feedue.example.com")
	st.Stripe.DeclineNext(1)
	if code, _, raw := devClock(t, base, fmt.Sprintf(`{"advance":"%s"}`, due.Add(25*time.Hour).Sub(st.Clock.Now()).Round(time.Second))); code != 200 {
		t.Fatalf("advance: %s", raw)
	}
	c, err := session.SignIn(base, st.DemoCustomer.Email, st.DemoCustomer.Password, "", st.Clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	feesDue := func() (int64, string) {
		_, raw, _ := c.Do("GET", "/v1/me/subscriptions", nil)
		var l struct {
			Subscriptions []struct {
				ID      string `json:"id"`
				Status  string `json:"status"`
				FeesDue int64  `json:"fees_due"`
			} `json:"subscriptions"`
		}
		_ = json.Unmarshal(raw, &l)
		for _, s := range l.Subscriptions {
			if s.ID == sub.ID {
				return s.FeesDue, s.Status
			}
		}
		t.Fatalf("no subscription %s in %s", sub.ID, raw)
		return 0, ""
	}
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if n, _ := feesDue(); n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the declined fee is not shown as due")
		}
	}
	// Pay now: the renewal goes through, the fee is declined again.
	st.Stripe.FailNext(0, 0, 402) // the list, the renewal, the fee
	if code, raw, _ := c.Do("POST", "/v1/me/subscriptions/"+sub.ID+"/pay", nil); code != 202 {
		t.Fatalf("pay: %d %s", code, raw)
	}
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		n, status := feesDue()
		if n > 0 && status == "active" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after paying the renewal: fees due %d, subscription %s", n, status)
		}
	}
	waitFor(t, st, svc.ID, func(s *provisioning.Service) bool { return s.Status == provisioning.StatusActive })
	// The fee left unpaid is reminded on its days (1 and 7), each once.
	reminders := func() int {
		n := 0
		list, _, _ := st.Platform.Notify.List(ctx, "", "")
		for _, m := range list {
			if m.Kind == notify.InvoiceOverdue {
				n++
			}
		}
		return n
	}
	for _, step := range []struct {
		advance string
		want    int
	}{{"25h", 1}, {"144h", 2}} {
		if code, _, raw := devClock(t, base, `{"advance":"`+step.advance+`"}`); code != 200 {
			t.Fatalf("advance: %s", raw)
		}
		for deadline := time.Now().Add(15 * time.Second); reminders() < step.want; time.Sleep(50 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("after %s: %d fee reminders, want %d", step.advance, reminders(), step.want)
			}
		}
	}
	if c, err = session.SignIn(base, st.DemoCustomer.Email, st.DemoCustomer.Password, "", st.Clock.Now); err != nil {
		t.Fatal(err)
	}
	// The fee alone, by its invoice (the id our invoice will have).
	list, _ := st.Platform.OrderStore.ListPayments(ctx, svc.CustomerID)
	feeInvoice := ""
	for _, p := range list {
		if p.LateFeeFor != "" {
			feeInvoice = orders.InvoiceID(p.Gateway, p.GatewayInvoiceID)
		}
	}
	if code, raw, _ := c.Do("POST", "/v1/me/invoices/inv_stripe_in_nope/pay", nil); code != 404 {
		t.Fatalf("pay an unknown invoice: %d %s", code, raw)
	}
	if code, raw, _ := c.Do("POST", "/v1/me/invoices/"+feeInvoice+"/pay", map[string]any{"payment_method": "pm_not_mine"}); code != 400 || !strings.Contains(string(raw), "payment_method") {
		t.Fatalf("pay with a card that is not theirs: %d %s", code, raw)
	}
	if code, raw, _ := c.Do("POST", "/v1/me/invoices/"+feeInvoice+"/pay", nil); code != 202 {
		t.Fatalf("pay the fee: %d %s", code, raw)
	}
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if n, _ := feesDue(); n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the fee is still due after paying it")
		}
	}
	if code, raw, _ := c.Do("POST", "/v1/me/subscriptions/"+sub.ID+"/pay", nil); code != 409 {
		t.Fatalf("paying with nothing due: %d %s", code, raw)
	}
	if code, raw, _ := c.Do("POST", "/v1/me/invoices/"+feeInvoice+"/pay", nil); code != 409 {
		t.Fatalf("paying the fee twice: %d %s", code, raw)
	}
}

// A fee whose first attempt died after its item was made, before its
// invoice, and that is asked for again after Stripe forgot the request's
// idempotency keys (a day later) is one item on one invoice, not two.
func TestHalfMadeLateFeeIsNotDoubled(t *testing.T) {
	st, base := openStack(t)
	ctx := context.Background()
	svc, _, _ := declined(t, st, base, "halfmade.example.com")
	o, err := st.Platform.OrderStore.GetOrder(ctx, svc.OrderID)
	if err != nil {
		t.Fatal(err)
	}
	list, _ := st.Platform.OrderStore.ListPayments(ctx, svc.CustomerID)
	unpaid := ""
	for _, p := range list {
		if p.Status == orders.PaymentFailed {
			unpaid = p.GatewayInvoiceID
		}
	}
	fee := dunning.LateFee{Enabled: true, PercentBP: 1000, Minimum: map[string]int64{}, AfterDays: 1}
	st.Stripe.FailNext(0, 0, 0, 500) // the invoice list, the item list, the item; then the invoice fails
	if _, err := st.Platform.Orders.ChargeLateFee(ctx, o.ID, unpaid, fee.Net); err == nil {
		t.Fatal("the half-made fee reported success")
	}
	st.Stripe.ForgetIdempotencyKeys()
	id, err := st.Platform.Orders.ChargeLateFee(ctx, o.ID, unpaid, fee.Net)
	if err != nil {
		t.Fatal(err)
	}
	net := fee.Net(o.Price, o.Currency)
	if inv := st.Stripe.Object(id); inv == nil || inv["total"] != net+(net*o.TaxRateBP+5000)/10000 {
		t.Fatalf("fee invoice %v, want a total of one fee", inv)
	}
}
