package provisioning

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/ezscale/platform/shared/platform/apperr"
)

// IPHold is one address a service held and when; To is nil while it
// still holds it. Traffic is billed to whoever held an address at the
// moment it flowed, so an address that moves mid-cycle bills both owners
// for their own share.
type IPHold struct {
	IP   string     `json:"ip"`
	From time.Time  `json:"from"`
	To   *time.Time `json:"to,omitempty"`
}

// Holds reports whether h covers the instant t.
func (h IPHold) Holds(t time.Time) bool {
	return !t.Before(h.From) && (h.To == nil || t.Before(*h.To))
}

// SetIPs records that the service holds exactly ips from at on: holds
// of addresses it no longer has end at at, new addresses start there.
func (s *Service) SetIPs(ips []string, at time.Time) {
	s.IPHistory = s.Holds()
	for i := range s.IPHistory {
		h := &s.IPHistory[i]
		if h.To == nil && !slices.Contains(ips, h.IP) {
			end := at
			h.To = &end
		}
	}
	for _, ip := range ips {
		if !slices.ContainsFunc(s.IPHistory, func(h IPHold) bool { return h.IP == ip && h.To == nil }) {
			s.IPHistory = append(s.IPHistory, IPHold{IP: ip, From: at})
		}
	}
	s.IPs = append([]string{}, ips...)
}

// releaseIPs ends every hold: a terminated service's addresses go back
// to the pool and whatever flows to them later is not its traffic.
func (s *Service) releaseIPs(at time.Time) {
	s.IPHistory = s.Holds()
	for i := range s.IPHistory {
		if s.IPHistory[i].To == nil {
			end := at
			s.IPHistory[i].To = &end
		}
	}
}

// Holds is the service's address history. A service made before the
// history was kept has held its current addresses since it was made.
func (s *Service) Holds() []IPHold {
	if len(s.IPHistory) > 0 || len(s.IPs) == 0 {
		return slices.Clone(s.IPHistory)
	}
	out := make([]IPHold, 0, len(s.IPs))
	for _, ip := range s.IPs {
		out = append(out, IPHold{IP: ip, From: s.CreatedAt})
	}
	if s.Status == StatusTerminated {
		end := s.UpdatedAt
		for i := range out {
			out[i].To = &end
		}
	}
	return out
}

// maxIPs bounds a service's addresses (a /26 of IPv4 and some IPv6).
const maxIPs = 64

// SetAddresses records the addresses staff gave a service (an IP added or
// moved at the panel by hand): from now on its traffic is theirs. An
// address another live service holds is refused — it must be taken from
// that one first, so no traffic is ever billed to two services.
func (e *Engine) SetAddresses(ctx context.Context, id string, ips []string, actor string) (*Service, error) {
	clean, err := normalizeIPs(ips)
	if err != nil {
		return nil, err
	}
	all, err := e.Store.ListServices(ctx, "")
	if err != nil {
		return nil, err
	}
	for _, o := range all {
		if o.ID == id || o.Status == StatusTerminated {
			continue
		}
		for _, ip := range o.IPs {
			if slices.Contains(clean, ip) {
				return nil, apperr.New(apperr.Conflict, "%s is held by service %s; take it from that service first", ip, o.ID)
			}
		}
	}
	var before []string
	s, err := e.Store.UpdateService(ctx, id, func(s *Service) error {
		if s.Status == StatusTerminated {
			return apperr.New(apperr.Conflict, "service %s is terminated; its addresses went back to the pool", id)
		}
		before = slices.Clone(s.IPs)
		s.UpdatedAt = e.Clock.Now()
		s.SetIPs(clean, s.UpdatedAt)
		return nil
	})
	if err != nil {
		return nil, err
	}
	e.logCall(ctx, id, "addresses", map[string]any{"from": before, "to": clean}, nil, nil, actor)
	return s, nil
}

// normalizeIPs checks and canonicalises addresses (2001:DB8::1 and
// 2001:db8:0::1 are one address), refusing duplicates.
func normalizeIPs(ips []string) ([]string, error) {
	if len(ips) > maxIPs {
		return nil, apperr.Validation(map[string]string{"ips": fmt.Sprintf("at most %d addresses", maxIPs)})
	}
	f := apperr.FieldErrors{}
	out := make([]string, 0, len(ips))
	for i, raw := range ips {
		a, err := netip.ParseAddr(strings.TrimSpace(raw))
		switch {
		case err != nil || a.Zone() != "":
			f.Add(fmt.Sprintf("ips[%d]", i), "must be an IPv4 or IPv6 address")
		case slices.Contains(out, a.Unmap().String()):
			f.Add(fmt.Sprintf("ips[%d]", i), "is listed twice")
		default:
			out = append(out, a.Unmap().String())
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	return out, nil
}
