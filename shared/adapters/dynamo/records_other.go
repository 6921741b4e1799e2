package dynamo

import (
	"encoding/json"
	"time"

	"github.com/ezscale/platform/shared/domain/accounts"
	"github.com/ezscale/platform/shared/domain/audit"
	"github.com/ezscale/platform/shared/domain/catalog"
	"github.com/ezscale/platform/shared/domain/notify"
	"github.com/ezscale/platform/shared/domain/outbox"
	"github.com/ezscale/platform/shared/domain/provisioning"
)

// serviceData is how a provisioning.Service is stored.
type serviceData struct {
	ID             string              `dynamodbav:"id" v1:"ID"`
	OrderID        string              `dynamodbav:"order_id" v1:"OrderID"`
	CustomerID     string              `dynamodbav:"customer_id" v1:"CustomerID"`
	PlanID         string              `dynamodbav:"plan_id" v1:"PlanID"`
	PlanName       string              `dynamodbav:"plan_name" v1:"PlanName"`
	ServiceType    catalog.ServiceType `dynamodbav:"service_type" v1:"ServiceType"`
	Panel          string              `dynamodbav:"panel" v1:"Panel"`
	Ref            string              `dynamodbav:"ref" v1:"Ref"`
	PanelID        string              `dynamodbav:"panel_id" v1:"PanelID"`
	Hostname       string              `dynamodbav:"hostname" v1:"Hostname"`
	Location       string              `dynamodbav:"location" v1:"Location"`
	OS             string              `dynamodbav:"os" v1:"OS"`
	Game           string              `dynamodbav:"game" v1:"Game"`
	Domain         string              `dynamodbav:"domain" v1:"Domain"`
	Limits         limitsData          `dynamodbav:"limits" v1:"Limits"`
	IPs            []string            `dynamodbav:"ips" v1:"IPs"`
	Addresses      []string            `dynamodbav:"addresses,omitempty"`
	IPHistory      []ipHoldData        `dynamodbav:"ip_history,omitempty"`
	Number         int64               `dynamodbav:"number,omitempty"`
	Hardware       string              `dynamodbav:"hardware,omitempty"`
	Stage          string              `dynamodbav:"stage,omitempty"`
	StageToken     string              `dynamodbav:"stage_token,omitempty"`
	Status         provisioning.Status `dynamodbav:"status" v1:"Status"`
	Note           string              `dynamodbav:"note" v1:"Note"`
	SuspendReason  string              `dynamodbav:"suspend_reason" v1:"SuspendReason"`
	SuspendCode    string              `dynamodbav:"suspend_code,omitempty"`
	Credentials    []byte              `dynamodbav:"sealed_credentials,omitempty"`
	HasCredentials bool                `dynamodbav:"has_credentials" v1:"HasCredentials"`
	Polls          int                 `dynamodbav:"polls" v1:"Polls"`
	Archived       bool                `dynamodbav:"archived" v1:"Archived"`
	CreatedAt      time.Time           `dynamodbav:"created_at" v1:"CreatedAt"`
	UpdatedAt      time.Time           `dynamodbav:"updated_at" v1:"UpdatedAt"`
}

func serviceDataOf(x provisioning.Service) serviceData {
	return serviceData{
		ID:             x.ID,
		OrderID:        x.OrderID,
		CustomerID:     x.CustomerID,
		PlanID:         x.PlanID,
		PlanName:       x.PlanName,
		ServiceType:    x.ServiceType,
		Panel:          x.Panel,
		Ref:            x.Ref,
		PanelID:        x.PanelID,
		Hostname:       x.Hostname,
		Location:       x.Location,
		OS:             x.OS,
		Game:           x.Game,
		Domain:         x.Domain,
		Limits:         limitsDataOf(x.Limits),
		IPs:            x.IPs,
		Addresses:      x.Addresses,
		IPHistory:      mapSlice(x.IPHistory, func(h provisioning.IPHold) ipHoldData { return ipHoldData(h) }),
		Number:         x.Number,
		Hardware:       x.Hardware,
		Stage:          x.Stage,
		StageToken:     x.StageToken,
		Status:         x.Status,
		Note:           x.Note,
		SuspendReason:  x.SuspendReason,
		SuspendCode:    x.SuspendCode,
		Credentials:    x.Credentials,
		HasCredentials: x.HasCredentials,
		Polls:          x.Polls,
		Archived:       x.Archived,
		CreatedAt:      x.CreatedAt,
		UpdatedAt:      x.UpdatedAt,
	}
}

func (d serviceData) value() provisioning.Service {
	return provisioning.Service{
		ID:             d.ID,
		OrderID:        d.OrderID,
		CustomerID:     d.CustomerID,
		PlanID:         d.PlanID,
		PlanName:       d.PlanName,
		ServiceType:    d.ServiceType,
		Panel:          d.Panel,
		Ref:            d.Ref,
		PanelID:        d.PanelID,
		Hostname:       d.Hostname,
		Location:       d.Location,
		OS:             d.OS,
		Game:           d.Game,
		Domain:         d.Domain,
		Limits:         d.Limits.value(),
		IPs:            d.IPs,
		Addresses:      d.Addresses,
		IPHistory:      mapSlice(d.IPHistory, func(h ipHoldData) provisioning.IPHold { return provisioning.IPHold(h) }),
		Number:         d.Number,
		Hardware:       d.Hardware,
		Stage:          d.Stage,
		StageToken:     d.StageToken,
		Status:         d.Status,
		Note:           d.Note,
		SuspendReason:  d.SuspendReason,
		SuspendCode:    d.SuspendCode,
		Credentials:    d.Credentials,
		HasCredentials: d.HasCredentials,
		Polls:          d.Polls,
		Archived:       d.Archived,
		CreatedAt:      d.CreatedAt,
		UpdatedAt:      d.UpdatedAt,
	}
}

// ipHoldData is how a provisioning.IPHold is stored.
type ipHoldData struct {
	IP   string     `dynamodbav:"ip"`
	From time.Time  `dynamodbav:"from"`
	To   *time.Time `dynamodbav:"to,omitempty"`
}

// limitsData is how a provisioning.Limits is stored.
type limitsData struct {
	CPUCores    int64 `dynamodbav:"cpu_cores" v1:"CPUCores"`
	MemoryMB    int64 `dynamodbav:"memory_mb" v1:"MemoryMB"`
	DiskGB      int64 `dynamodbav:"disk_gb" v1:"DiskGB"`
	BandwidthGB int64 `dynamodbav:"bandwidth_gb" v1:"BandwidthGB"`
	Databases   int64 `dynamodbav:"databases" v1:"Databases"`
	Backups     int64 `dynamodbav:"backups" v1:"Backups"`
}

func limitsDataOf(x provisioning.Limits) limitsData {
	return limitsData{
		CPUCores:    x.CPUCores,
		MemoryMB:    x.MemoryMB,
		DiskGB:      x.DiskGB,
		BandwidthGB: x.BandwidthGB,
		Databases:   x.Databases,
		Backups:     x.Backups,
	}
}

func (d limitsData) value() provisioning.Limits {
	return provisioning.Limits{
		CPUCores:    d.CPUCores,
		MemoryMB:    d.MemoryMB,
		DiskGB:      d.DiskGB,
		BandwidthGB: d.BandwidthGB,
		Databases:   d.Databases,
		Backups:     d.Backups,
	}
}

// logEntryData is how a provisioning.LogEntry is stored.
type logEntryData struct {
	ServiceID string    `dynamodbav:"service_id" v1:"ServiceID"`
	At        time.Time `dynamodbav:"at" v1:"At"`
	Action    string    `dynamodbav:"action" v1:"Action"`
	Request   string    `dynamodbav:"request" v1:"Request"`
	Response  string    `dynamodbav:"response" v1:"Response"`
	Status    string    `dynamodbav:"status" v1:"Status"`
	Error     string    `dynamodbav:"error" v1:"Error"`
	Actor     string    `dynamodbav:"actor" v1:"Actor"`
	Calls     []string  `dynamodbav:"calls,omitempty"`
}

func logEntryDataOf(x provisioning.LogEntry) logEntryData {
	return logEntryData{
		ServiceID: x.ServiceID,
		At:        x.At,
		Action:    x.Action,
		Request:   x.Request,
		Response:  x.Response,
		Status:    x.Status,
		Error:     x.Error,
		Actor:     x.Actor,
		Calls:     x.Calls,
	}
}

func (d logEntryData) value() provisioning.LogEntry {
	return provisioning.LogEntry{
		ServiceID: d.ServiceID,
		At:        d.At,
		Action:    d.Action,
		Request:   d.Request,
		Response:  d.Response,
		Status:    d.Status,
		Error:     d.Error,
		Actor:     d.Actor,
		Calls:     d.Calls,
	}
}

// auditData is how an audit.Entry is stored.
type auditData struct {
	ID         string    `dynamodbav:"id" v1:"ID"`
	At         time.Time `dynamodbav:"at" v1:"At"`
	ActorID    string    `dynamodbav:"actor_id" v1:"ActorID"`
	ActorEmail string    `dynamodbav:"actor_email" v1:"ActorEmail"`
	Action     string    `dynamodbav:"action" v1:"Action"`
	Outcome    string    `dynamodbav:"outcome" v1:"Outcome"`
	TargetType string    `dynamodbav:"target_type" v1:"TargetType"`
	TargetID   string    `dynamodbav:"target_id" v1:"TargetID"`
	IP         string    `dynamodbav:"ip" v1:"IP"`
	UserAgent  string    `dynamodbav:"user_agent" v1:"UserAgent"`
	Before     string    `dynamodbav:"before" v1:"Before"`
	After      string    `dynamodbav:"after" v1:"After"`
	Detail     string    `dynamodbav:"detail" v1:"Detail"`
}

func auditDataOf(x audit.Entry) auditData {
	return auditData{
		ID:         x.ID,
		At:         x.At,
		ActorID:    x.ActorID,
		ActorEmail: x.ActorEmail,
		Action:     x.Action,
		Outcome:    x.Outcome,
		TargetType: x.TargetType,
		TargetID:   x.TargetID,
		IP:         x.IP,
		UserAgent:  x.UserAgent,
		Before:     x.Before,
		After:      x.After,
		Detail:     x.Detail,
	}
}

func (d auditData) value() audit.Entry {
	return audit.Entry{
		ID:         d.ID,
		At:         d.At,
		ActorID:    d.ActorID,
		ActorEmail: d.ActorEmail,
		Action:     d.Action,
		Outcome:    d.Outcome,
		TargetType: d.TargetType,
		TargetID:   d.TargetID,
		IP:         d.IP,
		UserAgent:  d.UserAgent,
		Before:     d.Before,
		After:      d.After,
		Detail:     d.Detail,
	}
}

// outboxData is how an outbox.Item is stored.
type outboxData struct {
	ID          string          `dynamodbav:"id" v1:"ID"`
	Kind        string          `dynamodbav:"kind" v1:"Kind"`
	Subject     string          `dynamodbav:"subject" v1:"Subject"`
	Payload     json.RawMessage `dynamodbav:"payload" v1:"Payload"`
	CreatedAt   time.Time       `dynamodbav:"created_at" v1:"CreatedAt"`
	Attempts    int64           `dynamodbav:"attempts" v1:"Attempts"`
	LastError   string          `dynamodbav:"last_error" v1:"LastError"`
	PublishedAt *time.Time      `dynamodbav:"published_at" v1:"PublishedAt"`
	NotBefore   *time.Time      `dynamodbav:"not_before" v1:"NotBefore"`
	Trace       string          `dynamodbav:"trace,omitempty"`
}

func outboxDataOf(x outbox.Item) outboxData {
	return outboxData{
		ID:          x.ID,
		Kind:        x.Kind,
		Subject:     x.Subject,
		Payload:     x.Payload,
		CreatedAt:   x.CreatedAt,
		Attempts:    x.Attempts,
		LastError:   x.LastError,
		PublishedAt: x.PublishedAt,
		NotBefore:   x.NotBefore,
		Trace:       x.Trace,
	}
}

func (d outboxData) value() outbox.Item {
	return outbox.Item{
		ID:          d.ID,
		Kind:        d.Kind,
		Subject:     d.Subject,
		Payload:     d.Payload,
		CreatedAt:   d.CreatedAt,
		Attempts:    d.Attempts,
		LastError:   d.LastError,
		PublishedAt: d.PublishedAt,
		NotBefore:   d.NotBefore,
		Trace:       d.Trace,
	}
}

// profileData is how an accounts.Profile is stored.
type profileData struct {
	Name    string      `dynamodbav:"name" v1:"Name"`
	Company string      `dynamodbav:"company" v1:"Company"`
	Phone   string      `dynamodbav:"phone" v1:"Phone"`
	Country string      `dynamodbav:"country" v1:"Country"`
	VATID   string      `dynamodbav:"vat_id" v1:"VATID"`
	Address addressData `dynamodbav:"address" v1:"Address"`
}

func profileDataOf(x accounts.Profile) profileData {
	return profileData{
		Name:    x.Name,
		Company: x.Company,
		Phone:   x.Phone,
		Country: x.Country,
		VATID:   x.VATID,
		Address: addressDataOf(x.Address),
	}
}

func (d profileData) value() accounts.Profile {
	return accounts.Profile{
		Name:    d.Name,
		Company: d.Company,
		Phone:   d.Phone,
		Country: d.Country,
		VATID:   d.VATID,
		Address: d.Address.value(),
	}
}

// addressData is how an accounts.Address is stored.
type addressData struct {
	Line1      string `dynamodbav:"line1" v1:"Line1"`
	Line2      string `dynamodbav:"line2" v1:"Line2"`
	City       string `dynamodbav:"city" v1:"City"`
	Region     string `dynamodbav:"region" v1:"Region"`
	PostalCode string `dynamodbav:"postal_code" v1:"PostalCode"`
	Country    string `dynamodbav:"country" v1:"Country"`
}

func addressDataOf(x accounts.Address) addressData {
	return addressData{
		Line1:      x.Line1,
		Line2:      x.Line2,
		City:       x.City,
		Region:     x.Region,
		PostalCode: x.PostalCode,
		Country:    x.Country,
	}
}

func (d addressData) value() accounts.Address {
	return accounts.Address{
		Line1:      d.Line1,
		Line2:      d.Line2,
		City:       d.City,
		Region:     d.Region,
		PostalCode: d.PostalCode,
		Country:    d.Country,
	}
}

// totpData is how an accounts.TOTP is stored.
type totpData struct {
	Enabled        bool     `dynamodbav:"enabled" v1:"Enabled"`
	Secret         []byte   `dynamodbav:"secret" v1:"Secret"`
	LastStep       int64    `dynamodbav:"last_step" v1:"LastStep"`
	RecoveryHashes []string `dynamodbav:"recovery_hashes" v1:"RecoveryHashes"`
}

func totpDataOf(x accounts.TOTP) totpData {
	return totpData{
		Enabled:        x.Enabled,
		Secret:         x.Secret,
		LastStep:       x.LastStep,
		RecoveryHashes: x.RecoveryHashes,
	}
}

func (d totpData) value() accounts.TOTP {
	return accounts.TOTP{
		Enabled:        d.Enabled,
		Secret:         d.Secret,
		LastStep:       d.LastStep,
		RecoveryHashes: d.RecoveryHashes,
	}
}

// featuresData is how a catalog.Features is stored.
type featuresData struct {
	CPUCores      int64             `dynamodbav:"cpu_cores" v1:"CPUCores"`
	RAMMB         int64             `dynamodbav:"ram_mb" v1:"RAMMB"`
	DiskGB        int64             `dynamodbav:"disk_gb" v1:"DiskGB"`
	DiskType      string            `dynamodbav:"disk_type" v1:"DiskType"`
	BandwidthGB   int64             `dynamodbav:"bandwidth_gb" v1:"BandwidthGB"`
	PortSpeedMbps int64             `dynamodbav:"port_speed_mbps" v1:"PortSpeedMbps"`
	Locations     []string          `dynamodbav:"locations" v1:"Locations"`
	Extras        map[string]string `dynamodbav:"extras" v1:"Extras"`
}

func featuresDataOf(x catalog.Features) featuresData {
	return featuresData{
		CPUCores:      x.CPUCores,
		RAMMB:         x.RAMMB,
		DiskGB:        x.DiskGB,
		DiskType:      x.DiskType,
		BandwidthGB:   x.BandwidthGB,
		PortSpeedMbps: x.PortSpeedMbps,
		Locations:     x.Locations,
		Extras:        x.Extras,
	}
}

func (d featuresData) value() catalog.Features {
	return catalog.Features{
		CPUCores:      d.CPUCores,
		RAMMB:         d.RAMMB,
		DiskGB:        d.DiskGB,
		DiskType:      d.DiskType,
		BandwidthGB:   d.BandwidthGB,
		PortSpeedMbps: d.PortSpeedMbps,
		Locations:     d.Locations,
		Extras:        d.Extras,
	}
}

// meteringData is how a catalog.Metering is stored.
type meteringData struct {
	Basis      string           `dynamodbav:"basis,omitempty"`
	Direction  string           `dynamodbav:"direction,omitempty"`
	CommitMbps int64            `dynamodbav:"commit_mbps,omitempty"`
	Overage    map[string]int64 `dynamodbav:"overage,omitempty"`
}

// threadData is how a notify.Thread is stored.
type threadData struct {
	MessageID  string   `dynamodbav:"message_id"`
	InReplyTo  string   `dynamodbav:"in_reply_to,omitempty"`
	References []string `dynamodbav:"references,omitempty"`
	ReplyTo    string   `dynamodbav:"reply_to,omitempty"`
	Human      bool     `dynamodbav:"human,omitempty"`
	AutoReply  bool     `dynamodbav:"auto_reply,omitempty"`
}

func threadDataOf(x notify.Thread) threadData { return threadData(x) }

func (d threadData) value() notify.Thread { return notify.Thread(d) }

// alertData is how a notify.Alert is stored.
type alertData struct {
	Title       string           `dynamodbav:"title" v1:"Title"`
	Description string           `dynamodbav:"description" v1:"Description"`
	Severity    notify.Severity  `dynamodbav:"severity" v1:"Severity"`
	Fields      []alertFieldData `dynamodbav:"fields" v1:"Fields"`
	URL         string           `dynamodbav:"url" v1:"URL"`
}

func alertDataOf(x notify.Alert) alertData {
	return alertData{
		Title:       x.Title,
		Description: x.Description,
		Severity:    x.Severity,
		Fields:      mapSlice(x.Fields, alertFieldDataOf),
		URL:         x.URL,
	}
}

func (d alertData) value() notify.Alert {
	return notify.Alert{
		Title:       d.Title,
		Description: d.Description,
		Severity:    d.Severity,
		Fields:      mapSlice(d.Fields, (alertFieldData).value),
		URL:         d.URL,
	}
}

// alertFieldData is how a notify.Field is stored.
type alertFieldData struct {
	Name   string `dynamodbav:"name" v1:"Name"`
	Value  string `dynamodbav:"value" v1:"Value"`
	Inline bool   `dynamodbav:"inline" v1:"Inline"`
}

func alertFieldDataOf(x notify.Field) alertFieldData {
	return alertFieldData{Name: x.Name, Value: x.Value, Inline: x.Inline}
}

func (d alertFieldData) value() notify.Field {
	return notify.Field{Name: d.Name, Value: d.Value, Inline: d.Inline}
}

// mapSlice converts each element; nil stays nil (stored as absent or NULL
// exactly as before).
func mapSlice[A, B any](in []A, f func(A) B) []B {
	if in == nil {
		return nil
	}
	out := make([]B, len(in))
	for i, a := range in {
		out[i] = f(a)
	}
	return out
}

// mapPtr converts a pointed-to value; nil stays nil.
func mapPtr[A, B any](in *A, f func(A) B) *B {
	if in == nil {
		return nil
	}
	out := f(*in)
	return &out
}
