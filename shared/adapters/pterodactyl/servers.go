package pterodactyl

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/ezscale/platform/shared/domain/provisioning"
)

type userItem struct {
	Attributes struct {
		ID         int    `json:"id"`
		ExternalID string `json:"external_id"`
	} `json:"attributes"`
}

type serverItem struct {
	Object     string `json:"object"`
	Attributes struct {
		ID         int            `json:"id"`
		ExternalID *string        `json:"external_id"`
		Identifier string         `json:"identifier"`
		Status     *string        `json:"status"`
		Allocation int            `json:"allocation"`
		Limits     map[string]any `json:"limits"`
		// Relationships come with ?include=allocations.
		Relationships struct {
			Allocations struct {
				Data []struct {
					Attributes struct {
						ID    int     `json:"id"`
						IP    string  `json:"ip"`
						Alias *string `json:"alias"`
						Port  int     `json:"port"`
					} `json:"attributes"`
				} `json:"data"`
			} `json:"allocations"`
		} `json:"relationships"`
	} `json:"attributes"`
}

func (s *serverItem) resource() (*provisioning.Resource, error) {
	if s.Object != "server" || s.Attributes.ID == 0 {
		return nil, &provisioning.PanelError{Kind: provisioning.ErrMalformed, Detail: "the answer is not a server"}
	}
	r := &provisioning.Resource{ID: strconv.Itoa(s.Attributes.ID), State: provisioning.Running}
	if s.Attributes.ExternalID != nil {
		r.Ref = *s.Attributes.ExternalID
	}
	// Players connect to the primary allocation: its alias (a host name
	// the host set up) or IP, and its port.
	for _, a := range s.Attributes.Relationships.Allocations.Data {
		if a.Attributes.ID != s.Attributes.Allocation || a.Attributes.IP == "" || a.Attributes.Port <= 0 || a.Attributes.Port > 65535 {
			continue
		}
		host := a.Attributes.IP
		if a.Attributes.Alias != nil && *a.Attributes.Alias != "" {
			host = *a.Attributes.Alias
		}
		r.IPs = []string{a.Attributes.IP}
		r.Addresses = []string{net.JoinHostPort(host, strconv.Itoa(a.Attributes.Port))}
	}
	if s.Attributes.Status != nil {
		r.Detail = *s.Attributes.Status
		switch *s.Attributes.Status {
		case "installing", "restoring_backup":
			r.State = provisioning.Building
		case "install_failed", "reinstall_failed":
			r.State = provisioning.Failed
		case "suspended":
			r.State = provisioning.Suspended
		default:
			return nil, &provisioning.PanelError{Kind: provisioning.ErrMalformed, Detail: fmt.Sprintf("unexpected server status %q", *s.Attributes.Status)}
		}
	}
	return r, nil
}

// ensureUser finds the panel user made for our customer, or makes one.
func (p *Panel) ensureUser(ctx context.Context, o provisioning.Owner) (int, error) {
	var u userItem
	err := p.call(ctx, p.c.AppKey, http.MethodGet, "/api/application/users/external/"+url.PathEscape(o.CustomerID), nil, &u)
	if err == nil {
		return u.Attributes.ID, nil
	}
	if !errors.Is(err, provisioning.ErrNotFound) {
		return 0, err
	}
	first, last, _ := strings.Cut(strings.TrimSpace(o.Name), " ")
	if first == "" {
		first = "Customer"
	}
	if last == "" {
		last = "-"
	}
	in := map[string]any{"external_id": o.CustomerID, "email": o.Email, "username": username(o.CustomerID), "first_name": first, "last_name": last}
	err = p.call(ctx, p.c.AppKey, http.MethodPost, "/api/application/users", in, &u)
	if unique(err) { // made meanwhile (a lost reply, a concurrent create)
		err = p.call(ctx, p.c.AppKey, http.MethodGet, "/api/application/users/external/"+url.PathEscape(o.CustomerID), nil, &u)
	}
	if err != nil {
		return 0, err
	}
	return u.Attributes.ID, nil
}

// username is derived from our id: stable, unique, within the panel's rules.
func username(customerID string) string {
	u := strings.ToLower(strings.NewReplacer("_", "", "-", "").Replace(customerID))
	if len(u) > 30 {
		u = u[len(u)-30:]
	}
	return "ezs" + u
}

func (p *Panel) byRef(ctx context.Context, ref string) (*serverItem, error) {
	var s serverItem
	if err := p.call(ctx, p.c.AppKey, http.MethodGet, "/api/application/servers/external/"+url.PathEscape(ref), nil, &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// Create implements provisioning.Panel.
func (p *Panel) Create(ctx context.Context, req provisioning.CreateRequest) (*provisioning.Resource, error) {
	egg, ok := p.c.Eggs[req.Game]
	if !ok {
		return nil, &provisioning.PanelError{Kind: provisioning.ErrRejected, Detail: fmt.Sprintf("no egg is configured for the game %q", req.Game)}
	}
	loc, ok := p.c.Locations[req.Location]
	if !ok {
		return nil, &provisioning.PanelError{Kind: provisioning.ErrRejected, Detail: fmt.Sprintf("no panel location is configured for %q", req.Location)}
	}
	if s, err := p.byRef(ctx, req.Ref); err == nil {
		return s.resource() // made before: adopt it
	} else if !errors.Is(err, provisioning.ErrNotFound) {
		return nil, err
	}
	owner, err := p.ensureUser(ctx, req.Owner)
	if err != nil {
		return nil, err
	}
	env := map[string]string{}
	for k, v := range egg.Environment {
		env[k] = v
	}
	in := map[string]any{
		"external_id": req.Ref, "name": req.Name, "user": owner, "egg": egg.ID, "docker_image": egg.DockerImage, "startup": egg.Startup,
		"environment": env, "start_on_completion": true,
		"limits":         limits(req.Limits),
		"feature_limits": map[string]any{"databases": req.Limits.Databases, "allocations": 1, "backups": req.Limits.Backups},
		"deploy":         map[string]any{"locations": []int{loc}, "dedicated_ip": false, "port_range": []string{}},
	}
	var s serverItem
	err = p.call(ctx, p.c.AppKey, http.MethodPost, "/api/application/servers", in, &s)
	if unique(err) {
		got, gerr := p.byRef(ctx, req.Ref)
		if gerr != nil {
			return nil, gerr
		}
		s, err = *got, nil
	}
	if err != nil {
		return nil, err
	}
	return s.resource()
}

func limits(l provisioning.Limits) map[string]any {
	return map[string]any{"memory": l.MemoryMB, "swap": 0, "disk": l.DiskGB * 1024, "io": 500, "cpu": l.CPUCores * 100, "threads": nil}
}

func (p *Panel) server(ctx context.Context, id string) (*serverItem, error) {
	var s serverItem
	if err := p.call(ctx, p.c.AppKey, http.MethodGet, "/api/application/servers/"+url.PathEscape(id)+"?include=allocations", nil, &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// Status implements provisioning.Panel.
func (p *Panel) Status(ctx context.Context, id string) (*provisioning.Resource, error) {
	s, err := p.server(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.resource()
}

// Suspend implements provisioning.Panel.
func (p *Panel) Suspend(ctx context.Context, id string) error {
	return p.call(ctx, p.c.AppKey, http.MethodPost, "/api/application/servers/"+url.PathEscape(id)+"/suspend", nil, nil)
}

// Unsuspend implements provisioning.Panel.
func (p *Panel) Unsuspend(ctx context.Context, id string) error {
	return p.call(ctx, p.c.AppKey, http.MethodPost, "/api/application/servers/"+url.PathEscape(id)+"/unsuspend", nil, nil)
}

// Terminate implements provisioning.Panel: a server already gone is done.
func (p *Panel) Terminate(ctx context.Context, id string) error {
	err := p.call(ctx, p.c.AppKey, http.MethodDelete, "/api/application/servers/"+url.PathEscape(id), nil, nil)
	if errors.Is(err, provisioning.ErrNotFound) {
		return nil
	}
	return err
}

// Resize implements provisioning.Panel (the build endpoint needs the
// current primary allocation).
func (p *Panel) Resize(ctx context.Context, id, _ string, l provisioning.Limits) error {
	s, err := p.server(ctx, id)
	if err != nil {
		return err
	}
	in := map[string]any{"allocation": s.Attributes.Allocation, "limits": limits(l),
		"feature_limits": map[string]any{"databases": l.Databases, "allocations": 1, "backups": l.Backups}}
	return p.call(ctx, p.c.AppKey, http.MethodPatch, "/api/application/servers/"+url.PathEscape(id)+"/build", in, nil)
}

// Power implements provisioning.Panel through the client API.
func (p *Panel) Power(ctx context.Context, id string, a provisioning.Power) error {
	s, err := p.server(ctx, id)
	if err != nil {
		return err
	}
	return p.call(ctx, p.c.ClientKey, http.MethodPost, "/api/client/servers/"+url.PathEscape(s.Attributes.Identifier)+"/power", map[string]string{"signal": string(a)}, nil)
}

// Usage implements provisioning.Panel (network counters are totals since
// the container started, not per billing period).
func (p *Panel) Usage(ctx context.Context, id string) (*provisioning.Usage, error) {
	s, err := p.server(ctx, id)
	if err != nil {
		return nil, err
	}
	var out struct {
		Object     string `json:"object"`
		Attributes struct {
			CurrentState string `json:"current_state"`
			Resources    struct {
				Memory int64   `json:"memory_bytes"`
				CPU    float64 `json:"cpu_absolute"`
				Disk   int64   `json:"disk_bytes"`
				Rx     int64   `json:"network_rx_bytes"`
				Tx     int64   `json:"network_tx_bytes"`
			} `json:"resources"`
		} `json:"attributes"`
	}
	if err := p.call(ctx, p.c.ClientKey, http.MethodGet, "/api/client/servers/"+url.PathEscape(s.Attributes.Identifier)+"/resources", nil, &out); err != nil {
		return nil, err
	}
	if out.Object != "stats" {
		return nil, &provisioning.PanelError{Kind: provisioning.ErrMalformed, Detail: "the answer is not server stats"}
	}
	r := out.Attributes.Resources
	return &provisioning.Usage{Power: provisioning.PowerStateOf(out.Attributes.CurrentState), CPUPercent: r.CPU, MemoryBytes: r.Memory, DiskBytes: r.Disk, NetworkRxBytes: r.Rx, NetworkTxBytes: r.Tx}, nil
}

// LoginURL implements provisioning.Panel: Pterodactyl has no single
// sign-on, so it is the server's page (the customer signs in there).
func (p *Panel) LoginURL(ctx context.Context, id string, _ provisioning.Owner) (string, error) {
	s, err := p.server(ctx, id)
	if err != nil {
		return "", err
	}
	return p.c.BaseURL + "/server/" + s.Attributes.Identifier, nil
}

// Credentials implements provisioning.Panel. Game servers are reached
// with the customer's panel login, which is shared by all their servers:
// a fresh password is set only while this is the login's only server (a
// new account), never behind the back of someone already using it.
func (p *Panel) Credentials(ctx context.Context, id string, o provisioning.Owner) (*provisioning.Credentials, error) {
	var u struct {
		Attributes struct {
			ID            int    `json:"id"`
			Username      string `json:"username"`
			Email         string `json:"email"`
			First         string `json:"first_name"`
			Last          string `json:"last_name"`
			Relationships struct {
				Servers struct {
					Data []serverItem `json:"data"`
				} `json:"servers"`
			} `json:"relationships"`
		} `json:"attributes"`
	}
	if err := p.call(ctx, p.c.AppKey, http.MethodGet, "/api/application/users/external/"+url.PathEscape(o.CustomerID)+"?include=servers", nil, &u); err != nil {
		return nil, err
	}
	a := u.Attributes
	if a.ID == 0 || a.Email == "" {
		return nil, &provisioning.PanelError{Kind: provisioning.ErrMalformed, Detail: "the answer is not a user"}
	}
	servers := a.Relationships.Servers.Data
	if len(servers) != 1 || strconv.Itoa(servers[0].Attributes.ID) != id {
		return &provisioning.Credentials{Username: a.Email, Note: "This game server uses your existing game panel login."}, nil
	}
	password := rand.Text() // 26 base32 characters, 130 bits
	in := map[string]any{"email": a.Email, "username": a.Username, "first_name": a.First, "last_name": a.Last, "password": password}
	if err := p.call(ctx, p.c.AppKey, http.MethodPatch, "/api/application/users/"+strconv.Itoa(a.ID), in, nil); err != nil {
		return nil, err
	}
	return &provisioning.Credentials{Username: a.Email, Password: password}, nil
}

// Reinstall implements provisioning.Reinstaller: Pterodactyl runs the
// egg's install script again; the panel login is untouched.
func (p *Panel) Reinstall(ctx context.Context, id string, _ provisioning.ReinstallRequest) (*provisioning.Reinstalled, error) {
	if err := p.call(ctx, p.c.AppKey, http.MethodPost, "/api/application/servers/"+url.PathEscape(id)+"/reinstall", nil, nil); err != nil {
		return nil, err
	}
	return &provisioning.Reinstalled{}, nil
}
