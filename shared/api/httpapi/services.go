package httpapi

import (
	"context"
	"net/http"
	"strings"

	"github.com/ezscale/platform/shared/api/httpx"
	"github.com/ezscale/platform/shared/domain/provisioning"
	"github.com/ezscale/platform/shared/platform/apperr"
	"github.com/ezscale/platform/shared/platform/text"
)

type serviceHandlers struct{ Deps }

var errNoProvisioning = apperr.New(apperr.Unavailable, "provisioning is not configured on this installation")

func (h serviceHandlers) engine() (Provisioning, error) {
	if h.Provisioning == nil {
		return nil, errNoProvisioning
	}
	return h.Provisioning, nil
}

func (h serviceHandlers) myList(w http.ResponseWriter, r *http.Request) error {
	e, err := h.engine()
	if err != nil {
		return err
	}
	list, err := e.Services(r.Context(), principal(r).User.ID, false)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"services": described(e, list)})
	return nil
}

func (h serviceHandlers) myGet(w http.ResponseWriter, r *http.Request) error {
	e, err := h.engine()
	if err != nil {
		return err
	}
	s, err := e.Service(r.Context(), principal(r).User.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, describe(e, s))
	return nil
}

func (h serviceHandlers) myUsage(w http.ResponseWriter, r *http.Request) error {
	e, err := h.engine()
	if err != nil {
		return err
	}
	u, err := e.Usage(r.Context(), principal(r).User.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"power_state": orUnknown(u.Power), "cpu_percent": u.CPUPercent, "memory_bytes": u.MemoryBytes, "disk_bytes": u.DiskBytes,
		"network_rx_bytes": u.NetworkRxBytes, "network_tx_bytes": u.NetworkTxBytes, "quotas": nonNil(u.Quotas)})
	return nil
}

func (h serviceHandlers) myPower(w http.ResponseWriter, r *http.Request) error {
	e, err := h.engine()
	if err != nil {
		return err
	}
	if _, err := e.Service(r.Context(), principal(r).User.ID, r.PathValue("id")); err != nil {
		return err
	}
	var in struct {
		Action provisioning.Power `json:"action"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	if err := e.Power(r.Context(), principal(r).User.ID, r.PathValue("id"), in.Action, principal(r).User.ID); err != nil {
		return err
	}
	h.record(r, "service.power", "service", r.PathValue("id"), nil, in)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h serviceHandlers) myLogin(w http.ResponseWriter, r *http.Request) error {
	e, err := h.engine()
	if err != nil {
		return err
	}
	u, err := e.LoginURL(r.Context(), principal(r).User.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, map[string]string{"url": u})
	return nil
}

// myCredentials reveals a service's login after the customer types their
// account password again.
func (h serviceHandlers) myCredentials(w http.ResponseWriter, r *http.Request) error {
	e, err := h.engine()
	if err != nil {
		return err
	}
	me := principal(r).User.ID
	if _, err := e.Service(r.Context(), me, r.PathValue("id")); err != nil {
		return err
	}
	var in struct {
		Password string `json:"password"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	if in.Password == "" {
		return apperr.Validation(map[string]string{"password": "is required"})
	}
	if err := h.Sessions.Reauthenticate(r.Context(), me, in.Password, "service credentials "+r.PathValue("id"), meta(r)); err != nil {
		return err
	}
	c, err := e.RevealCredentials(r.Context(), me, r.PathValue("id"), me)
	if err != nil {
		return err
	}
	h.record(r, "service.credentials_revealed", "service", r.PathValue("id"), nil, nil)
	w.Header().Set("Cache-Control", "no-store")
	httpx.JSON(w, http.StatusOK, map[string]string{"username": c.Username, "password": c.Password, "note": c.Note})
	return nil
}

func (h serviceHandlers) adminList(w http.ResponseWriter, r *http.Request) error {
	e, err := h.engine()
	if err != nil {
		return err
	}
	q := r.URL.Query()
	list, err := e.Services(r.Context(), q.Get("customer"), q.Get("archived") == "true")
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"services": described(e, list)})
	return nil
}

func (h serviceHandlers) adminGet(w http.ResponseWriter, r *http.Request) error {
	e, err := h.engine()
	if err != nil {
		return err
	}
	s, err := e.Service(r.Context(), "", r.PathValue("id"))
	if err != nil {
		return err
	}
	log, err := e.History(r.Context(), s.ID)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"service": describe(e, s), "log": nonNil(log)})
	return nil
}

// staffAction is one staff action on a service; reason is what the staff
// member typed for the customer (empty when the action takes none). Each
// route names its own engine call, so no action can fall through to none.
type staffAction func(ctx context.Context, e Provisioning, id, actor, reason string) (*provisioning.Service, error)

func suspendService(ctx context.Context, e Provisioning, id, actor, reason string) (*provisioning.Service, error) {
	return e.Suspend(ctx, id, actor, reason)
}

func unsuspendService(ctx context.Context, e Provisioning, id, actor, _ string) (*provisioning.Service, error) {
	return e.Unsuspend(ctx, id, actor)
}

func terminateService(ctx context.Context, e Provisioning, id, actor, reason string) (*provisioning.Service, error) {
	return e.Terminate(ctx, id, actor, reason)
}

func archiveService(ctx context.Context, e Provisioning, id, _, _ string) (*provisioning.Service, error) {
	return e.SetArchived(ctx, id, true)
}

func restoreService(ctx context.Context, e Provisioning, id, _, _ string) (*provisioning.Service, error) {
	return e.SetArchived(ctx, id, false)
}

// adminAction runs one staff action on a service and answers the result.
// Suspend and terminate take an optional {"reason": "…"} for the e-mail.
func (h serviceHandlers) adminAction(action string, run staffAction) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		e, err := h.engine()
		if err != nil {
			return err
		}
		var in struct {
			Reason  string `json:"reason"`
			Overdue *bool  `json:"overdue"` // suspend only
		}
		if r.ContentLength != 0 {
			if err := httpx.Decode(r, &in); err != nil {
				return err
			}
			if why := text.MultilineProblem(in.Reason, 0, 500); why != "" {
				return apperr.Validation(map[string]string{"reason": why})
			}
			if in.Overdue != nil && action != "suspend" {
				return apperr.Validation(map[string]string{"overdue": "only a suspension can be for an unpaid renewal"})
			}
		}
		ctx, id, actor := r.Context(), r.PathValue("id"), principal(r).User.ID
		act := run
		if in.Overdue != nil && *in.Overdue {
			act = func(ctx context.Context, e Provisioning, id, actor, reason string) (*provisioning.Service, error) {
				return e.SuspendFor(ctx, id, actor, reason, provisioning.SuspendOverdue)
			}
		}
		s, err := act(ctx, e, id, actor, strings.TrimSpace(in.Reason))
		if err != nil {
			return err
		}
		h.record(r, "service."+action, "service", id, nil, map[string]string{"status": string(s.Status)})
		httpx.JSON(w, http.StatusOK, describe(e, s))
		return nil
	}
}

// adminModify moves a service to another plan at its panel (the plan and
// limits on our record follow); billing is changed separately, from the
// customer's subscription.
func (h serviceHandlers) adminModify(w http.ResponseWriter, r *http.Request) error {
	e, err := h.engine()
	if err != nil {
		return err
	}
	var in struct {
		PlanID string `json:"plan_id"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	if in.PlanID == "" {
		return apperr.Validation(map[string]string{"plan_id": "is required"})
	}
	before, err := e.Service(r.Context(), "", r.PathValue("id"))
	if err != nil {
		return err
	}
	s, err := e.Resize(r.Context(), before.ID, in.PlanID, principal(r).User.ID)
	if err != nil {
		return err
	}
	h.record(r, "service.modify", "service", s.ID, map[string]string{"plan_id": before.PlanID}, map[string]string{"plan_id": s.PlanID})
	httpx.JSON(w, http.StatusOK, describe(e, s))
	return nil
}

// retryService records the retry; the outbox starts the new workflow
// execution (the admin function does not talk to Step Functions).
func retryService(ctx context.Context, e Provisioning, id, actor, _ string) (*provisioning.Service, error) {
	return e.Retry(ctx, id, actor)
}

// retryOnOtherHardware retries a failed dedicated server on a machine staff
// choose.
func retryOnOtherHardware(ctx context.Context, e Provisioning, id, actor, _ string) (*provisioning.Service, error) {
	return e.RetryOnOtherHardware(ctx, id, actor)
}

// orUnknown names a power state a panel did not give.
func orUnknown(p provisioning.PowerState) provisioning.PowerState {
	if p == "" {
		return provisioning.PowerUnknown
	}
	return p
}

// describe adds what the service's panel can do, so the apps offer only
// those actions.
func describe(e Provisioning, s *provisioning.Service) *provisioning.Service {
	s.Capabilities = e.Capabilities(s)
	return s
}

func described(e Provisioning, list []provisioning.Service) []provisioning.Service {
	out := nonNil(list)
	for i := range out {
		describe(e, &out[i])
	}
	return out
}

// adminHardware lists the machines staff may assign to a service waiting
// for hardware: exact matches for the plan first.
func (h serviceHandlers) adminHardware(w http.ResponseWriter, r *http.Request) error {
	e, err := h.engine()
	if err != nil {
		return err
	}
	list, err := e.Candidates(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"hardware": nonNil(list)})
	return nil
}

// adminAssignHardware answers the provisioning workflow's wait: a machine
// (hardware_id), or none (none: true with the reason the customer is
// told); the workflow goes on from where it waited.
func (h serviceHandlers) adminAssignHardware(w http.ResponseWriter, r *http.Request) error {
	e, err := h.engine()
	if err != nil {
		return err
	}
	var in struct {
		HardwareID string `json:"hardware_id"`
		None       bool   `json:"none"`
		Reason     string `json:"reason"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	ctx, id, actor := r.Context(), r.PathValue("id"), principal(r).User.ID
	var s *provisioning.Service
	action := "service.hardware_assign"
	switch {
	case in.None && in.HardwareID != "":
		return apperr.Validation(map[string]string{"hardware_id": "give a machine or none, not both"})
	case in.None:
		action = "service.hardware_none"
		s, err = e.NoHardware(ctx, id, in.Reason, actor)
	default:
		s, err = e.AssignHardware(ctx, id, in.HardwareID, actor)
	}
	if err != nil {
		return err
	}
	h.record(r, action, "service", id, nil, map[string]string{"hardware_id": s.Hardware, "reason": strings.TrimSpace(in.Reason)})
	httpx.JSON(w, http.StatusOK, describe(e, s))
	return nil
}

// adminCancelRefund ends a service that could not be delivered in one
// action: its subscription is cancelled now and its order's payments are
// refunded in full (the service record follows the subscription).
func (h serviceHandlers) adminCancelRefund(w http.ResponseWriter, r *http.Request) error {
	e, err := h.engine()
	if err != nil {
		return err
	}
	s, err := e.Service(r.Context(), "", r.PathValue("id"))
	if err != nil {
		return err
	}
	if s.Status != provisioning.StatusFailed {
		return apperr.New(apperr.Conflict, "only a service whose setup failed is cancelled with a refund here; this one is %s (use the subscription and payment pages)", s.Status)
	}
	if h.OrderDesk == nil {
		return apperr.New(apperr.Unavailable, "payments are not configured on this installation")
	}
	out, err := h.OrderDesk.CancelAndRefund(r.Context(), s.OrderID, principal(r).User.ID)
	if err != nil {
		return err
	}
	refunded := map[string]int64{}
	for _, p := range out.Refunds {
		refunded[p.Currency] += p.Amount
	}
	h.record(r, "service.cancel_refund", "service", s.ID, nil, map[string]any{"subscription_id": out.SubscriptionID, "refunded": refunded})
	httpx.JSON(w, http.StatusOK, out)
	return nil
}
