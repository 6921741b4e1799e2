package stripesim

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ezscale/platform/shared/domain/money"
)

// Sign returns a Stripe-Signature header for payload at t.
func Sign(payload []byte, secret string, t time.Time) string {
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "%d.", t.Unix())
	mac.Write(payload)
	return fmt.Sprintf("t=%d,v1=%s", t.Unix(), hex.EncodeToString(mac.Sum(nil)))
}

// Test cards, as in Stripe's test mode.
const (
	CardSuccess  = "4242424242424242"
	CardDeclined = "4000000000000002"
)

var pageTmpl = template.Must(template.New("checkout").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Checkout (Stripe simulator)</title>
<style>
body{font-family:system-ui,sans-serif;background:#f6f9fc;margin:0;color:#1a1f36}
main{max-width:420px;margin:40px auto;background:#fff;border-radius:8px;box-shadow:0 2px 8px #0002;padding:28px}
h1{font-size:1.1rem;margin:0 0 4px} .muted{color:#697386;font-size:.9rem} .total{font-size:1.8rem;font-weight:600;margin:12px 0}
label{display:block;margin:14px 0 4px;font-size:.9rem} input{width:100%;box-sizing:border-box;padding:10px;border:1px solid #c1c9d2;border-radius:6px;font-size:1rem}
button{margin-top:18px;width:100%;padding:12px;border:0;border-radius:6px;background:#635bff;color:#fff;font-size:1rem;cursor:pointer}
.error{background:#fdecea;color:#a4262c;padding:10px;border-radius:6px;margin-top:12px} table{width:100%;font-size:.9rem} td:last-child{text-align:right}
</style></head><body><main>
<div class="muted">EZSCALE · test mode (Stripe simulator)</div>
{{if .Closed}}<h1>This checkout session is {{.Status}}.</h1><p><a href="{{.CancelURL}}">Return to EZSCALE</a></p>{{else}}
<h1>{{if .Setup}}{{.Product}}{{else}}Subscribe to {{.Product}}{{end}}</h1>
{{if not .Setup}}<div class="total" data-testid="total">{{.Total}}</div>
<table><tr><td>{{.Product}}</td><td>{{.Amount}}</td></tr>
{{if .Discount}}<tr><td>Discount (first period)</td><td>−{{.Discount}}</td></tr>{{end}}
{{if .Trial}}<tr><td>Free trial</td><td>{{.Trial}} days</td></tr>{{end}}
<tr><td>Then every period</td><td>{{.Amount}}</td></tr></table>{{end}}
{{if .Error}}<div class="error" role="alert">{{.Error}}</div>{{end}}
<form method="post">
<label for="card">Card number</label><input id="card" name="card" inputmode="numeric" autocomplete="cc-number" value="4242 4242 4242 4242">
<label for="exp">Expiry</label><input id="exp" name="exp" value="12 / 34">
<label for="cvc">CVC</label><input id="cvc" name="cvc" value="123">
<button type="submit">{{if .Setup}}Save card{{else}}Pay and subscribe{{end}}</button>
</form>
<p class="muted">Test cards: 4242 4242 4242 4242 pays; 4000 0000 0000 0002 is declined. <a href="{{.CancelURL}}">Cancel</a></p>{{end}}
</main></body></html>`))

func format(amount int64, currency string) string {
	return money.Money{Amount: amount, Currency: strings.ToUpper(currency)}.String()
}

func (s *Sim) render(w http.ResponseWriter, sess map[string]any, errMsg string, status int) {
	s.mu.Lock()
	cur := sess["currency"].(string)
	amount, discount := sess["_amount"].(int64), sess["_discount"].(int64)
	data := map[string]any{"Product": sess["_product"], "Amount": format(amount, cur), "Total": format(max(amount-discount, 0), cur),
		"Trial": sess["_trial_days"], "CancelURL": sess["cancel_url"], "Status": sess["status"], "Closed": sess["status"] != "open", "Error": errMsg, "Setup": sess["mode"] == "setup"}
	if discount > 0 {
		data["Discount"] = format(discount, cur)
	}
	if t := sess["_trial_days"].(int64); t > 0 {
		data["Total"] = format(0, cur) + " today"
	} else {
		data["Trial"] = nil
	}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_ = pageTmpl.Execute(w, data)
}

func (s *Sim) session(w http.ResponseWriter, r *http.Request) map[string]any {
	s.mu.Lock()
	sess := s.object(r.PathValue("id")) // live: payment changes it under the lock
	s.mu.Unlock()
	if sess == nil || sess["object"] != "checkout.session" {
		http.Error(w, "no such checkout session", http.StatusNotFound)
		return nil
	}
	return sess
}

func (s *Sim) page(w http.ResponseWriter, r *http.Request) {
	if sess := s.session(w, r); sess != nil {
		s.render(w, sess, "", http.StatusOK)
	}
}

// pay completes a session the way Stripe Checkout does: the card becomes
// the customer's payment method, the subscription starts, its first
// invoice is paid, and the events follow.
func (s *Sim) pay(w http.ResponseWriter, r *http.Request) {
	sess := s.session(w, r)
	if sess == nil {
		return
	}
	card := strings.ReplaceAll(r.PostFormValue("card"), " ", "")
	now := s.cfg.Now().UTC()
	expMonth, expYear, expErr := cardExpiry(r.PostFormValue("exp"), now)
	switch {
	case expErr != "":
		s.render(w, sess, expErr, http.StatusBadRequest)
		return
	case card == CardDeclined:
		s.render(w, sess, "Your card was declined.", http.StatusPaymentRequired)
		return
	case len(card) < 12 || strings.Trim(card, "0123456789") != "":
		s.render(w, sess, "Your card number is incomplete.", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	if sess["status"] != "open" { // paid twice (a double click) or expired meanwhile
		s.mu.Unlock()
		s.render(w, sess, "", http.StatusConflict)
		return
	}
	if sess["mode"] == "setup" {
		s.mu.Unlock()
		s.saveCard(w, r, sess, card, expMonth, expYear, now)
		return
	}
	if card == CardChargeFails {
		s.mu.Unlock()
		s.render(w, sess, "Your card was declined.", http.StatusPaymentRequired)
		return
	}
	sess["status"] = "complete"
	success := sess["success_url"].(string)
	cus, cur := sess["customer"].(string), sess["currency"].(string)
	amount, discount, trial := sess["_amount"].(int64), sess["_discount"].(int64), sess["_trial_days"].(int64)
	months := intOf(sess["_months"])
	s.mu.Unlock()
	pm := s.newCard(cus, card, expMonth, expYear, now)
	sub, inv := s.startSubscription(subStart{customer: cus, currency: cur, pm: pm["id"].(string), amount: amount, discount: discount, trial: trial,
		months: months, metadata: sess["_sub_metadata"], now: now})
	paid := inv["amount_paid"].(int64)
	s.mu.Lock()
	sess["payment_status"] = "paid"
	if paid == 0 {
		sess["payment_status"] = "no_payment_required"
	}
	sess["subscription"] = sub["id"]
	s.mu.Unlock()
	s.emit("customer.subscription.created", sub)
	s.emit("payment_method.attached", pm)
	s.emit("invoice.finalized", inv)
	s.emit("invoice.paid", inv)
	s.emit("checkout.session.completed", sess)
	http.Redirect(w, r, success, http.StatusSeeOther)
}

func (s *Sim) newCard(customer, card string, expMonth, expYear int, now time.Time) map[string]any {
	return s.store(map[string]any{"id": newID("pm"), "object": "payment_method", "type": "card", "customer": customer, "created": now.Unix(),
		"card": map[string]any{"brand": "visa", "last4": card[len(card)-4:], "exp_month": expMonth, "exp_year": expYear, "funding": "credit", "country": "US"}})
}

// cardExpiry reads the page's "MM / YY" (or MM/YYYY) as Checkout does: an
// empty field is a card three years from expiring, a past month is
// refused with Stripe's words.
func cardExpiry(v string, now time.Time) (month, year int, problem string) {
	v = strings.ReplaceAll(v, " ", "")
	if v == "" {
		return 12, now.Year() + 3, ""
	}
	m, y, ok := strings.Cut(v, "/")
	month, err1 := strconv.Atoi(m)
	year, err2 := strconv.Atoi(y)
	if !ok || err1 != nil || err2 != nil || month < 1 || month > 12 || year < 0 || (year > 99 && year < 2000) {
		return 0, 0, "Your card's expiration date is incomplete."
	}
	if year < 100 {
		year += 2000
	}
	if year < now.Year() || (year == now.Year() && month < int(now.Month())) {
		return 0, 0, "Your card's expiration date is in the past."
	}
	return month, year, ""
}

// saveCard completes a setup-mode session: the card is attached.
func (s *Sim) saveCard(w http.ResponseWriter, r *http.Request, sess map[string]any, card string, expMonth, expYear int, now time.Time) {
	s.mu.Lock()
	if sess["status"] != "open" {
		s.mu.Unlock()
		s.render(w, sess, "", http.StatusConflict)
		return
	}
	sess["status"] = "complete"
	cus, success := sess["customer"].(string), sess["success_url"].(string)
	s.mu.Unlock()
	pm := s.newCard(cus, card, expMonth, expYear, now)
	seti := s.store(map[string]any{"id": newID("seti"), "object": "setup_intent", "status": "succeeded", "customer": cus, "payment_method": pm["id"], "created": now.Unix()})
	s.mu.Lock()
	sess["setup_intent"] = seti["id"]
	s.mu.Unlock()
	s.emit("payment_method.attached", pm)
	s.emit("checkout.session.completed", sess)
	http.Redirect(w, r, success, http.StatusSeeOther)
}

// subStart is what a new subscription is made of.
type subStart struct {
	customer, currency, pm  string
	amount, discount, trial int64
	months                  int
	metadata                any
	now                     time.Time
}

// startSubscription creates a subscription, its first invoice and (unless
// free) the charge paying it, and stores them; the caller emits events.
func (s *Sim) startSubscription(p subStart) (sub, inv map[string]any) {
	now := p.now
	start, end := now, now.AddDate(0, p.months, 0)
	status, paid := "active", max(p.amount-p.discount, 0)
	var trialEnd any
	if p.trial > 0 {
		status, paid = "trialing", 0
		end = now.AddDate(0, 0, int(p.trial))
		trialEnd = end.Unix()
	}
	sub = s.store(map[string]any{"id": newID("sub"), "object": "subscription", "customer": p.customer, "status": status, "currency": p.currency,
		"current_period_start": start.Unix(), "current_period_end": end.Unix(), "cancel_at_period_end": false, "trial_end": trialEnd, "canceled_at": nil,
		"default_payment_method": p.pm, "metadata": p.metadata, "created": now.Unix(), "_amount": p.amount, "_months": p.months,
		"items": map[string]any{"object": "list", "data": []any{map[string]any{"id": newID("si"), "object": "subscription_item", "quantity": 1,
			"price": map[string]any{"id": newID("price"), "object": "price", "unit_amount": p.amount, "currency": p.currency}}}}})
	inv = map[string]any{"id": newID("in"), "object": "invoice", "customer": p.customer, "subscription": sub["id"], "currency": p.currency, "status": "paid",
		"subscription_details": map[string]any{"metadata": p.metadata}, "billing_reason": "subscription_create",
		"subtotal": p.amount, "total": paid, "amount_due": paid, "amount_paid": paid, "attempt_count": int64(1), "charge": nil, "created": now.Unix(),
		"period_start": now.Unix(), "period_end": now.Unix(),
		"lines": map[string]any{"object": "list", "data": []any{map[string]any{"id": newID("il"), "object": "line_item", "amount": p.amount, "currency": p.currency,
			"period": map[string]any{"start": start.Unix(), "end": end.Unix()}}}}}
	s.mu.Lock()
	paid = s.applyBalance(inv, paid)
	inv["amount_due"], inv["amount_paid"] = paid, paid
	s.mu.Unlock()
	if paid > 0 {
		ch := s.store(map[string]any{"id": newID("ch"), "object": "charge", "amount": paid, "amount_refunded": int64(0), "currency": p.currency, "customer": p.customer,
			"invoice": inv["id"], "paid": true, "status": "succeeded", "refunded": false, "payment_method": p.pm, "created": now.Unix()})
		inv["charge"] = ch["id"]
	}
	s.store(inv)
	return sub, inv
}

// CardChargeFails attaches but every charge on it is declined (Stripe's
// 4000 0000 0000 0341).
const CardChargeFails = "4000000000000341"

// createSubscription is POST /v1/subscriptions with a saved card and
// payment_behavior=error_if_incomplete: a decline creates nothing.
func (s *Sim) createSubscription(r *http.Request) (map[string]any, int, string) {
	f := r.Form
	cus, pmID := f.Get("customer"), f.Get("default_payment_method")
	s.mu.Lock()
	pm := s.objects[pmID]
	attached := pm != nil && pm["customer"] == cus
	last4 := ""
	if attached {
		last4, _ = pm["card"].(map[string]any)["last4"].(string)
	}
	product := s.objects[f.Get("items[0][price_data][product]")]
	s.mu.Unlock()
	if !attached {
		return nil, http.StatusBadRequest, "The customer does not have a payment method with the ID " + pmID + "."
	}
	if product == nil {
		return nil, http.StatusBadRequest, "No such product: '" + f.Get("items[0][price_data][product]") + "'"
	}
	pr, msg := s.recurringPrice(r, "items[0][price_data]")
	if msg != "" {
		return nil, http.StatusBadRequest, msg
	}
	amount, discount, months := pr.amount, pr.discount, pr.months
	trial, _ := strconv.ParseInt(f.Get("trial_period_days"), 10, 64)
	if last4 == CardChargeFails[12:] && trial == 0 && amount-discount > 0 {
		return nil, http.StatusPaymentRequired, "Your card was declined."
	}
	sub, inv := s.startSubscription(subStart{customer: cus, currency: f.Get("items[0][price_data][currency]"), pm: pmID, amount: amount, discount: discount,
		trial: trial, months: months, metadata: metadata(r, "metadata"), now: s.cfg.Now().UTC()})
	s.emit("customer.subscription.created", sub)
	s.emit("invoice.finalized", inv)
	s.emit("invoice.paid", inv)
	return sub, 0, ""
}
