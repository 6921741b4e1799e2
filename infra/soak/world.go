package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ezscale/platform/infra/stripesim"
	"github.com/ezscale/platform/shared/testkit/session"
)

// world is what the soak knows: the clients, what customers were told was
// done, and every answer that broke the rules.
type world struct {
	base     string
	admin    *session.Client
	requests atomic.Int64
	restarts atomic.Int64
	actions  counter

	mu      sync.Mutex
	bad     []string            // 5xx other than 503 with Retry-After
	orders  map[string]string   // order id → customer id, for every 201
	paid    map[string]bool     // orders whose payment page said paid
	refunds map[string]bool     // refund ledger ids staff were given
	cancels map[string]string   // subscription id → "now"/"period_end" acknowledged
	people  map[string]*account // by e-mail
	planIDs map[string][]string // service type → active plan ids
	games   map[string]string   // game plan id → its game
	// unavailable: plans the listing says nothing here can deliver.
	unavailable map[string]bool
	tickets     map[int64]string  // ticket number → customer e-mail, for every 201
	mailed      map[string]string // subject → sender, for every message the SMTP port took
	smtp        string            // the support mailbox's SMTP address
}

type account struct {
	email, password, id string
	c                   *session.Client
}

// from sends from the loopback address 127.0.0.<10+n>, so each customer
// is its own client address (limits per address apply per customer, as
// for real customers, instead of all sharing 127.0.0.1's).
func from(n int) http.RoundTripper {
	d := &net.Dialer{Timeout: 10 * time.Second, LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(10+n%200))}}
	return &http.Transport{DialContext: d.DialContext, MaxIdleConnsPerHost: 4}
}

func newWorld(base, smtp string) *world {
	return &world{base: base, smtp: smtp, orders: map[string]string{}, paid: map[string]bool{}, refunds: map[string]bool{}, cancels: map[string]string{},
		people: map[string]*account{}, tickets: map[int64]string{}, mailed: map[string]string{}}
}

// call sends a request and records the answer: the body is decoded into
// out when it is 2xx. A connection error (the stack being killed) is
// returned as such; 5xx answers other than 503 with Retry-After are
// violations.
func (w *world) call(c *http.Client, method, path string, body, out any) (int, error) {
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, w.base+path, r)
	if err != nil {
		return 0, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	w.requests.Add(1)
	res, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode >= 500 && !(res.StatusCode == 503 && res.Header.Get("Retry-After") != "") {
		w.violation(fmt.Sprintf("%s %s answered %d: %.200s", method, path, res.StatusCode, raw))
	}
	if res.StatusCode/100 == 2 && out != nil {
		_ = json.Unmarshal(raw, out)
	}
	return res.StatusCode, nil
}

func (w *world) violation(s string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.bad = append(w.bad, s)
}

func (w *world) signInAdmin(email, password, secret string) error {
	c, err := session.SignIn(w.base, email, password, secret, time.Now)
	if err != nil {
		return err
	}
	w.admin = c
	return nil
}

var verifyLink = regexp.MustCompile(`/verify\?token=([A-Za-z0-9_-]+)`)

// signUp registers a customer, confirms the address from the dev mailbox
// and signs in.
func (w *world) signUp(n int) (*account, error) {
	a := &account{email: fmt.Sprintf("soak%d-%d@example.com", n, rand.IntN(1e9)), password: "soak passphrase " + fmt.Sprint(rand.IntN(1e9))}
	anon := session.NewVia(w.base, from(n))
	if code, err := w.call(anon.Client, "POST", "/v1/auth/register", map[string]string{"email": a.email, "password": a.password, "name": "Soak Customer"}, nil); err != nil || code != 202 {
		return nil, fmt.Errorf("register: %d %v", code, err)
	}
	var token string
	for range 100 {
		var mails []struct{ Text string }
		if _, err := w.call(anon.Client, "GET", "/dev/mail.json?to="+url.QueryEscape(a.email), nil, &mails); err == nil {
			for _, m := range mails {
				if t := verifyLink.FindStringSubmatch(m.Text); t != nil {
					token = t[1]
				}
			}
		}
		if token != "" {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if token == "" {
		return nil, fmt.Errorf("no confirmation e-mail for %s", a.email)
	}
	if code, err := w.call(anon.Client, "POST", "/v1/auth/verify-email", map[string]string{"token": token}, nil); err != nil || code != 200 {
		return nil, fmt.Errorf("verify: %d %v", code, err)
	}
	c, err := session.SignInVia(w.base, a.email, a.password, "", time.Now, from(n))
	if err != nil {
		return nil, err
	}
	a.c = c
	var me struct{ ID string }
	if _, err := w.call(c.Client, "GET", "/v1/me", nil, &me); err != nil {
		return nil, err
	}
	a.id = me.ID
	w.mu.Lock()
	w.people[a.email] = a
	w.mu.Unlock()
	return a, nil
}

// customer acts as one customer until ctx ends: sign up, then random
// actions. While the stack is down (down held by the killer) it waits.
func (w *world) customer(ctx context.Context, n int, down *sync.RWMutex) {
	var a *account
	for ctx.Err() == nil {
		down.RLock()
		var err error
		if a == nil {
			if a, err = w.signUp(n); err != nil {
				a = nil
			}
		} else {
			w.act(a)
		}
		down.RUnlock()
		time.Sleep(time.Duration(50+rand.IntN(200)) * time.Millisecond)
	}
}

// act does one weighted random thing a customer (or staff about them) does.
func (w *world) act(a *account) {
	switch r := rand.IntN(100); {
	case r < 30:
		w.order(a)
	case r < 40:
		w.renew(a)
	case r < 50:
		w.changePlan(a)
	case r < 58:
		w.refund(a)
	case r < 66:
		w.cancel(a)
	case r < 80:
		w.power(a)
	case r < 88:
		w.replayWebhooks()
	case r < 92:
		w.openTicket(a)
	case r < 95:
		w.mailTicket(a)
	default:
		w.call(a.c.Client, "GET", "/v1/me/services", nil, nil)
		w.call(a.c.Client, "GET", "/v1/me/invoices", nil, nil)
	}
}

func (w *world) plans(c *http.Client, serviceType string) []string {
	w.mu.Lock()
	ids := w.planIDs[serviceType]
	w.mu.Unlock()
	if ids != nil {
		return ids
	}
	var listing struct {
		Plans []struct {
			ID        string
			Available bool
			Features  struct{ Extras map[string]string }
		}
	}
	if _, err := w.call(c, "GET", "/v1/plans?service_type="+serviceType, nil, &listing); err != nil {
		return nil
	}
	w.mu.Lock()
	if w.planIDs == nil {
		w.planIDs, w.games, w.unavailable = map[string][]string{}, map[string]string{}, map[string]bool{}
	}
	for _, p := range listing.Plans {
		ids = append(ids, p.ID)
		w.games[p.ID] = p.Features.Extras["games"]
		w.unavailable[p.ID] = !p.Available
	}
	w.planIDs[serviceType] = ids
	w.mu.Unlock()
	return ids
}

// order buys a plan of any type (a plan the listing says nothing here can
// deliver must be refused) and pays, sometimes with a declined card.
func (w *world) order(a *account) {
	types := []string{"vps", "vps", "game_server", "hosting", "dedicated"}
	t := types[rand.IntN(len(types))]
	ids := w.plans(a.c.Client, t)
	if len(ids) == 0 {
		return
	}
	plan := ids[rand.IntN(len(ids))]
	opts := map[string]any{"hostname": "soak.example.com", "os": "debian-12", "location": "Dallas, US"}
	if t == "game_server" {
		w.mu.Lock()
		opts = map[string]any{"game": w.games[plan], "location": "Dallas, US"}
		w.mu.Unlock()
	}
	if t == "hosting" { // a domain of its own: a second order for one is refused
		opts = map[string]any{"domain": fmt.Sprintf("soak-%d.example.com", rand.Int64()), "location": "Dallas, US"}
	}
	var o struct {
		OrderID string `json:"id"`
		URL     string `json:"checkout_url"`
	}
	// One customer in four pays with PayPal, as at EZSCALE.
	gw := []string{"stripe", "stripe", "stripe", "paypal"}[rand.IntN(4)]
	code, err := w.call(a.c.Client, "POST", "/v1/me/orders", map[string]any{"plan_id": plan, "cycle": "monthly", "currency": "USD", "options": opts, "gateway": gw}, &o)
	if err != nil {
		return
	}
	w.mu.Lock()
	undeliverable := w.unavailable[plan]
	w.mu.Unlock()
	if undeliverable && code == 201 {
		w.violation("a " + t + " plan nothing here can deliver was sold")
	}
	if code != 201 {
		w.actions.add(fmt.Sprintf("order refused (%s, %d)", t, code))
		return
	}
	w.actions.add("order")
	w.mu.Lock()
	w.orders[o.OrderID] = a.id
	w.mu.Unlock()
	form := url.Values{"card": {stripesim.CardSuccess}}
	if rand.IntN(5) == 0 {
		form.Set("card", "4000000000000002") // declined
	}
	if gw == "paypal" { // the buyer agrees on PayPal's page; sometimes with renewals that will decline
		link, _ := url.Parse(o.URL)
		form = url.Values{"ba_token": {link.Query().Get("ba_token")}, "action": {[]string{"approve", "approve", "approve_declining"}[rand.IntN(3)]}}
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }, Timeout: 30 * time.Second}
	w.requests.Add(1)
	res, err := noRedirect.PostForm(o.URL, form)
	if err != nil {
		return
	}
	res.Body.Close()
	if res.StatusCode == http.StatusSeeOther {
		w.actions.add("payment")
		w.mu.Lock()
		w.paid[o.OrderID] = true
		w.mu.Unlock()
	} else {
		w.actions.add("payment declined")
	}
}

type subscription struct {
	ID        string `json:"id"`
	Status    string `json:"status"`
	Gateway   string `json:"gateway"`
	GatewayID string `json:"gateway_id"`
	OrderID   string `json:"order_id"`
}

func (w *world) subscriptions(a *account) []subscription {
	var l struct{ Subscriptions []subscription }
	w.call(a.c.Client, "GET", "/v1/me/subscriptions", nil, &l)
	return l.Subscriptions
}

func pick[T any](l []T) (T, bool) {
	var zero T
	if len(l) == 0 {
		return zero, false
	}
	return l[rand.IntN(len(l))], true
}

// renew ends a subscription's period at the simulated Stripe, sometimes
// with a declined card.
func (w *world) renew(a *account) {
	s, ok := pick(w.subscriptions(a))
	if !ok || s.Status == "cancelled" || s.Gateway != "stripe" { // PayPal renews by the clock only
		return
	}
	path := "/dev/stripe/subscriptions/" + s.GatewayID + "/renew"
	if rand.IntN(4) == 0 {
		path += "?fail=1"
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }, Timeout: 30 * time.Second}
	w.requests.Add(1)
	if res, err := noRedirect.Post(w.base+path, "application/x-www-form-urlencoded", nil); err == nil {
		res.Body.Close()
		w.actions.add("renewal")
	}
}

// changePlan moves an active VPS subscription up or down.
func (w *world) changePlan(a *account) {
	s, ok := pick(w.subscriptions(a))
	if !ok || s.Status != "active" {
		return
	}
	to, ok := pick(append(w.plans(a.c.Client, "vps"), w.plans(a.c.Client, "game_server")...))
	if !ok {
		return
	}
	var pv struct {
		Proration struct {
			At time.Time `json:"proration_date"`
		}
	}
	if code, err := w.call(a.c.Client, "POST", "/v1/me/subscriptions/"+s.ID+"/change/preview", map[string]string{"plan_id": to}, &pv); err != nil || code != 200 {
		return
	}
	var ch struct {
		Status     string `json:"status"`
		ApproveURL string `json:"approve_url"`
	}
	if code, err := w.call(a.c.Client, "POST", "/v1/me/subscriptions/"+s.ID+"/change", map[string]any{"plan_id": to, "proration_date": pv.Proration.At.Unix()}, &ch); err != nil || code != 200 {
		return
	}
	w.actions.add("plan change")
	if ch.Status != "awaiting_consent" {
		return
	}
	// PayPal asks the buyer: mostly they agree; some turn it down (the
	// change is then taken back and its charge refunded); some walk away.
	switch rand.IntN(5) {
	case 0:
		w.call(a.c.Client, "DELETE", "/v1/me/subscriptions/"+s.ID+"/change", nil, nil)
		w.actions.add("plan change turned down")
	case 1:
		w.actions.add("plan change left waiting")
	default:
		link, _ := url.Parse(ch.ApproveURL)
		noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }, Timeout: 30 * time.Second}
		w.requests.Add(1)
		if res, err := noRedirect.PostForm(ch.ApproveURL, url.Values{"ba_token": {link.Query().Get("ba_token")}, "action": {"approve"}}); err == nil {
			res.Body.Close()
			w.actions.add("plan change agreed")
		}
	}
}

// refund has staff give back part of one of the customer's payments.
func (w *world) refund(a *account) {
	var l struct {
		Payments []struct {
			ID, Status       string
			Amount, Refunded int64
		}
	}
	w.call(w.admin.Client, "GET", "/v1/admin/payments?customer="+a.id, nil, &l)
	var paid []string
	var left []int64
	for _, p := range l.Payments {
		if p.Status == "succeeded" && p.Amount > p.Refunded {
			paid, left = append(paid, p.ID), append(left, p.Amount-p.Refunded)
		}
	}
	if len(paid) == 0 {
		return
	}
	i := rand.IntN(len(paid))
	var out struct{ ID string }
	if code, err := w.call(w.admin.Client, "POST", "/v1/admin/payments/"+paid[i]+"/refund", map[string]any{"amount": 1 + rand.Int64N(left[i])}, &out); err == nil && code == 201 {
		w.actions.add("refund")
		w.mu.Lock()
		w.refunds[out.ID] = true
		w.mu.Unlock()
	}
}

// cancel ends a subscription now or at its period end.
func (w *world) cancel(a *account) {
	s, ok := pick(w.subscriptions(a))
	if !ok || s.Status == "cancelled" {
		return
	}
	when := []string{"now", "period_end"}[rand.IntN(2)]
	if code, err := w.call(a.c.Client, "POST", "/v1/me/subscriptions/"+s.ID+"/cancel", map[string]string{"when": when}, nil); err == nil && code == 200 {
		w.actions.add("cancel " + when)
		w.mu.Lock()
		w.cancels[s.ID] = when
		w.mu.Unlock()
	}
}

// power starts, stops or restarts one of the customer's services.
func (w *world) power(a *account) {
	var l struct {
		Services []struct{ ID, Status string }
	}
	w.call(a.c.Client, "GET", "/v1/me/services", nil, &l)
	s, ok := pick(l.Services)
	if !ok || s.Status != "active" {
		return
	}
	action := []string{"start", "stop", "restart"}[rand.IntN(3)]
	if code, err := w.call(a.c.Client, "POST", "/v1/me/services/"+s.ID+"/power", map[string]string{"action": action}, nil); err == nil && code/100 == 2 {
		w.actions.add("power")
	}
}

// replayWebhooks posts a shuffled handful of already-delivered events
// again, correctly signed, as Stripe's and PayPal's retries and
// reordering would.
func (w *world) replayWebhooks() {
	var again []struct {
		Type   string `json:"type"`
		Status int    `json:"status"`
	}
	if _, err := w.call(http.DefaultClient, "POST", "/dev/paypal/dev/redeliver?n=3", nil, &again); err == nil {
		for _, r := range again {
			if r.Status >= 500 && r.Status != 503 {
				w.violation(fmt.Sprintf("a replayed PayPal webhook %s answered %d", r.Type, r.Status))
			}
			w.actions.add("webhook replay")
		}
	}
	var events []map[string]any
	if _, err := w.call(http.DefaultClient, "GET", "/dev/stripe/events.json", nil, &events); err != nil || len(events) == 0 {
		return
	}
	rand.Shuffle(len(events), func(i, j int) { events[i], events[j] = events[j], events[i] })
	for _, ev := range events[:min(5, len(events))] {
		body, _ := json.Marshal(ev)
		req, _ := http.NewRequest("POST", w.base+"/v1/webhooks/stripe", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Stripe-Signature", stripesim.Sign(body, "whsec_local_simulator", time.Now()))
		w.requests.Add(1)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return
		}
		res.Body.Close()
		if res.StatusCode >= 500 && res.StatusCode != 503 {
			w.violation(fmt.Sprintf("a replayed webhook %v answered %d", ev["type"], res.StatusCode))
		}
		w.actions.add("webhook replay")
	}
}
