package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	minidyn "github.com/truora/minidyn/aws-v2/client"

	"github.com/ezscale/platform/infra/local/persist"
	"github.com/ezscale/platform/infra/stripesim"
	"github.com/ezscale/platform/shared/adapters/dynamo"
	"github.com/ezscale/platform/shared/domain/accounts"
	"github.com/ezscale/platform/shared/domain/bandwidth"
	"github.com/ezscale/platform/shared/domain/catalog"
	"github.com/ezscale/platform/shared/domain/orders"
	"github.com/ezscale/platform/shared/domain/provisioning"
	"github.com/ezscale/platform/shared/platform/clock"
)

// capacity estimates the DynamoDB capacity units the platform consumes,
// the way on-demand bills them: a read unit per 4 KB read (strongly
// consistent), a write unit per 1 KB written, transactions twice. Item
// size is approximated by its DynamoDB JSON.
type capacity struct {
	*minidyn.Client
	rru, wru atomic.Int64
}

func size(item map[string]types.AttributeValue) int64 {
	enc, _ := persist.EncodeItem(item)
	b, _ := json.Marshal(enc)
	return int64(len(b))
}

func units(bytes, per int64) int64 { return max(1, (bytes+per-1)/per) }

func (c *capacity) GetItem(ctx context.Context, in *dynamodb.GetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	out, err := c.Client.GetItem(ctx, in, o...)
	if err == nil {
		c.rru.Add(units(size(out.Item), 4096))
	}
	return out, err
}

func (c *capacity) Query(ctx context.Context, in *dynamodb.QueryInput, o ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	out, err := c.Client.Query(ctx, in, o...)
	if err == nil {
		var n int64
		for _, it := range out.Items {
			n += size(it)
		}
		c.rru.Add(units(n, 4096))
	}
	return out, err
}

func (c *capacity) PutItem(ctx context.Context, in *dynamodb.PutItemInput, o ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	c.wru.Add(units(size(in.Item), 1024))
	return c.Client.PutItem(ctx, in, o...)
}

func (c *capacity) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, o ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	c.wru.Add(1)
	return c.Client.UpdateItem(ctx, in, o...)
}

func (c *capacity) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, o ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	c.wru.Add(1)
	return c.Client.DeleteItem(ctx, in, o...)
}

func (c *capacity) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, o ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	var w int64
	for _, it := range in.TransactItems {
		switch {
		case it.Put != nil:
			w += units(size(it.Put.Item), 1024)
		default:
			w++
		}
	}
	c.wru.Add(2 * w)
	return c.Client.TransactWriteItems(ctx, in, o...)
}

// take reads and resets the counters.
func (c *capacity) take() (rru, wru int64) { return c.rru.Swap(0), c.wru.Swap(0) }

// measured is what one of each event costs, from running it in process.
type measured struct {
	paymentRRU, paymentWRU float64 // a paid invoice and its effects (ledger, invoice with PDF, receipt queued)
	sessionRRU, sessionWRU float64 // sign-in and a visit of the client area
	sessionRequests        int
}

func measure() (measured, error) {
	var m measured
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "ezscale-cost")
	if err != nil {
		return m, err
	}
	defer os.RemoveAll(dir)
	api := &capacity{Client: minidyn.NewClient()}
	const secret = "whsec_cost"
	p, _, _, err := platformOn(ctx, api, dir, clock.System{}, map[string]string{"ARGON2_MEMORY_KIB": "1024", "ARGON2_TIME": "1",
		"STRIPE_SECRET_KEY": "sk_test_cost", "STRIPE_WEBHOOK_SECRET": secret, "COOKIE_SECURE": "false"}, nil)
	if err != nil {
		return m, err
	}
	u, err := p.Accounts.CreateUser(ctx, accounts.NewUser{Email: "cost@example.com", Name: "Cost", Password: "correct horse battery staple", Role: accounts.Customer, Verified: true})
	if err != nil {
		return m, err
	}
	store := dynamo.NewOrders(p.Table)
	now := time.Now().UTC()
	const n = 50
	for i := range n {
		o := &orders.Order{ID: fmt.Sprintf("ord_cost_%03d", i), CustomerID: u.ID, PlanID: "pln_cost", PlanName: "VPS Standard", ServiceType: catalog.VPS,
			Cycle: catalog.Monthly, Currency: "USD", Status: orders.Pending, Price: 1199, Total: 1199, Renewal: 1199, Gateway: "stripe", CreatedAt: now, ExpiresAt: now.Add(time.Hour), Version: 1}
		if err := store.CreateOrder(ctx, o, nil); err != nil {
			return m, err
		}
	}
	h := p.Handler("")
	api.take()
	for i := range n {
		body := fmt.Sprintf(`{"id":"evt_cost_%d","object":"event","api_version":"%s","created":%d,"type":"invoice.paid","data":{"object":{"id":"in_c%d","object":"invoice","customer":"cus_c","subscription":"sub_c%d","subscription_details":{"metadata":{"ezscale_order_id":"ord_cost_%03d"}},"currency":"usd","total":1199,"amount_paid":1199,"charge":"ch_c%d","billing_reason":"subscription_create","lines":{"object":"list","data":[{"id":"il_c%d","object":"line_item","period":{"start":%d,"end":%d}}]}}}}`,
			i, stripesim.APIVersion, now.Unix(), i, i, i, i, i, now.Unix(), now.AddDate(0, 1, 0).Unix())
		req := httptest.NewRequest(http.MethodPost, "/v1/webhooks/stripe", strings.NewReader(body))
		req.Header.Set("Stripe-Signature", stripesim.Sign([]byte(body), secret, time.Now()))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			return m, fmt.Errorf("webhook: %d %s", rec.Code, rec.Body)
		}
	}
	for {
		k, err := p.Outbox.Publish(ctx)
		if err != nil {
			return m, err
		}
		if k == 0 {
			break
		}
	}
	r, w := api.take()
	m.paymentRRU, m.paymentWRU = float64(r)/n, float64(w)/n

	// A client-area visit: sign in, then what the dashboard and a service
	// page ask for.
	paths := []string{"/v1/me", "/v1/me/services", "/v1/me/subscriptions", "/v1/me/invoices", "/v1/me/tickets", "/v1/me/payment-methods", "/v1/plans?currency=USD&cycle=monthly"}
	const visits = 20
	for range visits {
		body := `{"email":"cost@example.com","password":"correct horse battery staple"}`
		req := httptest.NewRequest(http.MethodPost, "/v1/auth/login", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			return m, fmt.Errorf("login: %d %s", rec.Code, rec.Body)
		}
		cookies := rec.Result().Cookies()
		for _, path := range paths {
			req := httptest.NewRequest(http.MethodGet, path, nil)
			for _, c := range cookies {
				req.AddCookie(c)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != 200 {
				return m, fmt.Errorf("%s: %d %s", path, rec.Code, rec.Body)
			}
		}
	}
	r, w = api.take()
	m.sessionRRU, m.sessionWRU, m.sessionRequests = float64(r)/visits, float64(w)/visits, 1+len(paths)
	return m, nil
}

type periodBilling struct{ p *bandwidth.Period }

func (b periodBilling) Period(context.Context, string) (*bandwidth.Period, error) { return b.p, nil }
func (periodBilling) ChargeOverage(context.Context, bandwidth.Charge) (string, error) {
	return "", fmt.Errorf("not in the cost model")
}

type costOwners struct{}

func (costOwners) Owner(_ context.Context, id string) (provisioning.Owner, error) {
	return provisioning.Owner{CustomerID: id, Email: "c@example.com", Name: "C"}, nil
}

// measureBandwidth is one hourly run's store use per metered service:
// today's day item, the cycle's days read, the summary.
func measureBandwidth() (bandwidthMeasure, error) {
	ctx := context.Background()
	const n = 1000
	day := time.Date(2026, 11, 10, 0, 0, 0, 0, time.UTC)
	clk := clock.NewFake(day.Add(14*time.Hour + 20*time.Minute))
	svcs, src, stop, err := meteredFleet(n, day, clk)
	if err != nil {
		return bandwidthMeasure{}, err
	}
	defer stop()
	api := &capacity{Client: minidyn.NewClient()}
	if err := dynamo.EnsureTable(ctx, api, "ezscale"); err != nil {
		return bandwidthMeasure{}, err
	}
	store := dynamo.NewBandwidth(dynamo.New(api, "ezscale", clk))
	if err := store.PutStatus(ctx, bandwidth.DayStatus{Date: "2026-11-09", Closed: true, Hours: 24}); err != nil {
		return bandwidthMeasure{}, err
	}
	m := &bandwidth.Meter{Source: src, Store: store, Services: svcs, Plans: meteredPlans{"vps": {ID: "vps", Features: catalog.Features{BandwidthGB: 2000}}},
		Billing: periodBilling{&bandwidth.Period{Start: day.AddDate(0, 0, -9), End: day.AddDate(0, 0, 21), Currency: "USD"}}, Customers: costOwners{}, Notify: noNotify{}, Clock: clk}
	// Days of the cycle so far, as a running installation has them.
	for d := day.AddDate(0, 0, -9); d.Before(day); d = d.AddDate(0, 0, 1) {
		var days []bandwidth.Day
		for _, s := range svcs {
			days = append(days, bandwidth.Day{ServiceID: s.ID, Date: d.Format(time.DateOnly), In: make([]int64, 24), Out: make([]int64, 24), Hours: 24, Closed: true})
		}
		if err := store.PutDays(ctx, days); err != nil {
			return bandwidthMeasure{}, err
		}
	}
	api.take()
	if _, err := m.Sync(ctx, svcs); err != nil {
		return bandwidthMeasure{}, err
	}
	if _, err := m.Watch(ctx, svcs, false); err != nil {
		return bandwidthMeasure{}, err
	}
	r, w := api.take()
	return bandwidthMeasure{wruPerServiceRun: float64(w) / n, rruPerServiceRun: float64(r) / n}, nil
}

func benchCost() error {
	m, err := measure()
	if err != nil {
		return err
	}
	bw, err := measureBandwidth()
	if err != nil {
		return err
	}
	printCost(m, bw)
	return nil
}
