package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/ezscale/platform/shared/api/httpx"
	"github.com/ezscale/platform/shared/domain/bandwidth"
	"github.com/ezscale/platform/shared/domain/provisioning"
	"github.com/ezscale/platform/shared/platform/apperr"
)

// Bandwidth reads metered traffic and settles held overage.
type Bandwidth interface {
	View(ctx context.Context, svc *provisioning.Service) (*bandwidth.View, error)
	Decide(ctx context.Context, serviceID string, start time.Time, decision string) (*bandwidth.Cycle, error)
	Overview(ctx context.Context) (*bandwidth.Overview, error)
}

var errNoBandwidth = apperr.New(apperr.Unavailable, "bandwidth metering is not configured on this installation")

// bandwidthOf answers the metered view of a service customerID owns
// ("" for staff): another customer's service is 404 before anything else.
func (h serviceHandlers) bandwidthOf(w http.ResponseWriter, r *http.Request, customerID string) error {
	e, err := h.engine()
	if err != nil {
		return err
	}
	if h.Bandwidth == nil {
		return errNoBandwidth
	}
	s, err := e.Service(r.Context(), customerID, r.PathValue("id"))
	if err != nil {
		return err
	}
	v, err := h.Bandwidth.View(r.Context(), s)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, v)
	return nil
}

func (h serviceHandlers) myBandwidth(w http.ResponseWriter, r *http.Request) error {
	return h.bandwidthOf(w, r, principal(r).User.ID)
}

func (h serviceHandlers) adminBandwidth(w http.ResponseWriter, r *http.Request) error {
	return h.bandwidthOf(w, r, "")
}

// adminBandwidthDecision settles a held cycle: {"start": RFC 3339,
// "decision": "charge" | "waive"}.
func (h serviceHandlers) adminBandwidthDecision(w http.ResponseWriter, r *http.Request) error {
	if h.Bandwidth == nil {
		return errNoBandwidth
	}
	var in struct {
		Start    string `json:"start"`
		Decision string `json:"decision"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	start, err := time.Parse(time.RFC3339, in.Start)
	f := apperr.FieldErrors{}
	if err != nil {
		f.Add("start", "must be the cycle's start as RFC 3339")
	}
	if in.Decision != "charge" && in.Decision != "waive" {
		f.Add("decision", "must be charge or waive")
	}
	if err := f.Err(); err != nil {
		return err
	}
	c, err := h.Bandwidth.Decide(r.Context(), r.PathValue("id"), start, in.Decision)
	if err != nil {
		return err
	}
	h.record(r, "service.bandwidth_"+in.Decision, "service", r.PathValue("id"), nil, c)
	httpx.JSON(w, http.StatusOK, c)
	return nil
}

// adminBandwidthOverview is the staff page: recent days' syncs, held
// cycles and the last run's top consumers and near-quota services.
func (h serviceHandlers) adminBandwidthOverview(w http.ResponseWriter, r *http.Request) error {
	if h.Bandwidth == nil {
		return errNoBandwidth
	}
	o, err := h.Bandwidth.Overview(r.Context())
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, o)
	return nil
}

// adminSetIPs records the addresses staff gave a service ({"ips": [...]});
// traffic follows them from now on. Audited.
func (h serviceHandlers) adminSetIPs(w http.ResponseWriter, r *http.Request) error {
	e, err := h.engine()
	if err != nil {
		return err
	}
	var in struct {
		IPs []string `json:"ips"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	if in.IPs == nil {
		return apperr.Validation(map[string]string{"ips": "is required (an empty list releases every address)"})
	}
	before, err := e.Service(r.Context(), "", r.PathValue("id"))
	if err != nil {
		return err
	}
	s, err := e.SetAddresses(r.Context(), before.ID, in.IPs, principal(r).User.ID)
	if err != nil {
		return err
	}
	h.record(r, "service.addresses", "service", s.ID, map[string]any{"ips": before.IPs}, map[string]any{"ips": s.IPs})
	httpx.JSON(w, http.StatusOK, describe(e, s))
	return nil
}
