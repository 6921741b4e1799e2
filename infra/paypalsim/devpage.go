package paypalsim

import (
	"html/template"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/ezscale/platform/infra/simkit"
	"github.com/ezscale/platform/shared/domain/money"
)

// The developer's page (not PayPal's API): every subscription with what a
// buyer can do in their PayPal account — make renewals decline (an empty
// balance, an expired card behind PayPal) or pay again, and cancel.
// Renewals themselves follow the clock.
var devTmpl = template.Must(template.New("dev").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>PayPal simulator</title>
<style>body{font-family:system-ui,sans-serif;margin:24px}table{border-collapse:collapse}td,th{padding:6px 10px;border-bottom:1px solid #ddd;text-align:left}form{display:inline}</style></head>
<body><h1>PayPal simulator</h1>
<p>Renewals are billed when the clock reaches their next billing time (move the dev clock to renew). {{if .Note}}<strong>{{.Note}}</strong>{{end}}</p>
{{if not .Subs}}<p>No subscriptions yet: buy with PayPal in the account app.</p>{{else}}
<table><thead><tr><th>Subscription</th><th>Order</th><th>Status</th><th>Price</th><th>Next billing</th><th>Owed</th><th>Failed</th><th>Buyer</th></tr></thead><tbody>
{{range .Subs}}<tr><td><code>{{.ID}}</code></td><td>{{.Order}}</td><td>{{.Status}}</td><td>{{.Price}}</td><td>{{.Next}}</td><td>{{.Owed}}</td><td>{{.Failed}}</td>
<td>{{if or (eq .Status "ACTIVE") (eq .Status "SUSPENDED")}}<form method="post" action="dev/subscriptions/{{.ID}}/declines"><input type="hidden" name="on" value="{{if .Declines}}0{{else}}1{{end}}">
<button data-testid="declines-{{.ID}}">{{if .Declines}}Let renewals pay{{else}}Decline renewals{{end}}</button></form>
<form method="post" action="dev/subscriptions/{{.ID}}/cancel"><button data-testid="buyer-cancel-{{.ID}}">Cancel in PayPal</button></form>{{end}}</td></tr>
{{end}}</tbody></table>{{end}}</body></html>`))

type devRow struct {
	ID, Order, Status, Price, Next, Owed string
	Failed                               int
	Declines                             bool
}

func (s *Sim) devPage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	var rows []devRow
	for _, x := range s.st.Subs {
		c := x.Cycles[len(x.Cycles)-1]
		row := devRow{ID: x.ID, Order: x.CustomID, Status: x.Status, Price: money.Money{Amount: c.Price, Currency: c.Currency}.String(),
			Owed: money.Money{Amount: x.Outstanding, Currency: c.Currency}.String(), Failed: x.Failed, Declines: x.Declines, Next: "—"}
		if x.NextBilling != nil && (x.Status == "ACTIVE" || x.Status == "SUSPENDED") {
			row.Next = x.NextBilling.Format(time.DateTime)
		}
		rows = append(rows, row)
	}
	s.mu.Unlock()
	slices.Reverse(rows) // newest first
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = devTmpl.Execute(w, map[string]any{"Subs": rows, "Note": r.URL.Query().Get("note")})
}

// devAction is a buyer's action in their PayPal account.
func (s *Sim) devAction(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	id, note := r.PathValue("id"), ""
	switch r.PathValue("action") {
	case "declines":
		if !s.SetDeclines(id, r.PostForm.Get("on") == "1") {
			http.NotFound(w, r)
			return
		}
		note = "Renewals of " + id + " will " + map[bool]string{true: "be declined", false: "pay"}[r.PostForm.Get("on") == "1"] + "."
	case "cancel":
		s.mu.Lock()
		x := s.sub(id)
		if x == nil || (x.Status != "ACTIVE" && x.Status != "SUSPENDED") {
			s.mu.Unlock()
			http.Error(w, "only an active or suspended subscription can be cancelled", http.StatusConflict)
			return
		}
		x.Status, x.StatusNote, x.UpdateTime = "CANCELLED", "Cancelled by the buyer in their PayPal account", s.now().UTC()
		s.emit("BILLING.SUBSCRIPTION.CANCELLED", "subscription", s.subView(x))
		s.mu.Unlock()
		s.save()
		note = id + " was cancelled by the buyer."
	default:
		http.NotFound(w, r)
		return
	}
	// Relative as written: http.Redirect would resolve it against the path
	// below the prefix the simulator is mounted at.
	w.Header().Set("Location", "../../..?note="+url.QueryEscape(note))
	w.WriteHeader(http.StatusSeeOther)
}

// devLedger is the money per order (the subscriptions' custom id): what
// PayPal collected and refunded, for a soak to compare with our ledger.
func (s *Sim) devLedger(w http.ResponseWriter, _ *http.Request) {
	type row struct {
		OrderID  string `json:"order_id"`
		Currency string `json:"currency"`
		Charged  int64  `json:"charged"`
		Refunded int64  `json:"refunded"`
	}
	s.mu.Lock()
	by := map[string]*row{}
	var order []string
	for _, sale := range s.st.Sales {
		r := by[sale.CustomID]
		if r == nil {
			r = &row{OrderID: sale.CustomID, Currency: sale.Currency}
			by[sale.CustomID] = r
			order = append(order, sale.CustomID)
		}
		r.Charged += sale.Amount
		r.Refunded += sale.Refunded
	}
	s.mu.Unlock()
	out := make([]row, 0, len(order))
	for _, id := range order {
		out = append(out, *by[id])
	}
	simkit.JSON(w, http.StatusOK, out)
}

// devRedeliver sends up to n (default 5) delivered events again, picked
// at random and freshly signed, as PayPal's retries would, and answers
// each one's status.
func (s *Sim) devRedeliver(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.Atoi(r.URL.Query().Get("n"))
	if err != nil || n <= 0 {
		n = 5
	}
	s.mu.Lock()
	hook := s.hookURL
	var sent []Event
	for _, e := range s.st.Events {
		if e.Delivered {
			sent = append(sent, *e)
		}
	}
	s.mu.Unlock()
	rand.Shuffle(len(sent), func(i, j int) { sent[i], sent[j] = sent[j], sent[i] })
	type result struct {
		Type   string `json:"type"`
		Status int    `json:"status"`
	}
	out := []result{}
	for _, e := range sent[:min(n, len(sent))] {
		if hook == "" {
			break
		}
		out = append(out, result{Type: e.Type, Status: s.send(r.Context(), hook, []byte(e.Body))})
	}
	simkit.JSON(w, http.StatusOK, out)
}
