package stripesim

import (
	"net/http"
	"strconv"
	"strings"
)

// updateSubscription handles cancel_at_period_end (set and withdrawn) with
// cancellation_details, as POST /v1/subscriptions/{id}.
func (s *Sim) updateSubscription(r *http.Request) (map[string]any, int, string) {
	s.mu.Lock()
	sub := s.objects[r.PathValue("id")]
	if sub == nil || sub["object"] != "subscription" {
		s.mu.Unlock()
		return nil, http.StatusNotFound, "No such subscription: '" + r.PathValue("id") + "'"
	}
	if sub["status"] == "canceled" {
		s.mu.Unlock()
		return nil, http.StatusBadRequest, "A canceled subscription can only update its cancellation_details and metadata."
	}
	if v := r.Form.Get("cancel_at_period_end"); v != "" {
		sub["cancel_at_period_end"] = v == "true"
		sub["cancellation_details"] = map[string]any{"comment": r.Form.Get("cancellation_details[comment]"), "feedback": r.Form.Get("cancellation_details[feedback]")}
	}
	if pm := r.Form.Get("default_payment_method"); pm != "" {
		if o := s.objects[pm]; o == nil || o["customer"] != sub["customer"] {
			s.mu.Unlock()
			return nil, http.StatusBadRequest, "The payment method is not attached to this subscription's customer."
		}
		sub["default_payment_method"] = pm
	}
	s.mu.Unlock()
	s.emit("customer.subscription.updated", sub)
	return sub, 0, ""
}

// cancelSubscription is DELETE /v1/subscriptions/{id}: cancelled at once.
func (s *Sim) cancelSubscription(r *http.Request) (map[string]any, int, string) {
	s.mu.Lock()
	sub := s.objects[r.PathValue("id")]
	if sub == nil || sub["object"] != "subscription" {
		s.mu.Unlock()
		return nil, http.StatusNotFound, "No such subscription: '" + r.PathValue("id") + "'"
	}
	if sub["status"] == "canceled" {
		s.mu.Unlock()
		return nil, http.StatusBadRequest, "This subscription is already canceled."
	}
	sub["status"], sub["canceled_at"], sub["ended_at"] = "canceled", s.now(), s.now()
	sub["cancellation_details"] = map[string]any{"comment": r.Form.Get("cancellation_details[comment]"), "feedback": r.Form.Get("cancellation_details[feedback]"), "reason": "cancellation_requested"}
	s.mu.Unlock()
	s.emit("customer.subscription.deleted", sub)
	return sub, 0, ""
}

// createRefund is POST /v1/refunds against a charge.
func (s *Sim) createRefund(r *http.Request) (map[string]any, int, string) {
	s.mu.Lock()
	ch := s.objects[r.Form.Get("charge")]
	if ch == nil || ch["object"] != "charge" {
		s.mu.Unlock()
		return nil, http.StatusBadRequest, "No such charge: '" + r.Form.Get("charge") + "'"
	}
	left := ch["amount"].(int64) - ch["amount_refunded"].(int64)
	amount := left
	if v := r.Form.Get("amount"); v != "" {
		amount, _ = strconv.ParseInt(v, 10, 64)
	}
	if amount <= 0 || amount > left {
		s.mu.Unlock()
		return nil, http.StatusBadRequest, "Refund amount must be positive and at most the charge's unrefunded amount (" + strconv.FormatInt(left, 10) + ")."
	}
	ch["amount_refunded"] = ch["amount_refunded"].(int64) + amount
	ch["refunded"] = ch["amount_refunded"] == ch["amount"]
	s.mu.Unlock()
	re := s.store(map[string]any{"id": newID("re"), "object": "refund", "amount": amount, "charge": ch["id"], "currency": ch["currency"],
		"status": "succeeded", "reason": r.Form.Get("reason"), "created": s.now(), "metadata": metadata(r, "metadata")})
	s.emit("charge.refunded", ch)
	return re, 0, ""
}

// createSetupSession is Checkout in setup mode: the customer saves a card.
func (s *Sim) createSetupSession(r *http.Request) (map[string]any, int, string) {
	f := r.PostForm
	cus := f.Get("customer")
	if s.Object(cus) == nil {
		return nil, http.StatusBadRequest, "No such customer: '" + cus + "'"
	}
	id := newID("cs_test")
	return s.store(map[string]any{
		"id": id, "object": "checkout.session", "mode": "setup", "status": "open", "payment_status": "no_payment_required", "customer": cus,
		"currency": f.Get("currency"), "success_url": f.Get("success_url"), "cancel_url": f.Get("cancel_url"), "setup_intent": nil,
		"url": strings.TrimRight(s.cfg.BaseURL, "/") + "/checkout/" + id, "expires_at": s.now() + 24*3600, "created": s.now(), "metadata": map[string]any{},
		"_product": "Save a card for future payments", "_amount": int64(0), "_discount": int64(0), "_trial_days": int64(0),
	}), 0, ""
}

// updateCustomer handles invoice_settings[default_payment_method].
func (s *Sim) updateCustomer(r *http.Request) (map[string]any, int, string) {
	s.mu.Lock()
	cus := s.objects[r.PathValue("id")]
	if cus == nil || cus["object"] != "customer" {
		s.mu.Unlock()
		return nil, http.StatusNotFound, "No such customer: '" + r.PathValue("id") + "'"
	}
	if pm := r.Form.Get("invoice_settings[default_payment_method]"); pm != "" {
		if o := s.objects[pm]; o == nil || o["customer"] != cus["id"] {
			s.mu.Unlock()
			return nil, http.StatusBadRequest, "No such PaymentMethod: '" + pm + "' attached to this customer."
		}
		cus["invoice_settings"] = map[string]any{"default_payment_method": pm}
	}
	s.mu.Unlock()
	s.emit("customer.updated", cus)
	return cus, 0, ""
}

// detachPaymentMethod is POST /v1/payment_methods/{id}/detach.
func (s *Sim) detachPaymentMethod(r *http.Request) (map[string]any, int, string) {
	s.mu.Lock()
	pm := s.objects[r.PathValue("id")]
	if pm == nil || pm["object"] != "payment_method" {
		s.mu.Unlock()
		return nil, http.StatusNotFound, "No such PaymentMethod: '" + r.PathValue("id") + "'"
	}
	if pm["customer"] == nil {
		s.mu.Unlock()
		return nil, http.StatusBadRequest, "The payment method you provided is not attached to a customer so detachment is impossible."
	}
	if cus := s.objects[pm["customer"].(string)]; cus != nil {
		if is, ok := cus["invoice_settings"].(map[string]any); ok && is["default_payment_method"] == pm["id"] {
			delete(cus, "invoice_settings")
		}
	}
	pm["customer"] = nil
	s.mu.Unlock()
	s.emit("payment_method.detached", pm)
	return pm, 0, ""
}
