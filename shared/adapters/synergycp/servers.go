package synergycp

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/ezscale/platform/shared/adapters/panelhttp"
	"github.com/ezscale/platform/shared/domain/provisioning"
)

type billingRef struct {
	ID string `json:"id"`
}

type server struct {
	ID       int         `json:"id"`
	SrvID    string      `json:"srv_id"`
	Nickname string      `json:"nickname"`
	Billing  *billingRef `json:"billing"`
	Client   struct {
		ID int `json:"id"`
	} `json:"client"`
	Available bool `json:"available"`
	CPU       struct {
		BillingID string `json:"billing_id"`
	} `json:"cpu"`
	Mem struct {
		BillingID string `json:"billing_id"`
	} `json:"mem"`
	Disks []struct {
		BillingID string `json:"billing_id"`
	} `json:"disks"`
	Group struct {
		Name string `json:"name"`
	} `json:"group"`
	Access struct {
		IsActive bool `json:"is_active"`
	} `json:"access"`
	Usage struct {
		Used int64 `json:"used"` // bits
		Max  int64 `json:"max"`
	} `json:"usage"`
	Power string `json:"power"`
}

func (s server) billingID() string {
	if s.Billing == nil {
		return ""
	}
	return s.Billing.ID
}

func (s server) disks() string {
	var d []string
	for _, x := range s.Disks {
		d = append(d, x.BillingID)
	}
	return strings.Join(d, ", ")
}

func (s server) hardware(spec Spec) provisioning.Hardware {
	return provisioning.Hardware{ID: strconv.Itoa(s.ID), Label: s.SrvID, CPU: s.CPU.BillingID, Memory: s.Mem.BillingID, Disks: s.disks(), Location: s.Group.Name,
		Holder: s.billingID(), Free: s.Available && s.Client.ID == 0, Exact: spec != Spec{} && s.CPU.BillingID == spec.CPU && s.Mem.BillingID == spec.Mem && s.disks() == spec.Disks}
}

func notFound(format string, a ...any) error {
	return &provisioning.PanelError{Kind: provisioning.ErrNotFound, Detail: fmt.Sprintf(format, a...)}
}

func rejected(format string, a ...any) error {
	return &provisioning.PanelError{Kind: provisioning.ErrRejected, Detail: fmt.Sprintf(format, a...)}
}

// Candidates lists the free machines at the location: those exactly like
// the plan's first, then any other free machine staff may choose.
func (p *Panel) Candidates(ctx context.Context, req provisioning.CreateRequest) ([]provisioning.Hardware, error) {
	spec := p.c.Specs[req.Plan]
	list, err := all[server](ctx, p, "/server", url.Values{"available": {"true"}, "location": {req.Location}})
	if err != nil {
		return nil, err
	}
	var exact, other []provisioning.Hardware
	for _, s := range list {
		h := s.hardware(spec)
		switch {
		case !h.Free:
		case h.Exact:
			exact = append(exact, h)
		default:
			other = append(other, h)
		}
	}
	return append(exact, other...), nil
}

// Machine reads one machine.
func (p *Panel) Machine(ctx context.Context, id string) (*provisioning.Hardware, error) {
	s, err := p.server(ctx, id)
	if err != nil {
		return nil, err
	}
	h := s.hardware(Spec{})
	return &h, nil
}

func (p *Panel) server(ctx context.Context, id string) (*server, error) {
	if _, err := strconv.Atoi(id); err != nil {
		return nil, notFound("%q is not a SynergyCP server id", id)
	}
	var s server
	if err := p.call(ctx, get("/server/"+url.PathEscape(id), nil), &s); err != nil {
		return nil, err
	}
	if strconv.Itoa(s.ID) != id {
		return nil, &provisioning.PanelError{Kind: provisioning.ErrMalformed, Detail: fmt.Sprintf("asked for server %s, got %d", id, s.ID)}
	}
	return &s, nil
}

// byBilling finds the server provisioned for the service number.
func (p *Panel) byBilling(ctx context.Context, number int64) (*server, error) {
	list, err := all[server](ctx, p, "/server", url.Values{"billing_id": {strconv.FormatInt(number, 10)}})
	if err != nil {
		return nil, err
	}
	for _, s := range list {
		if s.billingID() == strconv.FormatInt(number, 10) {
			return &s, nil
		}
	}
	return nil, nil
}

// client finds the customer's client by billing id or e-mail, or creates it.
func (p *Panel) client(ctx context.Context, o provisioning.Owner) (int, error) {
	type clientView struct {
		ID    int    `json:"id"`
		Email string `json:"email"`
	}
	for _, q := range []url.Values{{"billing_id": {o.CustomerID}}, {"email": {o.Email}}} {
		list, err := all[clientView](ctx, p, "/client", q)
		if err != nil {
			return 0, err
		}
		if len(list) > 0 && list[0].ID > 0 {
			return list[0].ID, nil
		}
	}
	first, last, _ := strings.Cut(o.Name, " ")
	var c clientView
	err := p.call(ctx, panelhttp.Call{Method: http.MethodPost, Path: "/client",
		Body: map[string]string{"email": o.Email, "first": first, "last": last, "billing_id": o.CustomerID, "password": rand.Text()}}, &c)
	if err != nil {
		return 0, err
	}
	if c.ID <= 0 {
		return 0, &provisioning.PanelError{Kind: provisioning.ErrMalformed, Detail: "POST client answered no id"}
	}
	return c.ID, nil
}

// Create provisions req.Hardware for the customer, or adopts the server a
// lost reply provisioned (found by the service number). A machine taken
// in the meantime is refused, so staff choose again.
func (p *Panel) Create(ctx context.Context, req provisioning.CreateRequest) (*provisioning.Resource, error) {
	if req.Number <= 0 {
		return nil, rejected("the service has no number to use as its billing id")
	}
	if s, err := p.byBilling(ctx, req.Number); err != nil {
		return nil, err
	} else if s != nil {
		return p.Status(ctx, strconv.Itoa(s.ID))
	}
	if req.Hardware == "" {
		return nil, rejected("no machine has been chosen for this server")
	}
	pxe, ok := p.c.PXE[req.OS]
	if !ok {
		return nil, rejected("the operating system %q is not offered for this hardware", req.OS)
	}
	m, err := p.server(ctx, req.Hardware)
	if err != nil {
		return nil, err
	}
	if !m.Available || m.Client.ID != 0 {
		return nil, rejected("server %s is no longer free; choose another", m.SrvID)
	}
	cid, err := p.client(ctx, req.Owner)
	if err != nil {
		return nil, err
	}
	in := map[string]any{"client_id": cid, "server_id": m.ID, "pxe_profile_billing": pxe, "port_speed_billing": p.c.PortSpeed, "nickname": req.Hostname,
		"password": rand.Text(), "billing": map[string]any{"id": strconv.FormatInt(req.Number, 10), "max_bandwidth": req.Limits.BandwidthGB * 8e9},
		"access": map[string]bool{"pxe": true, "ipmi": true, "switch": true}}
	var out struct {
		Server server `json:"server"`
	}
	if err := p.call(ctx, panelhttp.Call{Method: http.MethodPost, Path: "/server/provision", Body: in}, &out); err != nil {
		return nil, err
	}
	return p.Status(ctx, strconv.Itoa(out.Server.ID))
}

// Status reads the server: its billing id is our ref (the service number).
func (p *Panel) Status(ctx context.Context, id string) (*provisioning.Resource, error) {
	s, err := p.server(ctx, id)
	if err != nil {
		return nil, err
	}
	if s.billingID() == "" {
		return nil, notFound("server %s is back in inventory", id)
	}
	r := &provisioning.Resource{ID: id, Ref: s.billingID(), State: provisioning.Running, IPs: []string{}, Detail: "power " + s.Power}
	if !s.Access.IsActive {
		r.State = provisioning.Suspended
	}
	type entity struct {
		Address string `json:"address"`
	}
	ips, err := all[entity](ctx, p, "/entity", url.Values{"server": {id}})
	if err != nil {
		return nil, err
	}
	for _, e := range ips {
		if e.Address != "" {
			r.IPs = append(r.IPs, e.Address)
		}
	}
	return r, nil
}

// primaryAccess is the server's primary access id.
func (p *Panel) primaryAccess(ctx context.Context, id string) (int, error) {
	type access struct {
		ID int `json:"id"`
	}
	list, err := all[access](ctx, p, "/server/"+url.PathEscape(id)+"/access", url.Values{"is_primary": {"true"}})
	if err != nil {
		return 0, err
	}
	if len(list) == 0 || list[0].ID <= 0 {
		return 0, notFound("server %s has no primary access", id)
	}
	return list[0].ID, nil
}

func (p *Panel) setAccess(ctx context.Context, id string, active bool) error {
	acc, err := p.primaryAccess(ctx, id)
	if err != nil {
		return err
	}
	in := map[string]any{"is_active": active}
	if !active {
		in["suspension_reason"], in["auto"] = "suspended by billing", true
	}
	var out struct {
		Ignored bool `json:"ignored"`
	}
	// PATCH sets the flag absolutely: repeating it is harmless.
	if err := p.call(ctx, panelhttp.Call{Method: http.MethodPatch, Path: fmt.Sprintf("/server/%s/access/%d", url.PathEscape(id), acc), Body: in, Idempotent: true}, &out); err != nil {
		return err
	}
	if out.Ignored {
		return rejected("server %s belongs to a VIP client: SynergyCP ignored the automatic suspension", id)
	}
	return nil
}

// Suspend turns the primary access off (the client loses IPMI, PXE and
// switch control; the machine keeps running).
func (p *Panel) Suspend(ctx context.Context, id string) error { return p.setAccess(ctx, id, false) }

// Unsuspend turns it on again.
func (p *Panel) Unsuspend(ctx context.Context, id string) error { return p.setAccess(ctx, id, true) }

// Terminate releases the server with a wipe; it returns to inventory. One
// already released is not an error.
func (p *Panel) Terminate(ctx context.Context, id string) error {
	var out struct {
		Ignored bool `json:"ignored"`
	}
	err := p.call(ctx, panelhttp.Call{Method: http.MethodPatch, Path: "/server/" + url.PathEscape(id), Body: map[string]any{"wiped": "1", "auto": true}}, &out)
	if errors.Is(err, provisioning.ErrNotFound) {
		return nil
	}
	if err == nil && out.Ignored {
		return rejected("server %s belongs to a VIP client: SynergyCP ignored the automatic wipe", id)
	}
	return err
}
