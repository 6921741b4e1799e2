package paypalgw_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ezscale/platform/infra/paypalsim"
	"github.com/ezscale/platform/shared/adapters/paypalgw"
	"github.com/ezscale/platform/shared/domain/gateway"
	"github.com/ezscale/platform/shared/platform/apperr"
)

// world is the simulator, an adapter on it and the deliveries it made to
// our webhook, as gateway.Delivery values.
type world struct {
	sim   *paypalsim.Sim
	srv   *httptest.Server
	gw    *paypalgw.Gateway
	mu    sync.Mutex
	hooks []gateway.Delivery
	now   time.Time
}

// advance moves the simulator's clock.
func (w *world) advance(d time.Duration) {
	w.mu.Lock()
	w.now = w.now.Add(d)
	w.mu.Unlock()
}

// capture is the merchant collecting a subscription's balance (straight
// at the simulator's API: the adapter has no call for it yet).
func (w *world) capture(id, value string) error {
	tok, err := w.token()
	if err != nil {
		return err
	}
	body := `{"note":"balance","capture_type":"OUTSTANDING_BALANCE","amount":{"currency_code":"USD","value":"` + value + `"}}`
	req, _ := http.NewRequest("POST", w.srv.URL+"/v1/billing/subscriptions/"+id+"/capture", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		return errors.New("capture: " + res.Status)
	}
	return nil
}

func (w *world) token() (string, error) {
	req, _ := http.NewRequest("POST", w.srv.URL+"/v1/oauth2/token", strings.NewReader("grant_type=client_credentials"))
	req.SetBasicAuth("client", "secret")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	return tok.AccessToken, json.NewDecoder(res.Body).Decode(&tok)
}

func newWorld(t *testing.T, verify string) *world {
	t.Helper()
	w := &world{}
	var h http.Handler
	w.srv = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) { h.ServeHTTP(rw, r) }))
	t.Cleanup(w.srv.Close)
	w.now = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	w.sim = paypalsim.New("client", "secret", "WH-1", w.srv.URL, func() time.Time {
		w.mu.Lock()
		defer w.mu.Unlock()
		return w.now
	})
	h = w.sim.Handler()
	hook := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		d := gateway.Delivery{Body: b, Header: map[string]string{}}
		for k, v := range r.Header {
			d.Header[strings.ToLower(k)] = v[0]
		}
		w.mu.Lock()
		w.hooks = append(w.hooks, d)
		w.mu.Unlock()
	}))
	t.Cleanup(hook.Close)
	w.sim.SetWebhookURL(hook.URL)
	u, _ := url.Parse(w.srv.URL)
	gw, err := paypalgw.New(paypalgw.Config{ClientID: "client", Secret: "secret", WebhookID: "WH-1", BaseURL: w.srv.URL, Verify: verify, CertHosts: []string{u.Host}})
	if err != nil {
		t.Fatal(err)
	}
	w.gw = gw
	return w
}

func checkout(order string) gateway.CheckoutInput {
	return gateway.CheckoutInput{OrderID: order, PlanID: "pln_vps", ServiceType: "vps", Product: "VPS Starter (monthly)", Currency: "USD", Amount: 1490,
		Interval: "month", IntervalCount: 1, SuccessURL: "https://ezscale.example/account/orders/" + order + "?checkout=success",
		CancelURL: "https://ezscale.example/account/orders/" + order + "?checkout=cancelled"}
}

// approve follows the approve link as the buyer would.
func (w *world) approve(t *testing.T, link string) {
	t.Helper()
	u, _ := url.Parse(link)
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := noRedirect.PostForm(w.srv.URL+"/webapps/billing/subscriptions", url.Values{"ba_token": {u.Query().Get("ba_token")}, "action": {"approve"}})
	if err != nil || res.StatusCode != http.StatusSeeOther {
		t.Fatalf("approve: %v %v", res, err)
	}
	res.Body.Close()
}

// delivered delivers what is due and returns the deliveries so far.
func (w *world) delivered(t *testing.T, n int) []gateway.Delivery {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		w.sim.DeliverDue(context.Background())
		w.mu.Lock()
		got := append([]gateway.Delivery{}, w.hooks...)
		w.mu.Unlock()
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d deliveries", len(got), n)
		}
	}
}

// Checkout makes the product and plan once, a subscription per order
// (the same one when asked again), with a trial cycle for a discount.
func TestCheckoutMakesCatalogOnce(t *testing.T) {
	w := newWorld(t, "")
	ctx := context.Background()
	a, err := w.gw.CreateCheckout(ctx, checkout("ord_a"))
	if err != nil || !strings.HasPrefix(a.ID, "I-") || !strings.Contains(a.URL, "ba_token=") {
		t.Fatalf("checkout: %+v %v", a, err)
	}
	again, err := w.gw.CreateCheckout(ctx, checkout("ord_a"))
	if err != nil || again.ID != a.ID {
		t.Fatalf("the same order again: %+v %v (first %s)", again, err, a.ID)
	}
	discounted := checkout("ord_b")
	discounted.FirstDiscount, discounted.TrialDays = 490, 7
	b, err := w.gw.CreateCheckout(ctx, discounted)
	if err != nil {
		t.Fatal(err)
	}
	if products, plans := w.sim.Counts(); products != 1 || plans != 1 {
		t.Fatalf("%d products and %d plans after three checkouts of one plan", products, plans)
	}
	sub, _ := w.sim.Subscription(b.ID)
	if len(sub.Cycles) != 3 || sub.Cycles[0].IntervalUnit != "DAY" || sub.Cycles[0].Price != 0 || sub.Cycles[1].Price != 1000 || sub.Cycles[2].Price != 1490 || sub.CustomID != "ord_b" {
		t.Fatalf("the discounted subscription's cycles: %+v", sub)
	}
	yearly := checkout("ord_c")
	yearly.Interval, yearly.IntervalCount = "year", 2
	if _, err := w.gw.CreateCheckout(ctx, yearly); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("every two years: %v", err)
	}
}

// A delivery verifies by postback or offline; an altered, unsigned or
// foreign-certificate one does not; a verification PayPal cannot answer
// is Unavailable (the delivery is refused and sent again).
func TestWebhookVerification(t *testing.T) {
	for _, mode := range []string{"postback", "offline"} {
		t.Run(mode, func(t *testing.T) {
			w := newWorld(t, mode)
			ctx := context.Background()
			co, err := w.gw.CreateCheckout(ctx, checkout("ord_a"))
			if err != nil {
				t.Fatal(err)
			}
			w.approve(t, co.URL)
			hooks := w.delivered(t, 3) // CREATED, ACTIVATED, SALE.COMPLETED
			var activated gateway.Delivery
			for _, d := range hooks {
				if bytes.Contains(d.Body, []byte("BILLING.SUBSCRIPTION.ACTIVATED")) {
					activated = d
				}
			}
			ev, err := w.gw.ParseWebhook(ctx, activated)
			if err != nil || ev.Kind != gateway.SubscriptionUpdated || ev.Subscription.OrderID != "ord_a" || ev.Subscription.Status != gateway.SubActive ||
				ev.Subscription.CurrentPeriodEnd.IsZero() || ev.Gateway != "paypal" {
				t.Fatalf("activated: %+v %v", ev, err)
			}
			altered := activated
			altered.Body = bytes.Replace(activated.Body, []byte("ord_a"), []byte("ord_z"), 1)
			if _, err := w.gw.ParseWebhook(ctx, altered); !errors.Is(err, gateway.ErrSignature) {
				t.Fatalf("altered: %v", err)
			}
			unsigned := gateway.Delivery{Body: activated.Body, Header: map[string]string{}}
			if _, err := w.gw.ParseWebhook(ctx, unsigned); !errors.Is(err, gateway.ErrSignature) {
				t.Fatalf("unsigned: %v", err)
			}
			foreign := gateway.Delivery{Body: activated.Body, Header: map[string]string{}}
			for k, v := range activated.Header {
				foreign.Header[k] = v
			}
			foreign.Header["paypal-cert-url"] = "https://attacker.example/cert.pem"
			if _, err := w.gw.ParseWebhook(ctx, foreign); mode == "offline" && !errors.Is(err, gateway.ErrSignature) {
				t.Fatalf("a certificate from another host: %v", err)
			}
			if mode == "postback" {
				w.sim.FailNext(503, 503, 503)
				if _, err := w.gw.ParseWebhook(ctx, activated); !apperr.Is(err, apperr.Unavailable) {
					t.Fatalf("postback unavailable: %v", err)
				}
			}
		})
	}
}

// Cancellation and refunds reach PayPal once, and its refusals are
// conflicts; reads are retried through passing failures.
func TestCancelRefundAndFaults(t *testing.T) {
	w := newWorld(t, "")
	ctx := context.Background()
	co, err := w.gw.CreateCheckout(ctx, checkout("ord_a"))
	if err != nil {
		t.Fatal(err)
	}
	w.approve(t, co.URL)
	w.sim.FailNext(503, 429)
	if s, err := w.gw.Subscription(ctx, co.ID); err != nil || s.Status != gateway.SubActive {
		t.Fatalf("read through two failures: %+v %v", s, err)
	}
	sale := w.sim.Sales(co.ID)[0].ID
	in := gateway.RefundInput{ChargeID: sale, Amount: 490, Key: "ref_1"}
	id1, err := w.gw.Refund(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	id2, err := w.gw.Refund(ctx, in)
	if err != nil || id2 != id1 || w.sim.Refunds(sale) != 1 {
		t.Fatalf("the same refund twice: %s %s %v, %d refunds", id1, id2, err, w.sim.Refunds(sale))
	}
	if _, err := w.gw.Refund(ctx, gateway.RefundInput{ChargeID: sale, Amount: 5000, Key: "ref_2"}); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("refunding more than is left: %v", err)
	}
	if err := w.gw.CancelSubscription(ctx, gateway.CancelInput{SubscriptionID: co.ID, AtPeriodEnd: true}); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("cancel at period end: %v", err)
	}
	// Keyed by PayPal-Request-Id, a cancel is retried through a passing
	// failure, and asked again it is the first answer; another request to
	// cancel what is cancelled is PayPal's 422.
	w.sim.FailNext(500, 503)
	if err := w.gw.CancelSubscription(ctx, gateway.CancelInput{SubscriptionID: co.ID, Feedback: "too_expensive", Key: "sub_1-v3-cancel"}); err != nil {
		t.Fatalf("cancel through an outage: %v", err)
	}
	if err := w.gw.CancelSubscription(ctx, gateway.CancelInput{SubscriptionID: co.ID, Feedback: "too_expensive", Key: "sub_1-v3-cancel"}); err != nil {
		t.Fatalf("the same cancel again: %v", err)
	}
	if err := w.gw.CancelSubscription(ctx, gateway.CancelInput{SubscriptionID: co.ID, Key: "sub_1-v4-cancel"}); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("another cancel of what is cancelled: %v", err)
	}
	if s, err := w.gw.Subscription(ctx, co.ID); err != nil || s.Status != gateway.SubCancelled || s.CancelledAt == nil {
		t.Fatalf("after cancel: %+v %v", s, err)
	}
}

// Whatever a verified body holds, decoding answers an event or an error,
// never a panic, and a subscription event always names its subscription.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"id":"WH-1","event_type":"BILLING.SUBSCRIPTION.ACTIVATED","resource_type":"subscription","create_time":"2026-12-01T09:00:00Z",
		"resource":{"id":"I-1","status":"ACTIVE","custom_id":"ord_1","billing_info":{"outstanding_balance":{"currency_code":"USD","value":"1.x"},"failed_payments_count":1}}}`))
	f.Add([]byte(`{"id":"WH-2","event_type":"PAYMENT.SALE.COMPLETED","resource_type":"sale","resource":{"id":"S1","billing_agreement_id":"I-1","custom":"ord_1","amount":{"total":"14.90","currency":"USD"}}}`))
	f.Add([]byte(`{"id":"WH-3","event_type":"BILLING.SUBSCRIPTION.PAYMENT.FAILED","resource_type":"subscription","resource":{"id":"I-1","status":"ACTIVE","billing_info":{"failed_payments_count":2,"last_failed_payment":{"amount":{"currency_code":"EUR","value":"9.5"},"time":"2026-12-01T00:00:00Z","reason_code":"PAYMENT_DENIED"}}}}`))
	f.Add([]byte(`{"id":"WH-4","event_type":"PAYMENT.SALE.REFUNDED","resource_type":"refund","resource":{"id":"R1","sale_id":"S1","state":"completed","amount":{"total":"4.90","currency":"USD"}}}`))
	f.Add([]byte(`{}`))
	gw, err := paypalgw.New(paypalgw.Config{ClientID: "c", Secret: "s", BaseURL: "http://127.0.0.1:1"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		ev, err := gw.Decode(body)
		if err != nil {
			return
		}
		switch ev.Kind {
		case gateway.SubscriptionPaid, gateway.SubscriptionPaymentFailed:
			if ev.Payment == nil || ev.Payment.SubscriptionID == "" || ev.Payment.Amount < 0 || ev.Payment.Currency == "" {
				t.Fatalf("payment decoded %+v", ev.Payment)
			}
		case gateway.ChargeRefunded:
			if ev.Charge == nil || ev.Charge.ID == "" || len(ev.Charge.Refunds) != 1 || ev.Charge.Refunds[0].Amount < 0 {
				t.Fatalf("refund decoded %+v", ev.Charge)
			}
		case gateway.SubscriptionUpdated, gateway.SubscriptionDeleted:
			if ev.Subscription == nil || ev.Subscription.ID == "" {
				t.Fatalf("subscription decoded %+v", ev)
			}
		}
		if ev.ID == "" {
			t.Fatalf("decoded %+v", ev)
		}
	})
}

// ChargeNow collects a one-off amount once, however often it is retried
// (even when the attempt that charged never heard back), and a declined
// charge leaves no balance for PayPal to bill later; Revise returns the
// consent link and the new price bills from the next cycle once the buyer
// agrees.
func TestChargeNowAndRevise(t *testing.T) {
	w := newWorld(t, "")
	ctx := context.Background()
	co, err := w.gw.CreateCheckout(ctx, checkout("ord_a"))
	if err != nil {
		t.Fatal(err)
	}
	w.approve(t, co.URL)
	since := w.now
	sale, err := w.gw.ChargeNow(ctx, co.ID, "USD", 350, since, "VPS Starter → VPS Pro", "change:chg_1")
	if err != nil || sale == "" {
		t.Fatalf("charge: %q %v", sale, err)
	}
	// A retry finds the sale by itself, even without PayPal's memory of
	// the request id (kept only so long; here another key): setting the
	// balance again would have PayPal bill it at the next cycle.
	again, err := w.gw.ChargeNow(ctx, co.ID, "USD", 350, since, "VPS Starter → VPS Pro", "change:chg_1-retry")
	if err != nil || again != sale {
		t.Fatalf("the same charge again: %q %v (first %q)", again, err, sale)
	}
	if sales := w.sim.Sales(co.ID); len(sales) != 2 || sales[1].ID != sale {
		t.Fatalf("sales %+v, the charge %s", sales, sale)
	}
	if sub, _ := w.sim.Subscription(co.ID); sub.Outstanding != 0 {
		t.Fatalf("%d left outstanding", sub.Outstanding)
	}
	w.sim.DeclineNext(1)
	if _, err := w.gw.ChargeNow(ctx, co.ID, "USD", 120, since, "another", "change:chg_2"); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("declined charge: %v", err)
	}
	if sub, _ := w.sim.Subscription(co.ID); sub.Outstanding != 0 {
		t.Fatalf("a declined charge left %d outstanding", sub.Outstanding)
	}

	link, _, err := w.gw.Revise(ctx, paypalgw.ReviseInput{SubscriptionID: co.ID, ServiceType: "vps", Plan: "VPS Pro", Currency: "USD", Amount: 2990,
		Interval: "month", IntervalCount: 1, ReturnURL: "https://ezscale.example/account/billing?change=chg_1", CancelURL: "https://ezscale.example/account/billing", Key: "revise:chg_1"})
	if err != nil || !strings.Contains(link, "/webapps/billing/subscriptions/update?ba_token=") {
		t.Fatalf("revise: %q %v", link, err)
	}
	u, _ := url.Parse(link)
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := noRedirect.PostForm(w.srv.URL+"/webapps/billing/subscriptions/update", url.Values{"ba_token": {u.Query().Get("ba_token")}, "action": {"approve"}})
	if err != nil || res.StatusCode != http.StatusSeeOther {
		t.Fatalf("consent: %v %v", err, res)
	}
	res.Body.Close()
	w.advance(31 * 24 * time.Hour)
	w.sim.RenewDue()
	if sales := w.sim.Sales(co.ID); sales[len(sales)-1].Amount != 2990 {
		t.Fatalf("after consent the renewal is %+v", sales[len(sales)-1])
	}
	if products, _ := w.sim.Counts(); products != 1 {
		t.Fatalf("%d products for one product line", products)
	}
}
