package app

import (
	"context"

	"github.com/ezscale/platform/shared/adapters/dynamo"
	"github.com/ezscale/platform/shared/domain/bandwidth"
	"github.com/ezscale/platform/shared/domain/catalog"
	"github.com/ezscale/platform/shared/domain/orders"
)

// newBandwidth wires metering without its flow source: the API reads
// what was measured; the bandwidth-sync function (and the local timer)
// set the source and run it.
func (p *Platform) newBandwidth(tbl *dynamo.Table) *bandwidth.Meter {
	return &bandwidth.Meter{Store: dynamo.NewBandwidth(tbl), Services: p.Services, Plans: plansByID{p.Catalog}, Billing: usageBilling{p.Orders},
		Customers: customers{p.Accounts}, Notify: p.Notify, Clock: p.Clock, AccountURL: p.Config.AccountURL,
		Thresholds: p.Config.BandwidthThresholds, Log: p.Log}
}

type plansByID struct{ c *catalog.Service }

func (p plansByID) GetPlan(ctx context.Context, id string) (*catalog.Plan, error) {
	return p.c.Get(ctx, id)
}

// usageBilling is metering's view of billing: the subscription's period
// and its gateway's next invoice.
type usageBilling struct{ o *orders.Service }

func (b usageBilling) Period(ctx context.Context, orderID string) (*bandwidth.Period, error) {
	sub, err := b.o.Period(ctx, orderID)
	if err != nil || sub == nil {
		return nil, err
	}
	return &bandwidth.Period{Start: sub.CurrentPeriodStart, End: sub.CurrentPeriodEnd, Currency: sub.Currency}, nil
}

func (b usageBilling) ChargeOverage(ctx context.Context, c bandwidth.Charge) (string, error) {
	return b.o.ChargeUsage(ctx, c.OrderID, c.Key, c.Net, c.Description)
}
