package stripesim

import (
	"cmp"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// updateSubscription handles cancel_at_period_end (set and withdrawn) with
// cancellation_details, as POST /v1/subscriptions/{id}.
func (s *Sim) updateSubscription(r *http.Request) (map[string]any, int, string) {
	sub, status, msg := s.lockObject(r.PathValue("id"), "subscription", "subscription")
	if status != 0 {
		return nil, status, msg
	}
	if sub["status"] == "canceled" {
		s.mu.Unlock()
		return nil, http.StatusBadRequest, "A canceled subscription can only update its cancellation_details and metadata."
	}
	if v := r.Form.Get("cancel_at_period_end"); v != "" {
		sub["cancel_at_period_end"] = v == "true"
		sub["cancellation_details"] = map[string]any{"comment": r.Form.Get("cancellation_details[comment]"), "feedback": r.Form.Get("cancellation_details[feedback]")}
	}
	if v := r.Form.Get("items[0][price_data][unit_amount]"); v != "" {
		amount, err := strconv.ParseInt(v, 10, 64)
		if err != nil || amount < 0 || s.objects[r.Form.Get("items[0][price_data][product]")] == nil {
			s.mu.Unlock()
			return nil, http.StatusBadRequest, "items[0][price_data] needs a product and a non-negative unit_amount"
		}
		sub["_amount"] = amount
		item := sub["items"].(map[string]any)["data"].([]any)[0].(map[string]any)
		item["price"] = map[string]any{"id": newID("price"), "object": "price", "unit_amount": amount, "currency": r.Form.Get("items[0][price_data][currency]"),
			"product": r.Form.Get("items[0][price_data][product]")}
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
	sub, status, msg := s.lockObject(r.PathValue("id"), "subscription", "subscription")
	if status != 0 {
		return nil, status, msg
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

// listRefunds is GET /v1/refunds?charge=…: one page, newest first like
// Stripe.
func (s *Sim) listRefunds(r *http.Request) (map[string]any, int, string) {
	return s.list(r, "refund", "/v1/refunds", "charge"), 0, ""
}

// list is a Stripe list of the objects of one kind, newest first, keeping
// those that match every filter given in the query (by attribute name).
func (s *Sim) list(r *http.Request, kind, url string, filters ...string) map[string]any {
	q := r.URL.Query()
	s.mu.Lock()
	out := []any{}
	for _, o := range s.objects {
		if o["object"] != kind || slices.ContainsFunc(filters, func(f string) bool { return q.Get(f) != "" && o[f] != q.Get(f) }) {
			continue
		}
		out = append(out, maps.Clone(o))
	}
	s.mu.Unlock()
	slices.SortFunc(out, func(a, b any) int {
		x, y := a.(map[string]any), b.(map[string]any)
		if d := cmp.Compare(y["created"].(int64), x["created"].(int64)); d != 0 {
			return d
		}
		return cmp.Compare(y["id"].(string), x["id"].(string))
	})
	return map[string]any{"object": "list", "data": out, "has_more": false, "url": url}
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
	cus, status, msg := s.lockObject(r.PathValue("id"), "customer", "customer")
	if status != 0 {
		return nil, status, msg
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
	pm, status, msg := s.lockObject(r.PathValue("id"), "payment_method", "PaymentMethod")
	if status != 0 {
		return nil, status, msg
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

func (s *Sim) createProduct(r *http.Request) (map[string]any, int, string) {
	if r.Form.Get("name") == "" {
		return nil, http.StatusBadRequest, "Missing required param: name."
	}
	return s.store(map[string]any{"id": newID("prod"), "object": "product", "name": r.Form.Get("name"), "active": true, "created": s.now()}), 0, ""
}

// createInvoiceItem adds a pending line for the customer's next invoice.
func (s *Sim) createInvoiceItem(r *http.Request) (map[string]any, int, string) {
	amount, err := strconv.ParseInt(r.Form.Get("amount"), 10, 64)
	if err != nil || s.Object(r.Form.Get("customer")) == nil {
		return nil, http.StatusBadRequest, "customer and an integer amount are required"
	}
	return s.store(map[string]any{"id": newID("ii"), "object": "invoiceitem", "customer": r.Form.Get("customer"), "subscription": r.Form.Get("subscription"),
		"amount": amount, "currency": r.Form.Get("currency"), "description": r.Form.Get("description"), "invoice": nil, "metadata": metadata(r, "metadata"), "created": s.now()}), 0, ""
}

// createInvoice gathers the customer's pending items into a draft.
// listInvoiceItems is GET /v1/invoiceitems by customer; pending=true
// keeps those on no invoice yet.
func (s *Sim) listInvoiceItems(r *http.Request) (map[string]any, int, string) {
	out := s.list(r, "invoiceitem", "/v1/invoiceitems", "customer")
	if r.URL.Query().Get("pending") == "true" {
		var pending []any
		for _, o := range out["data"].([]any) {
			if o.(map[string]any)["invoice"] == nil {
				pending = append(pending, o)
			}
		}
		out["data"] = append([]any{}, pending...)
	}
	return out, 0, ""
}

func (s *Sim) createInvoice(r *http.Request) (map[string]any, int, string) {
	cus, subID := r.Form.Get("customer"), r.Form.Get("subscription")
	s.mu.Lock()
	var total int64
	var lines []any
	cur := ""
	id := newID("in")
	for _, o := range s.objects {
		if o["object"] == "invoiceitem" && o["customer"] == cus && o["invoice"] == nil && (subID == "" || o["subscription"] == subID) {
			o["invoice"] = id
			total += o["amount"].(int64)
			cur = o["currency"].(string)
			lines = append(lines, map[string]any{"id": newID("il"), "object": "line_item", "amount": o["amount"], "currency": cur, "description": o["description"],
				"period": map[string]any{"start": s.now(), "end": s.now()}})
		}
	}
	var details any
	if sub := s.objects[subID]; sub != nil {
		details = map[string]any{"metadata": sub["metadata"]}
	}
	s.mu.Unlock()
	if len(lines) == 0 {
		return nil, http.StatusBadRequest, "Nothing to invoice for customer"
	}
	return s.store(map[string]any{"id": id, "object": "invoice", "customer": cus, "subscription": subID, "subscription_details": details, "currency": cur,
		"status": "draft", "billing_reason": "manual", "subtotal": total, "total": total, "amount_due": total, "amount_paid": int64(0), "attempt_count": int64(0),
		"charge": nil, "created": s.now(), "period_start": s.now(), "period_end": s.now(), "metadata": metadata(r, "metadata"),
		"lines": map[string]any{"object": "list", "data": lines}}), 0, ""
}

// payInvoice finalizes and charges an invoice with the subscription's (or
// customer's) default card.
func (s *Sim) payInvoice(r *http.Request) (map[string]any, int, string) {
	inv, status, msg := s.lockObject(r.PathValue("id"), "invoice", "invoice")
	if status != 0 {
		return nil, status, msg
	}
	if inv["status"] == "paid" || inv["status"] == "void" {
		s.mu.Unlock()
		return nil, http.StatusBadRequest, "Invoice is already " + inv["status"].(string) + "."
	}
	pm := ""
	if sub := s.objects[inv["subscription"].(string)]; sub != nil {
		pm, _ = sub["default_payment_method"].(string)
	}
	// A card named in the request is charged instead; it must be the
	// invoice customer's, as Stripe requires.
	if chosen := r.PostForm.Get("payment_method"); chosen != "" {
		if card := s.objects[chosen]; card == nil || card["object"] != "payment_method" || card["customer"] != inv["customer"] {
			s.mu.Unlock()
			return nil, http.StatusBadRequest, "The PaymentMethod " + chosen + " does not belong to the invoice's customer."
		}
		pm = chosen
	}
	if card := s.objects[pm]; card == nil || card["customer"] != inv["customer"] {
		inv["status"] = "open"
		inv["attempt_count"] = inv["attempt_count"].(int64) + 1
		s.mu.Unlock()
		return nil, http.StatusPaymentRequired, "The customer has no attached payment source or default payment method."
	} else if card["card"].(map[string]any)["last4"] == CardChargeFails[12:] || s.declines > 0 {
		s.declines = max(s.declines-1, 0)
		// The card that attaches but declines every charge: the attempt is
		// recorded as Stripe does, and the invoice stays open.
		ch := map[string]any{"id": newID("ch"), "object": "charge", "amount": inv["amount_due"], "amount_refunded": int64(0), "currency": inv["currency"], "customer": inv["customer"],
			"invoice": inv["id"], "paid": false, "status": "failed", "failure_code": "card_declined", "failure_message": "Your card was declined.", "created": s.now()}
		s.objects[ch["id"].(string)] = ch
		inv["status"], inv["charge"], inv["attempt_count"] = "open", ch["id"], inv["attempt_count"].(int64)+1
		s.mu.Unlock()
		s.emit("invoice.payment_failed", inv)
		return nil, http.StatusPaymentRequired, "Your card was declined."
	}
	due := s.applyBalance(inv, inv["total"].(int64))
	inv["amount_due"], inv["status"], inv["amount_paid"], inv["attempt_count"] = due, "paid", due, inv["attempt_count"].(int64)+1
	if due > 0 {
		ch := map[string]any{"id": newID("ch"), "object": "charge", "amount": due, "amount_refunded": int64(0), "currency": inv["currency"], "customer": inv["customer"],
			"invoice": inv["id"], "paid": true, "status": "succeeded", "refunded": false, "payment_method": pm, "created": s.now()}
		s.objects[ch["id"].(string)] = ch
		inv["charge"] = ch["id"]
	}
	// Paying a past-due subscription's renewal brings it back: active, in
	// the period the invoice was for.
	sub := s.objects[inv["subscription"].(string)]
	recovered := sub != nil && sub["status"] == "past_due" && inv["billing_reason"] == "subscription_cycle"
	if recovered {
		period := inv["lines"].(map[string]any)["data"].([]any)[0].(map[string]any)["period"].(map[string]any)
		sub["status"], sub["current_period_start"], sub["current_period_end"] = "active", period["start"], period["end"]
	}
	s.mu.Unlock()
	s.emit("invoice.finalized", inv)
	s.emit("invoice.paid", inv)
	if recovered {
		s.emit("customer.subscription.updated", sub)
	}
	return inv, 0, ""
}

// listInvoices is GET /v1/invoices, filtered as Stripe's list is.
func (s *Sim) listInvoices(r *http.Request) (map[string]any, int, string) {
	return s.list(r, "invoice", "/v1/invoices", "subscription", "customer", "status"), 0, ""
}

func (s *Sim) voidInvoice(r *http.Request) (map[string]any, int, string) {
	s.mu.Lock()
	inv := s.objects[r.PathValue("id")]
	if inv == nil || inv["object"] != "invoice" || inv["status"] == "paid" {
		s.mu.Unlock()
		return nil, http.StatusBadRequest, "Only draft or open invoices can be voided."
	}
	// Voiding gives back the credit balance the invoice had used.
	if used := balanceUsed(inv); used > 0 {
		cus := s.objects[inv["customer"].(string)]
		balance, _ := cus["balance"].(int64)
		cus["balance"] = balance - used
	}
	inv["status"] = "void"
	s.mu.Unlock()
	s.emit("invoice.voided", inv)
	return inv, 0, ""
}

// balanceUsed is the credit balance an invoice took when it was finalized.
func balanceUsed(inv map[string]any) int64 {
	start, _ := inv["starting_balance"].(int64)
	end, _ := inv["ending_balance"].(int64)
	return max(end-start, 0)
}

// lockObject takes the lock and finds the object id of the given kind;
// on success the lock is held (the caller releases it), otherwise it is
// released and the answer is Stripe's 404.
func (s *Sim) lockObject(id, kind, label string) (map[string]any, int, string) {
	s.mu.Lock()
	o := s.objects[id]
	if o == nil || o["object"] != kind {
		s.mu.Unlock()
		return nil, http.StatusNotFound, "No such " + label + ": '" + id + "'"
	}
	return o, 0, ""
}

// createBalanceTransaction adjusts a customer's balance (negative: credit
// the next invoices use), as POST /v1/customers/{id}/balance_transactions.
func (s *Sim) createBalanceTransaction(r *http.Request) (map[string]any, int, string) {
	amount, err := strconv.ParseInt(r.Form.Get("amount"), 10, 64)
	cur := r.Form.Get("currency")
	if err != nil || amount == 0 || cur == "" {
		return nil, http.StatusBadRequest, "amount (non-zero) and currency are required"
	}
	cus, status, msg := s.lockObject(r.PathValue("id"), "customer", "customer")
	if status != 0 {
		return nil, status, msg
	}
	defer s.mu.Unlock()
	if c, _ := cus["currency"].(string); c != "" && c != cur {
		return nil, http.StatusBadRequest, "the customer's balance is in " + c
	}
	before, _ := cus["balance"].(int64)
	cus["balance"], cus["currency"] = before+amount, cur
	t := map[string]any{"id": newID("cbtxn"), "object": "customer_balance_transaction", "amount": amount, "currency": cur, "customer": cus["id"],
		"description": r.Form.Get("description"), "ending_balance": before + amount, "type": "adjustment", "created": s.now(), "metadata": metadata(r, "metadata")}
	s.objects[t["id"].(string)] = t
	return t, 0, ""
}

// applyBalance lets the customer's credit balance pay what it can of inv
// (s.mu held) and returns what is left to charge, as Stripe does when it
// finalizes an invoice.
//
// Stripe applies the balance once, at finalization: paying an invoice
// that is already open (a declined renewal retried) charges what was left
// and takes no more balance.
func (s *Sim) applyBalance(inv map[string]any, total int64) int64 {
	if _, finalized := inv["starting_balance"]; finalized {
		return total - balanceUsed(inv)
	}
	cus := s.objects[inv["customer"].(string)]
	balance, _ := cus["balance"].(int64)
	inv["starting_balance"], inv["ending_balance"] = balance, balance
	if cus == nil || balance >= 0 || cus["currency"] != inv["currency"] {
		return total
	}
	applied := min(-balance, total)
	cus["balance"] = balance + applied
	inv["ending_balance"] = balance + applied
	return total - applied
}
