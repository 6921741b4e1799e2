// Package provisioning is what turns a paid order into a running service
// and keeps it in step with the customer's account: the Service record,
// the Panel interface every control panel adapter implements (VirtFusion,
// Pterodactyl, SynergyCP, Enhance) with its optional capabilities, the
// routes that choose a panel instance per plan and location, and the log
// of every panel call.
package provisioning

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// State is a resource's state as a panel reports it, in our words.
type State string

// Resource states.
const (
	Building  State = "building"
	Running   State = "running"
	Stopped   State = "stopped"
	Suspended State = "suspended"
	Failed    State = "failed" // the panel says the build failed
)

// Limits are what a plan gives a service.
type Limits struct {
	CPUCores    int64 `json:"cpu_cores"` // CPU % for game servers is CPUCores × 100
	MemoryMB    int64 `json:"memory_mb"`
	DiskGB      int64 `json:"disk_gb"`
	BandwidthGB int64 `json:"bandwidth_gb"` // 0: unlimited
	Databases   int64 `json:"databases"`
	Backups     int64 `json:"backups"`
}

// CreateRequest asks a panel for one service. Ref is ours and unique: the
// adapter first looks the resource up by it and adopts what exists, so a
// retried create never makes a twin.
type CreateRequest struct {
	Ref      string // e.g. "ezs-svc_01…"; the panel's external id or name
	Plan     string // our plan id: panels map it to their package
	Owner    Owner
	Name     string
	Hostname string
	Location string
	OS       string // VPS and dedicated
	Game     string // game servers
	Domain   string // web hosting
	Limits   Limits
	// Number is ours too, for panels whose external ids must be numbers
	// (SynergyCP's billing id).
	Number int64
	// Hardware is the machine chosen for a dedicated server (its id at
	// the panel).
	Hardware string
}

// Owner is the customer as the panel should know them (created once, found
// again by our id).
type Owner struct {
	CustomerID string
	Email      string
	Name       string
}

// Resource is a service as the panel has it.
type Resource struct {
	ID    string // the panel's id
	Ref   string
	State State
	IPs   []string
	// Addresses are host:port where the port matters (game servers).
	Addresses []string
	Detail    string // e.g. the panel's own status word
}

// Credentials are how the customer logs in to what they bought. Password
// is empty when the panel keeps an account the customer already has (a
// second game server under the same panel login); Note says so.
type Credentials struct {
	Username string
	Password string
	Note     string
}

// Usage is live resource use.
type Usage struct {
	// Power is whether the machine or game server is running, as the
	// panel sees it now.
	Power          PowerState
	CPUPercent     float64
	MemoryBytes    int64
	DiskBytes      int64
	NetworkRxBytes int64
	NetworkTxBytes int64
	// Quotas are counted allowances where the panel has them (web
	// hosting: disk, transfer, websites, mailboxes).
	Quotas []Quota
}

// Quota is one allowance and its use; Limit 0 is unlimited.
type Quota struct {
	Name  string `json:"name"`
	Used  int64  `json:"used"`
	Limit int64  `json:"limit"`
	Unit  string `json:"unit"` // bytes or count
}

// PowerState is a service's power as its panel reports it.
type PowerState string

// Power states; panels' own words map onto these (PowerStateOf).
const (
	PowerRunning  PowerState = "running"
	PowerStopped  PowerState = "stopped"
	PowerStarting PowerState = "starting"
	PowerStopping PowerState = "stopping"
	PowerUnknown  PowerState = "unknown"
)

// PowerStateOf reads a panel's word for its power (libvirt's through
// VirtFusion: "running", "shut off", "paused"…; Pterodactyl's
// current_state: "running", "offline", "starting", "stopping").
func PowerStateOf(word string) PowerState {
	switch strings.ToLower(strings.TrimSpace(word)) {
	case "running", "on", "online":
		return PowerRunning
	case "offline", "stopped", "shut off", "shutoff", "shutdown", "off", "crashed":
		return PowerStopped
	case "starting", "booting":
		return PowerStarting
	case "stopping", "shutting down":
		return PowerStopping
	}
	return PowerUnknown
}

// Power actions customers may take.
type Power string

// Power actions.
const (
	Start   Power = "start"
	Stop    Power = "stop"
	Restart Power = "restart"
)

// Panel is what every control panel does: make (or adopt) a service,
// report it, suspend, unsuspend and terminate it. What only some panels do
// is an optional capability below; CapabilitiesOf says which a panel has,
// and the API and both apps offer only those.
type Panel interface {
	// Name is the panel instance's name ("vf-dallas"); services record it.
	Name() string
	// Create makes the service or adopts the one already made for req.Ref.
	Create(ctx context.Context, req CreateRequest) (*Resource, error)
	Status(ctx context.Context, id string) (*Resource, error)
	Suspend(ctx context.Context, id string) error
	Unsuspend(ctx context.Context, id string) error
	// Terminate deletes the service; one already gone is not an error.
	Terminate(ctx context.Context, id string) error
}

// Powerer starts, stops and restarts services (not web hosting).
type Powerer interface {
	Power(ctx context.Context, id string, a Power) error
}

// Resizer moves a service to plan's package or limits.
type Resizer interface {
	Resize(ctx context.Context, id, plan string, l Limits) error
}

// UsageReader reads live resource use.
type UsageReader interface {
	Usage(ctx context.Context, id string) (*Usage, error)
}

// LoginLinker links into the panel (single sign-on where it has one).
type LoginLinker interface {
	LoginURL(ctx context.Context, id string, o Owner) (string, error)
}

// CredentialIssuer issues login credentials for a new service: it sets a
// fresh password, so a repeat makes the earlier answer stale, and the
// engine keeps only the last answer it received.
type CredentialIssuer interface {
	Credentials(ctx context.Context, id string, o Owner) (*Credentials, error)
}

// Reinstaller wipes a service and installs it afresh: a machine's
// operating system, a game server's game. The resource reads Building
// until the panel has finished.
type Reinstaller interface {
	Reinstall(ctx context.Context, id string, r ReinstallRequest) (*Reinstalled, error)
}

// ReinstallRequest is what to install; Ref and Hostname are the
// service's, so the resource still carries our reference afterwards.
type ReinstallRequest struct {
	Ref      string
	Hostname string
	OS       string // VPS and dedicated; empty for game servers
}

// Reinstalled says what became of the login.
type Reinstalled struct {
	// NewLogin: the old login no longer works (a fresh root password);
	// a CredentialIssuer issues the new one once the install is done.
	NewLogin bool
}

// Hardware is a machine in a panel's inventory.
type Hardware struct {
	ID       string `json:"id"`
	Label    string `json:"label"` // what staff read on the rack
	CPU      string `json:"cpu"`
	Memory   string `json:"memory"`
	Disks    string `json:"disks"`
	Location string `json:"location"`
	Free     bool   `json:"free"`
	// Exact: its parts are exactly what the plan sells.
	Exact bool `json:"exact"`
	// Holder is the reference of the service holding it ("" when free).
	Holder string `json:"-"`
}

// HardwareAllocator is a panel whose services are physical machines from
// an inventory: provisioning takes a machine exactly like the plan's when
// one is free, and otherwise staff choose one.
type HardwareAllocator interface {
	// Candidates lists the free machines at req.Location: exact matches
	// for req.Plan first, then the rest staff may choose from.
	Candidates(ctx context.Context, req CreateRequest) ([]Hardware, error)
	// Machine reads one machine (ErrNotFound when there is none).
	Machine(ctx context.Context, id string) (*Hardware, error)
}

// Capability names an optional panel capability.
type Capability string

// Capabilities, as the API lists them.
const (
	CapPower       Capability = "power"
	CapResize      Capability = "resize"
	CapUsage       Capability = "usage"
	CapLogin       Capability = "login"
	CapCredentials Capability = "credentials"
	CapHardware    Capability = "hardware" // machines from an inventory (HardwareAllocator)
	CapReinstall   Capability = "reinstall"
)

// CapabilitiesOf lists what p can do beyond the core, in a fixed order.
func CapabilitiesOf(p Panel) []Capability {
	out := []Capability{}
	if _, ok := p.(Powerer); ok {
		out = append(out, CapPower)
	}
	if _, ok := p.(Resizer); ok {
		out = append(out, CapResize)
	}
	if _, ok := p.(UsageReader); ok {
		out = append(out, CapUsage)
	}
	if _, ok := p.(LoginLinker); ok {
		out = append(out, CapLogin)
	}
	if _, ok := p.(CredentialIssuer); ok {
		out = append(out, CapCredentials)
	}
	if _, ok := p.(HardwareAllocator); ok {
		out = append(out, CapHardware)
	}
	if _, ok := p.(Reinstaller); ok {
		out = append(out, CapReinstall)
	}
	return out
}

// Errors panel adapters return, so the workflow can decide: retry the
// transient ones (only for calls that are safe to repeat), fail on the
// rest with the panel's reason.
var (
	// ErrTransient: timeouts, 429, 5xx, connection failures.
	ErrTransient = errors.New("the panel is unavailable")
	// ErrRejected: the panel refused the request (validation, conflict).
	ErrRejected = errors.New("the panel refused the request")
	// ErrMalformed: the panel answered something we cannot read.
	ErrMalformed = errors.New("the panel answered malformed data")
	// ErrNotFound: no such resource at the panel.
	ErrNotFound = errors.New("no such resource at the panel")
)

// PanelError carries the kind (one of the errors above) and the panel's
// own words, for the provisioning log.
type PanelError struct {
	Kind       error
	Status     int    // HTTP status, when there was one
	Detail     string // the panel's message
	RetryAfter int    // seconds, for 429
}

func (e *PanelError) Error() string {
	if e.Status != 0 {
		return fmt.Sprintf("%s (HTTP %d): %s", e.Kind, e.Status, e.Detail)
	}
	return e.Kind.Error() + ": " + e.Detail
}

// Unwrap lets errors.Is match the kind.
func (e *PanelError) Unwrap() error { return e.Kind }
