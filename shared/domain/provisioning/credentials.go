package provisioning

import (
	"context"
	"errors"
	"strings"

	"github.com/ezscale/platform/shared/platform/apperr"
)

func credentialsAAD(svcID string) []byte { return []byte("credentials:" + svcID) }

// IssueCredentials asks the panel for the service's login once and keeps
// it sealed on the service. It runs in the panel worker, so the password
// never enters the workflow's state or history. A repeat after success
// does nothing; a repeat after a lost reply issues a new password, and the
// stored one is always the last the panel gave.
func (e *Engine) IssueCredentials(ctx context.Context, svcID string) error {
	ctx = collecting(ctx)
	svc, err := e.Store.GetService(ctx, svcID)
	if err != nil {
		return err
	}
	if svc.HasCredentials {
		return nil
	}
	p, err := e.panelOf(svc)
	if err != nil {
		return err
	}
	panel, ok := p.(CredentialIssuer)
	if !ok { // the panel keeps the customer's own login (SSO only)
		return nil
	}
	owner, err := e.Customers.Owner(ctx, svc.CustomerID)
	if err != nil {
		return err
	}
	if err := e.ours(ctx, svc, p, "credentials", "system"); errors.Is(err, ErrNotOurs) {
		return &StepError{ErrNameInvalid, err.Error()}
	} else if err != nil {
		return err
	}
	c, err := panel.Credentials(ctx, svc.PanelID, owner)
	if err != nil {
		e.logCall(ctx, svcID, "credentials", map[string]string{"id": svc.PanelID}, nil, err, "system")
		return err
	}
	// The log records that a password was issued, never the password.
	e.logCall(ctx, svcID, "credentials", map[string]string{"id": svc.PanelID}, map[string]any{"username": c.Username, "password_issued": c.Password != ""}, nil, "system")
	sealed, err := e.Sealer.Seal(ctx, []byte(c.Username+"\n"+c.Password+"\n"+c.Note), credentialsAAD(svcID))
	if err != nil {
		return apperr.Wrap(err, apperr.Unavailable, "credentials could not be sealed")
	}
	_, err = e.Store.UpdateService(ctx, svcID, func(s *Service) error {
		s.Credentials, s.HasCredentials, s.UpdatedAt = sealed, true, e.Clock.Now()
		return nil
	})
	return err
}

// openCredentials unseals what IssueCredentials stored (nothing yet is an
// empty result: panels that keep the customer's own login).
func (e *Engine) openCredentials(ctx context.Context, svc *Service) (*Credentials, error) {
	if !svc.HasCredentials {
		return &Credentials{}, nil
	}
	b, err := e.Sealer.Open(ctx, svc.Credentials, credentialsAAD(svc.ID))
	if err != nil {
		return nil, apperr.Wrap(err, apperr.Unavailable, "credentials could not be opened")
	}
	parts := strings.SplitN(string(b), "\n", 3)
	for len(parts) < 3 {
		parts = append(parts, "")
	}
	return &Credentials{Username: parts[0], Password: parts[1], Note: parts[2]}, nil
}

// RevealCredentials returns a customer's service login. The caller has
// re-authenticated the customer; actor is who is looking, for the log.
func (e *Engine) RevealCredentials(ctx context.Context, customerID, id, actor string) (*Credentials, error) {
	s, err := e.Service(ctx, customerID, id)
	if err != nil {
		return nil, err
	}
	if !s.HasCredentials || s.Status == StatusTerminated {
		return nil, apperr.New(apperr.Conflict, "this service has no credentials to show (it is %s)", s.Status)
	}
	c, err := e.openCredentials(ctx, s)
	if err != nil {
		return nil, err
	}
	e.logCall(ctx, s.ID, "credentials_revealed", nil, nil, nil, actor)
	return c, nil
}
