package bandwidth

import (
	"cmp"
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/ezscale/platform/shared/domain/catalog"
	"github.com/ezscale/platform/shared/domain/notify"
	"github.com/ezscale/platform/shared/domain/provisioning"
	"github.com/ezscale/platform/shared/platform/clock"
)

// Services lists every service (ListServices with no customer).
type Services interface {
	ListServices(ctx context.Context, customerID string) ([]provisioning.Service, error)
	GetService(ctx context.Context, id string) (*provisioning.Service, error)
}

// Plans reads a plan's metering.
type Plans interface {
	GetPlan(ctx context.Context, id string) (*catalog.Plan, error)
}

// Customers tells who to write to.
type Customers interface {
	Owner(ctx context.Context, customerID string) (provisioning.Owner, error)
}

// Notifier sends e-mails and admin alerts, once per key.
type Notifier interface {
	Send(ctx context.Context, r notify.Request) (*notify.Message, error)
}

// Period is an order's current billing period at its gateway.
type Period struct {
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	Currency string    `json:"currency"`
}

// Charge is an overage to bill with the subscription's next invoice.
type Charge struct {
	// Key is derived from the service and the cycle: however often the
	// charge is attempted, the gateway bills it once.
	Key         string
	OrderID     string
	Currency    string
	Net         int64 // before tax
	Description string
}

// Billing is what metering needs from billing.
type Billing interface {
	// Period is the order's current period; nil when nothing bills it
	// (ended, or never paid).
	Period(ctx context.Context, orderID string) (*Period, error)
	// ChargeOverage adds c to the subscription's next invoice and answers
	// the gateway's reference.
	ChargeOverage(ctx context.Context, c Charge) (string, error)
}

// DefaultThresholds warn at 75, 90 and 100 %.
var DefaultThresholds = []int{75, 90, 100}

// Meter is bandwidth's service: Sync reads the flow store, Alert warns,
// Bill charges closed cycles.
type Meter struct {
	Source    Source
	Store     Store
	Services  Services
	Plans     Plans
	Billing   Billing
	Customers Customers
	Notify    Notifier
	Clock     clock.Clock
	// AccountURL is the account app's base URL for links in e-mails.
	AccountURL string
	// Thresholds are the alert percentages (DefaultThresholds when empty).
	Thresholds []int
	// Settle is how long after an hour ends its flows are taken as
	// complete (exporters flush long flows on an active timeout).
	Settle time.Duration
	// Lookback is how many days back an open (or never synced) day is
	// measured again; 35 covers a month the schedule did not run.
	Lookback int
	// LineRate bounds a plausible address's traffic (bit/s); more in a
	// bucket means the flow data is broken. 0: 100 Gbit/s.
	LineRate int64
	// FailuresBeforeAlert is how many failed runs of a day alert admins.
	FailuresBeforeAlert int
	// Workers bounds concurrent store reads per run.
	Workers int
	Log     *slog.Logger
}

func (m *Meter) settleDelay() time.Duration { return cmp.Or(m.Settle, 15*time.Minute) }

func (m *Meter) lookback() int { return cmp.Or(m.Lookback, 35) }

func (m *Meter) lineRate() int64 { return cmp.Or(m.LineRate, 100_000_000_000) }

func (m *Meter) failuresBeforeAlert() int { return cmp.Or(m.FailuresBeforeAlert, 3) }

func (m *Meter) workers() int { return cmp.Or(m.Workers, 16) }

func (m *Meter) log() *slog.Logger {
	if m.Log != nil {
		return m.Log
	}
	return slog.Default()
}

// plans caches plan reads for one run.
type plans struct {
	src  Plans
	mu   sync.Mutex
	seen map[string]*catalog.Plan
}

func (m *Meter) plans() *plans { return &plans{src: m.Plans, seen: map[string]*catalog.Plan{}} }

func (p *plans) get(ctx context.Context, id string) (*catalog.Plan, error) {
	p.mu.Lock()
	pl, ok := p.seen[id]
	p.mu.Unlock()
	if ok {
		return pl, nil
	}
	pl, err := p.src.GetPlan(ctx, id)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	p.seen[id] = pl
	p.mu.Unlock()
	return pl, nil
}
