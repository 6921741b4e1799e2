package synergycp

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/ezscale/platform/shared/adapters/panelhttp"
	"github.com/ezscale/platform/shared/domain/provisioning"
)

// clientKey issues a key scoped to the server's client: IPMI control and
// single sign-on act as the customer, never with the integration's key.
func (p *Panel) clientKey(ctx context.Context, id string) (string, error) {
	s, err := p.server(ctx, id)
	if err != nil {
		return "", err
	}
	if s.Client.ID == 0 {
		return "", notFound("server %s is not assigned to a client", id)
	}
	var out struct {
		Key string `json:"key"`
	}
	if err := p.call(ctx, panelhttp.Call{Method: http.MethodPost, Path: "/key", Body: map[string]any{"owner_id": s.Client.ID, "owner_type": "client"}}, &out); err != nil {
		return "", err
	}
	if out.Key == "" {
		return "", &provisioning.PanelError{Kind: provisioning.ErrMalformed, Detail: "POST key answered no key"}
	}
	return out.Key, nil
}

// Power sends an IPMI command (start: on, stop: soft shutdown, restart:
// reset) through the server's first control.
func (p *Panel) Power(ctx context.Context, id string, a provisioning.Power) error {
	cmd := map[provisioning.Power]string{provisioning.Start: "on", provisioning.Stop: "soft", provisioning.Restart: "reset"}[a]
	if cmd == "" {
		return rejected("unknown power action %q", a)
	}
	key, err := p.clientKey(ctx, id)
	if err != nil {
		return err
	}
	var controls struct {
		Data []struct {
			ID int `json:"id"`
		} `json:"data"`
	}
	if err := p.call(ctx, get("/server/"+url.PathEscape(id)+"/control", url.Values{"key": {key}}), &controls); err != nil {
		return err
	}
	if len(controls.Data) == 0 {
		return rejected("server %s has no IPMI control", id)
	}
	path := fmt.Sprintf("/server/%s/control/%d/command", url.PathEscape(id), controls.Data[0].ID)
	return p.call(ctx, panelhttp.Call{Method: http.MethodPost, Path: path, Query: url.Values{"key": {key}}, Body: map[string]string{"power": cmd}}, nil)
}

// Usage is the power state and this cycle's traffic (SynergyCP counts
// bits; we report bytes).
func (p *Panel) Usage(ctx context.Context, id string) (*provisioning.Usage, error) {
	s, err := p.server(ctx, id)
	if err != nil {
		return nil, err
	}
	if s.Usage.Used < 0 {
		return nil, &provisioning.PanelError{Kind: provisioning.ErrMalformed, Detail: fmt.Sprintf("server %s: negative usage %d", id, s.Usage.Used)}
	}
	u := &provisioning.Usage{Power: provisioning.PowerStateOf(s.Power), NetworkTxBytes: s.Usage.Used / 8}
	u.Quotas = []provisioning.Quota{{Name: "transfer", Used: s.Usage.Used / 8, Limit: s.Usage.Max / 8, Unit: "bytes"}}
	return u, nil
}

// LoginURL is SynergyCP's SSO link for the server, with a client key.
func (p *Panel) LoginURL(ctx context.Context, id string, _ provisioning.Owner) (string, error) {
	key, err := p.clientKey(ctx, id)
	if err != nil {
		return "", err
	}
	q := url.Values{"key": {key}, "view_type": {"server"}, "view_id": {id}}
	return p.c.BaseURL + "/auth/sso?" + q.Encode(), nil
}
