package enhance

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/ezscale/platform/shared/adapters/panelhttp"
	"github.com/ezscale/platform/shared/domain/provisioning"
)

type orgView struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Status       string `json:"status"`
	OwnerEmail   string `json:"ownerEmail"`
	OwnerLoginID string `json:"ownerLoginId"`
}

type resource struct {
	Name  string `json:"name"`
	Total *int64 `json:"total"`
	Usage int64  `json:"usage"`
}

type subView struct {
	ID           int        `json:"id"`
	PlanID       int        `json:"planId"`
	Status       string     `json:"status"`
	SuspendedBy  *string    `json:"suspendedBy"`
	FriendlyName string     `json:"friendlyName"`
	Resources    []resource `json:"resources"`
}

type siteView struct {
	ID     string `json:"id"`
	Domain struct {
		Domain string `json:"domain"`
	} `json:"domain"`
	SubscriptionID int    `json:"subscriptionId"`
	Status         string `json:"status"`
	ServerIPs      []struct {
		IP string `json:"ip"`
	} `json:"serverIps"`
}

type memberView struct {
	ID      string   `json:"id"`
	LoginID string   `json:"loginId"`
	Email   string   `json:"email"`
	Roles   []string `json:"roles"`
}

func rejected(format string, a ...any) error {
	return &provisioning.PanelError{Kind: provisioning.ErrRejected, Detail: fmt.Sprintf(format, a...)}
}

func is(err error, status int) bool {
	var pe *provisioning.PanelError
	return errors.As(err, &pe) && pe.Status == status
}

// orgName tags the organisation with our customer id, so one created by a
// crashed attempt (before it had an owner) is found again.
func orgName(o provisioning.Owner) string { return fmt.Sprintf("%s (%s)", o.Name, o.CustomerID) }

// Create makes (or adopts, step by step) the customer's organisation, its
// Owner login, the subscription named after req.Ref and the website.
func (p *Panel) Create(ctx context.Context, req provisioning.CreateRequest) (*provisioning.Resource, error) {
	plan := p.c.Plans[req.Plan]
	if plan == 0 {
		plan = p.c.DefaultPlan
	}
	if plan == 0 {
		return nil, rejected("plan %s is not mapped to an Enhance plan", req.Plan)
	}
	domain := strings.ToLower(strings.TrimSpace(req.Domain))
	if domain == "" {
		return nil, rejected("a web hosting service needs a domain")
	}
	org, err := p.customerOrg(ctx, req.Owner)
	if err != nil {
		return nil, err
	}
	if err := p.owner(ctx, org, req.Owner); err != nil {
		return nil, err
	}
	sub, err := p.subscription(ctx, org, req.Ref, plan)
	if err != nil {
		return nil, err
	}
	site, err := p.website(ctx, org, sub, domain)
	if err != nil {
		return nil, err
	}
	return p.Status(ctx, ref{Org: org, Sub: sub, Site: site}.String())
}

// customerOrg finds the customer's organisation — tagged with our id, or
// owned by their e-mail — or creates it.
func (p *Panel) customerOrg(ctx context.Context, o provisioning.Owner) (string, error) {
	var byTag, byEmail string
	tag := "(" + o.CustomerID + ")"
	err := each(ctx, p, "/orgs/"+url.PathEscape(p.c.OrgID)+"/customers", nil, func(v orgView) bool {
		switch {
		case strings.HasSuffix(v.Name, tag):
			byTag = v.ID
			return false
		case byEmail == "" && strings.EqualFold(v.OwnerEmail, o.Email):
			byEmail = v.ID
		}
		return true
	})
	if err != nil {
		return "", err
	}
	if id := cmpOr(byTag, byEmail); id != "" {
		return id, nil
	}
	var created struct {
		ID string `json:"id"`
	}
	if err := p.call(ctx, http.MethodPost, "/orgs/"+url.PathEscape(p.c.OrgID)+"/customers", map[string]string{"name": orgName(o)}, &created); err != nil {
		return "", err
	}
	if created.ID == "" {
		return "", &provisioning.PanelError{Kind: provisioning.ErrMalformed, Detail: "POST customers answered no id"}
	}
	return created.ID, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// owner makes sure the customer's login exists and is the organisation's
// Owner member. A 409 on the login means it exists (another service, or
// a crashed attempt); it is looked up by e-mail.
func (p *Panel) owner(ctx context.Context, org string, o provisioning.Owner) error {
	loginID, err := p.loginOf(ctx, o.Email)
	if err != nil {
		return err
	}
	if loginID == "" {
		var created struct {
			ID string `json:"id"`
		}
		in := map[string]string{"email": o.Email, "name": o.Name, "password": rand.Text()} // the customer gets theirs from Credentials or SSO
		err := p.http.Do(ctx, panelhttp.Call{Method: http.MethodPost, Path: "/logins", Query: url.Values{"orgId": {org}}, Body: in}, &created)
		switch {
		case is(err, http.StatusConflict):
			if loginID, err = p.loginOf(ctx, o.Email); err != nil {
				return err
			}
			if loginID == "" {
				return rejected("the panel says a login for %s exists but does not list it", o.Email)
			}
		case err != nil:
			return err
		default:
			loginID = created.ID
		}
	}
	var member bool
	if err := each(ctx, p, "/orgs/"+url.PathEscape(org)+"/members", nil, func(m memberView) bool {
		member = m.LoginID == loginID
		return !member
	}); err != nil {
		return err
	}
	if member {
		return nil
	}
	err = p.call(ctx, http.MethodPost, "/orgs/"+url.PathEscape(org)+"/members", map[string]any{"loginId": loginID, "roles": []string{"Owner"}}, nil)
	if is(err, http.StatusConflict) { // added by a reply we lost
		return nil
	}
	return err
}

func (p *Panel) loginOf(ctx context.Context, email string) (string, error) {
	var id string
	err := each(ctx, p, "/v2/orgs/"+url.PathEscape(p.c.OrgID)+"/customers/logins", nil, func(l memberView) bool {
		if strings.EqualFold(l.Email, email) {
			id = l.ID
		}
		return id == ""
	})
	return id, err
}

// subscription adopts the live subscription named ref or creates it.
func (p *Panel) subscription(ctx context.Context, org, ref string, plan int) (int, error) {
	var found int
	if err := each(ctx, p, "/orgs/"+url.PathEscape(org)+"/subscriptions", nil, func(s subView) bool {
		if s.FriendlyName == ref && s.Status != "deleted" {
			found = s.ID
		}
		return found == 0
	}); err != nil {
		return 0, err
	}
	if found != 0 {
		return found, nil
	}
	var created struct {
		ID int `json:"id"`
	}
	path := "/orgs/" + url.PathEscape(p.c.OrgID) + "/customers/" + url.PathEscape(org) + "/subscriptions"
	if err := p.call(ctx, http.MethodPost, path, map[string]any{"planId": plan, "friendlyName": ref}, &created); err != nil {
		return 0, err
	}
	if created.ID <= 0 {
		return 0, &provisioning.PanelError{Kind: provisioning.ErrMalformed, Detail: "POST subscriptions answered no id"}
	}
	return created.ID, nil
}

// website adopts the subscription's site for domain or creates it; a
// domain another customer's site has is refused by the panel (409).
func (p *Panel) website(ctx context.Context, org string, sub int, domain string) (string, error) {
	var found string
	q := url.Values{"search": {domain}, "subscriptionId": {fmt.Sprint(sub)}}
	if err := each(ctx, p, "/orgs/"+url.PathEscape(org)+"/websites", q, func(s siteView) bool {
		if strings.EqualFold(s.Domain.Domain, domain) && s.SubscriptionID == sub && s.Status != "deleted" {
			found = s.ID
		}
		return found == ""
	}); err != nil {
		return "", err
	}
	if found != "" {
		return found, nil
	}
	var created struct {
		ID string `json:"id"`
	}
	if err := p.call(ctx, http.MethodPost, "/orgs/"+url.PathEscape(org)+"/websites", map[string]any{"domain": domain, "subscriptionId": sub}, &created); err != nil {
		return "", err
	}
	if created.ID == "" {
		return "", &provisioning.PanelError{Kind: provisioning.ErrMalformed, Detail: "POST websites answered no id"}
	}
	return created.ID, nil
}

// sub reads the subscription (a deleted one is gone: not found).
func (p *Panel) sub(ctx context.Context, r ref) (*subView, error) {
	var s subView
	if err := p.call(ctx, http.MethodGet, fmt.Sprintf("/orgs/%s/subscriptions/%d", url.PathEscape(r.Org), r.Sub), nil, &s); err != nil {
		return nil, err
	}
	if s.Status == "deleted" {
		return nil, &provisioning.PanelError{Kind: provisioning.ErrNotFound, Detail: fmt.Sprintf("subscription %d is deleted", r.Sub)}
	}
	if s.ID != r.Sub {
		return nil, &provisioning.PanelError{Kind: provisioning.ErrMalformed, Detail: fmt.Sprintf("asked for subscription %d, got %d", r.Sub, s.ID)}
	}
	return &s, nil
}

// Status reads the subscription and its website.
func (p *Panel) Status(ctx context.Context, id string) (*provisioning.Resource, error) {
	r, err := parseRef(id)
	if err != nil {
		return nil, err
	}
	s, err := p.sub(ctx, r)
	if err != nil {
		return nil, err
	}
	out := &provisioning.Resource{ID: id, Ref: s.FriendlyName, State: provisioning.Running, IPs: []string{}, Detail: s.Status}
	if s.SuspendedBy != nil {
		out.State = provisioning.Suspended
	}
	err = each(ctx, p, "/orgs/"+url.PathEscape(r.Org)+"/websites", url.Values{"subscriptionId": {fmt.Sprint(r.Sub)}}, func(w siteView) bool {
		if w.ID != r.Site {
			return true
		}
		for _, ip := range w.ServerIPs {
			if ip.IP != "" && !slices.Contains(out.IPs, ip.IP) {
				out.IPs = append(out.IPs, ip.IP)
			}
		}
		out.Detail = "website " + w.Status
		return false
	})
	return out, err
}

func (p *Panel) suspended(ctx context.Context, id string, on bool) error {
	r, err := parseRef(id)
	if err != nil {
		return err
	}
	body := map[string]bool{"isSuspended": on}
	if err := p.call(ctx, http.MethodPatch, fmt.Sprintf("/orgs/%s/subscriptions/%d", url.PathEscape(r.Org), r.Sub), body, nil); err != nil {
		return err
	}
	return p.call(ctx, http.MethodPatch, "/orgs/"+url.PathEscape(r.Org)+"/websites/"+url.PathEscape(r.Site), body, nil)
}

// Suspend suspends the subscription and its website (PATCH sets the flag
// absolutely, so a repeat is harmless).
func (p *Panel) Suspend(ctx context.Context, id string) error { return p.suspended(ctx, id, true) }

// Unsuspend lifts both.
func (p *Panel) Unsuspend(ctx context.Context, id string) error { return p.suspended(ctx, id, false) }

// Terminate deletes the subscription — softly: the panel keeps the data,
// and its websites go with it. One already gone is not an error.
func (p *Panel) Terminate(ctx context.Context, id string) error {
	r, err := parseRef(id)
	if err != nil {
		return err
	}
	err = p.call(ctx, http.MethodDelete, fmt.Sprintf("/orgs/%s/subscriptions/%d", url.PathEscape(r.Org), r.Sub), nil, nil)
	if errors.Is(err, provisioning.ErrNotFound) {
		return nil
	}
	return err
}

// Resize moves the subscription to plan's Enhance plan.
func (p *Panel) Resize(ctx context.Context, id, plan string, _ provisioning.Limits) error {
	r, err := parseRef(id)
	if err != nil {
		return err
	}
	to := p.c.Plans[plan]
	if to == 0 {
		to = p.c.DefaultPlan
	}
	if to == 0 {
		return rejected("plan %s is not mapped to an Enhance plan", plan)
	}
	return p.call(ctx, http.MethodPatch, fmt.Sprintf("/orgs/%s/subscriptions/%d", url.PathEscape(r.Org), r.Sub), map[string]int{"planId": to}, nil)
}
