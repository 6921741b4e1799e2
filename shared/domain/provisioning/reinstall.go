package provisioning

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ezscale/platform/shared/domain/catalog"
	"github.com/ezscale/platform/shared/domain/notify"
	"github.com/ezscale/platform/shared/domain/orders"
	"github.com/ezscale/platform/shared/domain/outbox"
	"github.com/ezscale/platform/shared/platform/apperr"
)

// StageReinstalling: the panel is reinstalling an active service.
const StageReinstalling = "reinstalling"

// KindReinstallCheck is the outbox item that follows a reinstall: it
// reads the panel until the install is done, then issues the new login
// and e-mails the customer. Each check that finds the panel still busy
// schedules the next one as a new delayed item (the app writes it), so
// waiting never counts as a failed attempt.
const KindReinstallCheck = "provision.reinstall_check"

// ReinstallCheck is a KindReinstallCheck item's payload.
type ReinstallCheck struct {
	Service string    `json:"service"`
	Version int64     `json:"version"` // the reinstall's service version: one e-mail per reinstall
	Since   time.Time `json:"since"`
	Check   int       `json:"check"`
}

// Next is the check after c, its item's id, and when it is due.
func (c ReinstallCheck) Next(now time.Time, every time.Duration) (ReinstallCheck, string, time.Time) {
	n := c
	n.Check++
	return n, reinstallItemID(c.Service, c.Version, n.Check), now.Add(every)
}

func reinstallItemID(svc string, version int64, check int) string {
	return fmt.Sprintf("reinstall-%s-%d-%d", svc, version, check)
}

// ReinstallPatience is how long an install may run before staff are
// alerted and the customer is told it is delayed.
const ReinstallPatience = 2 * time.Hour

// Reinstall wipes the customer's active service and installs os afresh
// (a game server reinstalls its game; os stays empty). It is refused while
// the panel is still installing, so a request repeated after a lost reply
// never wipes the fresh install. Where the old login dies with the old
// system, the stored credentials are dropped at once and new ones are
// issued when the install is done (ReinstallCheck).
func (e *Engine) Reinstall(ctx context.Context, customerID, id, os, actor string) (*Service, error) {
	ctx = collecting(ctx)
	s, p, err := e.live(ctx, customerID, id)
	if err != nil {
		return nil, err
	}
	ri, ok := p.(Reinstaller)
	switch {
	case !ok:
		return nil, cannot("reinstalls")
	case s.Status != StatusActive:
		return nil, apperr.New(apperr.Conflict, "only an active service can be reinstalled; this one is %s", s.Status)
	case s.Stage == StageReinstalling:
		return nil, apperr.New(apperr.Conflict, "this service is being reinstalled already; wait until it is done")
	}
	os = strings.TrimSpace(os)
	switch s.ServiceType {
	case catalog.VPS, catalog.Dedicated:
		plan, err := e.Plans.Get(ctx, s.PlanID)
		if err != nil {
			return nil, fmt.Errorf("plan %s of service %s: %w", s.PlanID, s.ID, err)
		}
		if systems := orders.Systems(plan); !slices.Contains(systems, os) {
			return nil, apperr.Validation(map[string]string{"os": "must be one of: " + strings.Join(systems, ", ")})
		}
	default:
		if os != "" {
			return nil, apperr.Validation(map[string]string{"os": "only servers with an operating system take one; leave it empty"})
		}
	}
	r, err := e.oursNow(ctx, s, p, "reinstall", actor)
	if err != nil {
		return nil, err
	}
	if r.State == Building {
		return nil, apperr.New(apperr.Conflict, "the control panel is still installing this service; wait until it is done")
	}
	res, err := ri.Reinstall(ctx, s.PanelID, ReinstallRequest{Ref: s.Ref, Hostname: s.Hostname, OS: os})
	e.logCall(ctx, s.ID, "reinstall", map[string]string{"id": s.PanelID, "os": os}, res, err, actor)
	if err != nil {
		return nil, panelErr(err)
	}
	usageCache.Delete(s.ID)
	now := e.Clock.Now()
	s, err = e.Store.UpdateServiceEmitting(ctx, id, func(s *Service) ([]outbox.Item, error) {
		s.Stage, s.Note, s.UpdatedAt = StageReinstalling, "", now
		if os != "" {
			s.OS = os
		}
		if res.NewLogin {
			s.Credentials, s.HasCredentials = nil, false
		}
		c := ReinstallCheck{Service: s.ID, Version: s.Version, Since: now}
		return []outbox.Item{outbox.New(reinstallItemID(s.ID, s.Version, 0), KindReinstallCheck, s.OrderID, c, now)}, nil
	})
	if err == nil && e.Kick != nil {
		e.Kick()
	}
	return s, err
}

// SettleReinstall reads a reinstalling service at its panel. It answers
// true while the install runs (check again later); once it is done it
// issues the new login where the old one died, clears the stage and
// e-mails the customer their login, once per reinstall. An install that
// fails or outlasts ReinstallPatience alerts staff and tells the customer.
func (e *Engine) SettleReinstall(ctx context.Context, c ReinstallCheck) (again bool, err error) {
	ctx = collecting(ctx)
	s, err := e.Store.GetService(ctx, c.Service)
	if err != nil {
		return false, err
	}
	if s.Stage != StageReinstalling || s.Status == StatusTerminated {
		return false, nil // settled by an earlier delivery, or overtaken
	}
	p, err := e.panelOf(s)
	if err != nil {
		return false, err
	}
	r, err := e.oursNow(ctx, s, p, "reinstall_status", "system")
	switch {
	case errors.Is(err, ErrNotOurs), errors.Is(err, ErrNotFound):
		return false, e.reinstallStuck(ctx, s, c, err.Error())
	case err != nil:
		return false, err
	case r.State == Failed:
		return false, e.reinstallStuck(ctx, s, c, "the panel reports the install failed ("+r.Detail+")")
	case r.State == Building && e.Clock.Now().Sub(c.Since) < ReinstallPatience:
		return true, nil
	case r.State == Building:
		return false, e.reinstallStuck(ctx, s, c, fmt.Sprintf("the panel is still installing after %s", ReinstallPatience))
	}
	if err := e.IssueCredentials(ctx, s.ID); err != nil { // nothing to do where the login was kept
		return false, err
	}
	s, err = e.Store.UpdateService(ctx, s.ID, func(s *Service) error {
		s.Stage, s.UpdatedAt = "", e.Clock.Now()
		if len(r.IPs) > 0 {
			s.SetIPs(r.IPs, s.UpdatedAt)
		}
		return nil
	})
	if err != nil {
		return false, err
	}
	usageCache.Delete(s.ID)
	e.logCall(ctx, s.ID, "reinstalled", map[string]int{"checks": c.Check + 1}, nil, nil, "system")
	return false, e.readyMail(ctx, s, fmt.Sprintf("reinstalled:%s:%d", s.ID, c.Version))
}

// reinstallStuck ends the wait: staff are alerted, the customer is told.
func (e *Engine) reinstallStuck(ctx context.Context, s *Service, c ReinstallCheck, why string) error {
	s, err := e.Store.UpdateService(ctx, s.ID, func(s *Service) error {
		s.Stage, s.Note, s.UpdatedAt = "", "reinstall: "+why, e.Clock.Now()
		return nil
	})
	if err != nil {
		return err
	}
	e.logCall(ctx, s.ID, "reinstall_failed", nil, nil, errors.New(why), "system")
	owner, err := e.Customers.Owner(ctx, s.CustomerID)
	if err != nil {
		return err
	}
	if _, err := e.Notify.Send(ctx, notify.Request{Kind: notify.ServiceDelayed, To: owner.Email, Key: fmt.Sprintf("reinstall-delayed:%s:%d", s.ID, c.Version),
		Data: map[string]any{"customer_name": owner.Name, "service_name": serviceName(s), "account_service_url": e.AccountURL + "/services/" + s.ID,
			"reason": "Reinstalling it did not finish as it should; our team is on it and will get back to you."}}); err != nil {
		return err
	}
	_, err = e.Notify.Send(ctx, notify.Request{Kind: notify.AlertSystemError, Key: fmt.Sprintf("reinstall-stuck:%s:%d", s.ID, c.Version),
		Data: map[string]any{"component": "provisioning", "error": fmt.Sprintf("%s: reinstall: %s", serviceName(s), why), "reference": s.OrderID}})
	return err
}
