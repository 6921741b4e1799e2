package stripesim

import (
	"net/http"
	"strconv"
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
	}
	sub["cancellation_details"] = map[string]any{"comment": r.Form.Get("cancellation_details[comment]"), "feedback": r.Form.Get("cancellation_details[feedback]")}
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
