package catalog

import (
	"fmt"
	"slices"

	"github.com/ezscale/platform/shared/platform/apperr"
)

// Metering says how a plan's traffic is measured and billed. The monthly
// allowance of a transfer plan is Features.BandwidthGB, in decimal units
// (1 GB = 10^9 bytes, 1 TB = 1000 GB), as the pricing page states it.
type Metering struct {
	// Basis is BasisTransfer (bytes in the cycle; the default) or BasisP95
	// (the 95th percentile of 5-minute rates over the cycle).
	Basis string `json:"basis"`
	// Direction is what counts: DirSum (in + out; the default), DirMax
	// (the larger of the two) or DirOut (outbound only).
	Direction string `json:"direction"`
	// CommitMbps is the rate a p95 plan includes.
	CommitMbps int64 `json:"commit_mbps,omitempty"`
	// Overage is the price, in minor units per currency, of each TB beyond
	// the allowance (transfer) or each Mbps beyond the commit (p95). A
	// currency without a price is never billed overage.
	Overage map[string]int64 `json:"overage,omitempty"`
}

// Metering bases and directions.
const (
	BasisTransfer = "transfer"
	BasisP95      = "p95"
	DirSum        = "sum"
	DirMax        = "max"
	DirOut        = "out"
)

// Metered reports whether traffic on the plan has a limit at all.
func (p *Plan) Metered() bool {
	if p.Metering.Basis == BasisP95 {
		return p.Metering.CommitMbps > 0
	}
	return p.Features.BandwidthGB > 0
}

// Normalized fills in the defaults, so readers need not.
func (m Metering) Normalized() Metering {
	if m.Basis == "" {
		m.Basis = BasisTransfer
	}
	if m.Direction == "" {
		m.Direction = DirSum
	}
	return m
}

func (in PlanInput) validateMetering(f apperr.FieldErrors) {
	m := in.Metering
	if m.Basis != "" && m.Basis != BasisTransfer && m.Basis != BasisP95 {
		f.Add("metering.basis", "must be transfer or p95")
	}
	if m.Direction != "" && !slices.Contains([]string{DirSum, DirMax, DirOut}, m.Direction) {
		f.Add("metering.direction", "must be sum (in + out), max (the larger) or out")
	}
	switch {
	case m.CommitMbps < 0 || m.CommitMbps > 1_000_000:
		f.Add("metering.commit_mbps", "must be between 0 and 1000000")
	case m.Basis == BasisP95 && m.CommitMbps == 0:
		f.Add("metering.commit_mbps", "a 95th-percentile plan needs a committed rate")
	case m.Basis != BasisP95 && m.CommitMbps != 0:
		f.Add("metering.commit_mbps", "only a 95th-percentile plan has a committed rate")
	}
	if m.Basis != BasisP95 && in.Features.BandwidthGB == 0 && len(m.Overage) > 0 {
		f.Add("metering.overage", "an unmetered plan (bandwidth_gb 0) has no overage price")
	}
	for cur, amount := range m.Overage {
		field := "metering.overage." + cur
		switch {
		case in.Prices[cur] == nil:
			f.Add(field, fmt.Sprintf("the plan has no %s prices", cur))
		case amount < 0 || amount > maxPrice:
			f.Add(field, "must be between 0 and 1000000000000 minor units")
		}
	}
}
