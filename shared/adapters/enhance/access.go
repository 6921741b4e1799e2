package enhance

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/ezscale/platform/shared/domain/provisioning"
)

// quotaUnits names the subscription resources customers see, in order.
var quotaUnits = []struct{ name, unit string }{
	{"diskspace", "bytes"}, {"transfer", "bytes"}, {"websites", "count"}, {"mailboxes", "count"}, {"mysqlDbs", "count"},
}

// Usage reads the subscription's resources: disk and transfer in bytes,
// and the counted allowances (websites, mailboxes, databases).
func (p *Panel) Usage(ctx context.Context, id string) (*provisioning.Usage, error) {
	r, err := parseRef(id)
	if err != nil {
		return nil, err
	}
	s, err := p.sub(ctx, r)
	if err != nil {
		return nil, err
	}
	u := &provisioning.Usage{Power: provisioning.PowerUnknown, Quotas: []provisioning.Quota{}}
	for _, q := range quotaUnits {
		i := slices.IndexFunc(s.Resources, func(x resource) bool { return x.Name == q.name })
		if i < 0 {
			continue
		}
		res := s.Resources[i]
		if res.Usage < 0 {
			return nil, &provisioning.PanelError{Kind: provisioning.ErrMalformed, Detail: fmt.Sprintf("subscription %d: %s usage %d", r.Sub, q.name, res.Usage)}
		}
		quota := provisioning.Quota{Name: q.name, Used: res.Usage, Unit: q.unit}
		if res.Total != nil {
			quota.Limit = *res.Total
		}
		u.Quotas = append(u.Quotas, quota)
		switch q.name {
		case "diskspace":
			u.DiskBytes = res.Usage
		case "transfer":
			u.NetworkTxBytes = res.Usage
		}
	}
	return u, nil
}

// ownerMember is the organisation's Owner member.
func (p *Panel) ownerMember(ctx context.Context, org string) (*memberView, error) {
	var owner *memberView
	err := each(ctx, p, "/orgs/"+url.PathEscape(org)+"/members", nil, func(m memberView) bool {
		if slices.Contains(m.Roles, "Owner") {
			owner = &m
		}
		return owner == nil
	})
	if err == nil && owner == nil {
		err = &provisioning.PanelError{Kind: provisioning.ErrNotFound, Detail: "the organisation has no Owner member"}
	}
	return owner, err
}

// LoginURL is a one-time single sign-on link for the Owner member.
func (p *Panel) LoginURL(ctx context.Context, id string, _ provisioning.Owner) (string, error) {
	r, err := parseRef(id)
	if err != nil {
		return "", err
	}
	m, err := p.ownerMember(ctx, r.Org)
	if err != nil {
		return "", err
	}
	var link string
	if err := p.call(ctx, http.MethodGet, "/orgs/"+url.PathEscape(r.Org)+"/members/"+url.PathEscape(m.ID)+"/sso", nil, &link); err != nil {
		return "", err
	}
	if !strings.HasPrefix(link, "https://") && !strings.HasPrefix(link, "http://") {
		return "", &provisioning.PanelError{Kind: provisioning.ErrMalformed, Detail: "the SSO answer is not a link"}
	}
	return link, nil
}

// Credentials sets a fresh password on the customer's login — unless the
// organisation has another live subscription, whose owner already uses
// that login (resetting it would lock them out of what they have).
func (p *Panel) Credentials(ctx context.Context, id string, o provisioning.Owner) (*provisioning.Credentials, error) {
	r, err := parseRef(id)
	if err != nil {
		return nil, err
	}
	others := 0
	if err := each(ctx, p, "/orgs/"+url.PathEscape(r.Org)+"/subscriptions", nil, func(s subView) bool {
		if s.ID != r.Sub && s.Status != "deleted" {
			others++
		}
		return true
	}); err != nil {
		return nil, err
	}
	m, err := p.ownerMember(ctx, r.Org)
	if err != nil {
		return nil, err
	}
	user := m.Email
	if user == "" {
		user = o.Email
	}
	if others > 0 {
		return &provisioning.Credentials{Username: user, Note: "Sign in with the password you already use for this control panel, or use the single sign-on link."}, nil
	}
	pw := rand.Text()
	if err := p.call(ctx, http.MethodPut, "/v2/logins/"+url.PathEscape(m.LoginID)+"/password", map[string]string{"newPassword": pw}, nil); err != nil {
		return nil, err
	}
	return &provisioning.Credentials{Username: user, Password: pw}, nil
}
