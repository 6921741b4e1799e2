package provisioning

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/ezscale/platform/shared/domain/notify"
	"github.com/ezscale/platform/shared/platform/apperr"
)

// ErrNotOurs is in the chain when the panel's resource at a service's id
// no longer carries our reference.
var ErrNotOurs = errors.New("the panel's resource is no longer this service's")

// ours checks, before anything is done to s at its panel, that the
// resource at s.PanelID still carries our reference. A panel restored from
// a backup, rebuilt, or whose ids were reused would otherwise make us
// suspend, power or delete another customer's server. A mismatch refuses
// the action, is logged, and alerts admins. A resource that is gone
// answers ErrNotFound (terminating it is then already done).
func (e *Engine) ours(ctx context.Context, s *Service, p Panel, action, actor string) error {
	_, err := e.oursNow(ctx, s, p, action, actor)
	return err
}

// oursNow is ours that also returns the resource as the panel reports it.
func (e *Engine) oursNow(ctx context.Context, s *Service, p Panel, action, actor string) (*Resource, error) {
	r, err := p.Status(ctx, s.PanelID)
	if err != nil {
		return nil, panelErr(err)
	}
	if slices.Contains(s.Refs(), r.Ref) {
		return r, nil
	}
	err = fmt.Errorf("%w: %s %s is %q at the panel, we expected %q", ErrNotOurs, p.Name(), s.PanelID, r.Ref, s.Ref)
	e.logCall(ctx, s.ID, action, map[string]string{"id": s.PanelID, "expected_ref": s.Ref}, map[string]string{"found_ref": r.Ref}, err, actor)
	if _, aerr := e.Notify.Send(ctx, notify.Request{Kind: notify.AlertSecurity, Key: fmt.Sprintf("not-ours:%s:%s:%s", s.ID, s.PanelID, r.Ref),
		Data: map[string]any{"event": fmt.Sprintf("%s refused: %s resource %s does not carry our reference %s (it carries %q)", action, p.Name(), s.PanelID, s.Ref, r.Ref),
			"reference": s.ID}}); aerr != nil {
		e.Log.ErrorContext(ctx, "ownership alert not queued", "service", s.ID, "err", aerr.Error())
	}
	return nil, apperr.Wrap(err, apperr.Conflict, "the control panel's resource for this service is no longer ours; nothing was done and our team has been alerted")
}
