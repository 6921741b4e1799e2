package provisioning

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/ezscale/platform/shared/domain/notify"
	"github.com/ezscale/platform/shared/platform/apperr"
	"github.com/ezscale/platform/shared/platform/text"
)

// Tokens answer a workflow task that waits for a person (Step Functions'
// SendTaskSuccess/SendTaskFailure, or the local runner).
type Tokens interface {
	Succeed(ctx context.Context, token string, output any) error
	Fail(ctx context.Context, token, name, cause string) error
}

// Hardware decisions the workflow chooses its next state by.
const (
	HardwareNotNeeded = "not_needed" // the panel has no inventory to allocate
	HardwareChosen    = "chosen"     // a machine is recorded on the service
	HardwareStaff     = "staff"      // nothing exactly like the plan is free
)

// ErrNameNoHardware is the workflow error when staff say no machine can
// be had: the service fails with their reason.
const ErrNameNoHardware = "Hardware.Unavailable"

func (e *Engine) request(ctx context.Context, svc *Service) (CreateRequest, error) {
	owner, err := e.Customers.Owner(ctx, svc.CustomerID)
	if err != nil {
		return CreateRequest{}, err
	}
	return CreateRequest{Ref: svc.Ref, Plan: svc.PlanID, Owner: owner, Name: svc.PlanName, Hostname: svc.Hostname, Location: svc.Location, OS: svc.OS,
		Game: svc.Game, Domain: svc.Domain, Limits: svc.Limits, Number: svc.Number, Hardware: svc.Hardware}, nil
}

// ChooseHardware decides where a dedicated server comes from: a machine
// exactly like the plan's, free at its location, is taken at once;
// otherwise staff choose. Panels without an inventory need nothing. It is
// safe to repeat: a machine already recorded stays.
func (e *Engine) ChooseHardware(ctx context.Context, svcID string) (string, error) {
	ctx = collecting(ctx)
	svc, err := e.Store.GetService(ctx, svcID)
	if err != nil {
		return "", err
	}
	p, err := e.panelOf(svc)
	if err != nil {
		return "", err
	}
	alloc, ok := p.(HardwareAllocator)
	switch {
	case !ok || svc.PanelID != "":
		return HardwareNotNeeded, nil
	case svc.Stage == StageHardware: // staff asked to choose (a retry on other hardware)
		return HardwareStaff, nil
	case svc.Hardware != "":
		// Still free, or ours (a provision whose reply was lost): keep it.
		// Taken by someone else since: choose again.
		m, err := alloc.Machine(ctx, svc.Hardware)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return "", err
		}
		if err == nil && (m.Free || slices.Contains(svc.Refs(), m.Holder)) {
			return HardwareChosen, nil
		}
		e.logCall(ctx, svcID, "hardware", map[string]string{"machine": svc.Hardware}, map[string]any{"decision": "choose again", "why": "the machine chosen before is no longer free"}, nil, "system")
		if svc, err = e.Store.UpdateService(ctx, svcID, func(s *Service) error { s.Hardware = ""; return nil }); err != nil {
			return "", err
		}
	}
	req, err := e.request(ctx, svc)
	if err != nil {
		return "", err
	}
	list, err := alloc.Candidates(ctx, req)
	if err != nil {
		e.logCall(ctx, svcID, "hardware", map[string]string{"plan": svc.PlanID, "location": svc.Location}, nil, err, "system")
		return "", err
	}
	exact := 0
	for _, h := range list {
		if h.Exact && h.Free {
			exact++
		}
	}
	if exact == 0 {
		e.logCall(ctx, svcID, "hardware", map[string]string{"plan": svc.PlanID, "location": svc.Location}, map[string]any{"exact": 0, "other_free": len(list), "decision": "staff"}, nil, "system")
		return HardwareStaff, nil
	}
	pick := list[0]
	_, err = e.Store.UpdateService(ctx, svcID, func(s *Service) error {
		if s.Hardware == "" {
			s.Hardware, s.UpdatedAt = pick.ID, e.Clock.Now()
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	e.logCall(ctx, svcID, "hardware", map[string]string{"plan": svc.PlanID, "location": svc.Location},
		map[string]any{"machine": pick.ID, "label": pick.Label, "exact_free": exact, "decision": "automatic"}, nil, "system")
	return HardwareChosen, nil
}

// AwaitStaff records the workflow's token on the service, tells the
// customer plainly why it takes longer (once), and alerts admins. A
// reminder (again after the wait timed out) only alerts.
func (e *Engine) AwaitStaff(ctx context.Context, svcID, token string, reminder bool) error {
	svc, err := e.Store.UpdateService(ctx, svcID, func(s *Service) error {
		s.Stage, s.StageToken, s.UpdatedAt = StageHardware, token, e.Clock.Now()
		s.Note = "waiting for staff to assign hardware"
		return nil
	})
	if err != nil {
		return err
	}
	owner, err := e.Customers.Owner(ctx, svc.CustomerID)
	if err != nil {
		return err
	}
	if !reminder {
		e.logCall(ctx, svcID, "await_staff", nil, map[string]string{"stage": StageHardware}, nil, "system")
		if _, err := e.Notify.Send(ctx, notify.Request{Kind: notify.ServiceDelayed, To: owner.Email, Key: "delayed-hardware:" + svcID,
			Data: map[string]any{"customer_name": owner.Name, "service_name": serviceName(svc), "account_service_url": e.AccountURL + "/services/" + svcID,
				"reason": "An engineer is assigning hardware to it; this usually takes a few hours on working days."}}); err != nil {
			return err
		}
	}
	_, err = e.Notify.Send(ctx, notify.Request{Kind: notify.AlertSystemError, Key: fmt.Sprintf("hardware-needed:%s:%s", svcID, shortToken(token)),
		Data: map[string]any{"component": "provisioning", "reference": svc.OrderID,
			"error": fmt.Sprintf("%s needs hardware assigned by staff in %s (Admin → Services)%s", serviceName(svc), svc.Location, map[bool]string{true: " — still waiting after 24 h", false: ""}[reminder])}})
	return err
}

func shortToken(t string) string {
	if len(t) > 12 {
		return t[len(t)-12:]
	}
	return t
}

// Candidates lists the machines staff may assign to a service waiting for
// hardware (exact matches first).
func (e *Engine) Candidates(ctx context.Context, svcID string) ([]Hardware, error) {
	svc, alloc, err := e.awaiting(ctx, svcID)
	if err != nil {
		return nil, err
	}
	req, err := e.request(ctx, svc)
	if err != nil {
		return nil, err
	}
	list, err := alloc.Candidates(ctx, req)
	if err != nil {
		return nil, panelErr(err)
	}
	return list, nil
}

func (e *Engine) awaiting(ctx context.Context, svcID string) (*Service, HardwareAllocator, error) {
	if e.Tokens == nil {
		return nil, nil, apperr.New(apperr.Unavailable, "answering the provisioning workflow is not configured here")
	}
	svc, err := e.Store.GetService(ctx, svcID)
	if err != nil {
		return nil, nil, err
	}
	if svc.Stage != StageHardware || svc.StageToken == "" {
		return nil, nil, apperr.New(apperr.Conflict, "this service is not waiting for hardware (it is %s)", svc.Status)
	}
	p, ok := e.Panels.Named(svc.Panel)
	if !ok {
		return nil, nil, apperr.New(apperr.Unavailable, "the control panel of this service (%s) is not configured here", svc.Panel)
	}
	alloc, ok := p.(HardwareAllocator)
	if !ok {
		return nil, nil, apperr.New(apperr.Conflict, "this service's control panel has no hardware inventory")
	}
	return svc, alloc, nil
}

// AssignHardware is staff's pick: the machine must be free at the panel
// now (what was offered may have been taken since). The workflow goes on
// from where it waited. Repeating it after success is a conflict: the
// service no longer waits.
func (e *Engine) AssignHardware(ctx context.Context, svcID, machine, actor string) (*Service, error) {
	machine = strings.TrimSpace(machine)
	if machine == "" {
		return nil, apperr.Validation(map[string]string{"hardware_id": "is required"})
	}
	svc, alloc, err := e.awaiting(ctx, svcID)
	if err != nil {
		return nil, err
	}
	m, err := alloc.Machine(ctx, machine)
	if errors.Is(err, ErrNotFound) {
		return nil, apperr.Validation(map[string]string{"hardware_id": "no such machine at the panel"})
	}
	if err != nil {
		return nil, panelErr(err)
	}
	if !m.Free {
		return nil, apperr.New(apperr.Conflict, "machine %s is in use; choose another", m.Label)
	}
	if m.Location != "" && svc.Location != "" && m.Location != svc.Location {
		return nil, apperr.Validation(map[string]string{"hardware_id": fmt.Sprintf("machine %s is in %s; the customer ordered %s", m.Label, m.Location, svc.Location)})
	}
	token := svc.StageToken
	svc, err = e.Store.UpdateService(ctx, svcID, func(s *Service) error {
		if s.StageToken != token {
			return apperr.New(apperr.Conflict, "someone else answered for this service just now")
		}
		s.Hardware, s.Stage, s.StageToken, s.Note, s.UpdatedAt = m.ID, "", "", "", e.Clock.Now()
		return nil
	})
	if err != nil {
		return nil, err
	}
	e.logCall(ctx, svcID, "hardware", map[string]string{"machine": m.ID}, map[string]any{"label": m.Label, "decision": "staff"}, nil, actor)
	if err := e.Tokens.Succeed(ctx, token, map[string]any{"hardware": HardwareChosen}); err != nil {
		return nil, apperr.Wrap(err, apperr.Unavailable, "the machine is recorded, but the provisioning workflow did not take the answer; use Retry")
	}
	return svc, nil
}

// NoHardware is staff's answer that no machine can be had: the workflow
// fails the service with the reason (the customer is e-mailed and staff
// can refund or retry from there).
func (e *Engine) NoHardware(ctx context.Context, svcID, reason, actor string) (*Service, error) {
	reason = strings.TrimSpace(reason)
	if why := text.MultilineProblem(reason, 3, 500); why != "" {
		return nil, apperr.Validation(map[string]string{"reason": why})
	}
	svc, _, err := e.awaiting(ctx, svcID)
	if err != nil {
		return nil, err
	}
	token := svc.StageToken
	svc, err = e.Store.UpdateService(ctx, svcID, func(s *Service) error {
		if s.StageToken != token {
			return apperr.New(apperr.Conflict, "someone else answered for this service just now")
		}
		s.Stage, s.StageToken, s.UpdatedAt = "", "", e.Clock.Now()
		return nil
	})
	if err != nil {
		return nil, err
	}
	e.logCall(ctx, svcID, "hardware", nil, map[string]any{"decision": "none", "reason": reason}, nil, actor)
	if err := e.Tokens.Fail(ctx, token, ErrNameNoHardware, "no hardware: "+reason); err != nil {
		return nil, apperr.Wrap(err, apperr.Unavailable, "the answer is recorded, but the provisioning workflow did not take it")
	}
	return svc, nil
}
