package main

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

type payment struct {
	ID         string `json:"id"`
	CustomerID string `json:"customer_id"`
	OrderID    string `json:"order_id"`
	Status     string `json:"status"`
	Currency   string `json:"currency"`
	Amount     int64  `json:"amount"`
}

type service struct {
	ID      string `json:"id"`
	OrderID string `json:"order_id"`
	Ref     string `json:"ref"`
	Number  int64  `json:"number"`
	PanelID string `json:"panel_id"`
	Panel   string `json:"panel"`
	Status  string `json:"status"`
}

// number is how a panel that keeps only numbers (SynergyCP) names it.
func (s service) number() string {
	if s.Number == 0 {
		return "-"
	}
	return strconv.FormatInt(s.Number, 10)
}

type order struct {
	ID     string `json:"id"`
	Status string `json:"status"`
}

func (w *world) ledger() ([]payment, error) {
	var l struct{ Payments []payment }
	_, err := w.call(w.admin.Client, "GET", "/v1/admin/payments", nil, &l)
	return l.Payments, err
}

func (w *world) services() ([]service, error) {
	var l struct{ Services []service }
	_, err := w.call(w.admin.Client, "GET", "/v1/admin/services?archived=true", nil, &l)
	return l.Services, err
}

func (w *world) ordersWith(status string) ([]order, error) {
	var out []order
	cursor := ""
	for {
		var page struct {
			Orders []order
			Next   string `json:"next_cursor"`
		}
		if _, err := w.call(w.admin.Client, "GET", "/v1/admin/orders?status="+status+"&cursor="+cursor, nil, &page); err != nil {
			return nil, err
		}
		out = append(out, page.Orders...)
		if page.Next == "" {
			return out, nil
		}
		cursor = page.Next
	}
}

// checkAlways holds at any moment, even with work in flight: no forbidden
// 5xx, gap-free invoice numbers, no negative balance, and everything a
// caller was told was done still there after the kill.
func (w *world) checkAlways(when string) []string {
	var out []string
	w.mu.Lock()
	for _, b := range w.bad {
		out = append(out, when+": "+b)
	}
	w.bad = nil
	told := make([]string, 0, len(w.orders))
	for id := range w.orders {
		told = append(told, id)
	}
	refunds := make(map[string]bool, len(w.refunds))
	for id := range w.refunds {
		refunds[id] = true
	}
	w.mu.Unlock()

	// Invoice numbers: one series per year, 1…N without gaps or twins.
	var numbers []string
	cursor := ""
	for {
		var page struct {
			Invoices []struct{ Number string }
			Next     string `json:"next_cursor"`
		}
		if _, err := w.call(w.admin.Client, "GET", "/v1/admin/invoices?cursor="+cursor, nil, &page); err != nil {
			return append(out, when+": invoices not listed: "+err.Error())
		}
		for _, i := range page.Invoices {
			if i.Number != "" {
				numbers = append(numbers, i.Number)
			}
		}
		if cursor = page.Next; cursor == "" {
			break
		}
	}
	series := map[string][]int{}
	for _, n := range numbers {
		i := strings.LastIndex(n, "-")
		seq, _ := strconv.Atoi(n[i+1:])
		series[n[:i]] = append(series[n[:i]], seq)
	}
	for s, seqs := range series {
		sort.Ints(seqs)
		for i, n := range seqs {
			if n != i+1 {
				out = append(out, fmt.Sprintf("%s: invoice series %s is not gap-free: %v", when, s, seqs))
				break
			}
		}
	}
	w.counted("invoice numbers checked", len(numbers))

	ledger, err := w.ledger()
	if err != nil {
		return append(out, when+": ledger not listed: "+err.Error())
	}
	ids := map[string]bool{}
	balance := map[string]int64{}
	for _, p := range ledger {
		ids[p.ID] = true
		switch p.Status {
		case "credit":
			balance[p.CustomerID+" "+p.Currency] += p.Amount
		case "credit_applied":
			balance[p.CustomerID+" "+p.Currency] -= p.Amount
		}
	}
	for k, v := range balance {
		if v < 0 {
			out = append(out, fmt.Sprintf("%s: balance of %s is negative (%d)", when, k, v))
		}
	}
	w.counted("balances checked", len(balance))
	for id := range refunds {
		if !ids[id] {
			out = append(out, fmt.Sprintf("%s: refund %s that staff were shown is not in the ledger", when, id))
		}
	}
	w.counted("acknowledged refunds found", len(refunds))
	for _, id := range told {
		if code, err := w.call(w.admin.Client, "GET", "/v1/admin/orders/"+id, nil, nil); err == nil && code != 200 {
			out = append(out, fmt.Sprintf("%s: order %s the customer was given (201) answers %d", when, id, code))
		}
	}
	w.counted("acknowledged orders found", len(told))
	return out
}

// counted remembers the largest count each check covered, for the report.
func (w *world) counted(name string, n int) {
	w.actions.mu.Lock()
	defer w.actions.mu.Unlock()
	if w.actions.n == nil {
		w.actions.n = map[string]int{}
	}
	if key := "check: " + name; n > w.actions.n[key] {
		w.actions.n[key] = n
	}
}

// settle waits (bounded) until every paid order's service has settled and
// the ledger agrees with the gateway.
func (w *world) settle(limit time.Duration) bool {
	for deadline := time.Now().Add(limit); time.Now().Before(deadline); time.Sleep(time.Second) {
		if len(w.unsettled()) == 0 && len(w.moneyMismatches()) == 0 && len(w.unimported()) == 0 {
			return true
		}
	}
	return false
}

// unsettled lists paid orders whose service is missing or still moving.
func (w *world) unsettled() []string {
	paid, err := w.ordersWith("paid")
	if err != nil {
		return []string{err.Error()}
	}
	svcs, err := w.services()
	if err != nil {
		return []string{err.Error()}
	}
	byOrder := map[string]service{}
	for _, s := range svcs {
		byOrder[s.OrderID] = s
	}
	var out []string
	for _, o := range paid {
		s, ok := byOrder[o.ID]
		switch {
		case !ok:
			out = append(out, "paid order "+o.ID+" has no service and no recorded failure")
		case s.Status == "pending" || s.Status == "provisioning":
			out = append(out, "service "+s.ID+" is still "+s.Status)
		}
	}
	return out
}

// moneyMismatches compares every customer's money in our ledger with the
// simulated Stripe account's, to the cent.
func (w *world) moneyMismatches() []string {
	ledger, err := w.ledger()
	if err != nil {
		return []string{err.Error()}
	}
	type sums struct{ net, credit int64 }
	ours := map[string]*sums{}
	paypal := map[string]int64{} // by order
	for _, p := range ledger {
		if strings.HasPrefix(p.ID, "paypal:") {
			switch p.Status {
			case "succeeded":
				paypal[p.OrderID] += p.Amount
			case "refund":
				paypal[p.OrderID] -= p.Amount
			}
			continue
		}
		if ours[p.CustomerID] == nil {
			ours[p.CustomerID] = &sums{}
		}
		switch p.Status {
		case "succeeded":
			ours[p.CustomerID].net += p.Amount
		case "refund":
			ours[p.CustomerID].net -= p.Amount
		case "credit":
			ours[p.CustomerID].credit += p.Amount
		case "credit_applied":
			ours[p.CustomerID].credit -= p.Amount
		}
	}
	var rows []struct {
		UserID                     string `json:"user_id"`
		Charged, Refunded, Balance int64
	}
	if _, err := w.call(http.DefaultClient, "GET", "/dev/stripe/ledger.json", nil, &rows); err != nil {
		return []string{err.Error()}
	}
	// One of our customers may have had several gateway customers (one
	// the gateway forgot is replaced): compare per customer of ours.
	type gw struct{ charged, refunded, balance int64 }
	theirs := map[string]*gw{}
	for _, r := range rows {
		if theirs[r.UserID] == nil {
			theirs[r.UserID] = &gw{}
		}
		g := theirs[r.UserID]
		g.charged, g.refunded, g.balance = g.charged+r.Charged, g.refunded+r.Refunded, g.balance+r.Balance
	}
	var out []string
	for user, g := range theirs {
		o := ours[user]
		if o == nil {
			o = &sums{}
		}
		if o.net != g.charged-g.refunded || o.credit != -g.balance {
			out = append(out, fmt.Sprintf("customer %s: ledger net %d credit %d; gateway charged %d refunded %d balance %d", user, o.net, o.credit, g.charged, g.refunded, g.balance))
		}
	}
	// PayPal keeps no customers: its money is compared per order.
	var sales []struct {
		OrderID           string `json:"order_id"`
		Charged, Refunded int64
	}
	if _, err := w.call(http.DefaultClient, "GET", "/dev/paypal/dev/ledger.json", nil, &sales); err != nil {
		return append(out, err.Error())
	}
	theirsByOrder := map[string]int64{}
	for _, r := range sales {
		theirsByOrder[r.OrderID] += r.Charged - r.Refunded
	}
	for id, net := range theirsByOrder {
		if paypal[id] != net {
			out = append(out, fmt.Sprintf("order %s: ledger net %d at PayPal; PayPal collected %d net", id, paypal[id], net))
		}
	}
	for id, net := range paypal {
		if _, ok := theirsByOrder[id]; !ok && net != 0 {
			out = append(out, fmt.Sprintf("order %s: ledger net %d at PayPal; PayPal has no sale for it", id, net))
		}
	}
	return out
}

// checkSettled holds once the work in flight has landed.
func (w *world) checkSettled() []string {
	var out []string
	out = append(out, w.unsettled()...)
	out = append(out, w.checkTickets()...)
	out = append(out, w.moneyMismatches()...)
	svcs, err := w.services()
	if err != nil {
		return append(out, err.Error())
	}
	var panels map[string]map[string]string
	if _, err := w.call(http.DefaultClient, "GET", "/dev/panels.json", nil, &panels); err != nil {
		return append(out, err.Error())
	}
	refs := map[string]int{}
	for _, byID := range panels {
		for _, ref := range byID {
			refs[ref]++
		}
	}
	live := map[string]bool{}
	for _, s := range svcs {
		switch {
		case s.Status == "active" || s.Status == "suspended":
			live[s.Ref], live[s.number()] = true, true
			if n := refs[s.Ref] + refs[s.number()]; n != 1 {
				out = append(out, fmt.Sprintf("service %s (%s) has %d panel resources, want 1", s.ID, s.Status, n))
			}
		case s.Status == "terminated" && refs[s.Ref]+refs[s.number()] != 0:
			out = append(out, fmt.Sprintf("terminated service %s still has %d panel resources", s.ID, refs[s.Ref]+refs[s.number()]))
		}
	}
	for ref := range refs {
		if !live[ref] && !slices.ContainsFunc(svcs, func(s service) bool { return (s.Ref == ref || s.number() == ref) && s.Status == "failed" }) {
			out = append(out, "panel resource "+ref+" belongs to no live service")
		}
	}
	w.counted("services checked", len(svcs))
	w.counted("panel resources checked", len(refs))
	// Paid checkouts became paid orders (or wait for approval).
	w.mu.Lock()
	paid := make([]string, 0, len(w.paid))
	for id := range w.paid {
		paid = append(paid, id)
	}
	cancels := map[string]string{}
	for id, how := range w.cancels {
		cancels[id] = how
	}
	w.mu.Unlock()
	for _, id := range paid {
		var got struct{ Order order }
		if _, err := w.call(w.admin.Client, "GET", "/v1/admin/orders/"+id, nil, &got); err == nil && got.Order.Status != "paid" && got.Order.Status != "awaiting_approval" {
			out = append(out, fmt.Sprintf("order %s was paid on the payment page but is %q", id, got.Order.Status))
		}
	}
	w.counted("paid checkouts checked", len(paid))
	// Cancellations customers were told about stand.
	w.mu.Lock()
	people := make([]*account, 0, len(w.people))
	for _, a := range w.people {
		people = append(people, a)
	}
	w.mu.Unlock()
	found := 0
	for _, a := range people {
		var l struct {
			Subscriptions []struct {
				ID                string `json:"id"`
				Status            string `json:"status"`
				CancelAtPeriodEnd bool   `json:"cancel_at_period_end"`
			}
		}
		w.call(a.c.Client, "GET", "/v1/me/subscriptions", nil, &l)
		for _, s := range l.Subscriptions {
			how, ok := cancels[s.ID]
			if !ok {
				continue
			}
			found++
			if s.Status != "cancelled" && (how == "now" || !s.CancelAtPeriodEnd) {
				out = append(out, fmt.Sprintf("subscription %s was cancelled (%s) but is %s", s.ID, how, s.Status))
			}
		}
	}
	if found != len(cancels) {
		out = append(out, fmt.Sprintf("%d acknowledged cancellations, %d of their subscriptions found", len(cancels), found))
	}
	w.counted("acknowledged cancellations checked", found)
	return out
}

func (w *world) report(took time.Duration, kills int, settled bool, failures []string) {
	fmt.Printf("\nsoak: %s, %d requests, %d kills survived (SIGKILL, restarted on the same data), settled: %v\n", took.Round(time.Second), w.requests.Load(), kills, settled)
	w.actions.mu.Lock()
	names := make([]string, 0, len(w.actions.n))
	for k := range w.actions.n {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		fmt.Printf("  %-40s %d\n", k, w.actions.n[k])
	}
	w.actions.mu.Unlock()
	if len(failures) == 0 {
		fmt.Println("soak: every invariant held: no 5xx but 503 with Retry-After; every paid order has its service or a recorded failure;")
		fmt.Println("      one panel resource per live service and none without; ledger = Stripe per customer and PayPal per order, to the cent;")
		fmt.Println("      invoice numbers gap-free; no negative balance; every acknowledged order and refund present;")
		fmt.Println("      ticket numbers gap-free; every acknowledged ticket present; every mail the SMTP port took is exactly one ticket")
		return
	}
	fmt.Printf("soak: %d invariant violations:\n", len(failures))
	for _, f := range failures {
		fmt.Println("  -", f)
	}
}
