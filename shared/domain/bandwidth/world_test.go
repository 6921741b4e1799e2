package bandwidth_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	minidyn "github.com/truora/minidyn/aws-v2/client"

	"github.com/ezscale/platform/shared/adapters/dynamo"
	"github.com/ezscale/platform/shared/domain/bandwidth"
	"github.com/ezscale/platform/shared/domain/catalog"
	"github.com/ezscale/platform/shared/domain/notify"
	"github.com/ezscale/platform/shared/domain/provisioning"
	"github.com/ezscale/platform/shared/platform/apperr"
	"github.com/ezscale/platform/shared/platform/clock"
)

// flows is a fake flow store: bytes per address, direction and 5-minute
// bucket, as one observation point would count them.
type flows struct {
	mu       sync.Mutex
	bytes    map[string]int64 // ip|dir|unix → bytes
	quiet    map[time.Time]bool
	fail     error
	requests int
}

func newFlows() *flows { return &flows{bytes: map[string]int64{}, quiet: map[time.Time]bool{}} }

func (f *flows) add(ip string, d bandwidth.Dir, at time.Time, n int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.bytes[fmt.Sprintf("%s|%d|%d", ip, d, at.Truncate(bandwidth.Fine).Unix())] += n
}

// fill spreads n bytes evenly over the 5-minute buckets of [from, to).
func (f *flows) fill(ip string, d bandwidth.Dir, from, to time.Time, n int64) {
	slots := int64(to.Sub(from) / bandwidth.Fine)
	for t := from; t.Before(to); t = t.Add(bandwidth.Fine) {
		f.add(ip, d, t, n/slots)
	}
}

func (f *flows) Totals(_ context.Context, q bandwidth.Query) ([]bandwidth.Point, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests++
	if f.fail != nil {
		return nil, f.fail
	}
	var out []bandwidth.Point
	for _, ip := range q.IPs {
		for b := q.From; b.Before(q.To); b = b.Add(q.Step) {
			p, ok := bandwidth.Point{IP: ip, At: b}, false
			for t := b; t.Before(b.Add(q.Step)); t = t.Add(bandwidth.Fine) {
				if n, has := f.bytes[fmt.Sprintf("%s|%d|%d", ip, q.Dir, t.Unix())]; has {
					p.Bytes, ok = p.Bytes+n, true
				}
			}
			if ok {
				out = append(out, p)
			}
		}
	}
	return out, nil
}

func (f *flows) Coverage(_ context.Context, from, to time.Time) (map[time.Time]int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests++
	if f.fail != nil {
		return nil, f.fail
	}
	out := map[time.Time]int64{}
	for h := from; h.Before(to); h = h.Add(time.Hour) {
		if !f.quiet[h] {
			out[h] = 1
		}
	}
	return out, nil
}

type services struct {
	mu   sync.Mutex
	list []provisioning.Service
}

func (s *services) ListServices(context.Context, string) ([]provisioning.Service, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]provisioning.Service(nil), s.list...), nil
}

func (s *services) GetService(_ context.Context, id string) (*provisioning.Service, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.list {
		if s.list[i].ID == id {
			c := s.list[i]
			return &c, nil
		}
	}
	return nil, apperr.New(apperr.NotFound, "no service %s", id)
}

type plans map[string]*catalog.Plan

func (p plans) GetPlan(_ context.Context, id string) (*catalog.Plan, error) {
	if pl, ok := p[id]; ok {
		return pl, nil
	}
	return nil, apperr.New(apperr.NotFound, "no plan %s", id)
}

// billing is a fake gateway side: one period per order, and charges
// keyed as the real gateway keys them (a repeat is the same charge).
type billing struct {
	mu      sync.Mutex
	periods map[string]*bandwidth.Period
	charges map[string]bandwidth.Charge
	calls   int
	fail    error
}

func (b *billing) Period(_ context.Context, orderID string) (*bandwidth.Period, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.periods[orderID], nil
}

func (b *billing) ChargeOverage(_ context.Context, c bandwidth.Charge) (string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.calls++
	if b.fail != nil {
		return "", b.fail
	}
	b.charges[c.Key] = c
	return "ii_" + c.Key, nil
}

type owners struct{}

func (owners) Owner(_ context.Context, id string) (provisioning.Owner, error) {
	return provisioning.Owner{CustomerID: id, Email: id + "@example.com", Name: "Ada " + id}, nil
}

type sent struct {
	mu   sync.Mutex
	keys map[string]notify.Request
	list []notify.Request
}

func (s *sent) Send(_ context.Context, r notify.Request) (*notify.Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.keys[r.Key]; !ok {
		s.keys[r.Key] = r
		s.list = append(s.list, r)
	}
	return &notify.Message{}, nil
}

func (s *sent) of(k notify.Kind) []notify.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []notify.Request
	for _, r := range s.list {
		if r.Kind == k {
			out = append(out, r)
		}
	}
	return out
}

type world struct {
	*bandwidth.Meter
	clk   *clock.Fake
	flows *flows
	svcs  *services
	plans plans
	bill  *billing
	sent  *sent
	store *dynamo.Bandwidth
}

var t0 = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

func newWorld(t *testing.T) *world {
	t.Helper()
	clk := clock.NewFake(t0)
	c := minidyn.NewClient()
	if _, err := c.CreateTable(context.Background(), dynamo.CreateTableInput("ezscale")); err != nil {
		t.Fatal(err)
	}
	w := &world{clk: clk, flows: newFlows(), svcs: &services{}, sent: &sent{keys: map[string]notify.Request{}},
		bill: &billing{periods: map[string]*bandwidth.Period{}, charges: map[string]bandwidth.Charge{}},
		plans: plans{"transfer": {ID: "transfer", Features: catalog.Features{BandwidthGB: 1000}, Metering: catalog.Metering{Overage: map[string]int64{"EUR": 100}}},
			"p95": {ID: "p95", Metering: catalog.Metering{Basis: catalog.BasisP95, CommitMbps: 100, Overage: map[string]int64{"EUR": 50}}}},
	}
	w.store = dynamo.NewBandwidth(dynamo.New(c, "ezscale", clk))
	w.Meter = &bandwidth.Meter{Source: w.flows, Store: w.store, Services: w.svcs, Plans: w.plans, Billing: w.bill, Customers: owners{},
		Notify: w.sent, Clock: clk, AccountURL: "https://account.test", Workers: 4}
	return w
}

// service adds an active service holding ip from t0, billed monthly in
// EUR from t0.
func (w *world) service(id, plan, ip string) {
	w.svcs.mu.Lock()
	defer w.svcs.mu.Unlock()
	s := provisioning.Service{ID: id, OrderID: "ord_" + id, CustomerID: "cus_" + id, PlanID: plan, PlanName: "Plan " + plan, Hostname: id + ".test",
		Status: provisioning.StatusActive, CreatedAt: t0}
	s.SetIPs([]string{ip}, t0)
	w.svcs.list = append(w.svcs.list, s)
	w.bill.periods[s.OrderID] = &bandwidth.Period{Start: t0, End: t0.AddDate(0, 1, 0), Currency: "EUR"}
}

// move gives ip to the service to at t (taking it from whoever held it).
func (w *world) move(ip, to string, at time.Time) {
	w.svcs.mu.Lock()
	defer w.svcs.mu.Unlock()
	for i := range w.svcs.list {
		s := &w.svcs.list[i]
		var keep []string
		for _, x := range s.IPs {
			if x != ip {
				keep = append(keep, x)
			}
		}
		if s.ID == to {
			keep = append(keep, ip)
		}
		s.SetIPs(keep, at)
	}
}

func (w *world) day(t *testing.T, svc, date string) bandwidth.Day {
	t.Helper()
	ds, err := w.store.Days(context.Background(), svc, date, date)
	if err != nil || len(ds) != 1 {
		t.Fatalf("day %s of %s: %v %v", date, svc, ds, err)
	}
	return ds[0]
}

func (w *world) run(t *testing.T) bandwidth.Report {
	t.Helper()
	rep, err := w.Run(context.Background())
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	return rep
}
