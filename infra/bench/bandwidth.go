package main

import (
	"context"
	"fmt"
	"net/http/httptest"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	minidyn "github.com/truora/minidyn/aws-v2/client"

	"github.com/ezscale/platform/infra/elastisim"
	"github.com/ezscale/platform/shared/adapters/dynamo"
	"github.com/ezscale/platform/shared/adapters/elasticflow"
	"github.com/ezscale/platform/shared/domain/bandwidth"
	"github.com/ezscale/platform/shared/domain/catalog"
	"github.com/ezscale/platform/shared/domain/notify"
	"github.com/ezscale/platform/shared/domain/provisioning"
	"github.com/ezscale/platform/shared/platform/clock"
)

// writeCounting counts the DynamoDB writes the meter makes.
type writeCounting struct {
	*minidyn.Client
	writes atomic.Int64
}

func (c *writeCounting) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, o ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	c.writes.Add(int64(len(in.TransactItems)))
	return c.Client.TransactWriteItems(ctx, in, o...)
}

func (c *writeCounting) PutItem(ctx context.Context, in *dynamodb.PutItemInput, o ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	c.writes.Add(1)
	return c.Client.PutItem(ctx, in, o...)
}

type benchServices []provisioning.Service

func (s benchServices) ListServices(context.Context, string) ([]provisioning.Service, error) {
	return s, nil
}
func (s benchServices) GetService(context.Context, string) (*provisioning.Service, error) {
	return nil, fmt.Errorf("not in the bench")
}

type meteredPlans map[string]*catalog.Plan

func (p meteredPlans) GetPlan(_ context.Context, id string) (*catalog.Plan, error) { return p[id], nil }

type noBilling struct{}

func (noBilling) Period(context.Context, string) (*bandwidth.Period, error) { return nil, nil }
func (noBilling) ChargeOverage(context.Context, bandwidth.Charge) (string, error) {
	return "", fmt.Errorf("not in the bench")
}

type noNotify struct{}

func (noNotify) Send(context.Context, notify.Request) (*notify.Message, error) {
	return &notify.Message{}, nil
}

// meteredFleet is n active VPS services, one address each, taken a month
// before day, and a flow source reading the simulator's traffic for them.
func meteredFleet(n int, day time.Time, clk clock.Clock) (benchServices, *elasticflow.Source, func(), error) {
	svcs := make(benchServices, n)
	ips := make([]string, n)
	for i := range svcs {
		ips[i] = fmt.Sprintf("10.%d.%d.%d", i/65536, i/256%256, i%256)
		s := provisioning.Service{ID: fmt.Sprintf("svc_%05d", i), OrderID: fmt.Sprintf("ord_%05d", i), PlanID: "vps", Status: provisioning.StatusActive, CreatedAt: day.AddDate(0, -1, 0)}
		s.SetIPs([]string{ips[i]}, s.CreatedAt)
		svcs[i] = s
	}
	sim := elastisim.New(clk, "")
	sim.Addrs = func() []string { return ips }
	srv := httptest.NewServer(sim)
	src, err := elasticflow.New(elasticflow.Config{URL: srv.URL, Exporters: []string{elastisim.Edge}})
	if err != nil {
		srv.Close()
		return nil, nil, nil, err
	}
	return svcs, src, srv.Close, nil
}

// benchBandwidth prints a day's close for 10,000 services against the
// flow-store simulator through the real adapter: searches made, seconds,
// DynamoDB writes.
func benchBandwidth() error {
	ctx := context.Background()
	const n = 10_000
	day := time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC)
	clk := clock.NewFake(day.Add(24*time.Hour + 15*time.Minute)) // the 3rd settled; nothing of the 4th yet
	svcs, src, stop, err := meteredFleet(n, day, clk)
	if err != nil {
		return err
	}
	defer stop()
	api := &writeCounting{Client: minidyn.NewClient()}
	if err := dynamo.EnsureTable(ctx, api, "ezscale"); err != nil {
		return err
	}
	store := dynamo.NewBandwidth(dynamo.New(api, "ezscale", clk))
	// The day before has been synced: this run closes the 3rd.
	if err := store.PutStatus(ctx, bandwidth.DayStatus{Date: "2026-11-02", Closed: true, Hours: 24}); err != nil {
		return err
	}
	m := &bandwidth.Meter{Source: src, Store: store, Services: svcs, Plans: meteredPlans{"vps": {ID: "vps", Features: catalog.Features{BandwidthGB: 2000}}},
		Billing: noBilling{}, Notify: noNotify{}, Clock: clk}
	api.writes.Store(0)
	start := time.Now()
	rep, err := m.Sync(ctx, svcs)
	if err != nil {
		return err
	}
	took := time.Since(start)
	fmt.Printf("bandwidth: a day's close for %d services (hourly buckets, both directions, via go-elasticsearch to the simulator)\n", n)
	fmt.Printf("  %d searches (page size %d)   %.1f s   %d DynamoDB writes   days %v closed %v\n\n",
		src.Requests(), elasticflow.DefaultPageSize, took.Seconds(), api.writes.Load(), rep.Days, rep.Closed)
	return nil
}
