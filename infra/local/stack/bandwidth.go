package stack

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/ezscale/platform/shared/app/bwsync"
	"github.com/ezscale/platform/shared/domain/bandwidth"
	"github.com/ezscale/platform/shared/domain/catalog"
	"github.com/ezscale/platform/shared/domain/provisioning"
	"github.com/ezscale/platform/shared/platform/apperr"
)

// BandwidthEvery is the local stack's bandwidth sync (hourly on AWS);
// a move of the dev clock and POST /dev/elastiflow/usage sync at once.
const BandwidthEvery = 5 * time.Minute

// localSettle is how long the local meter waits for flows: the simulator
// records them at once.
const localSettle = time.Minute

// liveAddresses are the addresses the simulated routers see traffic for:
// every address a live service holds.
func liveAddresses(ctx context.Context, svcs interface {
	ListServices(context.Context, string) ([]provisioning.Service, error)
}) []string {
	list, err := svcs.ListServices(ctx, "")
	if err != nil {
		return nil
	}
	var out []string
	for _, s := range list {
		if s.Status == provisioning.StatusActive || s.Status == provisioning.StatusSuspended {
			out = append(out, s.IPs...)
		}
	}
	return out
}

// syncBandwidth runs the meter every BandwidthEvery and whenever the dev
// clock moves, until ctx ends.
func (s *Stack) syncBandwidth(ctx context.Context) {
	t := time.NewTicker(BandwidthEvery)
	defer t.Stop()
	for {
		if _, err := bwsync.Run(ctx, s.Platform, s.flowSource); err != nil && ctx.Err() == nil {
			s.Platform.Log.WarnContext(ctx, "bandwidth sync failed", "err", err.Error())
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.bwKick:
		}
	}
}

// SyncBandwidthNow asks for a bandwidth sync at once.
func (s *Stack) SyncBandwidthNow() {
	select {
	case s.bwKick <- struct{}{}:
	default:
	}
}

// bandwidthPages serves the flow-store simulator under /dev/elastiflow/
// and POST /dev/elastiflow/usage, which sets a service's traffic so far in
// its cycle to a share of its allowance ({"service_id", "percent"}) and
// syncs at once.
func (s *Stack) bandwidthPages(mux *http.ServeMux) {
	mux.Handle("/dev/elastiflow/", http.StripPrefix("/dev/elastiflow", s.FlowStore))
	mux.HandleFunc("POST /dev/elastiflow/usage", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			ServiceID string `json:"service_id"`
			Percent   int64  `json:"percent"`
		}
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.ServiceID == "" || in.Percent < 0 || in.Percent > 1000 {
			clockJSON(w, http.StatusBadRequest, map[string]any{"error": map[string]any{"code": "invalid", "message": `send {"service_id": "svc_…", "percent": 0-1000}`}})
			return
		}
		view, err := s.setUsage(r.Context(), in.ServiceID, in.Percent)
		if err != nil {
			code := http.StatusServiceUnavailable
			if apperr.Is(err, apperr.NotFound) || apperr.Is(err, apperr.Invalid) {
				code = http.StatusBadRequest
			}
			clockJSON(w, code, map[string]any{"error": map[string]any{"code": "invalid", "message": err.Error()}})
			return
		}
		clockJSON(w, http.StatusOK, view)
	})
}

// setUsage adds the traffic that brings svc to percent of its allowance:
// for a transfer plan, outbound bytes in the last hour the sync counts;
// for a 95th-percentile plan, that share of the commit in every 5 minutes
// of the cycle so far.
func (s *Stack) setUsage(ctx context.Context, svcID string, percent int64) (*bandwidth.View, error) {
	p := s.Platform
	svc, err := p.Services.GetService(ctx, svcID)
	if err != nil {
		return nil, err
	}
	if len(svc.IPs) == 0 {
		return nil, apperr.New(apperr.Invalid, "service %s has no address yet", svcID)
	}
	if _, err := bwsync.Run(ctx, p, s.flowSource); err != nil {
		return nil, err
	}
	view, err := p.Bandwidth.View(ctx, svc)
	if err != nil {
		return nil, err
	}
	if !view.Metered || view.Cycle == nil {
		return nil, apperr.New(apperr.Invalid, "service %s has no metered cycle (its plan is unmetered, or no subscription bills it)", svcID)
	}
	u, ip, now := view.Usage, svc.IPs[0], p.Clock.Now()
	if u.Basis == catalog.BasisP95 {
		rate := u.Included * percent / 100 // bit/s
		for t := view.Cycle.Start.Truncate(bandwidth.Fine); t.Before(now); t = t.Add(bandwidth.Fine) {
			s.FlowStore.Add(ip, true, t, max(0, rate/8*300-u.Counted/8*300))
		}
	} else if want := u.Included * percent / 100; want > u.Counted {
		// Spread over the slots since the service took the address (a slot
		// is its holder's at the slot's end), at most the last six hours.
		from := now.Add(-6 * time.Hour)
		for _, h := range svc.Holds() {
			if h.IP == ip && h.To == nil && h.From.After(from) {
				from = h.From
			}
		}
		var slots []time.Time
		for t := from.Truncate(bandwidth.Fine); t.Before(now); t = t.Add(bandwidth.Fine) {
			slots = append(slots, t)
		}
		if len(slots) == 0 {
			return nil, apperr.New(apperr.Unavailable, "service %s took its address moments ago; try again in five minutes (or move the dev clock)", svcID)
		}
		for _, t := range slots {
			s.FlowStore.Add(ip, true, t, (want-u.Counted)/int64(len(slots)))
		}
	}
	if _, err := bwsync.Run(ctx, p, s.flowSource); err != nil {
		return nil, err
	}
	return p.Bandwidth.View(ctx, svc)
}
