package paypalsim

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"

	"github.com/ezscale/platform/shared/domain/money"
)

var approvalTmpl = template.Must(template.New("approve").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>PayPal (simulator) — approve subscription</title>
<style>body{font-family:system-ui,sans-serif;background:#f5f7fa;margin:0}main{max-width:460px;margin:40px auto;background:#fff;padding:28px;border-radius:10px;box-shadow:0 2px 12px #0001}
h1{font-size:1.3rem}button{display:block;width:100%;padding:12px;margin-top:10px;border:0;border-radius:22px;font-size:1rem;cursor:pointer}
.pay{background:#ffc439;color:#111}.alt{background:#e8ebef}.muted{color:#666;font-size:.85rem}</style></head><body><main>
<div class="muted">PayPal · sandbox (EZSCALE simulator)</div>
{{if .Done}}<h1>This subscription is {{.Status}}.</h1>{{if .Return}}<p><a href="{{.Return}}">Return to the merchant</a></p>{{end}}{{else}}
<h1>Agree to the subscription</h1>
<p data-testid="paypal-terms">{{range .Cycles}}{{.}}<br>{{end}}</p>
<form method="post"><input type="hidden" name="ba_token" value="{{.Token}}">
<button class="pay" name="action" value="approve" data-testid="paypal-approve">Agree &amp; Subscribe</button>
<button class="alt" name="action" value="approve_declining" data-testid="paypal-approve-declining">Agree &amp; Subscribe (renewals will be declined)</button>
<button class="alt" name="action" value="cancel" data-testid="paypal-cancel">Cancel and return to the merchant</button>
</form>{{end}}
</main></body></html>`))

func (s *Sim) byToken(token string) *Subscription {
	for _, x := range s.st.Subs {
		if x.Token == token && token != "" {
			return x
		}
	}
	return nil
}

// approvalPage is where the approve link takes the buyer.
func (s *Sim) approvalPage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	x := s.byToken(r.URL.Query().Get("ba_token"))
	if x == nil {
		s.mu.Unlock()
		http.Error(w, "This link has expired or is not valid.", http.StatusNotFound)
		return
	}
	data := map[string]any{"Token": x.Token, "Status": x.Status, "Done": x.Status != "APPROVAL_PENDING", "Return": x.ReturnURL}
	var lines []string
	for _, c := range x.Cycles {
		price := money.Money{Amount: c.Price, Currency: c.Currency}.String()
		n := "every period after"
		if c.TotalCycles > 0 {
			n = "for " + itoa(c.TotalCycles) + " period(s)"
		}
		lines = append(lines, c.TenureType+": "+price+" each "+itoa(c.IntervalCount)+" "+c.IntervalUnit+" "+n)
	}
	data["Cycles"] = lines
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = approvalTmpl.Execute(w, data)
}

func itoa(n int) string { return strconv.Itoa(n) }

// approve is the buyer's answer: approved, the subscription starts now —
// the first cycle is billed and ACTIVATED and the sale are announced —
// and the buyer returns to return_url with the subscription id and the
// tokens; cancelled, they return to cancel_url and nothing changes.
func (s *Sim) approve(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	x := s.byToken(r.PostForm.Get("ba_token"))
	if x == nil {
		s.mu.Unlock()
		http.Error(w, "This link has expired or is not valid.", http.StatusNotFound)
		return
	}
	action := r.PostForm.Get("action")
	if x.Status != "APPROVAL_PENDING" || (action != "approve" && action != "approve_declining") {
		to := x.CancelURL
		if x.Status != "APPROVAL_PENDING" {
			to = x.ReturnURL
		}
		s.mu.Unlock()
		if to == "" {
			http.Error(w, "Nothing to do: the subscription is "+x.Status+".", http.StatusConflict)
			return
		}
		http.Redirect(w, r, to, http.StatusSeeOther)
		return
	}
	now := s.now().UTC()
	x.Status, x.UpdateTime, x.Declines, x.Started = "ACTIVE", now, action == "approve_declining", &now
	first := x.Declines
	x.Declines = false // the first payment goes through; renewals then decline
	s.bill(x, now)
	x.Declines = first
	// Announced once billed, so it carries the next billing time, as
	// PayPal's do (no order among the events is promised).
	s.emit("BILLING.SUBSCRIPTION.ACTIVATED", "subscription", s.subView(x))
	back := x.ReturnURL
	q := url.Values{"subscription_id": {x.ID}, "ba_token": {x.Token}, "token": {s.id("EC-", 17)}}
	s.mu.Unlock()
	s.save()
	if back == "" {
		http.Error(w, "approved; no return URL", http.StatusOK)
		return
	}
	u, err := url.Parse(back)
	if err != nil {
		http.Error(w, "bad return URL", http.StatusBadRequest)
		return
	}
	old := u.Query()
	for k, v := range q {
		old[k] = v
	}
	u.RawQuery = old.Encode()
	http.Redirect(w, r, u.String(), http.StatusSeeOther)
}
