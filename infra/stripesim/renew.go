package stripesim

import (
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// Renew ends a subscription's current period the way Stripe does when the
// period runs out: a subscription set to cancel at period end is deleted;
// otherwise the next period's invoice is charged to the default card (or,
// with fail, declined: the invoice stays open and the subscription goes
// past due). Tests and the /dev/stripe page call it; Stripe has test
// clocks for the same purpose.
func (s *Sim) Renew(subID string, fail bool) error {
	now := s.cfg.Now().UTC()
	s.mu.Lock()
	sub := s.objects[subID]
	if sub == nil || sub["object"] != "subscription" {
		s.mu.Unlock()
		return fmt.Errorf("no subscription %s", subID)
	}
	if sub["status"] == "canceled" {
		s.mu.Unlock()
		return fmt.Errorf("subscription %s is canceled", subID)
	}
	if sub["cancel_at_period_end"] == true {
		sub["status"], sub["canceled_at"], sub["ended_at"] = "canceled", now.Unix(), now.Unix()
		s.mu.Unlock()
		s.emit("customer.subscription.deleted", sub)
		return nil
	}
	start := time.Unix(sub["current_period_end"].(int64), 0).UTC()
	end := start.AddDate(0, intOf(sub["_months"]), 0)
	amount, cur, cus := sub["_amount"].(int64), sub["currency"].(string), sub["customer"].(string)
	pm, _ := sub["default_payment_method"].(string)
	invID := newID("in")
	lines := []any{map[string]any{"id": newID("il"), "object": "line_item", "type": "subscription", "amount": amount, "currency": cur,
		"period": map[string]any{"start": start.Unix(), "end": end.Unix()}}}
	// As at Stripe, the customer's pending invoice items (for this
	// subscription or none) join the renewal's invoice.
	for _, o := range s.objects {
		if o["object"] == "invoiceitem" && o["customer"] == cus && o["invoice"] == nil && (o["subscription"] == subID || o["subscription"] == "") {
			o["invoice"] = invID
			a := o["amount"].(int64)
			amount += a
			lines = append(lines, map[string]any{"id": newID("il"), "object": "line_item", "type": "invoiceitem", "invoice_item": o["id"], "amount": a,
				"currency": cur, "description": o["description"], "metadata": o["metadata"], "period": map[string]any{"start": now.Unix(), "end": now.Unix()}})
		}
	}
	inv := map[string]any{"id": invID, "object": "invoice", "customer": cus, "subscription": subID, "currency": cur,
		"subscription_details": map[string]any{"metadata": sub["metadata"]}, "billing_reason": "subscription_cycle",
		"subtotal": amount, "total": amount, "amount_due": amount, "amount_paid": int64(0), "attempt_count": int64(1), "charge": nil, "created": now.Unix(),
		"period_start": sub["current_period_start"], "period_end": sub["current_period_end"], "metadata": map[string]any{},
		"lines": map[string]any{"object": "list", "data": lines}}
	card := s.objects[pm]
	due := s.applyBalance(inv, amount)
	inv["amount_due"] = due
	declined := due > 0 && (fail || card == nil || card["customer"] != cus || card["card"].(map[string]any)["last4"] == CardChargeFails[12:])
	switch {
	case due == 0: // the credit balance paid it all: nothing to charge
		inv["status"] = "paid"
		sub["status"], sub["current_period_start"], sub["current_period_end"], sub["trial_end"] = "active", start.Unix(), end.Unix(), nil
	case declined:
		ch := map[string]any{"id": newID("ch"), "object": "charge", "amount": due, "amount_refunded": int64(0), "currency": cur, "customer": cus,
			"invoice": inv["id"], "paid": false, "status": "failed", "failure_code": "card_declined", "failure_message": "Your card was declined.", "created": now.Unix()}
		s.objects[ch["id"].(string)] = ch
		inv["status"], inv["charge"], inv["next_payment_attempt"] = "open", ch["id"], now.Add(72*time.Hour).Unix()
		// As at Stripe, the period moves on whether or not it is paid.
		sub["status"], sub["current_period_start"], sub["current_period_end"] = "past_due", start.Unix(), end.Unix()
	default:
		ch := map[string]any{"id": newID("ch"), "object": "charge", "amount": due, "amount_refunded": int64(0), "currency": cur, "customer": cus,
			"invoice": inv["id"], "paid": true, "status": "succeeded", "refunded": false, "payment_method": pm, "created": now.Unix()}
		s.objects[ch["id"].(string)] = ch
		inv["status"], inv["charge"], inv["amount_paid"] = "paid", ch["id"], due
		sub["status"], sub["current_period_start"], sub["current_period_end"], sub["trial_end"] = "active", start.Unix(), end.Unix(), nil
	}
	s.objects[inv["id"].(string)] = inv
	s.mu.Unlock()
	s.emit("invoice.finalized", inv)
	if declined {
		s.emit("invoice.payment_failed", inv)
	} else {
		s.emit("invoice.paid", inv)
	}
	s.emit("customer.subscription.updated", sub)
	return nil
}

var devTmpl = template.Must(template.New("dev").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Stripe simulator</title>
<style>body{font-family:system-ui,sans-serif;margin:24px;color:#1a1f36} table{border-collapse:collapse} td,th{padding:6px 10px;border-bottom:1px solid #e3e8ee;text-align:left} form{display:inline}</style>
</head><body><h1>Stripe simulator</h1>
{{with .Notice}}<p role="status" data-testid="renew-notice" style="background:#e6f4ea;border:1px solid #34a853;padding:10px 14px;border-radius:6px">{{.}}</p>{{end}}
<p>Subscriptions in this simulated account. "Renew now" ends the current period as Stripe would when it runs out.</p>
<table><tr><th>Subscription</th><th>Order</th><th>Status</th><th>Period ends</th><th>Amount</th><th></th></tr>
{{range .Rows}}<tr><td><code>{{.ID}}</code></td><td>{{.Order}}</td><td>{{.Status}}{{if .Ending}} (cancels at period end){{end}}</td><td>{{.End}}</td><td>{{.Amount}}</td>
<td>{{if ne .Status "canceled"}}<form method="post" action="subscriptions/{{.ID}}/renew"><button>Renew now</button></form>
<form method="post" action="subscriptions/{{.ID}}/renew?fail=1"><button>Renew with a declined card</button></form>{{end}}</td></tr>
{{else}}<tr><td colspan="6">No subscriptions yet.</td></tr>{{end}}</table></body></html>`))

// devHandler serves the simulator's control page under /dev/stripe.
func (s *Sim) devPage(w http.ResponseWriter, r *http.Request) {
	type row struct {
		ID, Order, Status, End, Amount string
		Ending                         bool
		created                        int64
	}
	var rows []row
	s.mu.Lock()
	for id, o := range s.objects {
		if o["object"] != "subscription" {
			continue
		}
		order, _ := o["metadata"].(map[string]any)["ezscale_order_id"].(string)
		rows = append(rows, row{ID: id, Order: order, Status: o["status"].(string), Ending: o["cancel_at_period_end"] == true,
			End: time.Unix(o["current_period_end"].(int64), 0).UTC().Format("2 Jan 2006 15:04"), Amount: format(o["_amount"].(int64), o["currency"].(string)), created: o["created"].(int64)})
	}
	s.mu.Unlock()
	sort.Slice(rows, func(i, j int) bool { return rows[i].created > rows[j].created })
	notice := ""
	if id := r.URL.Query().Get("renewed"); id != "" {
		outcome := "the renewal invoice was paid"
		switch r.URL.Query().Get("status") {
		case "past_due":
			outcome = "the card was declined; the renewal invoice is open and the subscription past due"
		case "canceled":
			outcome = "it was set to cancel at the period's end, so it ended"
		}
		notice = fmt.Sprintf("Renewed %s: %s. The webhooks are on their way to the platform.", id, outcome)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = devTmpl.Execute(w, struct {
		Notice string
		Rows   []row
	}{notice, rows})
}

func (s *Sim) renewHandler(w http.ResponseWriter, r *http.Request) {
	if err := s.Renew(r.PathValue("id"), r.URL.Query().Get("fail") != ""); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	status, _ := s.Object(r.PathValue("id"))["status"].(string)
	// Relative to where the browser is (the page is mounted under a prefix
	// the handler does not see), so not through http.Redirect, which
	// resolves it against the stripped path and sent people to the site's
	// front page instead of back here.
	w.Header().Set("Location", "../../?renewed="+url.QueryEscape(r.PathValue("id"))+"&status="+url.QueryEscape(status))
	w.WriteHeader(http.StatusSeeOther)
}

// eventsJSON lists every event (for tests and the soak, which replay them
// duplicated and shuffled, as Stripe may deliver them).
func (s *Sim) eventsJSON(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(s.Events())
}

// LedgerRow is what the simulated account holds of one customer's money.
type LedgerRow struct {
	Customer string `json:"customer"`
	UserID   string `json:"user_id"` // our user id (the customer's metadata)
	Currency string `json:"currency"`
	Charged  int64  `json:"charged"`  // succeeded charges
	Refunded int64  `json:"refunded"` // refunds of them
	Balance  int64  `json:"balance"`  // Stripe's sign: negative is credit
}

// ledgerJSON sums money per customer, for checking our ledger against it.
func (s *Sim) ledgerJSON(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	rows := map[string]*LedgerRow{}
	row := func(cus string) *LedgerRow {
		if rows[cus] == nil {
			c := s.objects[cus]
			md, _ := c["metadata"].(map[string]any)
			uid, _ := md["ezscale_user_id"].(string)
			bal, _ := c["balance"].(int64)
			cur, _ := c["currency"].(string)
			rows[cus] = &LedgerRow{Customer: cus, UserID: uid, Balance: bal, Currency: strings.ToUpper(cur)}
		}
		return rows[cus]
	}
	for _, o := range s.objects {
		switch o["object"] {
		case "customer":
			row(o["id"].(string))
		case "charge":
			if o["status"] == "succeeded" {
				r := row(o["customer"].(string))
				r.Charged += o["amount"].(int64)
				r.Refunded += o["amount_refunded"].(int64)
				r.Currency = strings.ToUpper(o["currency"].(string))
			}
		}
	}
	out := make([]LedgerRow, 0, len(rows))
	for _, r := range rows {
		out = append(out, *r)
	}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

// RenewDue ends every period that has run out by the simulator's clock,
// as Stripe does on its own: each active or trialing subscription whose
// period ended is renewed (charged to its default card, which may decline)
// or, set to cancel at period end, deleted — period after period, when
// the clock was moved on by months. It returns how many periods ended.
func (s *Sim) RenewDue() int {
	n := 0
	for range 36 { // three years of monthly periods at most per call
		s.mu.Lock()
		var due []string
		for id, o := range s.objects {
			if o["object"] == "subscription" && (o["status"] == "active" || o["status"] == "trialing") &&
				intOf(o["current_period_end"]) > 0 && intOf(o["current_period_end"]) <= int(s.now()) {
				due = append(due, id)
			}
		}
		s.mu.Unlock()
		if len(due) == 0 {
			break
		}
		sort.Strings(due)
		for _, id := range due {
			if err := s.Renew(id, false); err == nil {
				n++
			}
		}
	}
	return n
}
