package provisioning

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/ezscale/platform/shared/domain/notify"
	"github.com/ezscale/platform/shared/domain/outbox"
	"github.com/ezscale/platform/shared/platform/apperr"
)

// Service returns customerID's service (any customer's when empty);
// someone else's is "not found".
func (e *Engine) Service(ctx context.Context, customerID, id string) (*Service, error) {
	s, err := e.Store.GetService(ctx, id)
	if err == nil && customerID != "" && s.CustomerID != customerID {
		err = apperr.New(apperr.NotFound, "service %s not found", id)
	}
	return s, err
}

// Services lists a customer's services (everyone's when empty); archived
// ones only when asked.
func (e *Engine) Services(ctx context.Context, customerID string, archived bool) ([]Service, error) {
	list, err := e.Store.ListServices(ctx, customerID)
	if err != nil {
		return nil, err
	}
	out := list[:0]
	for _, s := range list {
		if archived || !s.Archived {
			out = append(out, s)
		}
	}
	return out, nil
}

// History returns a service's provisioning log.
func (e *Engine) History(ctx context.Context, id string) ([]LogEntry, error) {
	return e.Store.ListLog(ctx, id)
}

func (e *Engine) live(ctx context.Context, customerID, id string) (*Service, Panel, error) {
	s, err := e.Service(ctx, customerID, id)
	if err != nil {
		return nil, nil, err
	}
	if s.PanelID == "" || s.Status == StatusTerminated {
		return nil, nil, apperr.New(apperr.Conflict, "this service is %s; it has nothing at the panel to act on", s.Status)
	}
	p, ok := e.Panels.Named(s.Panel)
	if !ok {
		return nil, nil, apperr.New(apperr.Unavailable, "the control panel of this service (%s) is not configured here", s.Panel)
	}
	return s, p, nil
}

// Capabilities lists what the service's panel can do beyond the core
// (none when its panel is not configured here).
func (e *Engine) Capabilities(s *Service) []Capability {
	if p, ok := e.Panels.Named(s.Panel); ok {
		return CapabilitiesOf(p)
	}
	return []Capability{}
}

// cannot answers an action the service's panel does not offer.
func cannot(what string) error {
	return apperr.New(apperr.Conflict, "this service's control panel does not offer %s", what)
}

// panelErr turns a panel failure into what the API answers.
func panelErr(err error) error {
	switch se := named(err); se.Name {
	case ErrNameTransient:
		return apperr.Wrap(err, apperr.Unavailable, "the control panel is unavailable; try again shortly")
	case ErrNameNotFound:
		return apperr.Wrap(err, apperr.Conflict, "the control panel no longer has this service")
	}
	return apperr.Wrap(err, apperr.Conflict, "the control panel refused: "+err.Error())
}

// Power starts, stops or restarts a customer's active service.
func (e *Engine) Power(ctx context.Context, customerID, id string, a Power, actor string) error {
	ctx = collecting(ctx)
	if !slices.Contains([]Power{Start, Stop, Restart}, a) {
		return apperr.Validation(map[string]string{"action": "must be start, stop or restart"})
	}
	s, p, err := e.live(ctx, customerID, id)
	if err != nil {
		return err
	}
	if s.Status != StatusActive {
		return apperr.New(apperr.Conflict, "only an active service can be powered; this one is %s", s.Status)
	}
	if s.Stage == StageReinstalling {
		return apperr.New(apperr.Conflict, "this service is being reinstalled; power controls return when it is done")
	}
	pw, ok := p.(Powerer)
	if !ok {
		return cannot("power controls")
	}
	if err := e.ours(ctx, s, p, "power", actor); err != nil {
		return err
	}
	err = pw.Power(ctx, s.PanelID, a)
	e.logCall(ctx, s.ID, "power", map[string]string{"action": string(a)}, nil, err, actor)
	if err != nil {
		return panelErr(err)
	}
	usageCache.Delete(s.ID) // the next look shows the new power state
	return nil
}

// Suspend, Unsuspend and Terminate are staff actions (and those of
// cancellation and dunning). reason is told to the customer, who is
// e-mailed on suspension and termination; it is kept while suspended.
func (e *Engine) Suspend(ctx context.Context, id, actor, reason string) (*Service, error) {
	return e.SuspendFor(ctx, id, actor, reason, "")
}

// SuspendFor is Suspend with a code saying what would end the suspension:
// SuspendOverdue is lifted by paying the renewal (RenewalPaid); any other
// stays until staff unsuspend.
func (e *Engine) SuspendFor(ctx context.Context, id, actor, reason, code string) (*Service, error) {
	ctx = collecting(ctx)
	s, err := e.lifecycle(ctx, id, "suspend", actor, reason, StatusActive, StatusSuspended, func(p Panel, pid string) error { return p.Suspend(ctx, pid) })
	if err != nil {
		return nil, err
	}
	if code != "" {
		if s, err = e.Store.UpdateService(ctx, id, func(s *Service) error { s.SuspendCode = code; return nil }); err != nil {
			return nil, err
		}
	}
	return s, e.tell(ctx, s, notify.ServiceSuspended, reason, map[string]any{"resolve_url": e.AccountURL + "/services/" + s.ID})
}

// Unsuspend gives a suspended service back.
func (e *Engine) Unsuspend(ctx context.Context, id, actor string) (*Service, error) {
	ctx = collecting(ctx)
	return e.lifecycle(ctx, id, "unsuspend", actor, "", StatusSuspended, StatusActive, func(p Panel, pid string) error { return p.Unsuspend(ctx, pid) })
}

// Terminate deletes the service at the panel (one already gone there is
// terminated here too).
func (e *Engine) Terminate(ctx context.Context, id, actor, reason string) (*Service, error) {
	ctx = collecting(ctx)
	s, err := e.lifecycle(ctx, id, "terminate", actor, reason, "", StatusTerminated, func(p Panel, pid string) error { return p.Terminate(ctx, pid) })
	if err != nil {
		return nil, err
	}
	return s, e.tell(ctx, s, notify.ServiceTerminated, reason, nil)
}

func (e *Engine) lifecycle(ctx context.Context, id, action, actor, reason string, from, to Status, call func(Panel, string) error) (*Service, error) {
	s, p, err := e.live(ctx, "", id)
	if err != nil {
		return nil, err
	}
	if from != "" && s.Status != from {
		return nil, apperr.New(apperr.Conflict, "only a %s service can be %sed; this one is %s", from, action, s.Status)
	}
	switch err := e.ours(ctx, s, p, action, actor); {
	case to == StatusTerminated && errors.Is(err, ErrNotFound):
		e.logCall(ctx, s.ID, action, map[string]string{"id": s.PanelID}, map[string]string{"already": "gone at the panel"}, nil, actor)
	case err != nil:
		return nil, err
	default:
		err = call(p, s.PanelID)
		e.logCall(ctx, s.ID, action, map[string]any{"id": s.PanelID, "reason": reason}, nil, err, actor)
		if err != nil {
			return nil, panelErr(err)
		}
	}
	return e.Store.UpdateService(ctx, id, func(s *Service) error {
		if err := s.moveTo(to); err != nil {
			return err
		}
		s.UpdatedAt = e.Clock.Now()
		s.SuspendReason, s.SuspendCode = "", ""
		if to == StatusTerminated {
			s.releaseIPs(s.UpdatedAt)
		}
		if to == StatusSuspended {
			s.SuspendReason = reason
		}
		return nil
	})
}

// tell e-mails the owner what happened to their service, once per change.
func (e *Engine) tell(ctx context.Context, s *Service, kind notify.Kind, reason string, extra map[string]any) error {
	owner, err := e.Customers.Owner(ctx, s.CustomerID)
	if err != nil {
		return err
	}
	if reason == "" {
		reason = "Reply to this e-mail if you have questions."
	}
	data := map[string]any{"customer_name": owner.Name, "service_name": serviceName(s), "reason": reason}
	for k, v := range extra {
		data[k] = v
	}
	_, err = e.Notify.Send(ctx, notify.Request{Kind: kind, To: owner.Email, Key: fmt.Sprintf("%s:%s:%d", kind, s.ID, s.Version), Data: data})
	return err
}

// SetArchived hides or shows a service in listings (it stays stored).
func (e *Engine) SetArchived(ctx context.Context, id string, archived bool) (*Service, error) {
	return e.Store.UpdateService(ctx, id, func(s *Service) error {
		if archived && (s.Status == StatusActive || s.Status == StatusProvisioning) {
			return apperr.New(apperr.Conflict, "terminate or fail a service before archiving it; this one is %s", s.Status)
		}
		s.Archived, s.UpdatedAt = archived, e.Clock.Now()
		return nil
	})
}

// LoginURL links the customer into the panel.
func (e *Engine) LoginURL(ctx context.Context, customerID, id string) (string, error) {
	s, p, err := e.live(ctx, customerID, id)
	if err != nil {
		return "", err
	}
	ll, ok := p.(LoginLinker)
	if !ok {
		return "", cannot("a login link")
	}
	owner, err := e.Customers.Owner(ctx, s.CustomerID)
	if err != nil {
		return "", err
	}
	if err := e.ours(ctx, s, p, "login", "customer"); err != nil {
		return "", err
	}
	u, err := ll.LoginURL(ctx, s.PanelID, owner)
	if err != nil {
		return "", panelErr(err)
	}
	return u, nil
}

// usageTTL keeps live usage for a moment: dashboards poll, panels limit.
const usageTTL = 20 * time.Second

type usageEntry struct {
	at time.Time
	u  *Usage
}

var usageCache sync.Map // service id → usageEntry

// Usage reads live resource use, cached briefly.
func (e *Engine) Usage(ctx context.Context, customerID, id string) (*Usage, error) {
	s, p, err := e.live(ctx, customerID, id)
	if err != nil {
		return nil, err
	}
	ur, ok := p.(UsageReader)
	if !ok {
		return nil, cannot("usage figures")
	}
	if v, ok := usageCache.Load(s.ID); ok && e.Clock.Now().Sub(v.(usageEntry).at) < usageTTL {
		return v.(usageEntry).u, nil
	}
	if err := e.ours(ctx, s, p, "usage", "customer"); err != nil {
		return nil, err
	}
	u, err := ur.Usage(ctx, s.PanelID)
	if err != nil {
		return nil, panelErr(err)
	}
	usageCache.Store(s.ID, usageEntry{at: e.Clock.Now(), u: u})
	return u, nil
}

// KindRetry is the outbox item of a staff retry: start a workflow
// execution for the order (the item's subject) under the name in its
// payload (RetryRequest).
const KindRetry = "provision.retry"

// RetryRequest is a KindRetry item's payload.
type RetryRequest struct {
	Execution string `json:"execution"`
}

// Retry marks a failed service pending again and, in the same write,
// records the outbox item that starts its new workflow execution:
// provision-<order>-retry-<version>, unique per retry and the same for a
// repeated click on the same state. The outbox starts it, retrying until
// the workflow service answers, so a retried service never waits pending
// with no execution coming; every step adopts what exists, so nothing is
// created twice.
func (e *Engine) Retry(ctx context.Context, id, actor string) (*Service, error) {
	return e.retry(ctx, id, actor, nil)
}

// RetryOnOtherHardware retries a failed dedicated server on a machine
// staff choose (the one it had may be faulty): the new execution waits for
// their pick instead of taking a machine by itself. Only a server nothing
// was built for can move; one provisioned at the panel is terminated first.
func (e *Engine) RetryOnOtherHardware(ctx context.Context, id, actor string) (*Service, error) {
	return e.retry(ctx, id, actor, func(s *Service) error {
		p, ok := e.Panels.Named(s.Panel)
		if _, alloc := p.(HardwareAllocator); !ok || !alloc {
			return apperr.New(apperr.Conflict, "this service's control panel has no hardware inventory")
		}
		if s.PanelID != "" {
			return apperr.New(apperr.Conflict, "server %s was provisioned at the panel; terminate it before choosing other hardware", s.PanelID)
		}
		s.Hardware, s.Stage, s.StageToken = "", StageHardware, ""
		return nil
	})
}

func (e *Engine) retry(ctx context.Context, id, actor string, also func(*Service) error) (*Service, error) {
	var name string
	s, err := e.Store.UpdateServiceEmitting(ctx, id, func(s *Service) ([]outbox.Item, error) {
		if s.Status != StatusFailed {
			return nil, apperr.New(apperr.Conflict, "only a failed service can be retried; this one is %s", s.Status)
		}
		if also != nil {
			if err := also(s); err != nil {
				return nil, err
			}
		}
		name = fmt.Sprintf("provision-%s-retry-%d", s.OrderID, s.Version)
		if err := s.moveTo(StatusPending); err != nil {
			return nil, err
		}
		now := e.Clock.Now()
		s.Note, s.Polls, s.UpdatedAt = "retry requested", 0, now
		return []outbox.Item{outbox.New(name, KindRetry, s.OrderID, RetryRequest{Execution: name}, now)}, nil
	})
	if err != nil {
		return nil, err
	}
	e.logCall(ctx, id, "retry", map[string]string{"execution": name}, nil, nil, actor)
	if e.Kick != nil {
		e.Kick()
	}
	return s, nil
}
