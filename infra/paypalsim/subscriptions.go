package paypalsim

import (
	"net/http"
	"time"

	"github.com/ezscale/platform/infra/simkit"
)

// lockSub locks the simulator and returns the subscription the path
// names, still locked; without one it unlocks, answers 404 and returns nil.
func (s *Sim) lockSub(w http.ResponseWriter, r *http.Request) *Subscription {
	s.mu.Lock()
	x := s.sub(r.PathValue("id"))
	if x == nil {
		s.mu.Unlock()
		notFound(w)
	}
	return x
}

func (s *Sim) sub(id string) *Subscription {
	for _, x := range s.st.Subs {
		if x.ID == id {
			return x
		}
	}
	return nil
}

func (s *Sim) createSubscription(w http.ResponseWriter, r *http.Request) {
	var in struct {
		PlanID   string `json:"plan_id"`
		CustomID string `json:"custom_id"`
		Plan     *struct {
			Cycles []cycleIn `json:"billing_cycles"`
		} `json:"plan"`
		Subscriber *struct {
			Email string `json:"email_address"`
		} `json:"subscriber"`
		Context *struct {
			ReturnURL string `json:"return_url"`
			CancelURL string `json:"cancel_url"`
		} `json:"application_context"`
	}
	if !body(w, r, &in) {
		return
	}
	switch {
	case in.PlanID == "":
		invalid(w, "plan_id", "MISSING_REQUIRED_PARAMETER")
		return
	case len(in.CustomID) > 127:
		invalid(w, "custom_id", "INVALID_STRING_MAX_LENGTH")
		return
	case in.Context != nil && (len(in.Context.ReturnURL) < 10 || len(in.Context.CancelURL) < 10):
		invalid(w, "application_context.return_url", "MISSING_REQUIRED_PARAMETER")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.plan(in.PlanID)
	if p == nil {
		unprocessable(w, "INVALID_RESOURCE_ID", "Requested resource ID was not found.")
		return
	}
	if p.Status != "ACTIVE" {
		unprocessable(w, "PLAN_STATUS_INVALID", "Invalid plan status for create action; plan status should be active.")
		return
	}
	cs, overridden := p.Cycles, false
	if in.Plan != nil && len(in.Plan.Cycles) > 0 {
		var problem string
		if cs, problem = cycles(in.Plan.Cycles); problem != "" {
			invalid(w, "plan."+problem, "INVALID_PARAMETER_VALUE")
			return
		}
		if cs[len(cs)-1].Currency != p.Cycles[len(p.Cycles)-1].Currency {
			unprocessable(w, "CURRENCY_MISMATCH", "The currency code is different from the plan's currency code.")
			return
		}
		overridden = true
	}
	now := s.now().UTC()
	x := &Subscription{ID: s.id("I-", 12), PlanID: p.ID, Status: "APPROVAL_PENDING", CustomID: in.CustomID, Cycles: cs, Overridden: overridden,
		Completed: make([]int, len(cs)), Token: s.id("BA-", 17), CreateTime: now, UpdateTime: now}
	if in.Context != nil {
		x.ReturnURL, x.CancelURL = in.Context.ReturnURL, in.Context.CancelURL
	}
	if in.Subscriber != nil {
		x.Subscriber = in.Subscriber.Email
	}
	s.st.Subs = append(s.st.Subs, x)
	s.emit("BILLING.SUBSCRIPTION.CREATED", "subscription", s.subView(x))
	simkit.JSON(w, http.StatusCreated, s.subView(x))
}

// subView is a subscription as the API answers it.
func (s *Sim) subView(x *Subscription) map[string]any {
	cur := x.Cycles[len(x.Cycles)-1].Currency
	execs := []map[string]any{}
	for i, c := range x.Cycles {
		e := map[string]any{"tenure_type": c.TenureType, "sequence": c.Sequence, "cycles_completed": x.Completed[i], "total_cycles": c.TotalCycles}
		if c.TotalCycles > 0 {
			e["cycles_remaining"] = c.TotalCycles - x.Completed[i]
		}
		execs = append(execs, e)
	}
	info := map[string]any{"outstanding_balance": value(x.Outstanding, cur), "cycle_executions": execs, "failed_payments_count": x.Failed}
	if x.LastPaid != nil {
		info["last_payment"] = map[string]any{"amount": value(x.LastPaidValue, cur), "time": stamp(*x.LastPaid)}
	}
	if x.NextBilling != nil && (x.Status == "ACTIVE" || x.Status == "SUSPENDED") {
		info["next_billing_time"] = stamp(*x.NextBilling)
	}
	if x.LastFailed != nil {
		lf := map[string]any{"amount": value(x.Cycles[x.Current].Price, cur), "time": stamp(*x.LastFailed), "reason_code": "PAYMENT_DENIED"}
		if x.NextBilling != nil {
			lf["next_payment_retry_time"] = stamp(*x.NextBilling)
		}
		info["last_failed_payment"] = lf
	}
	out := map[string]any{"id": x.ID, "plan_id": x.PlanID, "status": x.Status, "plan_overridden": x.Overridden, "create_time": stamp(x.CreateTime),
		"status_update_time": stamp(x.UpdateTime), "start_time": stamp(x.startTime()), "quantity": "1",
		"links": []map[string]string{{"href": "/v1/billing/subscriptions/" + x.ID, "rel": "self", "method": "GET"}}}
	if x.CustomID != "" {
		out["custom_id"] = x.CustomID
	}
	if x.StatusNote != "" {
		out["status_change_note"] = x.StatusNote
	}
	if x.Status != "APPROVAL_PENDING" {
		out["billing_info"] = info
	} else {
		out["links"] = append(out["links"].([]map[string]string),
			map[string]string{"href": s.base + "/webapps/billing/subscriptions?ba_token=" + x.Token, "rel": "approve", "method": "GET"})
	}
	if x.Subscriber != "" {
		out["subscriber"] = map[string]any{"email_address": x.Subscriber}
	}
	return out
}

// startTime is when billing began: the approval (PayPal's default start
// is "now"; the buyer approves moments later), or creation before it.
func (x *Subscription) startTime() time.Time {
	if x.Started != nil {
		return *x.Started
	}
	return x.CreateTime
}

func (s *Sim) getSubscription(w http.ResponseWriter, r *http.Request) {
	x := s.lockSub(w, r)
	if x == nil {
		return
	}
	defer s.mu.Unlock()
	simkit.JSON(w, http.StatusOK, s.subView(x))
}

// moveSubscription is cancel, suspend and activate, with the spec's 422
// SUBSCRIPTION_STATUS_INVALID for moves the status does not allow.
func (s *Sim) moveSubscription(action string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Reason string `json:"reason"`
		}
		if !body(w, r, &in) {
			return
		}
		if action != "activate" && (in.Reason == "" || len(in.Reason) > 128) {
			invalid(w, "reason", "MISSING_REQUIRED_PARAMETER")
			return
		}
		x := s.lockSub(w, r)
		if x == nil {
			return
		}
		defer s.mu.Unlock()
		event := ""
		switch action {
		case "cancel":
			if x.Status != "ACTIVE" && x.Status != "SUSPENDED" {
				unprocessable(w, "SUBSCRIPTION_STATUS_INVALID", "Invalid subscription status for cancel action; subscription status should be active or suspended.")
				return
			}
			x.Status, event = "CANCELLED", "BILLING.SUBSCRIPTION.CANCELLED"
		case "suspend":
			if x.Status != "ACTIVE" {
				unprocessable(w, "SUBSCRIPTION_STATUS_INVALID", "Invalid subscription status for suspend action; subscription status should be active.")
				return
			}
			x.Status, x.SuspendedBy, event = "SUSPENDED", "merchant", "BILLING.SUBSCRIPTION.SUSPENDED"
		case "activate":
			if x.Status != "SUSPENDED" {
				unprocessable(w, "SUBSCRIPTION_STATUS_INVALID", "Invalid subscription status for activate action; subscription status should be suspended.")
				return
			}
			if x.SuspendedBy == "system" && x.Outstanding > 0 {
				unprocessable(w, "SUBSCRIPTION_CANNOT_BE_ACTIVATED", "Subscription cannot be activated after payment failure threshold has reached.")
				return
			}
			x.Status, x.SuspendedBy, event = "ACTIVE", "", "BILLING.SUBSCRIPTION.RE-ACTIVATED"
		}
		x.StatusNote, x.UpdateTime = in.Reason, s.now().UTC()
		s.emit(event, "subscription", s.subView(x))
		w.WriteHeader(http.StatusNoContent)
	}
}

// capture collects the outstanding balance now (the merchant's retry).
func (s *Sim) capture(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Note   string `json:"note"`
		Type   string `json:"capture_type"`
		Amount Amount `json:"amount"`
	}
	if !body(w, r, &in) {
		return
	}
	if in.Type != "OUTSTANDING_BALANCE" || in.Note == "" {
		invalid(w, "capture_type", "MISSING_REQUIRED_PARAMETER")
		return
	}
	x := s.lockSub(w, r)
	if x == nil {
		return
	}
	defer s.mu.Unlock()
	amount, ok := parseValue(in.Amount.Value, in.Amount.Currency)
	switch {
	case x.Status != "ACTIVE" && x.Status != "SUSPENDED" && x.Status != "EXPIRED":
		unprocessable(w, "SUBSCRIPTION_STATUS_INVALID", "Invalid subscription status for capture action; subscription status should be active or suspended or expired.")
		return
	case x.Outstanding == 0:
		unprocessable(w, "ZERO_OUTSTANDING_BALANCE", "Current outstanding balance should be greater than zero.")
		return
	case !ok || in.Amount.Currency != x.Cycles[len(x.Cycles)-1].Currency:
		unprocessable(w, "CURRENCY_MISMATCH", "The currency code is different from the subscription's currency code.")
		return
	case amount > x.Outstanding || amount <= 0:
		unprocessable(w, "AMOUNT_GREATER_THAN_OUTSTANDING_BALANCE", "Amount should be less than or equal to the outstanding balance.")
		return
	}
	if x.Declines || s.takeDecline() {
		simkit.JSON(w, http.StatusAccepted, map[string]any{"status": "DECLINED", "amount_with_breakdown": map[string]any{"gross_amount": in.Amount}, "time": stamp(s.now())})
		return
	}
	sale := s.sell(x, amount, s.now().UTC())
	x.Outstanding -= amount
	if x.Outstanding == 0 {
		x.Failed = 0
	}
	simkit.JSON(w, http.StatusOK, map[string]any{"id": sale.ID, "status": "COMPLETED", "amount_with_breakdown": map[string]any{"gross_amount": in.Amount},
		"time": stamp(sale.CreateTime)})
}

func (s *Sim) transactions(w http.ResponseWriter, r *http.Request) {
	from, err1 := time.Parse(time.RFC3339, r.URL.Query().Get("start_time"))
	to, err2 := time.Parse(time.RFC3339, r.URL.Query().Get("end_time"))
	if err1 != nil || err2 != nil {
		invalid(w, "start_time", "MISSING_REQUIRED_PARAMETER")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sub(r.PathValue("id")) == nil {
		notFound(w)
		return
	}
	out := []map[string]any{}
	for _, sale := range s.st.Sales {
		if sale.SubscriptionID != r.PathValue("id") || sale.CreateTime.Before(from) || sale.CreateTime.After(to) {
			continue
		}
		status := "COMPLETED"
		switch {
		case sale.Refunded == sale.Amount:
			status = "REFUNDED"
		case sale.Refunded > 0:
			status = "PARTIALLY_REFUNDED"
		}
		out = append(out, map[string]any{"id": sale.ID, "status": status, "time": stamp(sale.CreateTime),
			"amount_with_breakdown": map[string]any{"gross_amount": value(sale.Amount, sale.Currency)}})
	}
	simkit.JSON(w, http.StatusOK, map[string]any{"transactions": out, "total_items": len(out), "total_pages": 1})
}

func (s *Sim) takeDecline() bool {
	if s.st.Declines > 0 {
		s.st.Declines--
		return true
	}
	return false
}

// DeclineNext makes the next n charges (renewals, captures) decline.
func (s *Sim) DeclineNext(n int) {
	s.mu.Lock()
	s.st.Declines += n
	s.mu.Unlock()
	s.save()
}

// next is when the cycle after one that started at t begins.
func next(c Cycle, t time.Time) time.Time {
	switch c.IntervalUnit {
	case "DAY":
		return t.AddDate(0, 0, c.IntervalCount)
	case "WEEK":
		return t.AddDate(0, 0, 7*c.IntervalCount)
	case "YEAR":
		return t.AddDate(c.IntervalCount, 0, 0)
	}
	return t.AddDate(0, c.IntervalCount, 0)
}

// bill runs the subscription's current cycle at t: a sale for its price
// (none for a free trial), or — declined — the price added to the
// outstanding balance and a failed payment counted, suspending at the
// plan's threshold. It moves to the next cycle either way, as PayPal
// keeps billing on schedule and accrues what failed.
func (s *Sim) bill(x *Subscription, t time.Time) {
	if pc := x.PriceChange; pc != nil && !t.Before(pc.From) {
		for i := range x.Cycles {
			if x.Cycles[i].Sequence == pc.Sequence {
				x.Cycles[i].Price = pc.Price
			}
		}
		x.PriceChange = nil
	}
	c := x.Cycles[x.Current]
	if c.Price > 0 {
		if x.Declines || s.takeDecline() {
			x.Outstanding += c.Price
			x.Failed++
			x.LastFailed = &t
			s.emit("BILLING.SUBSCRIPTION.PAYMENT.FAILED", "subscription", s.subView(x))
			if p := s.plan(x.PlanID); p != nil && p.FailureThreshold > 0 && x.Failed >= p.FailureThreshold && x.Status == "ACTIVE" {
				x.Status, x.SuspendedBy, x.StatusNote, x.UpdateTime = "SUSPENDED", "system", "payment failure threshold reached", t
				s.emit("BILLING.SUBSCRIPTION.SUSPENDED", "subscription", s.subView(x))
			}
		} else {
			s.sell(x, c.Price, t) // stamped when billed, as PayPal's are, however late the simulator's clock moved
			x.Failed = 0
		}
	}
	x.Completed[x.Current]++
	if c.TotalCycles > 0 && x.Completed[x.Current] >= c.TotalCycles {
		if x.Current == len(x.Cycles)-1 {
			x.Status, x.NextBilling, x.UpdateTime = "EXPIRED", nil, t
			s.emit("BILLING.SUBSCRIPTION.EXPIRED", "subscription", s.subView(x))
			return
		}
		x.Current++
	}
	n := next(c, t)
	x.NextBilling = &n
}

// sell records a completed sale on x and its PAYMENT.SALE.COMPLETED.
func (s *Sim) sell(x *Subscription, amount int64, at time.Time) *Sale {
	at = at.UTC()
	sale := &Sale{ID: s.id("", 17), SubscriptionID: x.ID, Amount: amount, Currency: x.Cycles[len(x.Cycles)-1].Currency, CustomID: x.CustomID, CreateTime: at}
	s.st.Sales = append(s.st.Sales, sale)
	x.LastPaid, x.LastPaidValue = &at, amount
	s.emit("PAYMENT.SALE.COMPLETED", "sale", saleView(sale))
	return sale
}

// RenewDue bills every active subscription whose next billing time has
// come (by the simulator's clock), as often as cycles fell due; it
// returns how many cycles it billed.
func (s *Sim) RenewDue() int {
	s.mu.Lock()
	now := s.now().UTC()
	n := 0
	for _, x := range s.st.Subs {
		for x.Status == "ACTIVE" && x.NextBilling != nil && !x.NextBilling.After(now) && n < 10000 {
			s.bill(x, *x.NextBilling)
			n++
		}
	}
	s.mu.Unlock()
	if n > 0 {
		s.save()
	}
	return n
}

// SetDeclines makes a subscription's funding decline every charge (or
// pay again).
func (s *Sim) SetDeclines(id string, declines bool) bool {
	s.mu.Lock()
	x := s.sub(id)
	if x != nil {
		x.Declines = declines
	}
	s.mu.Unlock()
	s.save()
	return x != nil
}

// Subscription returns a copy of a subscription (tests).
func (s *Sim) Subscription(id string) (Subscription, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if x := s.sub(id); x != nil {
		return *x, true
	}
	return Subscription{}, false
}

// Sales are a subscription's sales, oldest first (tests).
func (s *Sim) Sales(subscriptionID string) []Sale {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Sale
	for _, sale := range s.st.Sales {
		if sale.SubscriptionID == subscriptionID {
			out = append(out, *sale)
		}
	}
	return out
}
