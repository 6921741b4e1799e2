// Package stripesim simulates the part of Stripe the platform uses, for
// make dev and tests (stripe-mock answers fixtures and keeps no state, so
// it cannot carry a checkout to a paid subscription). It follows Stripe's
// API: form-encoded POST bodies, Bearer secret keys, Idempotency-Key
// replays, the error envelope, and webhook events signed like Stripe's
// (Stripe-Signature: t=…,v1=HMAC-SHA256 of "t.payload") posted to the
// configured endpoint with retries. The hosted checkout page is served at
// /checkout/{id}; test card 4242 4242 4242 4242 pays, 4000 0000 0000 0002
// is declined.
package stripesim

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ezscale/platform/infra/simkit"
)

// APIVersion is stamped on events; stripe-go v79 verifies it.
const APIVersion = "2024-06-20"

// Config configures a simulator.
type Config struct {
	SecretKey     string // the API key callers must present
	WebhookSecret string // signs events
	WebhookURL    string // where events are posted
	// BaseURL is where the simulator is served (the hosted page links).
	BaseURL string
	Client  *http.Client
	Log     *slog.Logger
	// Now stamps objects and events (tests pass a fake clock's).
	Now func() time.Time
	// State keeps objects and undelivered events across restarts (the
	// data directory under make dev); empty keeps nothing.
	State simkit.StateFile
}

// Sim is the simulated Stripe account.
type Sim struct {
	cfg Config

	mu         sync.Mutex
	objects    map[string]map[string]any // id → object
	idempotent map[string][]byte         // key → response body
	events     []map[string]any          // every event, in creation order
	delivered  map[string]bool           // event ids the endpoint acknowledged
	queue      chan map[string]any
	// late holds events emitted while the queue was full; Run delivers
	// them like retries (an event is never left until a restart).
	late     []map[string]any
	faults   []int
	declines int // invoice payments still to decline (DeclineNext)
}

// New returns a simulator; Run delivers its webhooks.
func New(c Config) *Sim {
	if c.Client == nil {
		c.Client = &http.Client{Timeout: 10 * time.Second}
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return &Sim{cfg: c, objects: map[string]map[string]any{}, idempotent: map[string][]byte{}, delivered: map[string]bool{}, queue: make(chan map[string]any, 1024)}
}

// saved is what the state file holds.
type saved struct {
	Objects    map[string]map[string]any `json:"objects"`
	Idempotent map[string][]byte         `json:"idempotent"`
	Events     []map[string]any          `json:"events"`
	Delivered  map[string]bool           `json:"delivered"`
}

// Open returns a simulator with the state c.State saved last, whose
// undelivered events Run delivers first, in order, as Stripe retries
// pending webhooks.
func Open(c Config) (*Sim, error) {
	s := New(c)
	var st saved
	ok, err := c.State.Load(&st)
	if err != nil || !ok {
		return s, err
	}
	for id, o := range st.Objects {
		s.objects[id] = simkit.Numbers(o).(map[string]any)
	}
	for _, ev := range st.Events {
		s.events = append(s.events, simkit.Numbers(ev).(map[string]any))
	}
	if st.Idempotent != nil {
		s.idempotent = st.Idempotent
	}
	if st.Delivered != nil {
		s.delivered = st.Delivered
	}
	for _, ev := range s.events {
		if s.delivered[ev["id"].(string)] {
			continue
		}
		select {
		case s.queue <- ev:
		default:
			s.late = append(s.late, ev) // Run delivers these too, a little later
		}
	}
	return s, nil
}

// save writes the state; s.mu must be held. The simulator answers only
// after saving, so whatever a caller was told survives a kill.
func (s *Sim) save() {
	if err := s.cfg.State.Save(saved{Objects: s.objects, Idempotent: s.idempotent, Events: s.events, Delivered: s.delivered}); err != nil {
		s.cfg.Log.Error("stripe simulator: state not saved", "err", err.Error())
	}
}

// Delivered reports whether the webhook endpoint acknowledged event id
// (answered 2xx), which it does only after applying it.
func (s *Sim) Delivered(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.delivered[id]
}

func newID(prefix string) string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return prefix + "_" + hex.EncodeToString(b)
}

// SetWebhookURL points event delivery elsewhere (a test server started
// after the simulator).
func (s *Sim) SetWebhookURL(u string) {
	s.mu.Lock()
	s.cfg.WebhookURL = u
	s.mu.Unlock()
}

// FailNext makes the next API requests answer these statuses.
func (s *Sim) FailNext(statuses ...int) {
	s.mu.Lock()
	s.faults = append(s.faults, statuses...)
	s.mu.Unlock()
}

// ForgetIdempotencyKeys drops every idempotency key, as Stripe does after
// 24 hours: a request repeated later is a new request (tests).
func (s *Sim) ForgetIdempotencyKeys() {
	s.mu.Lock()
	s.idempotent = map[string][]byte{}
	s.mu.Unlock()
}

// DeclineNext makes the next n invoice payments through the API decline
// as a card that attaches but fails every charge does.
func (s *Sim) DeclineNext(n int) {
	s.mu.Lock()
	s.declines += n
	s.mu.Unlock()
}

// Events returns a copy of every event created so far.
func (s *Sim) Events() []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]map[string]any, len(s.events))
	copy(out, s.events)
	return out
}

// Object returns a copy of a stored object's top level (nil when unknown).
func (s *Sim) Object(id string) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.objects[id]
	if o == nil {
		return nil
	}
	out := make(map[string]any, len(o))
	maps.Copy(out, o)
	return out
}

// object returns the live stored object; callers hold s.mu.
func (s *Sim) object(id string) map[string]any { return s.objects[id] }

// Handler serves the API under /v1/ and the hosted checkout page.
func (s *Sim) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/customers", s.api(s.createCustomer))
	mux.HandleFunc("POST /v1/coupons", s.api(s.createCoupon))
	mux.HandleFunc("POST /v1/checkout/sessions", s.api(s.createSession))
	mux.HandleFunc("GET /v1/checkout/sessions/{id}", s.api(s.getObject))
	mux.HandleFunc("POST /v1/checkout/sessions/{id}/expire", s.api(s.expireSession))
	mux.HandleFunc("POST /v1/subscriptions", s.api(s.createSubscription))
	mux.HandleFunc("GET /v1/subscriptions/{id}", s.api(s.getObject))
	mux.HandleFunc("POST /v1/subscriptions/{id}", s.api(s.updateSubscription))
	mux.HandleFunc("DELETE /v1/subscriptions/{id}", s.api(s.cancelSubscription))
	mux.HandleFunc("POST /v1/refunds", s.api(s.createRefund))
	mux.HandleFunc("GET /v1/refunds", s.api(s.listRefunds))
	mux.HandleFunc("POST /v1/customers/{id}", s.api(s.updateCustomer))
	mux.HandleFunc("DELETE /v1/customers/{id}", s.api(s.deleteCustomer))
	mux.HandleFunc("POST /v1/customers/{id}/balance_transactions", s.api(s.createBalanceTransaction))
	mux.HandleFunc("POST /v1/products", s.api(s.createProduct))
	mux.HandleFunc("POST /v1/invoiceitems", s.api(s.createInvoiceItem))
	mux.HandleFunc("GET /v1/invoiceitems", s.api(s.listInvoiceItems))
	mux.HandleFunc("POST /v1/invoices", s.api(s.createInvoice))
	mux.HandleFunc("GET /v1/invoices", s.api(s.listInvoices))
	mux.HandleFunc("GET /v1/invoices/{id}", s.api(s.getObject))
	mux.HandleFunc("POST /v1/invoices/{id}/pay", s.api(s.payInvoice))
	mux.HandleFunc("POST /v1/invoices/{id}/void", s.api(s.voidInvoice))
	mux.HandleFunc("POST /v1/payment_methods/{id}/detach", s.api(s.detachPaymentMethod))
	mux.HandleFunc("GET /{$}", s.devPage)
	mux.HandleFunc("GET /events.json", s.eventsJSON)
	mux.HandleFunc("GET /ledger.json", s.ledgerJSON)
	mux.HandleFunc("POST /subscriptions/{id}/renew", s.renewHandler)
	mux.HandleFunc("GET /checkout/{id}", s.page)
	mux.HandleFunc("POST /checkout/{id}", s.pay)
	mux.HandleFunc("/v1/", func(w http.ResponseWriter, r *http.Request) {
		stripeError(w, http.StatusNotFound, "invalid_request_error", "Unrecognized request URL ("+r.Method+": "+r.URL.Path+").")
	})
	return mux
}

func stripeError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	body := map[string]any{"type": typ, "message": msg}
	// Stripe names a missing object with code resource_missing and, when a
	// parameter referred to it, that parameter ("No such customer: 'cus_…'").
	if what, ok := strings.CutPrefix(msg, "No such "); ok {
		body["code"] = "resource_missing"
		if param, _, ok := strings.Cut(what, ":"); ok && param != "object" {
			body["param"] = strings.ReplaceAll(param, " ", "_")
		}
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"error": body})
}

// api wraps an endpoint with auth, faults, form parsing and idempotency.
func (s *Sim) api(fn func(r *http.Request) (map[string]any, int, string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+s.cfg.SecretKey {
			stripeError(w, http.StatusUnauthorized, "invalid_request_error", "Invalid API Key provided.")
			return
		}
		s.mu.Lock()
		fault := 0
		if len(s.faults) > 0 {
			fault, s.faults = s.faults[0], s.faults[1:]
		}
		key := r.Header.Get("Idempotency-Key")
		replay, seen := s.idempotent[r.URL.Path+"#"+key]
		s.mu.Unlock()
		if fault == http.StatusPaymentRequired {
			stripeError(w, fault, "card_error", "Your card was declined.")
			return
		}
		if fault != 0 {
			w.Header().Set("Stripe-Should-Retry", "false")
			stripeError(w, fault, "api_error", "simulated failure")
			return
		}
		if key != "" && seen && r.Method != http.MethodGet {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Idempotent-Replayed", "true")
			_, _ = w.Write(replay)
			return
		}
		if err := r.ParseForm(); err != nil {
			stripeError(w, http.StatusBadRequest, "invalid_request_error", "Invalid request body.")
			return
		}
		obj, status, msg := fn(r)
		if status == http.StatusPaymentRequired {
			stripeError(w, status, "card_error", msg)
			return
		}
		if status != 0 {
			stripeError(w, status, "invalid_request_error", msg)
			return
		}
		s.mu.Lock() // objects change under the lock; encode a consistent one
		b, _ := json.Marshal(public(obj))
		if key != "" && r.Method != http.MethodGet {
			s.idempotent[r.URL.Path+"#"+key] = b
		}
		if r.Method != http.MethodGet {
			s.save()
		}
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(b)
	}
}

// metadata collects a "prefix[metadata][k]=v" family of form fields.
func metadata(r *http.Request, prefix string) map[string]any {
	out := map[string]any{}
	for k, v := range r.PostForm {
		if strings.HasPrefix(k, prefix+"[") && strings.HasSuffix(k, "]") {
			out[strings.TrimSuffix(strings.TrimPrefix(k, prefix+"["), "]")] = v[0]
		}
	}
	return out
}

func (s *Sim) store(obj map[string]any) map[string]any {
	s.mu.Lock()
	s.objects[obj["id"].(string)] = obj
	s.mu.Unlock()
	return obj
}

func (s *Sim) now() int64 { return s.cfg.Now().Unix() }

func (s *Sim) createCustomer(r *http.Request) (map[string]any, int, string) {
	return s.store(map[string]any{"id": newID("cus"), "object": "customer", "email": r.PostForm.Get("email"), "name": r.PostForm.Get("name"),
		"created": s.now(), "metadata": metadata(r, "metadata"), "livemode": false}), 0, ""
}

// deleteCustomer forgets a customer, as deleting it in Stripe's dashboard
// does: later calls naming it answer "No such customer".
func (s *Sim) deleteCustomer(r *http.Request) (map[string]any, int, string) {
	id := r.PathValue("id")
	s.mu.Lock()
	defer s.mu.Unlock()
	if o := s.objects[id]; o == nil || o["object"] != "customer" {
		return nil, http.StatusNotFound, "No such customer: '" + id + "'"
	}
	delete(s.objects, id)
	return map[string]any{"id": id, "object": "customer", "deleted": true}, 0, ""
}

func (s *Sim) createCoupon(r *http.Request) (map[string]any, int, string) {
	off, err := strconv.ParseInt(r.PostForm.Get("amount_off"), 10, 64)
	if err != nil || off <= 0 || r.PostForm.Get("currency") == "" {
		return nil, http.StatusBadRequest, "amount_off and currency are required"
	}
	maxRed, _ := strconv.ParseInt(r.PostForm.Get("max_redemptions"), 10, 64)
	return s.store(map[string]any{"id": newID("co"), "object": "coupon", "amount_off": off, "currency": r.PostForm.Get("currency"),
		"duration": r.PostForm.Get("duration"), "max_redemptions": maxRed, "name": r.PostForm.Get("name"), "valid": true, "created": s.now()}), 0, ""
}

func (s *Sim) getObject(r *http.Request) (map[string]any, int, string) {
	if o := s.Object(r.PathValue("id")); o != nil {
		return o, 0, ""
	}
	return nil, http.StatusNotFound, "No such object: '" + r.PathValue("id") + "'"
}

func (s *Sim) createSession(r *http.Request) (map[string]any, int, string) {
	f := r.PostForm
	if f.Get("mode") == "setup" {
		return s.createSetupSession(r)
	}
	if f.Get("mode") != "subscription" {
		return nil, http.StatusBadRequest, "only mode=subscription and mode=setup are simulated"
	}
	cus := f.Get("customer")
	if s.Object(cus) == nil {
		return nil, http.StatusBadRequest, "No such customer: '" + cus + "'"
	}
	pr, msg := s.recurringPrice(r, "line_items[0][price_data]")
	if msg != "" {
		return nil, http.StatusBadRequest, msg
	}
	amount, discount := pr.amount, pr.discount
	expires := s.now() + 24*3600
	if v := f.Get("expires_at"); v != "" {
		expires, _ = strconv.ParseInt(v, 10, 64)
		if expires < s.now()+30*60-60 || expires > s.now()+24*3600+60 {
			return nil, http.StatusBadRequest, "expires_at must be between 30 minutes and 24 hours from now"
		}
	}
	trial, _ := strconv.ParseInt(f.Get("subscription_data[trial_period_days]"), 10, 64)
	id := newID("cs_test")
	return s.store(map[string]any{
		"id": id, "object": "checkout.session", "mode": "subscription", "status": "open", "payment_status": "unpaid",
		"customer": cus, "client_reference_id": f.Get("client_reference_id"), "currency": f.Get("line_items[0][price_data][currency]"),
		"amount_subtotal": amount, "amount_total": max(amount-discount, 0), "success_url": f.Get("success_url"), "cancel_url": f.Get("cancel_url"),
		"url": strings.TrimRight(s.cfg.BaseURL, "/") + "/checkout/" + id, "expires_at": expires, "created": s.now(), "subscription": nil,
		"metadata": metadata(r, "metadata"), "livemode": false,
		// kept for the page and for payment; not part of Stripe's object
		"_product": f.Get("line_items[0][price_data][product_data][name]"), "_amount": amount, "_discount": discount, "_months": pr.months,
		"_trial_days": trial, "_sub_metadata": metadata(r, "subscription_data[metadata]"),
	}), 0, ""
}

func (s *Sim) expireSession(r *http.Request) (map[string]any, int, string) {
	obj, ok := s.expire(r.PathValue("id"))
	if !ok {
		return nil, http.StatusBadRequest, "Only Checkout Sessions with a status of open can be expired."
	}
	return obj, 0, ""
}

// price is a recurring price and the first-period discount from a form.
type price struct {
	amount, count, discount int64
	interval                string
	months                  int
}

// recurringPrice reads prefix[unit_amount] and prefix[recurring][…] and
// the discounts[0][coupon] of a session or subscription request.
func (s *Sim) recurringPrice(r *http.Request, prefix string) (price, string) {
	f := r.Form
	var p price
	var err error
	p.amount, err = strconv.ParseInt(f.Get(prefix+"[unit_amount]"), 10, 64)
	p.count, _ = strconv.ParseInt(f.Get(prefix+"[recurring][interval_count]"), 10, 64)
	p.interval = f.Get(prefix + "[recurring][interval]")
	if err != nil || p.amount < 0 || p.count < 1 || (p.interval != "month" && p.interval != "year") {
		return p, prefix + " needs a non-negative unit_amount and a month or year recurring interval"
	}
	p.months = int(p.count)
	if p.interval == "year" {
		p.months *= 12
	}
	if c := f.Get("discounts[0][coupon]"); c != "" {
		co := s.Object(c)
		if co == nil {
			return p, "No such coupon: '" + c + "'"
		}
		p.discount = co["amount_off"].(int64)
	}
	return p, ""
}

// expire closes an open session and announces it.
func (s *Sim) expire(id string) (map[string]any, bool) {
	s.mu.Lock()
	obj := s.objects[id]
	if obj == nil || obj["status"] != "open" {
		s.mu.Unlock()
		return nil, false
	}
	obj["status"] = "expired"
	s.mu.Unlock()
	s.emit("checkout.session.expired", obj)
	return obj, true
}

// ExpireDue expires every open session whose expires_at has passed, as
// Stripe does on its own; the local stack calls it on a timer.
func (s *Sim) ExpireDue() int {
	s.mu.Lock()
	var due []string
	for id, o := range s.objects {
		if o["object"] == "checkout.session" && o["status"] == "open" && o["expires_at"].(int64) <= s.now() {
			due = append(due, id)
		}
	}
	s.mu.Unlock()
	for _, id := range due {
		s.expire(id)
	}
	return len(due)
}

// public strips the simulator's private fields from an object.
func public(o map[string]any) map[string]any {
	out := make(map[string]any, len(o))
	for k, v := range o {
		if !strings.HasPrefix(k, "_") {
			out[k] = v
		}
	}
	return out
}

// emit records an event about a snapshot of obj and queues its delivery.
func (s *Sim) emit(typ string, obj map[string]any) {
	s.mu.Lock()
	ev := map[string]any{"id": newID("evt"), "object": "event", "api_version": APIVersion, "created": s.now(), "type": typ,
		"livemode": false, "pending_webhooks": 1, "data": map[string]any{"object": public(obj)}}
	s.events = append(s.events, ev)
	s.save()
	s.mu.Unlock()
	select {
	case s.queue <- ev:
	default:
		// A burst outran delivery: the event is delivered late, as Stripe
		// delivers it late, not dropped.
		s.mu.Lock()
		s.late = append(s.late, ev)
		s.mu.Unlock()
	}
}

// Run delivers events until ctx ends: each new event once, in order, at
// once; a failed delivery is retried on its own with growing delays (a
// quarter second doubling to 30 s) until the endpoint takes it, as Stripe
// retries each event independently for days — so one event the endpoint
// refuses for now never holds up the others.
func (s *Sim) Run(ctx context.Context) {
	type retry struct {
		ev      map[string]any
		attempt int
		at      time.Time
	}
	var (
		mu      sync.Mutex
		retries []retry
		wg      sync.WaitGroup
	)
	defer wg.Wait()
	deliver := func(ev map[string]any, attempt int) {
		err := s.Deliver(ctx, ev)
		if err == nil {
			// Not saved on its own: the whole state is rewritten per save,
			// and an acknowledgement lost to a kill only means the event is
			// delivered once more after the restart, which the endpoint
			// must take anyway (Stripe delivers at least once).
			s.mu.Lock()
			s.delivered[ev["id"].(string)] = true
			s.mu.Unlock()
			return
		}
		if ctx.Err() != nil {
			return // undelivered events are delivered after the next start
		}
		s.cfg.Log.Warn("stripe simulator: webhook delivery failed", "event", ev["id"], "attempt", attempt, "err", err.Error())
		mu.Lock()
		retries = append(retries, retry{ev: ev, attempt: attempt + 1, at: time.Now().Add(min(250*time.Millisecond<<min(attempt, 10), 30*time.Second))})
		mu.Unlock()
	}
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case ev := <-s.queue:
			deliver(ev, 1)
		case now := <-tick.C:
			s.mu.Lock()
			late := s.late
			s.late = nil
			s.mu.Unlock()
			mu.Lock()
			for _, ev := range late {
				retries = append(retries, retry{ev: ev, attempt: 1, at: now})
			}
			var due []retry
			kept := retries[:0]
			for _, r := range retries {
				if now.Before(r.at) {
					kept = append(kept, r)
				} else {
					due = append(due, r)
				}
			}
			retries = kept
			mu.Unlock()
			for _, r := range due {
				wg.Go(func() { deliver(r.ev, r.attempt) })
			}
		}
	}
}

// Deliver posts one event, signed, to the webhook endpoint.
func (s *Sim) Deliver(ctx context.Context, ev map[string]any) error {
	body, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	s.mu.Lock()
	target := s.cfg.WebhookURL
	s.mu.Unlock()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(string(body)))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	// Signed at the wall-clock time, as Stripe does: receivers check it
	// against theirs whatever clock the objects' timestamps follow.
	req.Header.Set("Stripe-Signature", Sign(body, s.cfg.WebhookSecret, time.Now()))
	res, err := s.cfg.Client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("endpoint answered %d", res.StatusCode)
	}
	return nil
}

// intOf reads a small whole number stored as int (made here) or int64
// (read back from the state file).
func intOf(v any) int {
	switch n := v.(type) {
	case int:
		return n
	case int64:
		return int(n)
	}
	return 0
}
