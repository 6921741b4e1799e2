package virtfusion

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/ezscale/platform/shared/domain/provisioning"
)

type serverData struct {
	ID        int    `json:"id"`
	Name      string `json:"name"`
	Built     bool   `json:"built"`
	Suspended bool   `json:"suspended"`
	State     string `json:"state"`
	Tasks     struct {
		Active bool `json:"active"`
	} `json:"tasks"`
	Network struct {
		Interfaces []struct {
			IPv4 []struct {
				Address string `json:"address"`
			} `json:"ipv4"`
		} `json:"interfaces"`
	} `json:"network"`
}

func (s *serverData) resource() (*provisioning.Resource, error) {
	if s.ID == 0 {
		return nil, &provisioning.PanelError{Kind: provisioning.ErrMalformed, Detail: "the answer is not a server"}
	}
	r := &provisioning.Resource{ID: strconv.Itoa(s.ID), Ref: s.Name, State: provisioning.Running, Detail: s.State}
	switch {
	case s.Suspended:
		r.State = provisioning.Suspended
	case !s.Built || s.Tasks.Active:
		r.State = provisioning.Building
	}
	for _, ifc := range s.Network.Interfaces {
		for _, ip := range ifc.IPv4 {
			r.IPs = append(r.IPs, ip.Address)
		}
	}
	return r, nil
}

// ensureUser finds the VirtFusion user made for our customer, or makes one.
func (p *Panel) ensureUser(ctx context.Context, o provisioning.Owner) (int, error) {
	var u struct {
		Data struct {
			ID int `json:"id"`
		} `json:"data"`
	}
	lookup := func() error {
		return p.call(ctx, http.MethodGet, "/users/"+url.PathEscape(o.CustomerID)+"/byExtRelation?relStr=true", nil, &u)
	}
	err := lookup()
	if errors.Is(err, provisioning.ErrNotFound) {
		err = p.call(ctx, http.MethodPost, "/users", map[string]any{"name": o.Name, "email": o.Email, "relStr": o.CustomerID, "selfService": 1, "sendMail": false}, &u)
		var pe *provisioning.PanelError
		if errors.As(err, &pe) && pe.Status == http.StatusConflict { // made meanwhile
			err = lookup()
		}
	}
	if err != nil {
		return 0, err
	}
	if u.Data.ID == 0 {
		return 0, &provisioning.PanelError{Kind: provisioning.ErrMalformed, Detail: "the user answer has no id"}
	}
	return u.Data.ID, nil
}

// existing finds the customer's server named ref, or else the one unbuilt,
// unnamed server a lost create reply left (only when there is exactly one).
func (p *Panel) existing(ctx context.Context, uid int, ref string) (*serverData, error) {
	var page struct {
		Data []serverData `json:"data"`
	}
	if err := p.call(ctx, http.MethodGet, fmt.Sprintf("/servers/user/%d?results=200", uid), nil, &page); err != nil {
		return nil, err
	}
	var orphans []serverData
	for _, s := range page.Data {
		if s.Name == ref {
			return &s, nil
		}
		if !s.Built && s.Name == "" {
			orphans = append(orphans, s)
		}
	}
	if len(orphans) == 1 {
		return &orphans[0], nil
	}
	return nil, nil
}

// Create implements provisioning.Panel: find (by name, or the orphan of a
// lost reply) or create, then build with our ref as the name.
func (p *Panel) Create(ctx context.Context, req provisioning.CreateRequest) (*provisioning.Resource, error) {
	pkg, okPkg := p.pkg(req.Plan)
	hv, okHv := p.c.Hypervisors[req.Location]
	os, okOS := p.c.Templates[req.OS]
	switch {
	case !okPkg:
		return nil, &provisioning.PanelError{Kind: provisioning.ErrRejected, Detail: fmt.Sprintf("no VirtFusion package is configured for plan %q", req.Plan)}
	case !okHv:
		return nil, &provisioning.PanelError{Kind: provisioning.ErrRejected, Detail: fmt.Sprintf("no hypervisor group is configured for %q", req.Location)}
	case !okOS:
		return nil, &provisioning.PanelError{Kind: provisioning.ErrRejected, Detail: fmt.Sprintf("no operating system template is configured for %q", req.OS)}
	}
	uid, err := p.ensureUser(ctx, req.Owner)
	if err != nil {
		return nil, err
	}
	s, err := p.existing(ctx, uid, req.Ref)
	if err != nil {
		return nil, err
	}
	if s != nil && s.Name == req.Ref {
		return s.resource() // built (or building) before: adopt it
	}
	if s == nil {
		var created struct {
			Data serverData `json:"data"`
		}
		in := map[string]any{"packageId": pkg, "userId": uid, "hypervisorId": hv, "cpuCores": req.Limits.CPUCores, "memory": req.Limits.MemoryMB,
			"storage": req.Limits.DiskGB, "traffic": req.Limits.BandwidthGB, "ipv4": 1}
		if err := p.call(ctx, http.MethodPost, "/servers", in, &created); err != nil {
			return nil, err
		}
		s = &created.Data
	}
	var built struct {
		Data serverData `json:"data"`
	}
	in := map[string]any{"operatingSystemId": os, "name": req.Ref, "hostname": req.Hostname, "email": false, "vnc": false, "ipv6": true}
	if err := p.call(ctx, http.MethodPost, fmt.Sprintf("/servers/%d/build", s.ID), in, &built); err != nil {
		return nil, err
	}
	return built.Data.resource()
}

func (p *Panel) get(ctx context.Context, id string) (*serverData, error) {
	var out struct {
		Data serverData `json:"data"`
	}
	if err := p.call(ctx, http.MethodGet, "/servers/"+url.PathEscape(id), nil, &out); err != nil {
		return nil, err
	}
	return &out.Data, nil
}

// Status implements provisioning.Panel.
func (p *Panel) Status(ctx context.Context, id string) (*provisioning.Resource, error) {
	s, err := p.get(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.resource()
}

// Suspend implements provisioning.Panel.
func (p *Panel) Suspend(ctx context.Context, id string) error {
	return p.call(ctx, http.MethodPost, "/servers/"+url.PathEscape(id)+"/suspend", nil, nil)
}

// Unsuspend implements provisioning.Panel.
func (p *Panel) Unsuspend(ctx context.Context, id string) error {
	return p.call(ctx, http.MethodPost, "/servers/"+url.PathEscape(id)+"/unsuspend", nil, nil)
}

// Terminate implements provisioning.Panel: a server already gone is done.
func (p *Panel) Terminate(ctx context.Context, id string) error {
	err := p.call(ctx, http.MethodDelete, "/servers/"+url.PathEscape(id)+"?delay=0", nil, nil)
	if errors.Is(err, provisioning.ErrNotFound) {
		return nil
	}
	return err
}

// Resize implements provisioning.Panel by moving to the plan's package.
func (p *Panel) Resize(ctx context.Context, id, plan string, _ provisioning.Limits) error {
	pkg, ok := p.pkg(plan)
	if !ok {
		return &provisioning.PanelError{Kind: provisioning.ErrRejected, Detail: fmt.Sprintf("no VirtFusion package is configured for plan %q", plan)}
	}
	return p.call(ctx, http.MethodPut, fmt.Sprintf("/servers/%s/package/%d", url.PathEscape(id), pkg), map[string]bool{"cpu": true, "memory": true, "primaryDiskSize": true, "primaryNetworkTraffic": true}, nil)
}

// Power implements provisioning.Panel (VirtFusion queues the action).
func (p *Panel) Power(ctx context.Context, id string, a provisioning.Power) error {
	action := map[provisioning.Power]string{provisioning.Start: "boot", provisioning.Stop: "shutdown", provisioning.Restart: "restart"}[a]
	if action == "" {
		return &provisioning.PanelError{Kind: provisioning.ErrRejected, Detail: fmt.Sprintf("unknown power action %q", a)}
	}
	return p.call(ctx, http.MethodPost, "/servers/"+url.PathEscape(id)+"/power/"+action, nil, nil)
}

// Usage implements provisioning.Panel: CPU, memory and disk from the
// hypervisor's live state (remoteState; memory in KiB, disk from the guest
// agent when it runs), network from the current month's traffic.
func (p *Panel) Usage(ctx context.Context, id string) (*provisioning.Usage, error) {
	var live struct {
		Data struct {
			ID          int `json:"id"`
			RemoteState struct {
				State  string  `json:"state"`
				CPU    float64 `json:"cpu"`
				Memory struct {
					Actual int64 `json:"actual"`
					Unused int64 `json:"unused"`
				} `json:"memory"`
				Agent struct {
					FSInfo []struct {
						Used int64 `json:"used-bytes"`
					} `json:"fsinfo"`
				} `json:"agent"`
			} `json:"remoteState"`
		} `json:"data"`
	}
	if err := p.call(ctx, http.MethodGet, "/servers/"+url.PathEscape(id)+"?remoteState=true", nil, &live); err != nil {
		return nil, err
	}
	if live.Data.ID == 0 {
		return nil, &provisioning.PanelError{Kind: provisioning.ErrMalformed, Detail: "the answer is not a server"}
	}
	var traffic struct {
		Data struct {
			Monthly []struct {
				Rx int64 `json:"rx"`
				Tx int64 `json:"tx"`
			} `json:"monthly"`
		} `json:"data"`
	}
	if err := p.call(ctx, http.MethodGet, "/servers/"+url.PathEscape(id)+"/traffic", nil, &traffic); err != nil {
		return nil, err
	}
	rs := live.Data.RemoteState
	u := &provisioning.Usage{Power: provisioning.PowerStateOf(rs.State), CPUPercent: rs.CPU, MemoryBytes: max(rs.Memory.Actual-rs.Memory.Unused, 0) * 1024}
	for _, fs := range rs.Agent.FSInfo {
		u.DiskBytes += fs.Used
	}
	if len(traffic.Data.Monthly) > 0 {
		u.NetworkRxBytes, u.NetworkTxBytes = traffic.Data.Monthly[0].Rx, traffic.Data.Monthly[0].Tx
	}
	return u, nil
}

// LoginURL implements provisioning.Panel with VirtFusion's single sign-on
// tokens for the server.
func (p *Panel) LoginURL(ctx context.Context, id string, o provisioning.Owner) (string, error) {
	var out struct {
		Data struct {
			Authentication struct {
				EndpointComplete string `json:"endpoint_complete"`
			} `json:"authentication"`
		} `json:"data"`
	}
	path := "/users/" + url.PathEscape(o.CustomerID) + "/serverAuthenticationTokens/" + url.PathEscape(id) + "?relStr=true"
	if err := p.call(ctx, http.MethodPost, path, nil, &out); err != nil {
		return "", err
	}
	if out.Data.Authentication.EndpointComplete == "" {
		return "", &provisioning.PanelError{Kind: provisioning.ErrMalformed, Detail: "the login answer has no endpoint"}
	}
	return p.c.BaseURL + out.Data.Authentication.EndpointComplete, nil
}

func (p *Panel) pkg(plan string) (int, bool) {
	if id, ok := p.c.Packages[plan]; ok {
		return id, true
	}
	return p.c.DefaultPackage, p.c.DefaultPackage > 0
}

// Credentials implements provisioning.Panel: VirtFusion resets the root
// password through its queue and tells us the password it will set.
// Windows templates use "Administrator"; ours are Linux, so root.
func (p *Panel) Credentials(ctx context.Context, id string, _ provisioning.Owner) (*provisioning.Credentials, error) {
	var out struct {
		Data struct {
			ExpectedPassword string `json:"expectedPassword"`
		} `json:"data"`
	}
	in := map[string]any{"user": "root", "sendMail": false}
	if err := p.call(ctx, http.MethodPost, "/servers/"+url.PathEscape(id)+"/resetPassword", in, &out); err != nil {
		return nil, err
	}
	if out.Data.ExpectedPassword == "" {
		return nil, &provisioning.PanelError{Kind: provisioning.ErrMalformed, Detail: "the password reset answer has no expectedPassword"}
	}
	return &provisioning.Credentials{Username: "root", Password: out.Data.ExpectedPassword}, nil
}

// Reinstall implements provisioning.Reinstaller: VirtFusion reinstalls
// with the same build call that installed it, keeping our ref as its name.
// The new system has a new root password, which we learn only by setting
// one once it is built.
func (p *Panel) Reinstall(ctx context.Context, id string, r provisioning.ReinstallRequest) (*provisioning.Reinstalled, error) {
	os, ok := p.c.Templates[r.OS]
	if !ok {
		return nil, &provisioning.PanelError{Kind: provisioning.ErrRejected, Detail: fmt.Sprintf("no operating system template is configured for %q", r.OS)}
	}
	var built struct {
		Data serverData `json:"data"`
	}
	in := map[string]any{"operatingSystemId": os, "name": r.Ref, "hostname": r.Hostname, "email": false, "vnc": false, "ipv6": true}
	if err := p.call(ctx, http.MethodPost, "/servers/"+url.PathEscape(id)+"/build", in, &built); err != nil {
		return nil, err
	}
	if _, err := built.Data.resource(); err != nil {
		return nil, err
	}
	return &provisioning.Reinstalled{NewLogin: true}, nil
}
