// Package bandwidth meters each service's traffic from flow records,
// keeps what it measured per service and day, warns as a cycle's
// allowance runs out and bills the overage once the cycle is closed.
//
// Units are explicit everywhere: bytes as counted by the flow collector,
// allowances in decimal gigabytes (10^9 bytes), rates in decimal megabits
// per second (10^6 bit/s).
package bandwidth

import (
	"context"
	"errors"
	"time"
)

// Dir is the direction of traffic, seen from the customer's address.
type Dir int

// Directions: In is traffic to the customer (they are the destination),
// Out traffic from them (the source).
const (
	In Dir = iota
	Out
)

func (d Dir) String() string {
	if d == In {
		return "in"
	}
	return "out"
}

// Bucket sizes: hourly for the live view and transfer billing; 5-minute
// where a plan bills by the 95th percentile or an address changed hands
// inside an hour.
const (
	Hour = time.Hour
	Fine = 5 * time.Minute
	// FinePerDay is the number of 5-minute samples in a day.
	FinePerDay = int(24 * time.Hour / Fine)
)

// Query asks the flow source for the bytes of addresses in one direction.
type Query struct {
	From, To time.Time // [From, To), aligned to Step
	IPs      []string
	Dir      Dir
	Step     time.Duration
}

// Point is the bytes one address moved in one bucket.
type Point struct {
	IP    string
	At    time.Time // the bucket's start
	Bytes int64
}

// Source reads traffic totals from the flow store (ElastiFlow).
type Source interface {
	// Totals sums the bytes of q's addresses per address and bucket,
	// counted at one observation point so no flow is counted twice.
	// Buckets without traffic may be absent.
	Totals(ctx context.Context, q Query) ([]Point, error)
	// Coverage counts flow records per hour in [from, to) over all
	// addresses: an hour with none means the collector saw nothing,
	// which is an outage, not a quiet network.
	Coverage(ctx context.Context, from, to time.Time) (map[time.Time]int64, error)
}

// ErrBadData is in the chain of an error when the flow store answered
// something that cannot be traffic (negative or impossible byte counts,
// addresses not asked for): the day stays open and nobody is billed.
var ErrBadData = errors.New("the flow data is not plausible")

// Day is what one service moved on one UTC day.
type Day struct {
	ServiceID string
	Date      string // 2006-01-02, UTC
	// In and Out are bytes per hour (24 entries).
	In, Out []int64
	// FineIn and FineOut are bytes per 5 minutes (288 entries), kept for
	// 95th-percentile plans only.
	FineIn, FineOut []int64
	// Hours is how many hours of the day are measured so far (24 once
	// the day is closed).
	Hours int
	// Missing are the hours (0–23) the collector recorded nothing at all.
	Missing []int
	Closed  bool
	// Synced is when these numbers were read.
	Synced time.Time
}

// DayStatus is the state of one day's sync across all services.
type DayStatus struct {
	Date     string `json:"date"`
	Hours    int    `json:"hours"` // hours synced
	Closed   bool   `json:"closed"`
	Missing  []int  `json:"missing"`
	Attempts int    `json:"attempts"` // failed runs since the last success
	Error    string `json:"error"`
	// Alerted says admins were told about repeated failures.
	Alerted   bool      `json:"alerted"`
	Requests  int       `json:"requests"` // flow-store requests of the last run
	Services  int       `json:"services"` // services written by the last run
	UpdatedAt time.Time `json:"updated_at"`
}

// Store keeps the measured days and what was decided on them.
type Store interface {
	// PutDays replaces each day's numbers (a re-run of a day writes the
	// same items again).
	PutDays(ctx context.Context, days []Day) error
	// Days lists a service's days from from to to (dates, inclusive).
	Days(ctx context.Context, serviceID, from, to string) ([]Day, error)
	GetStatus(ctx context.Context, date string) (*DayStatus, error) // nil when never synced
	PutStatus(ctx context.Context, s DayStatus) error
	// ClaimAlert records that threshold pct was reached in the cycle
	// starting at cycle; false when it was claimed before.
	ClaimAlert(ctx context.Context, serviceID string, cycle time.Time, pct int) (bool, error)
	// Cycles, PutCycle and Due keep the cycles seen, so a cycle that has
	// ended is billed after the renewal moved the subscription on.
	PutCycle(ctx context.Context, c Cycle) error
	Due(ctx context.Context, before time.Time) ([]Cycle, error)
	UpdateCycle(ctx context.Context, serviceID string, start time.Time, fn func(*Cycle) error) (*Cycle, error)
	ListCycles(ctx context.Context, serviceID string) ([]Cycle, error)
	// Held lists cycles waiting for a staff decision, oldest first.
	Held(ctx context.Context) ([]Cycle, error)
	// PutSummary replaces the last run's summary; GetSummary reads it
	// (nil before the first).
	PutSummary(ctx context.Context, s Summary) error
	GetSummary(ctx context.Context) (*Summary, error)
}
