package paypalsim

import (
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"time"

	"github.com/ezscale/platform/infra/simkit"
	"github.com/ezscale/platform/shared/domain/money"
)

// priceAfter is how long before a patched price can apply: "Any price
// update will not impact billing cycles within next 10 days".
const priceAfter = 10 * 24 * time.Hour

var cyclePricePath = regexp.MustCompile(`^/plan/billing_cycles/@sequence==(\d+)/pricing_scheme/fixed_price$`)

// patchSubscription applies a JSON Patch: the outstanding balance, the
// custom id, or a cycle's price (from the first billing more than ten
// days away). Only active or suspended subscriptions take one.
func (s *Sim) patchSubscription(w http.ResponseWriter, r *http.Request) {
	var ops []struct {
		Op    string          `json:"op"`
		Path  string          `json:"path"`
		Value json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(simkit.RawBody(r), &ops); err != nil || len(ops) == 0 {
		invalid(w, "body", "MALFORMED_REQUEST_JSON")
		return
	}
	x := s.lockSub(w, r)
	if x == nil {
		return
	}
	defer s.mu.Unlock()
	if x.Status != "ACTIVE" && x.Status != "SUSPENDED" {
		unprocessable(w, "SUBSCRIPTION_STATUS_INVALID", "Invalid subscription status for patch action; subscription status should be either active or suspended.")
		return
	}
	cur := x.Cycles[len(x.Cycles)-1].Currency
	next := *x // every operation applies, or none
	for _, op := range ops {
		if op.Op != "replace" && op.Op != "add" {
			invalid(w, "op", "INVALID_PARAMETER_VALUE")
			return
		}
		var amount Amount
		switch {
		case op.Path == "/billing_info/outstanding_balance":
			if json.Unmarshal(op.Value, &amount) != nil {
				invalid(w, "value", "INVALID_PARAMETER_SYNTAX")
				return
			}
			n, ok := parseValue(amount.Value, amount.Currency)
			if !ok || amount.Currency != cur {
				unprocessable(w, "CURRENCY_MISMATCH", "The currency code is different from the subscription's currency code.")
				return
			}
			next.Outstanding = n
		case op.Path == "/custom_id":
			var v string
			if json.Unmarshal(op.Value, &v) != nil || len(v) > 127 {
				invalid(w, "custom_id", "INVALID_STRING_MAX_LENGTH")
				return
			}
			next.CustomID = v
		case cyclePricePath.MatchString(op.Path):
			seq, _ := strconv.Atoi(cyclePricePath.FindStringSubmatch(op.Path)[1])
			if json.Unmarshal(op.Value, &amount) != nil {
				invalid(w, "value", "INVALID_PARAMETER_SYNTAX")
				return
			}
			n, ok := parseValue(amount.Value, amount.Currency)
			if !ok || amount.Currency != cur {
				unprocessable(w, "CURRENCY_MISMATCH", "The currency code is different from the subscription's currency code.")
				return
			}
			if seq < 1 || seq > len(x.Cycles) {
				invalid(w, "path", "INVALID_PARAMETER_VALUE")
				return
			}
			from := s.now().UTC().Add(priceAfter)
			if x.NextBilling != nil && x.NextBilling.After(from) {
				from = *x.NextBilling
			}
			next.PriceChange, next.Overridden = &PriceChange{Sequence: seq, Price: n, From: from}, true
		default:
			invalid(w, "path", "INVALID_PARAMETER_VALUE")
			return
		}
	}
	*x = next
	x.UpdateTime = s.now().UTC()
	s.emit("BILLING.SUBSCRIPTION.UPDATED", "subscription", s.subView(x))
	w.WriteHeader(http.StatusNoContent)
}

// revise asks for a change of plan: same product, same currency; it
// waits for the buyer's consent on the update page and applies from the
// next billing cycle, without proration.
func (s *Sim) revise(w http.ResponseWriter, r *http.Request) {
	var in struct {
		PlanID  string `json:"plan_id"`
		Context *struct {
			ReturnURL string `json:"return_url"`
			CancelURL string `json:"cancel_url"`
		} `json:"application_context"`
	}
	if !body(w, r, &in) {
		return
	}
	if in.PlanID == "" {
		invalid(w, "plan_id", "MISSING_REQUIRED_PARAMETER")
		return
	}
	x := s.lockSub(w, r)
	if x == nil {
		return
	}
	defer s.mu.Unlock()
	to, from := s.plan(in.PlanID), s.plan(x.PlanID)
	switch {
	case to == nil:
		unprocessable(w, "INVALID_RESOURCE_ID", "Requested resource ID was not found.")
		return
	case x.Status != "ACTIVE":
		unprocessable(w, "SUBSCRIPTION_STATUS_INVALID", "Invalid subscription status for revise action; subscription status should be active.")
		return
	case from != nil && to.ProductID != from.ProductID:
		unprocessable(w, "PLAN_PRODUCT_NOT_COMPATIBLE", "The old and the new plans should be for the same product.")
		return
	case to.Cycles[len(to.Cycles)-1].Currency != x.Cycles[len(x.Cycles)-1].Currency:
		unprocessable(w, "CURRENCY_MISMATCH", "The currency code is different from the plan's currency code.")
		return
	}
	rev := &Revision{PlanID: to.ID, Token: s.id("BA-", 17), ReturnURL: x.ReturnURL, CancelURL: x.CancelURL}
	if in.Context != nil {
		rev.ReturnURL, rev.CancelURL = in.Context.ReturnURL, in.Context.CancelURL
	}
	x.Revision = rev
	simkit.JSON(w, http.StatusOK, map[string]any{"plan_id": to.ID, "plan_overridden": false, "links": []map[string]string{
		{"href": s.base + "/webapps/billing/subscriptions/update?ba_token=" + rev.Token, "rel": "approve", "method": "GET"},
		{"href": "/v1/billing/subscriptions/" + x.ID, "rel": "self", "method": "GET"}}})
}

func (s *Sim) byRevision(token string) *Subscription {
	for _, x := range s.st.Subs {
		if x.Revision != nil && x.Revision.Token == token && token != "" {
			return x
		}
	}
	return nil
}

var revisionTmpl = template.Must(template.New("revise").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>PayPal (simulator) — approve the change</title></head><body>
<main style="max-width:460px;margin:40px auto;font-family:system-ui,sans-serif">
<div style="color:#666;font-size:.85rem">PayPal · sandbox (EZSCALE simulator)</div>
<h1 style="font-size:1.3rem">Agree to the new terms</h1>
<p data-testid="paypal-revision">From your next payment: {{.Price}} each {{.Every}}.</p>
<form method="post"><input type="hidden" name="ba_token" value="{{.Token}}">
<button name="action" value="approve" data-testid="paypal-revision-approve">Agree</button>
<button name="action" value="cancel" data-testid="paypal-revision-cancel">Cancel and return to the merchant</button>
</form></main></body></html>`))

func (s *Sim) revisionPage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	x := s.byRevision(r.URL.Query().Get("ba_token"))
	if x == nil {
		s.mu.Unlock()
		http.Error(w, "This link has expired or is not valid.", http.StatusNotFound)
		return
	}
	p := s.plan(x.Revision.PlanID)
	c := p.Cycles[len(p.Cycles)-1]
	data := map[string]any{"Token": x.Revision.Token, "Price": money.Money{Amount: c.Price, Currency: c.Currency}.String(),
		"Every": itoa(c.IntervalCount) + " " + c.IntervalUnit}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = revisionTmpl.Execute(w, data)
}

// approveRevision is the buyer's consent: the new plan's regular cycle
// bills from the next billing time on (an override made before is not
// carried forward), announced as BILLING.SUBSCRIPTION.UPDATED.
func (s *Sim) approveRevision(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	x := s.byRevision(r.PostForm.Get("ba_token"))
	if x == nil {
		s.mu.Unlock()
		http.Error(w, "This link has expired or is not valid.", http.StatusNotFound)
		return
	}
	rev := x.Revision
	x.Revision = nil
	back := rev.CancelURL
	if r.PostForm.Get("action") == "approve" {
		p := s.plan(rev.PlanID)
		regular := p.Cycles[len(p.Cycles)-1]
		x.PlanID, x.Cycles, x.Completed, x.Current = p.ID, []Cycle{regular}, []int{0}, 0
		x.Overridden, x.PriceChange, x.UpdateTime = false, nil, s.now().UTC()
		s.emit("BILLING.SUBSCRIPTION.UPDATED", "subscription", s.subView(x))
		back = rev.ReturnURL
	}
	id := x.ID
	s.mu.Unlock()
	s.save()
	if back == "" {
		http.Error(w, "done; no return URL", http.StatusOK)
		return
	}
	u, err := url.Parse(back)
	if err != nil {
		http.Error(w, "bad return URL", http.StatusBadRequest)
		return
	}
	q := u.Query()
	q.Set("subscription_id", id)
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusSeeOther)
}
