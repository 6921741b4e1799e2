package provisioning

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/ezscale/platform/shared/domain/catalog"
	"github.com/ezscale/platform/shared/domain/notify"
	"github.com/ezscale/platform/shared/domain/orders"
	"github.com/ezscale/platform/shared/platform/apperr"
	"github.com/ezscale/platform/shared/platform/clock"
)

// Orders finds paid orders.
type Orders interface {
	Get(ctx context.Context, id string) (*orders.Order, error)
}

// Plans finds plans (for their limits).
type Plans interface {
	Get(ctx context.Context, id string) (*catalog.Plan, error)
}

// Customers tells who a customer is.
type Customers interface {
	Owner(ctx context.Context, customerID string) (Owner, error)
}

// Sealer encrypts credentials at rest.
type Sealer interface {
	Seal(ctx context.Context, plaintext, aad []byte) ([]byte, error)
	Open(ctx context.Context, sealed, aad []byte) ([]byte, error)
}

// Notifier sends e-mail and admin alerts.
type Notifier interface {
	Send(ctx context.Context, r notify.Request) (*notify.Message, error)
}

// Engine is provisioning's steps: the workflow's tasks (record, activate,
// mark failed) and the panel worker's calls (create, status, …). The
// workflow definition orders them; every step is idempotent, because the
// workflow and the queue both deliver at least once.
type Engine struct {
	Store     Store
	Orders    Orders
	Plans     Plans
	Customers Customers
	Panels    *Registry
	Sealer    Sealer
	Notify    Notifier
	// Tokens answer the workflow's waits for staff (nil where no staff
	// answer is given: hardware assignment answers 503).
	Tokens Tokens
	// Kick asks the outbox to publish soon (a retry's new execution
	// starts at once instead of at the next poll); nil: it waits.
	Kick       func()
	Clock      clock.Clock
	Log        *slog.Logger
	AccountURL string
}

// Error names the workflow's Retry and Catch match on.
const (
	ErrNameTransient = "Panel.Transient"
	ErrNameRejected  = "Panel.Rejected"
	ErrNameMalformed = "Panel.Malformed"
	ErrNameNotFound  = "Panel.NotFound"
	ErrNameInvalid   = "Provisioning.Invalid"
)

// StepError is a step's failure, named for the workflow.
type StepError struct{ Name, Cause string }

func (e *StepError) Error() string { return e.Name + ": " + e.Cause }

// named turns any error into a StepError.
func named(err error) *StepError {
	var se *StepError
	switch {
	case errors.As(err, &se):
		return se
	case errors.Is(err, ErrTransient), errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return &StepError{ErrNameTransient, err.Error()}
	case errors.Is(err, ErrRejected):
		return &StepError{ErrNameRejected, err.Error()}
	case errors.Is(err, ErrMalformed):
		return &StepError{ErrNameMalformed, err.Error()}
	case errors.Is(err, ErrNotFound):
		return &StepError{ErrNameNotFound, err.Error()}
	case apperr.Is(err, apperr.Unavailable):
		return &StepError{ErrNameTransient, err.Error()}
	}
	return &StepError{ErrNameInvalid, err.Error()}
}

// CreateService records the service for a paid order (once; a repeat
// returns the same record).
func (e *Engine) CreateService(ctx context.Context, orderID string) (*Service, error) {
	o, err := e.Orders.Get(ctx, orderID)
	if err != nil {
		return nil, err
	}
	if o.Status != orders.Paid {
		return nil, &StepError{ErrNameInvalid, fmt.Sprintf("order %s is %s, not paid", o.ID, o.Status)}
	}
	p, err := e.Plans.Get(ctx, o.PlanID)
	if err != nil {
		return nil, fmt.Errorf("plan %s of order %s: %w", o.PlanID, o.ID, err)
	}
	if p.Status == catalog.Archived {
		return nil, &StepError{ErrNameInvalid, fmt.Sprintf("plan %s is archived", p.Name)}
	}
	panel, ok := e.Panels.For(p, o.Options.Location)
	if !ok {
		return nil, &StepError{ErrNameInvalid, catalog.Undeliverable(e.Panels.Routes, p, o.Options.Location) + " (no panel instance serves this plan here)"}
	}
	svc, err := e.Store.GetService(ctx, ServiceID(o.ID))
	if apperr.Is(err, apperr.NotFound) {
		n, nerr := e.Store.NextNumber(ctx)
		if nerr != nil {
			return nil, nerr
		}
		fresh := e.newService(o, p, panel.Name())
		fresh.Number = n
		svc, err = e.Store.CreateService(ctx, fresh)
	}
	if err == nil && (svc.Panel == "" || svc.Number == 0) { // recorded as failed before a panel was configured
		var n int64
		if svc.Number == 0 {
			if n, err = e.Store.NextNumber(ctx); err != nil {
				return nil, err
			}
		}
		svc, err = e.Store.UpdateService(ctx, svc.ID, func(s *Service) error {
			if s.Panel == "" {
				s.Panel = panel.Name()
			}
			if s.Number == 0 {
				s.Number = n
			}
			return nil
		})
	}
	return svc, err
}

func (e *Engine) newService(o *orders.Order, p *catalog.Plan, panel string) *Service {
	now := e.Clock.Now()
	id := ServiceID(o.ID)
	return &Service{ID: id, OrderID: o.ID, CustomerID: o.CustomerID, PlanID: p.ID, PlanName: p.Name, ServiceType: o.ServiceType, Panel: panel,
		Ref: "ezs-" + id, Hostname: o.Options.Hostname, Location: o.Options.Location, OS: o.Options.OS, Game: o.Options.Game, Domain: o.Options.Domain,
		Limits: planLimits(p), IPs: []string{}, Status: StatusPending, CreatedAt: now, UpdatedAt: now}
}

// RecordFailed answers an order that could not become a service (its plan
// archived, no panel for its type, …): a paid order gets a failed service
// record with the reason in its log — visible in Admin → Services and
// retryable once the cause is fixed — and admins are alerted either way.
func (e *Engine) RecordFailed(ctx context.Context, orderID, errName, cause string) error {
	if o, err := e.Orders.Get(ctx, orderID); err == nil && o.Status == orders.Paid {
		if p, err := e.Plans.Get(ctx, o.PlanID); err == nil {
			if _, err := e.Store.CreateService(ctx, e.newService(o, p, "")); err != nil {
				return err
			}
			return e.MarkFailed(ctx, ServiceID(orderID), errName, cause)
		}
	}
	_, err := e.Notify.Send(ctx, notify.Request{Kind: notify.AlertSystemError, Key: "provisioning-not-recorded:" + orderID,
		Data: map[string]any{"component": "provisioning", "error": fmt.Sprintf("order %s was not provisioned: %s: %s", orderID, errName, cause), "reference": orderID}})
	return err
}

func summary(v any) string {
	if v == nil {
		return "" // a decision, not a call: nothing was sent
	}
	b, _ := json.Marshal(v)
	if len(b) > 500 {
		b = append(b[:497], "..."...)
	}
	return string(b)
}

// logCall records a panel call in the service's log.
func (e *Engine) logCall(ctx context.Context, svcID, action string, req, resp any, err error, actor string) {
	entry := LogEntry{ServiceID: svcID, At: e.Clock.Now(), Action: action, Request: summary(req), Status: "ok", Actor: actor, Calls: taken(ctx)}
	if resp != nil {
		entry.Response = summary(resp)
	}
	if err != nil {
		entry.Status, entry.Error = "error", err.Error()
	}
	if lerr := e.Store.AppendLog(ctx, entry); lerr != nil {
		e.Log.ErrorContext(ctx, "provisioning log not written", "service", svcID, "err", lerr.Error())
	}
}

// panelOf is the instance a service was recorded with; its absence (the
// instance removed from the configuration) is a step that cannot succeed
// by retrying.
func (e *Engine) panelOf(s *Service) (Panel, error) {
	if p, ok := e.Panels.Named(s.Panel); ok {
		return p, nil
	}
	return nil, &StepError{ErrNameInvalid, fmt.Sprintf("panel instance %q of service %s is not configured", s.Panel, s.ID)}
}

// Create asks the panel for the service (adopting what a lost reply made)
// and records its id. It is safe to repeat.
func (e *Engine) Create(ctx context.Context, svcID string) (*Resource, error) {
	ctx = collecting(ctx)
	svc, err := e.Store.GetService(ctx, svcID)
	if err != nil {
		return nil, err
	}
	panel, err := e.panelOf(svc)
	if err != nil {
		return nil, err
	}
	req, err := e.request(ctx, svc)
	if err != nil {
		return nil, err
	}
	r, err := panel.Create(ctx, req)
	logged := map[string]any{"ref": req.Ref, "plan": req.Plan, "hostname": req.Hostname, "location": req.Location, "os": req.OS, "game": req.Game,
		"domain": req.Domain, "hardware": req.Hardware}
	if err != nil {
		e.logCall(ctx, svcID, "create", logged, nil, err, "system")
		return nil, err
	}
	e.logCall(ctx, svcID, "create", logged, map[string]any{"id": r.ID, "state": r.State}, nil, "system")
	_, err = e.Store.UpdateService(ctx, svcID, func(s *Service) error {
		s.PanelID, s.UpdatedAt = r.ID, e.Clock.Now()
		if s.Status == StatusPending {
			return s.moveTo(StatusProvisioning)
		}
		return nil
	})
	return r, err
}

// Poll reads the build state and counts the reads.
func (e *Engine) Poll(ctx context.Context, svcID string) (*Resource, int, error) {
	ctx = collecting(ctx)
	svc, err := e.Store.GetService(ctx, svcID)
	if err != nil {
		return nil, 0, err
	}
	panel, err := e.panelOf(svc)
	if err != nil {
		return nil, 0, err
	}
	r, err := panel.Status(ctx, svc.PanelID)
	if err != nil {
		e.logCall(ctx, svcID, "status", map[string]string{"id": svc.PanelID}, nil, err, "system")
		return nil, 0, err
	}
	svc, err = e.Store.UpdateService(ctx, svcID, func(s *Service) error { s.Polls++; return nil })
	if err != nil {
		return nil, 0, err
	}
	if r.State != Building || svc.Polls == 1 {
		e.logCall(ctx, svcID, "status", map[string]string{"id": svc.PanelID}, map[string]any{"state": r.State, "ips": r.IPs}, nil, "system")
	}
	return r, svc.Polls, nil
}

// Activate stores what the panel made, marks the service active and
// e-mails the credentials; repeating it sends nothing twice (the e-mail's
// key is the service).
func (e *Engine) Activate(ctx context.Context, svcID string, r *Resource) (*Service, error) {
	svc, err := e.Store.UpdateService(ctx, svcID, func(s *Service) error {
		if err := s.moveTo(StatusActive); err != nil {
			return err
		}
		s.Note, s.UpdatedAt = "", e.Clock.Now()
		s.SetIPs(r.IPs, s.UpdatedAt)
		s.Addresses = append([]string(nil), r.Addresses...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := e.readyMail(ctx, svc, "provisioned:"+svcID); err != nil {
		return nil, err
	}
	owner, err := e.Customers.Owner(ctx, svc.CustomerID)
	if err != nil {
		return nil, err
	}
	_, err = e.Notify.Send(ctx, notify.Request{Kind: notify.AlertProvisioned, Key: "provisioned-alert:" + svcID,
		Data: map[string]any{"customer_name": owner.Name, "service_name": serviceName(svc), "panel": svc.Panel, "ip_address": strings.Join(svc.IPs, ", "),
			"reference": svc.OrderID}})
	return svc, err
}

// readyMail e-mails the owner that svc is ready, with its address and
// login, once per key.
func (e *Engine) readyMail(ctx context.Context, svc *Service, key string) error {
	owner, err := e.Customers.Owner(ctx, svc.CustomerID)
	if err != nil {
		return err
	}
	c, err := e.openCredentials(ctx, svc)
	if err != nil {
		return err
	}
	ip, user, pass := strings.Join(svc.IPs, ", "), c.Username, c.Password
	if len(svc.Addresses) > 0 { // players need the port too
		ip = strings.Join(svc.Addresses, ", ")
	}
	if ip == "" {
		ip = "shown in your account"
	}
	if user == "" {
		user = owner.Email
	}
	if pass == "" {
		pass = "the one you already use for this control panel"
	}
	_, err = e.Notify.Send(ctx, notify.Request{Kind: notify.ServiceProvisioned, To: owner.Email, Key: key,
		Data: map[string]any{"customer_name": owner.Name, "service_name": serviceName(svc), "account_service_url": e.AccountURL + "/services/" + svc.ID,
			"ip_address": ip, "username": user, "password": pass, "panel_url": e.AccountURL + "/services/" + svc.ID}})
	return err
}

func serviceName(s *Service) string { return s.DisplayName() }

// DisplayName is how customers recognise the service: its plan and the
// name they gave it.
func (s *Service) DisplayName() string {
	for _, n := range []string{s.Hostname, s.Domain, s.Game} {
		if n != "" {
			return fmt.Sprintf("%s (%s)", s.PlanName, n)
		}
	}
	return s.PlanName
}

// MarkFailed records why provisioning gave up and alerts admins.
func (e *Engine) MarkFailed(ctx context.Context, svcID, errName, cause string) error {
	note := errName + ": " + cause
	if s, err := e.Store.GetService(ctx, svcID); err == nil && s.Status == StatusFailed && s.Note == note {
		return nil // a redelivered step: recorded and alerted already
	}
	svc, err := e.Store.UpdateService(ctx, svcID, func(s *Service) error {
		if err := s.moveTo(StatusFailed); err != nil {
			return err
		}
		s.Note, s.UpdatedAt = note, e.Clock.Now()
		s.Stage, s.StageToken = "", ""
		return nil
	})
	if err != nil {
		return err
	}
	e.logCall(ctx, svcID, "failed", nil, nil, errors.New(errName+": "+cause), "system")
	// The customer hears it plainly, once per failure; staff see the cause.
	why := "Something went wrong on our side while setting it up; our team is on it and will get back to you."
	if errName == ErrNameNoHardware {
		why = "We have no machine for it right now; our team will contact you about another server or a refund."
	}
	if owner, oerr := e.Customers.Owner(ctx, svc.CustomerID); oerr == nil {
		if _, err := e.Notify.Send(ctx, notify.Request{Kind: notify.ServiceDelayed, To: owner.Email, Key: fmt.Sprintf("delayed-failed:%s:%d", svcID, svc.Version),
			Data: map[string]any{"customer_name": owner.Name, "service_name": serviceName(svc), "account_service_url": e.AccountURL + "/services/" + svcID, "reason": why}}); err != nil {
			return err
		}
	}
	_, err = e.Notify.Send(ctx, notify.Request{Kind: notify.AlertSystemError, Key: fmt.Sprintf("provisioning-failed:%s:%d", svcID, svc.Version),
		Data: map[string]any{"component": "provisioning", "error": fmt.Sprintf("%s: %s: %s", serviceName(svc), errName, cause), "reference": svc.OrderID}})
	return err
}
