package dynamo

import (
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/ezscale/platform/shared/domain/bandwidth"
	"github.com/ezscale/platform/shared/platform/apperr"
)

// Bandwidth stores measured traffic and what was decided on it:
//
//	day     PK=BWDAY#<service>    SK=<date>                 hourly (and 5-minute) bytes
//	status  PK=BWSYNC             SK=<date>                 a day's sync across services
//	alert   PK=BWALERT#<service>  SK=<cycle start>#<pct>    a threshold claimed once per cycle
//	cycle   PK=BWCYCLE#<service>  SK=<start>  GSI2PK=BWDUE (while open) GSI2SK=<end>#<service>
//	                                          GSI2PK=BWHELD (while held) GSI2SK=<start>#<service>
//	summary PK=BWSUMMARY          SK=LAST                   the last run's top consumers and near-quota services
type Bandwidth struct{ t *Table }

var _ bandwidth.Store = (*Bandwidth)(nil)

// NewBandwidth returns the bandwidth store on t.
func NewBandwidth(t *Table) *Bandwidth { return &Bandwidth{t: t} }

// bwDayRecord keeps its counts packed (uvarints in a binary attribute): a
// day item is rewritten every hour for every service, and packed it stays
// under 1 KB, one write unit instead of two (make cost). Items written
// before, with number lists in in/out, still read.
type bwDayRecord struct {
	Item
	ServiceID string    `dynamodbav:"service_id"`
	Date      string    `dynamodbav:"date"`
	Counts    []byte    `dynamodbav:"counts"`
	Fine      []byte    `dynamodbav:"fine,omitempty"`
	In        []int64   `dynamodbav:"in,omitempty"`
	Out       []int64   `dynamodbav:"out,omitempty"`
	Hours     int       `dynamodbav:"hours"`
	Missing   []int     `dynamodbav:"missing,omitempty"`
	Closed    bool      `dynamodbav:"closed"`
	Synced    time.Time `dynamodbav:"synced"`
}

type bwStatusRecord struct {
	Item
	Date     string    `dynamodbav:"date"`
	Hours    int       `dynamodbav:"hours"`
	Closed   bool      `dynamodbav:"closed"`
	Missing  []int     `dynamodbav:"missing,omitempty"`
	Attempts int       `dynamodbav:"attempts"`
	Error    string    `dynamodbav:"error,omitempty"`
	Alerted  bool      `dynamodbav:"alerted"`
	Requests int       `dynamodbav:"requests"`
	Services int       `dynamodbav:"services"`
	Updated  time.Time `dynamodbav:"updated_at"`
}

type bwAlertRecord struct {
	Item
	ServiceID string `dynamodbav:"service_id"`
	Percent   int    `dynamodbav:"percent"`
}

type bwCycleRecord struct {
	Item
	ServiceID  string       `dynamodbav:"service_id"`
	CustomerID string       `dynamodbav:"customer_id"`
	OrderID    string       `dynamodbav:"order_id"`
	PlanID     string       `dynamodbav:"plan_id"`
	Start      time.Time    `dynamodbav:"start"`
	End        time.Time    `dynamodbav:"end"`
	Currency   string       `dynamodbav:"currency"`
	State      string       `dynamodbav:"state"`
	Usage      *bwUsageData `dynamodbav:"usage,omitempty"`
	Amount     int64        `dynamodbav:"amount"`
	Reference  string       `dynamodbav:"reference,omitempty"`
	Note       string       `dynamodbav:"note,omitempty"`
	Updated    time.Time    `dynamodbav:"updated_at"`
}

// bwUsageData is how a bandwidth.Usage is stored.
type bwUsageData struct {
	Basis        string `dynamodbav:"basis"`
	Direction    string `dynamodbav:"direction"`
	In           int64  `dynamodbav:"in_bytes"`
	Out          int64  `dynamodbav:"out_bytes"`
	Counted      int64  `dynamodbav:"counted"`
	Included     int64  `dynamodbav:"included"`
	Over         int64  `dynamodbav:"over"`
	Percent      int    `dynamodbav:"percent"`
	Samples      int    `dynamodbav:"samples,omitempty"`
	Discarded    int    `dynamodbav:"discarded,omitempty"`
	MissingHours int    `dynamodbav:"missing_hours"`
	Unmeasured   int    `dynamodbav:"unmeasured_hours"`
}

func bwCycleKey(svc string, start time.Time) Key {
	return Key{PK: "BWCYCLE#" + svc, SK: start.UTC().Format(time.RFC3339)}
}

func toCycleRecord(c bandwidth.Cycle) *bwCycleRecord {
	r := &bwCycleRecord{Item: Item{PK: "BWCYCLE#" + c.ServiceID, SK: c.Start.UTC().Format(time.RFC3339), Type: "bandwidth_cycle", Version: c.Version},
		ServiceID: c.ServiceID, CustomerID: c.CustomerID, OrderID: c.OrderID, PlanID: c.PlanID, Start: c.Start, End: c.End,
		Currency: c.Currency, State: c.State, Usage: (*bwUsageData)(c.Usage), Amount: c.Amount, Reference: c.Reference, Note: c.Note, Updated: c.UpdatedAt}
	switch c.State {
	case bandwidth.CycleOpen:
		r.GSI2PK, r.GSI2SK = "BWDUE", c.End.UTC().Format(time.RFC3339)+"#"+c.ServiceID
	case bandwidth.CycleHeld:
		r.GSI2PK, r.GSI2SK = "BWHELD", c.Start.UTC().Format(time.RFC3339)+"#"+c.ServiceID
	}
	return r
}

func (r *bwCycleRecord) cycle() bandwidth.Cycle {
	return bandwidth.Cycle{ServiceID: r.ServiceID, CustomerID: r.CustomerID, OrderID: r.OrderID, PlanID: r.PlanID, Start: r.Start, End: r.End,
		Currency: r.Currency, State: r.State, Usage: (*bandwidth.Usage)(r.Usage), Amount: r.Amount, Reference: r.Reference, Note: r.Note, Version: r.Version, UpdatedAt: r.Updated}
}

// PutDays implements bandwidth.Store: each day replaces what a previous
// run wrote, a few writes at a time.
func (s *Bandwidth) PutDays(ctx context.Context, days []bandwidth.Day) error {
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs error
		sem  = make(chan struct{}, 8)
	)
	for _, d := range days {
		rec := &bwDayRecord{Item: Item{PK: "BWDAY#" + d.ServiceID, SK: d.Date, Type: "bandwidth_day", Version: 1},
			ServiceID: d.ServiceID, Date: d.Date, Counts: packCounts(d.In, d.Out), Fine: packCounts(d.FineIn, d.FineOut),
			Hours: d.Hours, Missing: d.Missing, Closed: d.Closed, Synced: d.Synced}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := s.t.Write(ctx, Put(rec)); err != nil {
				mu.Lock()
				errs = fmt.Errorf("day %s of %s: %w", rec.Date, rec.ServiceID, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return errs
}

// Days implements bandwidth.Store: one query per month of the range.
func (s *Bandwidth) Days(ctx context.Context, serviceID, from, to string) ([]bandwidth.Day, error) {
	start, err := time.Parse(time.DateOnly, from)
	if err != nil {
		return nil, apperr.New(apperr.Invalid, "bad date %q", from)
	}
	var out []bandwidth.Day
	for m := time.Date(start.Year(), start.Month(), 1, 0, 0, 0, 0, time.UTC); m.Format(time.DateOnly) <= to; m = m.AddDate(0, 1, 0) {
		recs, err := QueryAll[bwDayRecord](ctx, s.t, Query{PK: "BWDAY#" + serviceID, SKPrefix: m.Format("2006-01-")}, 40)
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			if r.Date < from || r.Date > to {
				continue
			}
			d := bandwidth.Day{ServiceID: r.ServiceID, Date: r.Date, In: r.In, Out: r.Out, Hours: r.Hours, Missing: r.Missing, Closed: r.Closed, Synced: r.Synced}
			if r.Counts != nil {
				if d.In, d.Out, err = unpackCounts(r.Counts); err != nil {
					return nil, fmt.Errorf("day %s of %s: %w", r.Date, r.ServiceID, err)
				}
			}
			if r.Fine != nil {
				if d.FineIn, d.FineOut, err = unpackCounts(r.Fine); err != nil {
					return nil, fmt.Errorf("day %s of %s: %w", r.Date, r.ServiceID, err)
				}
			}
			out = append(out, d)
		}
	}
	return out, nil
}

// GetStatus implements bandwidth.Store.
func (s *Bandwidth) GetStatus(ctx context.Context, date string) (*bandwidth.DayStatus, error) {
	var r bwStatusRecord
	err := s.t.Get(ctx, Key{PK: "BWSYNC", SK: date}, &r)
	if apperr.Is(err, apperr.NotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &bandwidth.DayStatus{Date: r.Date, Hours: r.Hours, Closed: r.Closed, Missing: r.Missing, Attempts: r.Attempts, Error: r.Error,
		Alerted: r.Alerted, Requests: r.Requests, Services: r.Services, UpdatedAt: r.Updated}, nil
}

// PutStatus implements bandwidth.Store; one sync runs at a time
// (reserved concurrency 1), so the last write is the truth.
func (s *Bandwidth) PutStatus(ctx context.Context, st bandwidth.DayStatus) error {
	return s.t.Write(ctx, Put(&bwStatusRecord{Item: Item{PK: "BWSYNC", SK: st.Date, Type: "bandwidth_sync", Version: 1},
		Date: st.Date, Hours: st.Hours, Closed: st.Closed, Missing: st.Missing, Attempts: st.Attempts, Error: st.Error,
		Alerted: st.Alerted, Requests: st.Requests, Services: st.Services, Updated: st.UpdatedAt}))
}

// ClaimAlert implements bandwidth.Store: a conditional create.
func (s *Bandwidth) ClaimAlert(ctx context.Context, serviceID string, cycle time.Time, pct int) (bool, error) {
	err := s.t.Write(ctx, Create(&bwAlertRecord{Item: Item{PK: "BWALERT#" + serviceID, SK: strconv.FormatInt(cycle.Unix(), 10) + "#" + strconv.Itoa(pct),
		Type: "bandwidth_alert", Version: 1}, ServiceID: serviceID, Percent: pct}))
	if apperr.Is(err, apperr.Conflict) {
		return false, nil
	}
	return err == nil, err
}

// PutCycle implements bandwidth.Store: only the first sight is written.
func (s *Bandwidth) PutCycle(ctx context.Context, c bandwidth.Cycle) error {
	c.Version = 1
	err := s.t.Write(ctx, Create(toCycleRecord(c)))
	if apperr.Is(err, apperr.Conflict) {
		return nil
	}
	return err
}

// Due implements bandwidth.Store: open cycles that ended before before,
// read in end order until the first that has not.
func (s *Bandwidth) Due(ctx context.Context, before time.Time) ([]bandwidth.Cycle, error) {
	var out []bandwidth.Cycle
	q := Query{Index: GSI2, PK: "BWDUE", Limit: 200}
	for {
		page, err := QueryPage[bwCycleRecord](ctx, s.t, q)
		if err != nil {
			return nil, err
		}
		for i := range page.Items {
			if page.Items[i].End.After(before) {
				return out, nil
			}
			out = append(out, page.Items[i].cycle())
		}
		if page.Next == "" {
			return out, nil
		}
		q.Cursor = page.Next
	}
}

// UpdateCycle implements bandwidth.Store.
func (s *Bandwidth) UpdateCycle(ctx context.Context, serviceID string, start time.Time, fn func(*bandwidth.Cycle) error) (*bandwidth.Cycle, error) {
	var out bandwidth.Cycle
	_, err := Update(ctx, s.t, bwCycleKey(serviceID, start), func(r *bwCycleRecord) ([]Op, error) {
		c := r.cycle()
		if err := fn(&c); err != nil {
			return nil, err
		}
		v := r.Version
		*r = *toCycleRecord(c)
		r.Version = v
		out = c
		return nil, nil
	})
	if err != nil {
		return nil, err
	}
	out.Version++
	return &out, nil
}

// ListCycles implements bandwidth.Store, oldest first.
func (s *Bandwidth) ListCycles(ctx context.Context, serviceID string) ([]bandwidth.Cycle, error) {
	return s.cycles(ctx, Query{PK: "BWCYCLE#" + serviceID})
}

func (s *Bandwidth) cycles(ctx context.Context, q Query) ([]bandwidth.Cycle, error) {
	recs, err := QueryAll[bwCycleRecord](ctx, s.t, q, 1000)
	if err != nil {
		return nil, err
	}
	out := make([]bandwidth.Cycle, 0, len(recs))
	for i := range recs {
		out = append(out, recs[i].cycle())
	}
	return out, nil
}

// Held implements bandwidth.Store.
func (s *Bandwidth) Held(ctx context.Context) ([]bandwidth.Cycle, error) {
	return s.cycles(ctx, Query{Index: GSI2, PK: "BWHELD"})
}

type bwStandingData struct {
	ServiceID  string    `dynamodbav:"service_id"`
	CustomerID string    `dynamodbav:"customer_id"`
	Name       string    `dynamodbav:"name"`
	Basis      string    `dynamodbav:"basis"`
	Bytes      int64     `dynamodbav:"bytes"`
	Counted    int64     `dynamodbav:"counted"`
	Included   int64     `dynamodbav:"included"`
	Percent    int       `dynamodbav:"percent"`
	CycleEnd   time.Time `dynamodbav:"cycle_end"`
}

type bwSummaryRecord struct {
	Item
	At      time.Time        `dynamodbav:"at"`
	Metered int              `dynamodbav:"metered"`
	Top     []bwStandingData `dynamodbav:"top"`
	Near    []bwStandingData `dynamodbav:"near"`
}

func bwSummaryKey() Key { return Key{PK: "BWSUMMARY", SK: "LAST"} }

// PutSummary implements bandwidth.Store: one sync at a time writes it.
func (s *Bandwidth) PutSummary(ctx context.Context, sum bandwidth.Summary) error {
	conv := func(x bandwidth.Standing) bwStandingData { return bwStandingData(x) }
	return s.t.Write(ctx, Put(&bwSummaryRecord{Item: Item{PK: "BWSUMMARY", SK: "LAST", Type: "bandwidth_summary", Version: 1},
		At: sum.At, Metered: sum.Metered, Top: mapSlice(sum.Top, conv), Near: mapSlice(sum.Near, conv)}))
}

// GetSummary implements bandwidth.Store.
func (s *Bandwidth) GetSummary(ctx context.Context) (*bandwidth.Summary, error) {
	var r bwSummaryRecord
	err := s.t.Get(ctx, bwSummaryKey(), &r)
	if apperr.Is(err, apperr.NotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	conv := func(x bwStandingData) bandwidth.Standing { return bandwidth.Standing(x) }
	out := &bandwidth.Summary{At: r.At, Metered: r.Metered, Top: mapSlice(r.Top, conv), Near: mapSlice(r.Near, conv)}
	if out.Top == nil {
		out.Top = []bandwidth.Standing{}
	}
	if out.Near == nil {
		out.Near = []bandwidth.Standing{}
	}
	return out, nil
}

// packCounts writes two equally long lists of non-negative counts as
// uvarints, in then out; nil when both are empty.
func packCounts(in, out []int64) []byte {
	if len(in) == 0 && len(out) == 0 {
		return nil
	}
	b := binary.AppendUvarint(nil, uint64(len(in)))
	for _, v := range append(slices.Clone(in), out...) {
		b = binary.AppendUvarint(b, uint64(max(v, 0)))
	}
	return b
}

func unpackCounts(b []byte) (in, out []int64, err error) {
	n, k := binary.Uvarint(b)
	if k <= 0 || n > 1<<16 {
		return nil, nil, fmt.Errorf("packed counts: bad length")
	}
	b = b[k:]
	vals := make([]int64, 0, 2*n)
	for range 2 * n {
		v, k := binary.Uvarint(b)
		if k <= 0 || v > 1<<62 {
			return nil, nil, fmt.Errorf("packed counts: truncated")
		}
		vals, b = append(vals, int64(v)), b[k:]
	}
	if len(b) != 0 {
		return nil, nil, fmt.Errorf("packed counts: %d bytes left over", len(b))
	}
	return vals[:n], vals[n:], nil
}
