package stripegw_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v79/webhook"

	"github.com/ezscale/platform/shared/adapters/stripegw"
	"github.com/ezscale/platform/shared/domain/gateway"
	"github.com/ezscale/platform/shared/platform/apperr"
	"github.com/ezscale/platform/shared/testkit/stripemock"
)

const secret = "whsec_test_secret"

// Against stripe-mock: it checks our requests against Stripe's OpenAPI
// spec (parameters, types) and answers with fixtures.
func TestAgainstStripeMock(t *testing.T) {
	g := stripegw.New(stripegw.Config{SecretKey: "sk_test_123", BaseURL: stripemock.Start(t)})
	ctx := context.Background()
	cus, err := g.EnsureCustomer(ctx, gateway.Customer{UserID: "usr_1", Email: "a@example.com", Name: "Ada"})
	if err != nil || !strings.HasPrefix(cus, "cus_") {
		t.Fatalf("customer = %q, %v", cus, err)
	}
	co, err := g.CreateCheckout(ctx, gateway.CheckoutInput{OrderID: "ord_1", GatewayCustomerID: cus, Product: "VPS Starter (monthly)", Currency: "USD",
		Amount: 1200, FirstDiscount: 120, Interval: "month", IntervalCount: 3, SuccessURL: "https://example.com/ok", CancelURL: "https://example.com/cancel", TrialDays: 7, ExpiresAt: time.Now().Add(time.Hour)})
	if err != nil || !strings.HasPrefix(co.ID, "cs_") {
		t.Fatalf("checkout = %+v, %v", co, err)
	}
	if id, err := g.StartSubscription(ctx, gateway.CheckoutInput{OrderID: "ord_2", GatewayCustomerID: cus, Product: "VPS Pro (monthly)", Currency: "USD",
		Amount: 2400, FirstDiscount: 240, Interval: "month", IntervalCount: 1, TrialDays: 3}, "pm_123"); err != nil || !strings.HasPrefix(id, "sub_") {
		t.Fatalf("start subscription = %q, %v", id, err)
	}
	if err := g.CancelSubscription(ctx, gateway.CancelInput{SubscriptionID: "sub_123", AtPeriodEnd: true, Feedback: "too_expensive", Comment: "pricey", Key: "sub-1-v2"}); err != nil {
		t.Fatalf("cancel at period end: %v", err)
	}
	if err := g.CancelSubscription(ctx, gateway.CancelInput{SubscriptionID: "sub_123", Feedback: "unused", Key: "sub-1-v3"}); err != nil {
		t.Fatalf("cancel now: %v", err)
	}
	if err := g.ResumeSubscription(ctx, "sub_123", "sub-1-v4"); err != nil {
		t.Fatalf("resume: %v", err)
	}
	if id, err := g.PayOpenInvoice(ctx, "sub_123", "", "sub-1-pay-1"); err != nil || !strings.HasPrefix(id, "in_") {
		t.Fatalf("pay open invoice = %q, %v", id, err)
	}
	if id, err := g.PayOpenInvoice(ctx, "sub_123", "pm_123", "sub-1-pay-2"); err != nil || !strings.HasPrefix(id, "in_") {
		t.Fatalf("pay open invoice with another card = %q, %v", id, err)
	}
	if id, err := g.ChargeFee(ctx, gateway.FeeInput{Key: "latefee-in_1", SubscriptionID: "sub_123", GatewayCustomerID: cus, OrderID: "ord_1", Currency: "USD",
		Net: 500, Amount: 595, Description: "Late fee: VPS Starter renewal unpaid", For: "in_1"}); err != nil || !strings.HasPrefix(id, "in_") {
		t.Fatalf("charge a late fee = %q, %v", id, err)
	}
	if id, err := g.AddToNextInvoice(ctx, gateway.FeeInput{Key: "overage-svc_1-1796140800", SubscriptionID: "sub_123", GatewayCustomerID: cus, OrderID: "ord_1", Currency: "USD",
		Net: 120, Amount: 143, Description: "Bandwidth overage"}); err != nil || !strings.HasPrefix(id, "ii_") {
		t.Fatalf("add usage to the next invoice = %q, %v", id, err)
	}
	if s, err := g.Subscription(ctx, "sub_123"); err != nil || s.ID != "sub_123" || s.Status == "" || s.CurrentPeriodEnd.IsZero() {
		t.Fatalf("get subscription = %+v, %v", s, err)
	}
	if co, err := g.SetupPaymentMethod(ctx, gateway.SetupInput{GatewayCustomerID: cus, Currency: "EUR", SuccessURL: "https://example.com/ok", CancelURL: "https://example.com/no", Key: "setup-1"}); err != nil || co.ID == "" {
		t.Fatalf("setup = %+v, %v", co, err)
	}
	if err := g.SetDefaultPaymentMethod(ctx, cus, "pm_123", []string{"sub_123"}); err != nil {
		t.Fatalf("default: %v", err)
	}
	if err := g.DetachPaymentMethod(ctx, "pm_123"); err != nil {
		t.Fatalf("detach: %v", err)
	}
	if _, err := g.ChangeSubscription(ctx, gateway.ChangeInput{ChangeID: "chg_1", SubscriptionID: "sub_123", GatewayCustomerID: cus, Currency: "USD", Product: "VPS Pro (monthly)",
		Amount: 2400, Interval: "month", IntervalCount: 1, Charge: 600, Description: "VPS Standard → VPS Pro, 15 of 30 days"}); err != nil {
		t.Fatalf("change: %v", err)
	}
	if id, err := g.Refund(ctx, gateway.RefundInput{ChargeID: "ch_123", Amount: 500, Reason: "requested_by_customer", Key: "rf_1"}); err != nil || !strings.HasPrefix(id, "re_") {
		t.Fatalf("refund = %q, %v", id, err)
	}
	if refunds, err := g.ChargeRefunds(ctx, "ch_123"); err != nil || len(refunds) == 0 || !strings.HasPrefix(refunds[0].ID, "re_") || refunds[0].Amount <= 0 {
		t.Fatalf("list refunds: %+v, %v", refunds, err)
	}
	if id, err := g.CreditBalance(ctx, gateway.CreditInput{GatewayCustomerID: "cus_123", Currency: "USD", Amount: 714, Description: "Credit from a plan change", Key: "credit-chg_1"}); err != nil || !strings.HasPrefix(id, "cbtxn_") {
		t.Fatalf("credit balance = %q, %v", id, err)
	}
}

// Failure modes stripe-mock cannot produce, from a scripted server.
func TestFailures(t *testing.T) {
	cases := []struct {
		name   string
		status int
		body   string
		want   apperr.Code
	}{
		{"RateLimited", 429, `{"error":{"type":"invalid_request_error","message":"Too many requests"}}`, apperr.Unavailable},
		{"Outage", 503, `{"error":{"type":"api_error","message":"down"}}`, apperr.Unavailable},
		{"CardDeclined", 402, `{"error":{"type":"card_error","code":"card_declined","message":"Your card was declined."}}`, apperr.Invalid},
		{"Malformed", 500, `<html>oops`, apperr.Unavailable},
		// Found by the soak: cancelling a subscription the gateway had just
		// ended answered 500.
		{"StateRefused", 400, `{"error":{"type":"invalid_request_error","message":"This subscription is already canceled."}}`, apperr.Conflict},
		{"CustomerGone", 400, `{"error":{"type":"invalid_request_error","code":"resource_missing","param":"customer","message":"No such customer: 'cus_x'"}}`, apperr.NotFound},
		{"OurBug", 400, `{"error":{"type":"invalid_request_error","code":"parameter_unknown","param":"colour","message":"Received unknown parameter: colour"}}`, apperr.Internal},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			calls := 0
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				calls++
				if r.Header.Get("Idempotency-Key") != "customer-usr_1" {
					t.Errorf("idempotency key = %q", r.Header.Get("Idempotency-Key"))
				}
				w.Header().Set("Stripe-Should-Retry", "false")
				w.WriteHeader(c.status)
				fmt.Fprint(w, c.body)
			}))
			defer srv.Close()
			g := stripegw.New(stripegw.Config{SecretKey: "sk_test_123", BaseURL: srv.URL})
			_, err := g.EnsureCustomer(context.Background(), gateway.Customer{UserID: "usr_1", Email: "a@example.com"})
			if got := apperr.CodeOf(err); got != c.want {
				t.Fatalf("code = %s (%v), want %s", got, err, c.want)
			}
		})
	}
	t.Run("Timeout", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { time.Sleep(300 * time.Millisecond) }))
		defer srv.Close()
		g := stripegw.New(stripegw.Config{SecretKey: "sk_test_123", BaseURL: srv.URL, Timeout: 50 * time.Millisecond})
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if _, err := g.EnsureCustomer(ctx, gateway.Customer{UserID: "usr_1"}); !apperr.Is(err, apperr.Unavailable) {
			t.Fatalf("timeout: %v", err)
		}
	})
}

func signed(payload string, at time.Time, key string) string {
	return webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: []byte(payload), Secret: key, Timestamp: at}).Header
}

const event = `{"id":"evt_1","object":"event","api_version":"2024-06-20","created":1795000000,"type":"checkout.session.completed","data":{"object":{"id":"cs_1","object":"checkout.session"}}}`

func TestParseWebhook(t *testing.T) {
	g := stripegw.New(stripegw.Config{SecretKey: "sk_test_123", WebhookSecret: secret})
	ev, err := g.ParseWebhook(context.Background(), delivery([]byte(event), signed(event, time.Now(), secret)))
	if err != nil || ev.ID != "evt_1" || ev.Type != "checkout.session.completed" || ev.ObjectID != "cs_1" || ev.Created.Unix() != 1795000000 {
		t.Fatalf("event = %+v, %v", ev, err)
	}
	bad := map[string]string{
		"Forged":   signed(event, time.Now(), "whsec_other"),
		"Stale":    signed(event, time.Now().Add(-6*time.Minute), secret),
		"Unsigned": "",
		"Garbage":  "t=abc,v1=zz",
	}
	for name, sig := range bad {
		if _, err := g.ParseWebhook(context.Background(), delivery([]byte(event), sig)); !errors.Is(err, gateway.ErrSignature) {
			t.Errorf("%s: %v, want ErrSignature", name, err)
		}
	}
	altered := strings.Replace(event, "cs_1", "cs_2", 1)
	if _, err := g.ParseWebhook(context.Background(), delivery([]byte(altered), signed(event, time.Now(), secret))); !errors.Is(err, gateway.ErrSignature) {
		t.Errorf("altered body: %v", err)
	}
	noObject := `{"id":"evt_2","object":"event","api_version":"2024-06-20","type":"x","data":{}}`
	if _, err := g.ParseWebhook(context.Background(), delivery([]byte(noObject), signed(noObject, time.Now(), secret))); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("no object: %v", err)
	}
}

// The parser sees attacker-controlled bytes: whatever arrives, correctly
// signed or not, it returns an event or an error, never panics.
func FuzzParseWebhook(f *testing.F) {
	g := stripegw.New(stripegw.Config{SecretKey: "sk_test_123", WebhookSecret: secret})
	f.Add([]byte(event), true)
	f.Add([]byte(`{"id":"evt","type":"t","data":{"object":[]}}`), true)
	f.Add([]byte(`not json`), false)
	f.Fuzz(func(t *testing.T, payload []byte, sign bool) {
		sig := "t=1,v1=00"
		if sign {
			sig = signed(string(payload), time.Now(), secret)
		}
		ev, err := g.ParseWebhook(context.Background(), delivery(payload, sig))
		if err == nil && (ev.ID == "" || ev.Type == "") {
			t.Fatalf("accepted an event without id or type: %q", payload)
		}
		if !sign && err == nil {
			t.Fatal("accepted an unsigned payload")
		}
	})
}

// Each kind billing acts on decodes into our terms from Stripe's JSON.
func TestDecodeEvents(t *testing.T) {
	g := stripegw.New(stripegw.Config{SecretKey: "sk_test_123", WebhookSecret: secret})
	parse := func(typ, object string) *gateway.Event {
		t.Helper()
		body := `{"id":"evt_x","object":"event","api_version":"2024-06-20","created":1795000000,"type":"` + typ + `","data":{"object":` + object + `}}`
		ev, err := g.ParseWebhook(context.Background(), delivery([]byte(body), signed(body, time.Now(), secret)))
		if err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		return ev
	}
	ev := parse("checkout.session.completed", `{"id":"cs_1","object":"checkout.session","client_reference_id":"ord_1","customer":"cus_1","subscription":"sub_1","payment_status":"paid"}`)
	if c := ev.Checkout; ev.Kind != gateway.CheckoutCompleted || c.OrderID != "ord_1" || c.CustomerID != "cus_1" || c.SubscriptionID != "sub_1" || !c.Paid {
		t.Errorf("checkout = %+v", c)
	}
	ev = parse("invoice.paid", `{"id":"in_1","object":"invoice","customer":"cus_1","subscription":"sub_1","subscription_details":{"metadata":{"ezscale_order_id":"ord_1"}},
		"currency":"eur","total":1190,"amount_paid":1190,"charge":"ch_1","billing_reason":"subscription_create","period_start":1,"period_end":1,
		"lines":{"object":"list","data":[{"id":"il_1","object":"line_item","period":{"start":1795000000,"end":1797678400}}]}}`)
	if in := ev.Invoice; ev.Kind != gateway.InvoicePaid || in.OrderID != "ord_1" || in.Currency != "EUR" || in.AmountPaid != 1190 || in.ChargeID != "ch_1" ||
		in.Reason != gateway.ReasonFirst || in.PeriodStart.Unix() != 1795000000 || in.PeriodEnd.Unix() != 1797678400 {
		t.Errorf("invoice = %+v", in)
	}
	ev = parse("customer.subscription.updated", `{"id":"sub_1","object":"subscription","customer":"cus_1","status":"past_due","metadata":{"ezscale_order_id":"ord_1"},
		"current_period_start":1795000000,"current_period_end":1797678400,"cancel_at_period_end":true}`)
	if s := ev.Subscription; ev.Kind != gateway.SubscriptionUpdated || s.Status != gateway.SubPastDue || s.OrderID != "ord_1" || !s.CancelAtPeriodEnd || s.TrialEnd != nil {
		t.Errorf("subscription = %+v", s)
	}
	ev = parse("charge.refunded", `{"id":"ch_1","object":"charge","customer":"cus_1","invoice":"in_1","currency":"usd","amount":1000,"amount_refunded":400}`)
	if c := ev.Charge; c.InvoiceID != "in_1" || c.Currency != "USD" || c.AmountRefunded != 400 {
		t.Errorf("charge = %+v", c)
	}
	ev = parse("payment_method.attached", `{"id":"pm_1","object":"payment_method","customer":"cus_1","card":{"brand":"visa","last4":"4242","exp_month":12,"exp_year":2030}}`)
	if pm := ev.PaymentMethod; pm.CustomerID != "cus_1" || pm.Brand != "visa" || pm.Last4 != "4242" || pm.ExpYear != 2030 {
		t.Errorf("payment method = %+v", pm)
	}
	if ev := parse("customer.created", `{"id":"cus_9","object":"customer"}`); ev.Kind != gateway.Other || ev.ObjectID != "cus_9" {
		t.Errorf("other = %+v", ev)
	}
	body := `{"id":"evt_y","object":"event","api_version":"2024-06-20","type":"invoice.paid","data":{"object":{"id":"in_1","total":"lots"}}}`
	if _, err := g.ParseWebhook(context.Background(), delivery([]byte(body), signed(body, time.Now(), secret))); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("malformed invoice: %v", err)
	}
}

func delivery(body []byte, sig string) gateway.Delivery {
	return gateway.Delivery{Body: body, Header: map[string]string{stripegw.SignatureHeader: sig}}
}
