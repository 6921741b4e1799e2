// Package config loads the platform's typed configuration from the
// environment once at start. Load fails with a message naming every missing
// or invalid variable, so a misconfigured function refuses to start instead
// of failing on its first request.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/mail"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"
)

// Config is every setting a function or the local stack reads. The README's
// configuration table lists the same variables; keep them in step.
type Config struct {
	Stage      string     `env:"STAGE" envDefault:"local"`
	TableName  string     `env:"TABLE_NAME" envDefault:"ezscale"`
	LogLevel   slog.Level `env:"LOG_LEVEL" envDefault:"info"`
	WebOrigins []string   `env:"WEB_ORIGINS" envSeparator:","`
	// MaxBodyBytes caps every request body; larger bodies get 413.
	MaxBodyBytes int64 `env:"MAX_BODY_BYTES" envDefault:"1048576"`
	// Cloudflare Access in front of the admin API: team domain
	// (ezscale.cloudflareaccess.com) and the application's audience tag.
	CFAccessTeamDomain string `env:"CF_ACCESS_TEAM_DOMAIN"`
	CFAccessAudience   string `env:"CF_ACCESS_AUD"`
	// WebAuthn relying party: its ID defaults to SITE_URL's host name; the
	// web apps' origins (SITE_URL, ACCOUNT_URL, ADMIN_URL) are allowed plus
	// WEBAUTHN_ORIGINS.
	WebAuthnRPID    string   `env:"WEBAUTHN_RP_ID"`
	WebAuthnOrigins []string `env:"WEBAUTHN_ORIGINS" envSeparator:","`
	// ViewerPlaceHeaders trusts CloudFront's viewer location headers
	// (CloudFront-Viewer-City, -Country) to show where a session signed in.
	// Set it only when the API is reachable solely through CloudFront: a
	// client calling it directly could claim any place.
	ViewerPlaceHeaders bool `env:"VIEWER_PLACE_HEADERS" envDefault:"false"`
	// CookieSecure marks session cookies Secure; turn off only for plain-http tests.
	CookieSecure bool `env:"COOKIE_SECURE" envDefault:"true"`
	// Argon2id cost for new password hashes (existing ones are upgraded at
	// the next login when these rise).
	Argon2MemoryKiB uint32 `env:"ARGON2_MEMORY_KIB" envDefault:"65536"`
	Argon2Time      uint32 `env:"ARGON2_TIME" envDefault:"3"`
	// KMSKeyID selects KMS envelope encryption; without it LocalKeyFile is used.
	KMSKeyID     string `env:"KMS_KEY_ID"`
	LocalKeyFile string `env:"LOCAL_KEY_FILE"`
	// LowStockThreshold is the stock level at and below which plans show "low".
	LowStockThreshold int64 `env:"LOW_STOCK_THRESHOLD" envDefault:"3"`

	// Brand and links used in e-mails.
	CompanyName  string `env:"COMPANY_NAME" envDefault:"EZSCALE"`
	SiteURL      string `env:"SITE_URL" envDefault:"http://127.0.0.1:8080"`
	AccountURL   string `env:"ACCOUNT_URL" envDefault:"http://127.0.0.1:8080/account"`
	AdminURL     string `env:"ADMIN_URL" envDefault:"http://127.0.0.1:8080/admin"`
	SupportEmail string `env:"SUPPORT_EMAIL" envDefault:"support@ezscale.localhost"`

	// Invoices: numbers look like INVOICE_PREFIX-2026-000123; the seller's
	// address lines (separated by ";") and VAT id print on every invoice.
	InvoicePrefix  string   `env:"INVOICE_PREFIX" envDefault:"EZS"`
	CompanyAddress []string `env:"COMPANY_ADDRESS" envSeparator:";" envDefault:"EZSCALE Hosting;1 Server Street;Dallas, TX 75201, US"`
	CompanyVATID   string   `env:"COMPANY_VAT_ID"`
	// CompanyCountry decides EU reverse charge on invoices.
	CompanyCountry string `env:"COMPANY_COUNTRY" envDefault:"US"`

	// Stripe: the secret API key (sk_… or a restricted rk_…), the webhook
	// endpoint's signing secret (whsec_…), and, for the local simulator
	// and stripe-mock only, another API base URL. Without keys checkout
	// answers 503. CHECKOUT_TTL is how long an unpaid checkout holds stock.
	StripeSecretKey     string        `env:"STRIPE_SECRET_KEY"`
	StripeWebhookSecret string        `env:"STRIPE_WEBHOOK_SECRET"`
	StripeAPIURL        string        `env:"STRIPE_API_URL"`
	CheckoutTTL         time.Duration `env:"CHECKOUT_TTL" envDefault:"1h"`
	// PayPal (optional, offered beside Stripe when set): the REST app's
	// client id and secret, the id PayPal gave the webhook pointing at
	// /v1/webhooks/paypal, how deliveries are verified (postback asks
	// PayPal; offline checks the signature against PayPal's certificate),
	// and the API base (live by default; the sandbox, or the simulator
	// outside prod).
	PayPalClientID  string `env:"PAYPAL_CLIENT_ID"`
	PayPalSecret    string `env:"PAYPAL_SECRET"`
	PayPalWebhookID string `env:"PAYPAL_WEBHOOK_ID"`
	PayPalVerify    string `env:"PAYPAL_VERIFY" envDefault:"postback"`
	PayPalAPIURL    string `env:"PAYPAL_API_URL" envDefault:"https://api-m.paypal.com"`
	// SubscriptionEndGrace is how long a service whose subscription was
	// ended at the gateway (not by the customer here) stays suspended
	// before it is terminated: time for staff to undo a mistake.
	SubscriptionEndGrace time.Duration `env:"SUBSCRIPTION_END_GRACE" envDefault:"168h"`

	// PROVISIONING_STATE_MACHINE_ARN is the provisioning workflow that
	// paid orders start (AWS; the local stack runs it in process).
	ProvisioningStateMachine string `env:"PROVISIONING_STATE_MACHINE_ARN"`
	// DUNNING_STATE_MACHINE_ARN is the dunning workflow failed renewals
	// start (AWS; the local stack runs it in process). Empty: none starts.
	DunningStateMachine string `env:"DUNNING_STATE_MACHINE_ARN"`
	// PANELS configures the control panels (JSON with secrets; see
	// docs/provisioning.md). Empty: no panel is called from this function.
	Panels string `env:"PANELS"`
	// PANEL_ROUTES says which panel instance serves which plans and
	// locations (JSON, no secrets; docs/provisioning.md). Every function
	// gets it, so the public catalog knows what can be delivered.
	PanelRoutes string `env:"PANEL_ROUTES"`

	// Mail: MAIL_TRANSPORT is smtp, ses, or outbox (a local folder; make dev).
	MailTransport    string `env:"MAIL_TRANSPORT" envDefault:"outbox"`
	MailFrom         string `env:"MAIL_FROM" envDefault:"EZSCALE <no-reply@ezscale.localhost>"`
	SMTPHost         string `env:"SMTP_HOST"`
	SMTPPort         int    `env:"SMTP_PORT" envDefault:"587"`
	SMTPSecurity     string `env:"SMTP_SECURITY" envDefault:"starttls"`
	SMTPUsername     string `env:"SMTP_USERNAME"`
	SMTPPassword     string `env:"SMTP_PASSWORD"`
	SESConfiguration string `env:"SES_CONFIGURATION_SET"`

	// Support mail in: the IMAP account the mail-poll function imports
	// (imaps://host, imap://host for STARTTLS; imap+plain://host:port only
	// locally). Without IMAP_URL no mail is imported.
	IMAPURL       string   `env:"IMAP_URL"`
	IMAPUsername  string   `env:"IMAP_USERNAME"`
	IMAPPassword  string   `env:"IMAP_PASSWORD"`
	IMAPMailboxes []string `env:"IMAP_MAILBOXES" envSeparator:"," envDefault:"INBOX"`
	// Bandwidth metering reads ElastiFlow's flow records from
	// Elasticsearch; without ELASTICSEARCH_URL nothing is metered.
	// ELASTIFLOW_EXPORTERS are the observation points whose records count
	// (each customer path crosses exactly one), so no flow counts twice.
	ElasticsearchURL      string   `env:"ELASTICSEARCH_URL"`
	ElasticsearchUsername string   `env:"ELASTICSEARCH_USERNAME"`
	ElasticsearchPassword string   `env:"ELASTICSEARCH_PASSWORD"`
	ElastiflowIndex       string   `env:"ELASTIFLOW_INDEX" envDefault:"elastiflow-flow-codex-*"`
	ElastiflowExporters   []string `env:"ELASTIFLOW_EXPORTERS" envSeparator:","`
	// BandwidthThresholds are the percentages of a cycle's allowance at
	// which customers are warned (admins too from 100).
	BandwidthThresholds []int `env:"BANDWIDTH_THRESHOLDS" envSeparator:"," envDefault:"75,90,100"`
	// MailMaxBytes bounds an inbound support message; larger ones are
	// refused with a note to the sender.
	MailMaxBytes int `env:"MAIL_MAX_BYTES" envDefault:"10485760"`

	// Delivery attempts per notification (keep equal to the queue's
	// maxReceiveCount) and the first retry delay, doubled each attempt.
	NotifyMaxAttempts int           `env:"NOTIFY_MAX_ATTEMPTS" envDefault:"5"`
	NotifyRetryBase   time.Duration `env:"NOTIFY_RETRY_BASE" envDefault:"10s"`

	// NotifyQueueURL is the SQS queue of notifications (AWS).
	NotifyQueueURL string `env:"NOTIFY_QUEUE_URL"`
	// BlobBucket holds attachments and documents (AWS).
	BlobBucket string `env:"BLOB_BUCKET"`

	// Discord: DISCORD_WEBHOOK_URL receives every alert unless
	// DISCORD_WEBHOOKS routes a kind elsewhere ("alert_security=https://…,…").
	DiscordWebhookURL string            `env:"DISCORD_WEBHOOK_URL"`
	DiscordWebhooks   map[string]string `env:"DISCORD_WEBHOOKS" envKeyValSeparator:"="`
	// HighValueOrder maps currency to the order amount (minor units) at and
	// above which the high-value alert fires instead of the new-order one.
	HighValueOrder map[string]int64 `env:"HIGH_VALUE_ORDER_THRESHOLDS" envKeyValSeparator:"=" envDefault:"USD=50000,EUR=46000,GBP=40000"`
}

var invoicePrefixRE = regexp.MustCompile(`^[A-Z0-9]{1,10}$`)

// Stages the platform knows.
var stages = []string{"local", "test", "staging", "prod"}

// Load reads the configuration from environ (os.Environ() in production)
// and validates it.
func Load(environ map[string]string) (Config, error) {
	var c Config
	if err := env.ParseWithOptions(&c, env.Options{Environment: environ}); err != nil {
		return Config{}, fmt.Errorf("configuration: %w", nameVariables(err))
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// FromOS converts os.Environ()-style pairs into the map Load takes.
func FromOS(pairs []string) map[string]string {
	m := make(map[string]string, len(pairs))
	for _, p := range pairs {
		k, v, _ := strings.Cut(p, "=")
		m[k] = v
	}
	return m
}

// Validate checks cross-field rules; each problem names its variable.
func (c Config) Validate() error {
	var errs []error
	bad := func(name, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", name, fmt.Sprintf(format, args...)))
	}
	if !contains(stages, c.Stage) {
		bad("STAGE", "must be one of %s, got %q", strings.Join(stages, ", "), c.Stage)
	}
	if c.TableName == "" {
		bad("TABLE_NAME", "must not be empty")
	}
	if c.MaxBodyBytes < 1024 || c.MaxBodyBytes > 10<<20 {
		bad("MAX_BODY_BYTES", "must be between 1024 and 10485760, got %d", c.MaxBodyBytes)
	}
	if len(c.CompanyCountry) != 2 || strings.ToUpper(c.CompanyCountry) != c.CompanyCountry {
		bad("COMPANY_COUNTRY", "must be an ISO 3166 two-letter code like DE")
	}
	if !invoicePrefixRE.MatchString(c.InvoicePrefix) {
		bad("INVOICE_PREFIX", "must be 1-10 upper-case letters or digits")
	}
	if c.Argon2MemoryKiB < 1024 || c.Argon2MemoryKiB > 1<<20 {
		bad("ARGON2_MEMORY_KIB", "must be between 1024 and 1048576")
	}
	if c.Argon2Time < 1 || c.Argon2Time > 20 {
		bad("ARGON2_TIME", "must be between 1 and 20")
	}
	if (c.CFAccessTeamDomain == "") != (c.CFAccessAudience == "") {
		bad("CF_ACCESS_AUD", "CF_ACCESS_TEAM_DOMAIN and CF_ACCESS_AUD go together")
	}
	if !c.CookieSecure && (c.Stage == "prod" || c.Stage == "staging") {
		bad("COOKIE_SECURE", "must be true when STAGE is %s", c.Stage)
	}
	if c.LowStockThreshold < 0 {
		bad("LOW_STOCK_THRESHOLD", "must not be negative")
	}
	for _, o := range c.WebOrigins {
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Path != "" {
			bad("WEB_ORIGINS", "%q is not an origin like https://example.com", o)
		}
	}
	if c.Stage == "prod" || c.Stage == "staging" {
		if c.KMSKeyID == "" {
			bad("KMS_KEY_ID", "is required when STAGE is %s", c.Stage)
		}
	} else if c.KMSKeyID == "" && c.LocalKeyFile == "" {
		bad("LOCAL_KEY_FILE", "is required when KMS_KEY_ID is not set")
	}
	errs = append(errs, c.validateNotify()...)
	errs = append(errs, c.validateStripe()...)
	errs = append(errs, c.validatePayPal()...)
	if len(errs) > 0 {
		return fmt.Errorf("configuration: %w", errors.Join(errs...))
	}
	return nil
}

func (c Config) validateNotify() []error {
	var errs []error
	bad := func(name, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", name, fmt.Sprintf(format, args...)))
	}
	deployed := c.Stage == "prod" || c.Stage == "staging"
	switch c.MailTransport {
	case "smtp":
		if c.SMTPHost == "" {
			bad("SMTP_HOST", "is required when MAIL_TRANSPORT is smtp")
		}
		if !contains([]string{"tls", "starttls", "none"}, c.SMTPSecurity) {
			bad("SMTP_SECURITY", "must be tls, starttls or none, got %q", c.SMTPSecurity)
		}
		if c.SMTPSecurity == "none" && deployed {
			bad("SMTP_SECURITY", "none is not allowed when STAGE is %s", c.Stage)
		}
		if c.SMTPPort < 1 || c.SMTPPort > 65535 {
			bad("SMTP_PORT", "must be a TCP port")
		}
	case "ses":
	case "outbox":
		if deployed {
			bad("MAIL_TRANSPORT", "outbox is for local development; use smtp or ses when STAGE is %s", c.Stage)
		}
	default:
		bad("MAIL_TRANSPORT", "must be smtp, ses or outbox, got %q", c.MailTransport)
	}
	if c.IMAPURL != "" {
		if !strings.HasPrefix(c.IMAPURL, "imaps://") && !strings.HasPrefix(c.IMAPURL, "imap://") && !strings.HasPrefix(c.IMAPURL, "imap+plain://") {
			bad("IMAP_URL", "must be imaps://host[:port], imap://host[:port] (STARTTLS) or imap+plain://host:port")
		}
		if strings.HasPrefix(c.IMAPURL, "imap+plain://") && deployed {
			bad("IMAP_URL", "imap+plain is for local development; use imaps or imap (STARTTLS) when STAGE is %s", c.Stage)
		}
		if c.IMAPUsername == "" || c.IMAPPassword == "" {
			bad("IMAP_USERNAME", "IMAP_USERNAME and IMAP_PASSWORD are required with IMAP_URL")
		}
	}
	if c.ElasticsearchURL != "" {
		if u, err := url.Parse(c.ElasticsearchURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			bad("ELASTICSEARCH_URL", "must be an http(s) URL like https://es.example.com:9200")
		}
		if len(c.ElastiflowExporters) == 0 {
			bad("ELASTIFLOW_EXPORTERS", "name the exporters (routers) whose flow records count, so no flow is counted twice")
		}
		for _, e := range c.ElastiflowExporters {
			if net.ParseIP(strings.TrimSpace(e)) == nil {
				bad("ELASTIFLOW_EXPORTERS", "%q is not an IP address", e)
			}
		}
	}
	for _, t := range c.BandwidthThresholds {
		if t < 1 || t > 1000 {
			bad("BANDWIDTH_THRESHOLDS", "each threshold is a percentage from 1 to 1000, got %d", t)
		}
	}
	if c.MailMaxBytes < 1<<20 || c.MailMaxBytes > 40<<20 {
		bad("MAIL_MAX_BYTES", "must be between 1 MB and 40 MB, got %d", c.MailMaxBytes)
	}
	if a, err := mail.ParseAddress(c.MailFrom); err != nil || !strings.Contains(a.Address, ".") {
		bad("MAIL_FROM", "must be an address like \"EZSCALE <no-reply@example.com>\"")
	}
	if a, err := mail.ParseAddress(c.SupportEmail); err != nil || a.Name != "" {
		bad("SUPPORT_EMAIL", "must be a bare address like support@example.com")
	}
	for name, u := range map[string]string{"SITE_URL": c.SiteURL, "ACCOUNT_URL": c.AccountURL, "ADMIN_URL": c.AdminURL} {
		if p, err := url.Parse(u); err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" {
			bad(name, "must be an http(s) URL")
		}
	}
	if c.NotifyMaxAttempts < 1 || c.NotifyMaxAttempts > 20 {
		bad("NOTIFY_MAX_ATTEMPTS", "must be between 1 and 20")
	}
	if c.NotifyRetryBase <= 0 || c.NotifyRetryBase > time.Hour {
		bad("NOTIFY_RETRY_BASE", "must be a duration between 1ns and 1h, e.g. 10s")
	}
	if u, err := url.Parse(c.SiteURL); err == nil && deployed && c.WebAuthnRPID == "" && net.ParseIP(u.Hostname()) != nil {
		bad("SITE_URL", "must use a host name, not an IP address, when STAGE is %s (passkeys need one)", c.Stage)
	}
	if deployed && c.NotifyQueueURL == "" {
		bad("NOTIFY_QUEUE_URL", "is required when STAGE is %s", c.Stage)
	}
	if deployed && c.BlobBucket == "" {
		bad("BLOB_BUCKET", "is required when STAGE is %s", c.Stage)
	}
	hooks := map[string]string{"DISCORD_WEBHOOK_URL": c.DiscordWebhookURL}
	for k, v := range c.DiscordWebhooks {
		if !strings.HasPrefix(k, "alert_") {
			bad("DISCORD_WEBHOOKS", "key %q is not an alert kind (alert_…)", k)
		}
		hooks["DISCORD_WEBHOOKS["+k+"]"] = v
	}
	for name, v := range hooks {
		if v == "" {
			continue
		}
		if p, err := url.Parse(v); err != nil || (p.Scheme != "https" && !(p.Scheme == "http" && !deployed)) || p.Host == "" {
			bad(name, "must be an https webhook URL") // never echo it: the token is a secret
		}
	}
	for cur, v := range c.HighValueOrder {
		if len(cur) != 3 || strings.ToUpper(cur) != cur || v <= 0 {
			bad("HIGH_VALUE_ORDER_THRESHOLDS", "entries must look like USD=50000 (minor units), got %s=%d", cur, v)
		}
	}
	return errs
}

// nameVariables rewrites the env library's parse errors, which name struct
// fields, so that they name the environment variable an operator must fix.
func nameVariables(err error) error {
	agg, ok := errors.AsType[env.AggregateError](err)
	if !ok {
		return err
	}
	out := make([]error, 0, len(agg.Errors))
	t := reflect.TypeFor[Config]()
	for _, e := range agg.Errors {
		if pe, ok := errors.AsType[env.ParseError](e); ok {
			if f, ok := t.FieldByName(pe.Name); ok {
				name, _, _ := strings.Cut(f.Tag.Get("env"), ",")
				out = append(out, fmt.Errorf("%s: invalid value: %w", name, pe.Err))
				continue
			}
		}
		out = append(out, e)
	}
	return errors.Join(out...)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// PayPalHosts are PayPal's API hosts, the only ones prod may call.
var PayPalHosts = []string{"api-m.paypal.com", "api-m.sandbox.paypal.com"}

func (c Config) validatePayPal() []error {
	var errs []error
	bad := func(name, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", name, fmt.Sprintf(format, args...)))
	}
	set := 0
	for _, v := range []string{c.PayPalClientID, c.PayPalSecret, c.PayPalWebhookID} {
		if v != "" {
			set++
		}
	}
	if set != 0 && set != 3 {
		bad("PAYPAL_WEBHOOK_ID", "PAYPAL_CLIENT_ID, PAYPAL_SECRET and PAYPAL_WEBHOOK_ID go together")
	}
	if c.PayPalVerify != "postback" && c.PayPalVerify != "offline" {
		bad("PAYPAL_VERIFY", "must be postback or offline")
	}
	u, err := url.Parse(c.PayPalAPIURL)
	switch {
	case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		bad("PAYPAL_API_URL", "must be an http(s) URL")
	case c.Stage == "prod" && (u.Scheme != "https" || !contains(PayPalHosts, u.Host)):
		bad("PAYPAL_API_URL", "must be PayPal's (%s) when STAGE is prod", strings.Join(PayPalHosts, " or "))
	}
	return errs
}

func (c Config) validateStripe() []error {
	var errs []error
	bad := func(name, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", name, fmt.Sprintf(format, args...)))
	}
	if c.StripeSecretKey != "" && !strings.HasPrefix(c.StripeSecretKey, "sk_") && !strings.HasPrefix(c.StripeSecretKey, "rk_") {
		bad("STRIPE_SECRET_KEY", "must be a secret (sk_…) or restricted (rk_…) key")
	}
	if c.StripeWebhookSecret != "" && !strings.HasPrefix(c.StripeWebhookSecret, "whsec_") {
		bad("STRIPE_WEBHOOK_SECRET", "must be a webhook signing secret (whsec_…)")
	}
	if (c.StripeSecretKey == "") != (c.StripeWebhookSecret == "") {
		bad("STRIPE_WEBHOOK_SECRET", "STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET go together")
	}
	if c.StripeAPIURL != "" {
		if u, err := url.Parse(c.StripeAPIURL); err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
			bad("STRIPE_API_URL", "must be an http(s) URL")
		} else if c.Stage == "prod" {
			bad("STRIPE_API_URL", "is for simulators; not allowed when STAGE is prod")
		}
	}
	if c.CheckoutTTL < 30*time.Minute || c.CheckoutTTL > 24*time.Hour {
		bad("CHECKOUT_TTL", "must be between 30m and 24h (Stripe's limits)")
	}
	if c.SubscriptionEndGrace < 0 || c.SubscriptionEndGrace > 90*24*time.Hour {
		bad("SUBSCRIPTION_END_GRACE", "must be between 0 and 2160h (90 days)")
	}
	return errs
}
