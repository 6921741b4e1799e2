// Package notify is the one way the platform tells someone something:
// transactional e-mail to customers and Discord alerts to admins. A caller
// names a kind, a recipient, the data and an idempotency key; the message
// is rendered at once (so bad input fails at the call), stored, and queued;
// a worker delivers it at most once.
package notify

import (
	"slices"
	"sort"
	"sync"
)

// Channel is how a notification travels.
type Channel string

// Channels.
const (
	Email   Channel = "email"
	Discord Channel = "discord"
)

// Kind names a notification.
type Kind string

// E-mail kinds.
const (
	Welcome            Kind = "welcome"
	EmailVerification  Kind = "email_verification"
	PasswordReset      Kind = "password_reset"
	InvoiceIssued      Kind = "invoice_issued"
	PaymentReceived    Kind = "payment_received"
	PaymentFailed      Kind = "payment_failed"
	PaymentOverdue     Kind = "payment_overdue"
	InvoiceOverdue     Kind = "invoice_overdue"
	TerminationWarning Kind = "termination_warning"
	ServiceProvisioned Kind = "service_provisioned"
	ServiceSuspended   Kind = "service_suspended"
	ServiceTerminated  Kind = "service_terminated"
	ServiceUnsuspended Kind = "service_unsuspended"
	ServiceDelayed     Kind = "service_delayed"
	RenewalReminder    Kind = "renewal_reminder"
	CardExpiring       Kind = "card_expiring"
	Bandwidth75        Kind = "bandwidth_75"
	Bandwidth90        Kind = "bandwidth_90"
	Bandwidth100       Kind = "bandwidth_100"
	OverageCharged     Kind = "overage_charged"
	TicketReply        Kind = "ticket_reply"
	TicketStatus       Kind = "ticket_status_changed"
	TicketOpened       Kind = "ticket_opened"        // acknowledgement to the customer
	TicketStaffNotice  Kind = "ticket_staff_notice"  // to staff: a new ticket or a customer's reply
	TicketRejected     Kind = "ticket_mail_rejected" // to a sender whose mail was too large
)

// Admin alert kinds (Discord).
const (
	AlertNewSignup        Kind = "alert_new_signup"
	AlertNewOrder         Kind = "alert_new_order"
	AlertHighValueOrder   Kind = "alert_high_value_order"
	AlertPaymentFailed    Kind = "alert_payment_failed"
	AlertServiceSuspended Kind = "alert_service_suspended"
	AlertProvisioned      Kind = "alert_service_provisioned"
	AlertCancellation     Kind = "alert_cancellation"
	AlertSystemError      Kind = "alert_system_error"
	AlertSecurity         Kind = "alert_security"
	AlertTicketUrgent     Kind = "alert_ticket_urgent"
	AlertBandwidthQuota   Kind = "alert_bandwidth_quota"
	AlertOpsAlarm         Kind = "alert_ops_alarm" // a CloudWatch alarm of the deployment
)

// Severity colours an alert.
type Severity string

// Severities, mildest first.
const (
	Info     Severity = "info"
	Success  Severity = "success"
	Warning  Severity = "warning"
	Critical Severity = "critical"
)

// Spec describes a kind: its channel, the data it needs, sample data for
// previews, and (for e-mail) its default templates.
type Spec struct {
	Kind     Kind
	Channel  Channel
	Title    string // human name for the admin UI
	Required []string
	Sample   map[string]any
	// E-mail defaults.
	Subject, Text, HTML string
	// ReplyToSupport sets Reply-To to the support address (customers may answer).
	ReplyToSupport bool
	// Alert defaults: severity and title template; fields come from data.
	Severity Severity
}

// specs are the default templates, built on first use rather than at
// start: every Lambda cold start pays for package initialisation, and
// most functions send nothing.
var (
	specs     = map[Kind]Spec{}
	loadSpecs = sync.OnceFunc(func() {
		accountDefaults()
		alertsDefaults()
		billingDefaults()
		serviceDefaults()
		ticketsDefaults()
	})
)

func register(list ...Spec) {
	for _, s := range list {
		specs[s.Kind] = s
	}
}

// Lookup returns the spec of a kind.
func Lookup(k Kind) (Spec, bool) {
	loadSpecs()
	s, ok := specs[k]
	return s, ok
}

// Kinds lists every kind of the channel, sorted.
func Kinds(ch Channel) []Kind {
	loadSpecs()
	var out []Kind
	for k, s := range specs {
		if s.Channel == ch {
			out = append(out, k)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// missing returns the required keys absent from data.
func (s Spec) missing(data map[string]any) []string {
	var out []string
	for _, k := range s.Required {
		if _, ok := data[k]; !ok {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}
