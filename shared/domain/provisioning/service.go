package provisioning

import (
	"context"
	"strconv"
	"time"

	"github.com/ezscale/platform/shared/domain/catalog"
	"github.com/ezscale/platform/shared/domain/outbox"
)

// Status is a service's life stage.
type Status string

// Service states.
const (
	StatusPending      Status = "pending"      // recorded, not yet at the panel
	StatusProvisioning Status = "provisioning" // the panel is building it
	StatusActive       Status = "active"
	StatusSuspended    Status = "suspended"
	StatusTerminated   Status = "terminated"
	StatusFailed       Status = "failed" // provisioning gave up; staff may retry
)

// Service is one thing a customer bought, as it exists at a panel.
type Service struct {
	ID          string              `json:"id"` // "svc_" + the order id: one per order
	OrderID     string              `json:"order_id"`
	CustomerID  string              `json:"customer_id"`
	PlanID      string              `json:"plan_id"`
	PlanName    string              `json:"plan_name"`
	ServiceType catalog.ServiceType `json:"service_type"`
	Panel       string              `json:"panel"`
	Ref         string              `json:"ref"`      // our name for it at the panel
	PanelID     string              `json:"panel_id"` // the panel's id, once known
	Hostname    string              `json:"hostname,omitempty"`
	Location    string              `json:"location,omitempty"`
	OS          string              `json:"os,omitempty"`
	Game        string              `json:"game,omitempty"`
	Domain      string              `json:"domain,omitempty"`
	Limits      Limits              `json:"limits"`
	IPs         []string            `json:"ips"`
	// Addresses are where to connect, host:port, where the port matters
	// (a game server's primary allocation).
	Addresses []string `json:"addresses,omitempty"`
	// IPHistory is every address it held, with when (see IPHold).
	IPHistory []IPHold `json:"ip_history,omitempty"`
	// Number is unique per service, for panels whose ids must be numbers
	// (SynergyCP's billing id); 0 for services made before it existed.
	Number int64 `json:"number,omitempty"`
	// Hardware is the panel's machine chosen for a dedicated server.
	Hardware string `json:"hardware,omitempty"`
	// Stage says what a service being set up waits for (StageHardware:
	// staff to choose a machine); StageToken is the workflow's token that
	// staff's answer completes.
	Stage      string `json:"stage,omitempty"`
	StageToken string `json:"-"`
	Status     Status `json:"status"`
	Note       string `json:"note,omitempty"` // why it failed
	// SuspendReason is what the customer was told when it was suspended
	// (dunning decides from it whether a payment may unsuspend it).
	SuspendReason string `json:"suspend_reason,omitempty"`
	// SuspendCode says what lifts the suspension: SuspendOverdue, paying
	// the renewal; empty, only staff.
	SuspendCode string `json:"suspend_code,omitempty"`
	// Credentials are sealed (envelope encryption, bound to the service
	// id); shown only after the customer re-authenticates.
	Credentials []byte `json:"-" dynamodbav:"sealed_credentials,omitempty"`
	// HasCredentials says whether there is something to reveal.
	HasCredentials bool `json:"has_credentials"`
	// Capabilities are what its panel can do beyond the core (filled in
	// for the API from the panel instance, never stored).
	Capabilities []Capability `json:"capabilities" dynamodbav:"-"`
	Polls        int          `json:"polls"` // build status reads so far
	Archived     bool         `json:"archived"`
	CreatedAt    time.Time    `json:"created_at"`
	UpdatedAt    time.Time    `json:"updated_at"`
	Version      int64        `json:"version"`
}

// SuspendOverdue is the code of a suspension for an unpaid renewal; only
// such a suspension is lifted when the renewal is paid (a staff suspension
// for anything else stays, as in WHMCS).
const SuspendOverdue = "overdue"

// StageHardware: waiting for staff to assign a machine.
const StageHardware = "awaiting_hardware"

// Refs are the references a panel may carry for s: our ref and, where
// the panel keeps only numbers, its number.
func (s *Service) Refs() []string {
	if s.Number > 0 {
		return []string{s.Ref, strconv.FormatInt(s.Number, 10)}
	}
	return []string{s.Ref}
}

// ServiceID is the service an order leads to.
func ServiceID(orderID string) string { return "svc_" + orderID }

// LogEntry is one call to a panel (or a decision about one).
type LogEntry struct {
	ServiceID string    `json:"service_id"`
	At        time.Time `json:"at"`
	Action    string    `json:"action"`   // create, status, suspend, …
	Request   string    `json:"request"`  // a summary, never secrets
	Response  string    `json:"response"` // a summary
	Status    string    `json:"status"`   // ok, error
	Error     string    `json:"error,omitempty"`
	Actor     string    `json:"actor"` // "system" or a staff id
	// Calls are the HTTP exchanges behind it ("GET /servers/7 → 200 in
	// 31 ms"), retries included.
	Calls []string `json:"calls,omitempty"`
}

// Store keeps services and their logs.
type Store interface {
	// CreateService writes s unless a service with its id exists; either
	// way it returns the stored one.
	CreateService(ctx context.Context, s *Service) (*Service, error)
	GetService(ctx context.Context, id string) (*Service, error)
	UpdateService(ctx context.Context, id string, fn func(*Service) error) (*Service, error)
	// UpdateServiceEmitting is UpdateService that also records the outbox
	// items fn returns, in the same write.
	UpdateServiceEmitting(ctx context.Context, id string, fn func(*Service) ([]outbox.Item, error)) (*Service, error)
	ListServices(ctx context.Context, customerID string) ([]Service, error)
	AppendLog(ctx context.Context, e LogEntry) error
	ListLog(ctx context.Context, serviceID string) ([]LogEntry, error)
	// NextNumber hands out the next service number (gaps are fine).
	NextNumber(ctx context.Context) (int64, error)
}
