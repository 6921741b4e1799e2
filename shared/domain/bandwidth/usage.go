package bandwidth

import (
	"math/big"
	"slices"
	"time"

	"github.com/ezscale/platform/shared/domain/catalog"
)

// GB is a decimal gigabyte; allowances and overage use decimal units.
const (
	GB = 1_000_000_000
	TB = 1000 * GB
)

// Usage is a service's traffic over (part of) a cycle, measured the way
// its plan bills.
type Usage struct {
	Basis     string `json:"basis"`     // transfer or p95
	Direction string `json:"direction"` // sum, max or out
	In        int64  `json:"in_bytes"`
	Out       int64  `json:"out_bytes"`
	// Counted is what the plan counts: bytes (transfer) or bit/s (p95).
	Counted int64 `json:"counted"`
	// Included is the allowance in the same unit (0: unmetered).
	Included int64 `json:"included"`
	// Over is Counted beyond Included.
	Over int64 `json:"over"`
	// Percent of the allowance used, rounded down.
	Percent int `json:"percent"`
	// Samples is the number of 5-minute samples of a p95 cycle, and
	// Discarded how many of the highest were dropped (5 %).
	Samples   int `json:"samples,omitempty"`
	Discarded int `json:"discarded,omitempty"`
	// MissingHours are hours the collector recorded nothing; Unmeasured
	// are hours of the period not yet synced.
	MissingHours int `json:"missing_hours"`
	Unmeasured   int `json:"unmeasured_hours"`
}

// Complete reports whether every hour of the period was measured.
func (u Usage) Complete() bool { return u.MissingHours == 0 && u.Unmeasured == 0 }

// hourly yields each hour of days that falls in [from, to).
func hourly(days []Day, from, to time.Time, f func(d *Day, h int)) {
	for i := range days {
		d := &days[i]
		base, err := time.Parse(time.DateOnly, d.Date)
		if err != nil {
			continue
		}
		for h := 0; h < 24; h++ {
			at := base.Add(time.Duration(h) * time.Hour)
			if !at.Before(from.Truncate(time.Hour)) && at.Before(to.Truncate(time.Hour)) {
				f(d, h)
			}
		}
	}
}

// Measure is the usage of [from, to) from a service's stored days under
// plan's metering. Hours after now count as unmeasured only when to has
// passed.
func Measure(days []Day, plan *catalog.Plan, from, to time.Time) Usage {
	m := plan.Metering.Normalized()
	u := Usage{Basis: m.Basis, Direction: m.Direction}
	hoursWanted := int(to.Truncate(time.Hour).Sub(from.Truncate(time.Hour)) / time.Hour)
	seen := 0
	hourly(days, from, to, func(d *Day, h int) {
		if h >= d.Hours {
			return
		}
		seen++
		if slices.Contains(d.Missing, h) {
			u.MissingHours++
		}
		u.In += d.In[h]
		u.Out += d.Out[h]
	})
	u.Unmeasured = max(0, hoursWanted-seen)
	if m.Basis == catalog.BasisP95 {
		u.Included = m.CommitMbps * 1_000_000
		u.Counted, u.Samples, u.Discarded = p95(days, from, to, m.Direction)
	} else {
		u.Included = plan.Features.BandwidthGB * GB
		u.Counted = counted(u.In, u.Out, m.Direction)
	}
	if u.Included > 0 {
		u.Over = max(0, u.Counted-u.Included)
		u.Percent = int(float64(u.Counted) * 100 / float64(u.Included))
	}
	return u
}

func counted(in, out int64, dir string) int64 {
	switch dir {
	case catalog.DirMax:
		return max(in, out)
	case catalog.DirOut:
		return out
	}
	return in + out
}

// p95 is the 95th-percentile rate (bit/s) of the 5-minute samples in
// [from, to): every slot of the period is a sample, a slot with no data
// counts as zero, the highest 5 % (rounded down) are discarded and the
// next is billed. For "max" the in and out percentiles are taken apart
// and the larger billed; for "sum" each sample is in + out.
func p95(days []Day, from, to time.Time, dir string) (rate int64, samples, discarded int) {
	var ins, outs []int64
	for i := range days {
		d := &days[i]
		base, err := time.Parse(time.DateOnly, d.Date)
		if err != nil {
			continue
		}
		for s := 0; s < FinePerDay; s++ {
			at := base.Add(time.Duration(s) * Fine)
			if at.Before(from.Truncate(Fine)) || !at.Before(to.Truncate(Fine)) {
				continue
			}
			var in, out int64
			if s < len(d.FineIn) {
				in, out = d.FineIn[s], d.FineOut[s]
			}
			ins, outs = append(ins, in), append(outs, out)
		}
	}
	samples = int(to.Truncate(Fine).Sub(from.Truncate(Fine)) / Fine)
	for len(ins) < samples { // days never stored: no traffic recorded
		ins, outs = append(ins, 0), append(outs, 0)
	}
	discarded = samples * 5 / 100
	pick := func(v []int64) int64 {
		if len(v) == 0 {
			return 0
		}
		s := slices.Clone(v)
		slices.SortFunc(s, func(a, b int64) int { return int(min(1, max(-1, b-a))) })
		return s[min(discarded, len(s)-1)] * 8 / int64(Fine/time.Second)
	}
	switch dir {
	case catalog.DirMax:
		return max(pick(ins), pick(outs)), samples, discarded
	case catalog.DirOut:
		return pick(outs), samples, discarded
	}
	sum := make([]int64, len(ins))
	for i := range ins {
		sum[i] = ins[i] + outs[i]
	}
	return pick(sum), samples, discarded
}

// OverageAmount is what Over costs at the plan's price in currency
// (minor units, before tax): pro rata per byte for transfer, rounded half
// up to the minor unit; per started Mbps for p95. ok is false when the
// plan has no overage price in currency.
func OverageAmount(u Usage, plan *catalog.Plan, currency string) (amount int64, ok bool) {
	price, ok := plan.Metering.Overage[currency]
	if !ok || u.Over <= 0 {
		return 0, ok
	}
	if u.Basis == catalog.BasisP95 {
		mbps := (u.Over + 999_999) / 1_000_000
		return mbps * price, true
	}
	n := new(big.Int).Mul(big.NewInt(u.Over), big.NewInt(price))
	n.Add(n, big.NewInt(TB/2))
	return n.Quo(n, big.NewInt(TB)).Int64(), true
}
