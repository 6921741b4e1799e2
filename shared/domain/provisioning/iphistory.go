package provisioning

import (
	"slices"
	"time"
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
