package paypalsim_test

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ezscale/platform/infra/paypalsim"
	"github.com/ezscale/platform/infra/simkit"
)

type fixture struct {
	t     *testing.T
	sim   *paypalsim.Sim
	srv   *httptest.Server
	token string
	now   time.Time
	mu    sync.Mutex
}

func (f *fixture) clock() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fixture) advance(d time.Duration) {
	f.mu.Lock()
	f.now = f.now.Add(d)
	f.mu.Unlock()
}

func newFixture(t *testing.T, state simkit.StateFile) *fixture {
	t.Helper()
	f := &fixture{t: t, now: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	var h http.Handler
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(f.srv.Close)
	f.sim = paypalsim.New("client", "secret", "WH-ID-1", f.srv.URL, f.clock)
	if err := f.sim.Keep(state); err != nil {
		t.Fatal(err)
	}
	h = f.sim.Handler()
	req, _ := http.NewRequest("POST", f.srv.URL+"/v1/oauth2/token", strings.NewReader("grant_type=client_credentials"))
	req.SetBasicAuth("client", "secret")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	if err := json.NewDecoder(res.Body).Decode(&tok); err != nil || tok.AccessToken == "" || tok.ExpiresIn <= 0 {
		t.Fatalf("token: %d %v", res.StatusCode, err)
	}
	f.token = tok.AccessToken
	return f
}

// do calls the API; requestID, when set, is the PayPal-Request-Id.
func (f *fixture) do(method, path string, body any, requestID string) (int, map[string]any) {
	f.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = strings.NewReader(string(b))
	}
	req, _ := http.NewRequest(method, f.srv.URL+path, rd)
	req.Header.Set("Authorization", "Bearer "+f.token)
	req.Header.Set("Content-Type", "application/json")
	if requestID != "" {
		req.Header.Set("PayPal-Request-Id", requestID)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer res.Body.Close()
	out := map[string]any{}
	_ = json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out
}

func cycle(tenure string, seq, total int, unit string, price string) map[string]any {
	c := map[string]any{"tenure_type": tenure, "sequence": seq, "total_cycles": total, "frequency": map[string]any{"interval_unit": unit, "interval_count": 1}}
	if price != "" {
		c["pricing_scheme"] = map[string]any{"fixed_price": map[string]any{"value": price, "currency_code": "USD"}}
	}
	return c
}

// plan makes a product and a monthly USD plan at price, suspending after
// threshold failed payments.
func (f *fixture) plan(price string, threshold int) string {
	f.t.Helper()
	if code, p := f.do("POST", "/v1/catalogs/products", map[string]any{"id": "vps-starter", "name": "VPS Starter", "type": "SERVICE"}, ""); code != 201 && code != 409 {
		f.t.Fatalf("product: %d %v", code, p)
	}
	code, p := f.do("POST", "/v1/billing/plans", map[string]any{"product_id": "vps-starter", "name": "VPS Starter monthly",
		"billing_cycles": []any{cycle("REGULAR", 1, 0, "MONTH", price)}, "payment_preferences": map[string]any{"payment_failure_threshold": threshold}}, "plan-"+price)
	if code != 201 {
		f.t.Fatalf("plan: %d %v", code, p)
	}
	return p["id"].(string)
}

// subscribe creates a subscription and approves it at the approval page
// (action approve or approve_declining); it returns its id and where the
// buyer was sent back.
func (f *fixture) subscribe(plan, order, action string) (string, *url.URL) {
	f.t.Helper()
	code, sub := f.do("POST", "/v1/billing/subscriptions", map[string]any{"plan_id": plan, "custom_id": order,
		"application_context": map[string]any{"return_url": "https://ezscale.example/account/orders/" + order + "?paypal=return", "cancel_url": "https://ezscale.example/account/orders/" + order + "?paypal=cancel"}}, "sub-create:"+order)
	if code != 201 || sub["status"] != "APPROVAL_PENDING" {
		f.t.Fatalf("create subscription: %d %v", code, sub)
	}
	approve := ""
	for _, l := range sub["links"].([]any) {
		if l := l.(map[string]any); l["rel"] == "approve" {
			approve = l["href"].(string)
		}
	}
	page, err := http.Get(approve)
	if err != nil || page.StatusCode != 200 {
		f.t.Fatalf("approval page: %v %v", page, err)
	}
	page.Body.Close()
	u, _ := url.Parse(approve)
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := noRedirect.PostForm(f.srv.URL+"/webapps/billing/subscriptions", url.Values{"ba_token": {u.Query().Get("ba_token")}, "action": {action}})
	if err != nil || res.StatusCode != http.StatusSeeOther {
		f.t.Fatalf("approve: %v %v", res, err)
	}
	res.Body.Close()
	back, _ := url.Parse(res.Header.Get("Location"))
	return sub["id"].(string), back
}

func types(evs []paypalsim.Event) []string {
	var out []string
	for _, e := range evs {
		out = append(out, e.Type)
	}
	return out
}

func TestAuthAndFaults(t *testing.T) {
	f := newFixture(t, "")
	req, _ := http.NewRequest("POST", f.srv.URL+"/v1/oauth2/token", strings.NewReader("grant_type=client_credentials"))
	req.SetBasicAuth("client", "wrong")
	if res, _ := http.DefaultClient.Do(req); res.StatusCode != 401 {
		t.Fatalf("a wrong secret: %d", res.StatusCode)
	}
	saved := f.token
	f.token = "nope"
	if code, body := f.do("GET", "/v1/catalogs/products", nil, ""); code != 401 || body["name"] != "AUTHENTICATION_FAILURE" {
		t.Fatalf("a wrong token: %d %v", code, body)
	}
	f.token = saved
	f.sim.FailNext(503)
	if code, body := f.do("GET", "/v1/catalogs/products", nil, ""); code != 503 || body["name"] != "SERVICE_UNAVAILABLE" {
		t.Fatalf("an injected 503: %d %v", code, body)
	}
	if code, _ := f.do("GET", "/v1/catalogs/products", nil, ""); code != 200 {
		t.Fatalf("after the fault: %d", code)
	}
}

// The buyer approves; the subscription is active, the first cycle sold,
// and the return URL carries the subscription; creation with the same
// PayPal-Request-Id answers the same subscription.
func TestApprovalAndIdempotency(t *testing.T) {
	f := newFixture(t, "")
	plan := f.plan("14.90", 0)
	_, first := f.do("POST", "/v1/billing/subscriptions", map[string]any{"plan_id": plan, "custom_id": "ord_1"}, "sub-create:ord_1")
	_, again := f.do("POST", "/v1/billing/subscriptions", map[string]any{"plan_id": plan, "custom_id": "ord_1"}, "sub-create:ord_1")
	if first["id"] == nil || first["id"] != again["id"] {
		t.Fatalf("a repeated PayPal-Request-Id made another subscription: %v / %v", first["id"], again["id"])
	}
	id, back := f.subscribe(plan, "ord_2", "approve")
	if back.Query().Get("subscription_id") != id || back.Query().Get("ba_token") == "" || back.Query().Get("paypal") != "return" {
		t.Fatalf("returned to %s", back)
	}
	code, sub := f.do("GET", "/v1/billing/subscriptions/"+id, nil, "")
	info, _ := sub["billing_info"].(map[string]any)
	if code != 200 || sub["status"] != "ACTIVE" || info == nil || info["outstanding_balance"].(map[string]any)["value"] != "0.00" || info["next_billing_time"] != "2027-01-01T09:00:00Z" {
		t.Fatalf("after approval: %d %v", code, sub)
	}
	if sales := f.sim.Sales(id); len(sales) != 1 || sales[0].Amount != 1490 || sales[0].CustomID != "ord_2" {
		t.Fatalf("sales %+v", sales)
	}
	var mine []paypalsim.Event
	for _, e := range f.sim.Events() {
		if strings.Contains(e.Body, id) {
			mine = append(mine, e)
		}
	}
	if got := strings.Join(types(mine), ","); got != "BILLING.SUBSCRIPTION.CREATED,PAYMENT.SALE.COMPLETED,BILLING.SUBSCRIPTION.ACTIVATED" {
		t.Fatalf("events %s", got)
	}
	if code, body := f.do("POST", "/v1/billing/plans", map[string]any{"product_id": "vps-starter", "name": "x",
		"billing_cycles": []any{cycle("TRIAL", 1, 0, "MONTH", "")}}, ""); code != 400 {
		t.Fatalf("a plan without a regular cycle: %d %v", code, body)
	}
	f.do("POST", "/v1/billing/plans/"+plan+"/deactivate", nil, "")
	if code, body := f.do("POST", "/v1/billing/subscriptions", map[string]any{"plan_id": plan}, ""); code != 422 || !strings.Contains(fmt.Sprint(body["details"]), "PLAN_STATUS_INVALID") {
		t.Fatalf("subscribing to an inactive plan: %d %v", code, body)
	}
}

// The status machine answers the spec's 422s for moves it does not allow.
func TestStatusMachine(t *testing.T) {
	f := newFixture(t, "")
	id, _ := f.subscribe(f.plan("10.00", 0), "ord_1", "approve")
	reason := map[string]any{"reason": "asked"}
	for _, c := range []struct {
		action string
		want   int
		status string
	}{
		{"activate", 422, "ACTIVE"},
		{"suspend", 204, "SUSPENDED"},
		{"suspend", 422, "SUSPENDED"},
		{"activate", 204, "ACTIVE"},
		{"cancel", 204, "CANCELLED"},
		{"cancel", 422, "CANCELLED"},
		{"activate", 422, "CANCELLED"},
	} {
		code, body := f.do("POST", "/v1/billing/subscriptions/"+id+"/"+c.action, reason, "")
		_, sub := f.do("GET", "/v1/billing/subscriptions/"+id, nil, "")
		if code != c.want || sub["status"] != c.status {
			t.Fatalf("%s: %d %v, status %v; want %d %s", c.action, code, body, sub["status"], c.want, c.status)
		}
	}
}

// Renewals follow the clock; declined ones accrue and suspend at the
// threshold; the merchant's capture collects the balance.
func TestRenewalsDeclinesAndThreshold(t *testing.T) {
	f := newFixture(t, "")
	id, _ := f.subscribe(f.plan("10.00", 2), "ord_1", "approve_declining")
	f.advance(31 * 24 * time.Hour)
	if n := f.sim.RenewDue(); n != 1 {
		t.Fatalf("renewed %d cycles", n)
	}
	sub, _ := f.sim.Subscription(id)
	if sub.Status != "ACTIVE" || sub.Failed != 1 || sub.Outstanding != 1000 {
		t.Fatalf("after one declined renewal: %+v", sub)
	}
	f.advance(31 * 24 * time.Hour)
	f.sim.RenewDue()
	if sub, _ = f.sim.Subscription(id); sub.Status != "SUSPENDED" || sub.Failed != 2 || sub.Outstanding != 2000 {
		t.Fatalf("after two: %+v", sub)
	}
	if code, body := f.do("POST", "/v1/billing/subscriptions/"+id+"/activate", map[string]any{"reason": "paid"}, ""); code != 422 {
		t.Fatalf("activating with a balance outstanding: %d %v", code, body)
	}
	f.sim.SetDeclines(id, false)
	capture := map[string]any{"note": "balance", "capture_type": "OUTSTANDING_BALANCE", "amount": map[string]any{"currency_code": "USD", "value": "20.00"}}
	if code, body := f.do("POST", "/v1/billing/subscriptions/"+id+"/capture", capture, "capture-1"); code != 200 || body["status"] != "COMPLETED" {
		t.Fatalf("capture: %d %v", code, body)
	}
	if code, _ := f.do("POST", "/v1/billing/subscriptions/"+id+"/capture", capture, "capture-1"); code != 200 {
		t.Fatalf("the same capture again (replayed): %d", code)
	}
	if code, _ := f.do("POST", "/v1/billing/subscriptions/"+id+"/activate", map[string]any{"reason": "paid"}, ""); code != 204 {
		t.Fatalf("activate after paying: %d", code)
	}
	if sales := f.sim.Sales(id); len(sales) != 2 || sales[1].Amount != 2000 {
		t.Fatalf("sales %+v", sales)
	}
}

// Refunds: part, then more than is left (refused), then the rest.
func TestSaleRefunds(t *testing.T) {
	f := newFixture(t, "")
	id, _ := f.subscribe(f.plan("14.90", 0), "ord_1", "approve")
	sale := f.sim.Sales(id)[0].ID
	part := map[string]any{"amount": map[string]any{"total": "4.90", "currency": "USD"}}
	if code, body := f.do("POST", "/v1/payments/sale/"+sale+"/refund", part, "refund-1"); code != 201 || body["state"] != "completed" {
		t.Fatalf("partial refund: %d %v", code, body)
	}
	if code, _ := f.do("POST", "/v1/payments/sale/"+sale+"/refund", part, "refund-1"); code != 201 || f.sim.Refunds(sale) != 1 {
		t.Fatalf("the same refund again refunded twice: %d, %d refunds", code, f.sim.Refunds(sale))
	}
	if code, body := f.do("POST", "/v1/payments/sale/"+sale+"/refund", map[string]any{"amount": map[string]any{"total": "10.01", "currency": "USD"}}, "refund-2"); code != 400 || body["name"] != "TRANSACTION_REFUSED" {
		t.Fatalf("refunding more than is left: %d %v", code, body)
	}
	if code, _ := f.do("POST", "/v1/payments/sale/"+sale+"/refund", map[string]any{}, "refund-3"); code != 201 {
		t.Fatalf("refund the rest: %d", code)
	}
	if _, got := f.do("GET", "/v1/payments/sale/"+sale, nil, ""); got["state"] != "refunded" {
		t.Fatalf("sale %v", got)
	}
}

// Deliveries are signed as PayPal signs them: verifiable offline with the
// served certificate and by the postback; an altered body is not; an
// endpoint that fails gets the event again.
func TestWebhooksSignedAndRetried(t *testing.T) {
	f := newFixture(t, "")
	var mu sync.Mutex
	var got []*http.Request
	var bodies [][]byte
	fails := 1
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		if fails > 0 {
			fails--
			w.WriteHeader(500)
			return
		}
		got, bodies = append(got, r), append(bodies, b)
	}))
	defer hook.Close()
	f.sim.SetWebhookURL(hook.URL)
	f.subscribe(f.plan("14.90", 0), "ord_1", "approve")
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		f.sim.DeliverDue(context.Background())
		mu.Lock()
		n := len(got)
		mu.Unlock()
		if n == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of 3 events delivered", n)
		}
	}
	r, b := got[0], bodies[0]
	res, err := http.Get(r.Header.Get("Paypal-Cert-Url"))
	if err != nil {
		t.Fatal(err)
	}
	pemBytes, _ := io.ReadAll(res.Body)
	res.Body.Close()
	block, _ := pem.Decode(pemBytes)
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	verifyOffline := func(body []byte) error {
		msg := fmt.Sprintf("%s|%s|%s|%d", r.Header.Get("Paypal-Transmission-Id"), r.Header.Get("Paypal-Transmission-Time"), "WH-ID-1", crc32.ChecksumIEEE(body))
		sig, _ := base64.StdEncoding.DecodeString(r.Header.Get("Paypal-Transmission-Sig"))
		sum := sha256.Sum256([]byte(msg))
		return rsa.VerifyPKCS1v15(cert.PublicKey.(*rsa.PublicKey), crypto.SHA256, sum[:], sig)
	}
	if err := verifyOffline(b); err != nil {
		t.Fatalf("offline verification: %v", err)
	}
	altered := []byte(strings.Replace(string(b), `"event_version":"1.0"`, `"event_version":"1.1"`, 1))
	if string(altered) == string(b) {
		t.Fatal("the alteration changed nothing")
	}
	if err := verifyOffline(altered); err == nil {
		t.Fatal("an altered body verified offline")
	}
	postback := func(event []byte) string {
		_, out := f.do("POST", "/v1/notifications/verify-webhook-signature", map[string]any{"auth_algo": r.Header.Get("Paypal-Auth-Algo"),
			"cert_url": r.Header.Get("Paypal-Cert-Url"), "transmission_id": r.Header.Get("Paypal-Transmission-Id"), "transmission_sig": r.Header.Get("Paypal-Transmission-Sig"),
			"transmission_time": r.Header.Get("Paypal-Transmission-Time"), "webhook_id": "WH-ID-1", "webhook_event": json.RawMessage(event)}, "")
		return fmt.Sprint(out["verification_status"])
	}
	if s := postback(b); s != "SUCCESS" {
		t.Fatalf("postback of the delivery: %s", s)
	}
	if s := postback(altered); s != "FAILURE" {
		t.Fatalf("postback of an altered event: %s", s)
	}
}

// The state survives a restart: a subscription made before is known after.
func TestStateSurvivesARestart(t *testing.T) {
	file := simkit.StateFile(filepath.Join(t.TempDir(), "paypal.json"))
	f := newFixture(t, file)
	id, _ := f.subscribe(f.plan("14.90", 0), "ord_1", "approve")
	g := newFixture(t, file)
	g.token = f.token // tokens are state too
	if code, sub := g.do("GET", "/v1/billing/subscriptions/"+id, nil, ""); code != 200 || sub["status"] != "ACTIVE" {
		t.Fatalf("after a restart: %d %v", code, sub)
	}
}

// The developer's page lists subscriptions and does what a buyer does in
// their PayPal account: renewals decline (then pay again), and cancel.
func TestDevPageBuyerActions(t *testing.T) {
	f := newFixture(t, "")
	id, _ := f.subscribe(f.plan("10.00", 3), "ord_1", "approve")
	res, err := http.Get(f.srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(page), id) || !strings.Contains(string(page), "ord_1") {
		t.Fatalf("the page does not list %s:\n%s", id, page)
	}
	act := func(action string, form url.Values) int {
		t.Helper()
		noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		res, err := noRedirect.PostForm(f.srv.URL+"/dev/subscriptions/"+id+"/"+action, form)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if code := act("declines", url.Values{"on": {"1"}}); code != http.StatusSeeOther {
		t.Fatalf("declines on: %d", code)
	}
	f.advance(31 * 24 * time.Hour)
	f.sim.RenewDue()
	if sub, _ := f.sim.Subscription(id); sub.Failed != 1 {
		t.Fatalf("a renewal after declines on: %+v", sub)
	}
	if code := act("cancel", nil); code != http.StatusSeeOther {
		t.Fatalf("cancel: %d", code)
	}
	if sub, _ := f.sim.Subscription(id); sub.Status != "CANCELLED" {
		t.Fatalf("after the buyer cancelled: %s", sub.Status)
	}
	if events := f.sim.Events(); events[len(events)-1].Type != "BILLING.SUBSCRIPTION.CANCELLED" {
		t.Fatalf("last event %s", events[len(events)-1].Type)
	}
	if code := act("cancel", nil); code != http.StatusConflict {
		t.Fatalf("cancel twice: %d", code)
	}
	res, err = http.Get(f.srv.URL + "/dev/ledger.json")
	if err != nil {
		t.Fatal(err)
	}
	var rows []struct {
		OrderID           string `json:"order_id"`
		Charged, Refunded int64
	}
	if err := json.NewDecoder(res.Body).Decode(&rows); err != nil || len(rows) != 1 || rows[0].OrderID != "ord_1" || rows[0].Charged != 1000 {
		t.Fatalf("ledger %+v %v", rows, err)
	}
	res.Body.Close()
}

// A one-off charge (the balance patched, then captured), a patched price
// that applies from the next billing, and a revision to another plan of
// the product that waits for the buyer's consent and bills from the next
// cycle; a plan of another product, and a patch of a cancelled
// subscription, are refused as PayPal refuses them.
func TestPatchCaptureAndRevise(t *testing.T) {
	f := newFixture(t, "")
	p10, p20 := f.plan("10.00", 3), f.plan("20.00", 3)
	id, _ := f.subscribe(p10, "ord_1", "approve")
	patch := func(ops ...map[string]any) int {
		t.Helper()
		b, _ := json.Marshal(ops)
		req, _ := http.NewRequest("PATCH", f.srv.URL+"/v1/billing/subscriptions/"+id, strings.NewReader(string(b)))
		req.Header.Set("Authorization", "Bearer "+f.token)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	usd := func(v string) map[string]any { return map[string]any{"value": v, "currency_code": "USD"} }
	if code := patch(map[string]any{"op": "replace", "path": "/billing_info/outstanding_balance", "value": usd("3.50")}); code != 204 {
		t.Fatalf("patch the balance: %d", code)
	}
	capture := map[string]any{"note": "plan change", "capture_type": "OUTSTANDING_BALANCE", "amount": usd("3.50")}
	code, body := f.do("POST", "/v1/billing/subscriptions/"+id+"/capture", capture, "change-1")
	if code != 200 || body["status"] != "COMPLETED" || body["id"] == "" {
		t.Fatalf("capture: %d %v", code, body)
	}
	if sales := f.sim.Sales(id); len(sales) != 2 || sales[1].Amount != 350 {
		t.Fatalf("sales after the one-off charge: %+v", sales)
	}
	if code := patch(map[string]any{"op": "replace", "path": "/plan/billing_cycles/@sequence==1/pricing_scheme/fixed_price", "value": usd("12.00")}); code != 204 {
		t.Fatalf("patch the price: %d", code)
	}
	f.advance(31 * 24 * time.Hour)
	f.sim.RenewDue()
	if sales := f.sim.Sales(id); sales[len(sales)-1].Amount != 1200 {
		t.Fatalf("the renewal after the price patch: %+v", sales)
	}

	code, body = f.do("POST", "/v1/billing/subscriptions/"+id+"/revise", map[string]any{"plan_id": p20,
		"application_context": map[string]any{"return_url": "https://ezscale.example/back", "cancel_url": "https://ezscale.example/no"}}, "")
	if code != 200 {
		t.Fatalf("revise: %d %v", code, body)
	}
	approve := ""
	for _, l := range body["links"].([]any) {
		if l := l.(map[string]any); l["rel"] == "approve" {
			approve = l["href"].(string)
		}
	}
	if !strings.Contains(approve, "/webapps/billing/subscriptions/update?ba_token=") {
		t.Fatalf("approve link %q", approve)
	}
	if sub, _ := f.sim.Subscription(id); sub.PlanID != p10 {
		t.Fatal("the revision applied before the buyer consented")
	}
	page, err := http.Get(approve)
	if err != nil || page.StatusCode != 200 {
		t.Fatalf("update page: %v %v", err, page)
	}
	page.Body.Close()
	u, _ := url.Parse(approve)
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := noRedirect.PostForm(f.srv.URL+"/webapps/billing/subscriptions/update", url.Values{"ba_token": {u.Query().Get("ba_token")}, "action": {"approve"}})
	if err != nil || res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "https://ezscale.example/back?") {
		t.Fatalf("consent: %v %v", err, res)
	}
	res.Body.Close()
	if sub, _ := f.sim.Subscription(id); sub.PlanID != p20 {
		t.Fatalf("after consent the plan is %s", sub.PlanID)
	}
	if evs := types(f.sim.Events()); evs[len(evs)-1] != "BILLING.SUBSCRIPTION.UPDATED" {
		t.Fatalf("events %v", evs)
	}
	f.advance(31 * 24 * time.Hour)
	f.sim.RenewDue()
	if sales := f.sim.Sales(id); sales[len(sales)-1].Amount != 2000 {
		t.Fatalf("the renewal after the revision: %+v", sales)
	}

	if code, _ := f.do("POST", "/v1/catalogs/products", map[string]any{"id": "other", "name": "Other", "type": "SERVICE"}, ""); code != 201 {
		t.Fatal("product")
	}
	code, other := f.do("POST", "/v1/billing/plans", map[string]any{"product_id": "other", "name": "Other monthly",
		"billing_cycles": []any{cycle("REGULAR", 1, 0, "MONTH", "5.00")}}, "")
	if code != 201 {
		t.Fatalf("plan: %d", code)
	}
	if code, body := f.do("POST", "/v1/billing/subscriptions/"+id+"/revise", map[string]any{"plan_id": other["id"]}, ""); code != 422 ||
		!strings.Contains(fmt.Sprint(body), "PLAN_PRODUCT_NOT_COMPATIBLE") {
		t.Fatalf("revise to another product: %d %v", code, body)
	}
	if code, _ := f.do("POST", "/v1/billing/subscriptions/"+id+"/cancel", map[string]any{"reason": "done"}, ""); code != 204 {
		t.Fatal("cancel")
	}
	if code := patch(map[string]any{"op": "replace", "path": "/billing_info/outstanding_balance", "value": usd("1.00")}); code != 422 {
		t.Fatalf("patch a cancelled subscription: %d", code)
	}
}
