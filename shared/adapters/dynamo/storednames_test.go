package dynamo_test

// storedNames pins, per item type, every attribute path stored (nested
// records as a.b, lists of records as a[].b, data maps by name only).
// Change it only together with a migration.
var storedNames = map[string][]string{
	"api_token": {
		"GSI1PK", "GSI1SK", "PK", "SK", "created_at", "expires_at", "hash", "hint", "id", "name",
		"schema", "scopes", "ttl", "type", "user_id", "version",
	},
	"audit": {
		"GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "PK", "SK", "action", "actor_email", "actor_id", "after",
		"at", "before", "detail", "id", "ip", "outcome", "schema", "target_id", "target_type", "type",
		"user_agent", "version",
	},
	"bandwidth_alert": {
		"PK", "SK", "percent", "schema", "service_id", "type", "version",
	},
	"bandwidth_cycle": {
		"GSI2PK", "GSI2SK", "PK", "SK", "amount", "currency", "customer_id", "end", "note", "order_id", "plan_id",
		"reference", "schema", "service_id", "start", "state", "type", "updated_at", "usage", "usage.basis",
		"usage.counted", "usage.direction", "usage.discarded", "usage.in_bytes", "usage.included",
		"usage.missing_hours", "usage.out_bytes", "usage.over", "usage.percent", "usage.samples",
		"usage.unmeasured_hours", "version",
	},
	"bandwidth_day": { // in and out (number lists) are still read, no longer written
		"PK", "SK", "closed", "counts", "date", "fine", "hours", "missing", "schema", "service_id", "synced", "type",
		"version",
	},
	"bandwidth_summary": {
		"PK", "SK", "at", "metered", "near", "near[].basis", "near[].bytes", "near[].counted", "near[].customer_id",
		"near[].cycle_end", "near[].included", "near[].name", "near[].percent", "near[].service_id", "schema", "top",
		"top[].basis", "top[].bytes", "top[].counted", "top[].customer_id", "top[].cycle_end", "top[].included",
		"top[].name", "top[].percent", "top[].service_id", "type", "version",
	},
	"bandwidth_sync": {
		"PK", "SK", "alerted", "attempts", "closed", "date", "error", "hours", "missing", "requests", "schema",
		"services", "type", "updated_at", "version",
	},
	"billing_account": {
		"PK", "SK", "currency", "default_pm", "gateway_customers", "schema", "type",
	},
	"cancellation_survey": {
		"GSI2PK", "GSI2SK", "PK", "SK", "at", "by", "comment", "customer_id", "id", "plan_id",
		"plan_name", "reason", "schema", "subscription_id", "type", "version", "when",
	},
	"catalog_generation": {
		"PK", "SK", "generation", "schema", "type",
	},
	"ceremony": {
		"PK", "SK", "data", "kind", "schema", "ttl", "type", "version",
	},
	"coupon": {
		"GSI2PK", "GSI2SK", "PK", "SK", "active", "amounts_off", "code", "created_at", "description",
		"expires_at", "kind", "max_uses", "per_customer", "percent_bp", "plan_ids", "schema",
		"trial_days", "type", "version",
	},
	"counter": { // invoice number series (seq) and rate limits (count, ttl)
		"PK", "SK", "count", "schema", "seq", "ttl", "type", "version",
	},
	"coupon_customer_uses": {
		"PK", "SK", "count", "schema", "type",
	},
	"coupon_redemption": {
		"PK", "SK", "at", "code", "currency", "customer_id", "discount", "order_id", "schema", "type",
		"version",
	},
	"coupon_uses": {
		"GSI2PK", "GSI2SK", "PK", "SK", "schema", "type", "uses", "version",
	},
	"domain_claim": {"PK", "SK", "claimed_at", "customer_id", "order_id", "schema", "type", "version"},
	"customer_note": {
		"PK", "SK", "author_email", "author_id", "body", "created_at", "customer_id", "id", "schema", "type", "version",
	},
	"dunning_claim": {"PK", "SK", "at", "claim", "invoice_id", "schema", "type", "version"},
	"dunning_hold":  {"PK", "SK", "at", "by", "customer_id", "reason", "schema", "type", "until", "version"},
	"dunning_policy": {
		"PK", "SK", "card_expiry_notices", "final_warning_days", "late_fee", "late_fee.after_days", "late_fee.enabled", "late_fee.minimum", "late_fee.percent_bp",
		"reminder_days", "renewal_reminder_days", "respect_gateway_retries", "schema", "suspend_after_days", "suspend_enabled", "terminate_after_days",
		"terminate_enabled", "type", "updated_at", "updated_by", "version",
	},
	"paid_through": {"PK", "SK", "invoice_id", "order_id", "schema", "through", "type", "updated_at", "version"},
	"failures": {
		"PK", "SK", "count", "last", "schema", "ttl", "type", "version",
	},
	"gateway_customer": {
		"PK", "SK", "owner", "schema", "type", "version",
	},
	"helpdesk_settings": {
		"PK", "SK", "auto_close_days", "canned_replies", "canned_replies[].body", "canned_replies[].id", "canned_replies[].title", "departments",
		"departments[].email", "departments[].hidden", "departments[].id", "departments[].name", "departments[].staff", "schema", "type", "updated_at", "version",
	},
	"mail_cursor": {"PK", "SK", "last_uid", "mailbox", "schema", "type", "uid_validity", "version"},
	"message_id":  {"PK", "SK", "reply_id", "schema", "ticket_id", "type", "version"},
	"ticket": {
		"GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "PK", "SK", "assignee_id", "closed_at", "created_at", "customer_id", "department_id", "email", "id",
		"last_reply_by", "merged", "merged_into", "number", "participants", "priority", "replies", "schema", "service_id", "status", "subject", "type",
		"updated_at", "version", "waiting_since",
	},
	"ticket_event":  {"PK", "SK", "action", "actor_id", "actor_name", "at", "from", "id", "schema", "ticket_id", "to", "type", "version"},
	"ticket_number": {"PK", "SK", "schema", "ticket_id", "type", "version"},
	"ticket_reply": {
		"PK", "SK", "author", "author_id", "author_name", "auto", "body", "created_at", "email", "files", "files[].id", "files[].key", "files[].name",
		"files[].size", "files[].type", "id", "message_id", "out_id", "schema", "ticket_id", "type", "version", "via",
	},
	"undeliverable": {"PK", "SK", "at", "reason", "schema", "type", "version"},
	"invoice": {
		"GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "PK", "SK", "bill_to", "bill_to.city", "bill_to.company",
		"bill_to.country", "bill_to.email", "bill_to.line1", "bill_to.line2", "bill_to.name",
		"bill_to.postal_code", "bill_to.region", "bill_to.tax_exempt", "bill_to.vat_id", "created_at",
		"credit_applied", "currency", "customer_id", "due_at", "due_in_days", "id", "issued_at", "lines",
		"lines[].amount", "lines[].description", "lines[].quantity", "lines[].unit_amount", "notes",
		"number", "paid_at", "payment_method", "payment_reference", "schema", "status", "subtotal",
		"taxes", "taxes[].amount", "taxes[].name", "taxes[].rate_bp", "total", "type", "updated_at",
		"version",
	},
	"notification": {
		"GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "PK", "SK", "alert", "alert.description", "alert.fields",
		"alert.fields[].inline", "alert.fields[].name", "alert.fields[].value", "alert.severity",
		"alert.title", "alert.url", "attachments", "attachments[].blob_key",
		"attachments[].content_type", "attachments[].filename", "attachments[].size", "attempts", "body",
		"channel", "created_at", "id", "kind", "last_error", "lease_until", "reply_to", "schema",
		"sent_at", "status", "subject", "thread", "thread.auto_reply", "thread.human", "thread.in_reply_to",
		"thread.message_id", "thread.references", "thread.reply_to", "to", "ttl", "type", "updated_at", "version",
	},
	"order": {
		"GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "PK", "SK", "approved_by", "checkout_id", "checkout_url",
		"closed_at", "coupon_code", "created_at", "currency", "customer_id", "cycle", "discount",
		"expires_at", "gateway", "id", "note", "options", "options.domain", "options.game",
		"options.hostname", "options.location", "options.os", "paid_at", "plan_id", "plan_name", "price",
		"renewal", "requires_approval", "schema", "service_type", "status", "stock_reserved",
		"subscription_id", "tax", "tax_name", "tax_note", "tax_rate_bp", "total", "trial_days", "type",
		"updated_at", "version",
	},
	"outbox": {
		"GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "PK", "SK", "attempts", "created_at", "id", "kind",
		"last_error", "not_before", "payload", "published_at", "schema", "subject", "trace", "type", "version",
	},
	"passkey": {
		"GSI1PK", "GSI1SK", "PK", "SK", "created_at", "data", "id", "last_used_at", "name", "schema",
		"type", "user_id", "version",
	},
	"payment": {
		"GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "PK", "SK", "amount", "at", "by", "currency",
		"customer_id", "failure_message", "gateway", "gateway_charge_id", "gateway_invoice_id", "id", "late_fee_for",
		"next_attempt", "order_id", "refund_of", "refunded", "schema", "status", "type", "version",
	},
	"payment_method": {
		"GSI1PK", "GSI1SK", "PK", "SK", "attached", "brand", "customer_id", "exp_month", "exp_year",
		"gateway", "id", "last4", "schema", "state_at", "type", "version",
	},
	"plan": {
		"GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "PK", "SK", "badge", "created_at", "description",
		"features", "features.bandwidth_gb", "features.cpu_cores", "features.disk_gb",
		"features.disk_type", "features.extras", "features.locations", "features.port_speed_mbps",
		"features.ram_mb", "gateway_price_ids", "id", "metering", "metering.basis", "metering.commit_mbps",
		"metering.direction", "metering.overage", "name", "prices", "requires_approval", "schema",
		"service_type", "slug", "sort_order", "status", "stock", "type", "updated_at", "version",
	},
	"plan_change": {
		"PK", "SK", "approve_url", "consented", "created_at", "credit_amount", "credit_id", "currency", "customer_id", "cycle",
		"from_plan_id", "from_plan_name", "gateway_invoice_id", "gateway_plan_ref", "id", "new_renewal", "order_id",
		"proration", "proration.at", "proration.charge", "proration.credit", "proration.net",
		"proration.new_price", "proration.old_price", "proration.period", "proration.period_end",
		"proration.period_start", "proration.remaining", "proration.tax", "proration.tax_rate_bp",
		"proration.total", "refund_amount", "refund_id", "schema", "status", "stock_released",
		"stock_reserved", "subscription_id", "tax_name", "to_plan_id", "to_plan_name", "type",
		"updated_at", "version",
	},
	"search_index": { // Backfill's marker
		"PK", "SK", "schema", "type", "version",
	},
	"search_term": {
		"PK", "SK", "kind", "of", "schema", "term", "type", "version",
	},
	"service": {
		"GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "PK", "SK", "addresses", "archived", "created_at", "customer_id",
		"domain", "game", "hardware", "has_credentials", "hostname", "id", "ip_history", "ip_history[].from",
		"ip_history[].ip", "ip_history[].to", "ips", "limits", "limits.backups",
		"limits.bandwidth_gb", "limits.cpu_cores", "limits.databases", "limits.disk_gb",
		"limits.memory_mb", "location", "note", "number", "order_id", "os", "panel", "panel_id", "plan_id",
		"plan_name", "polls", "ref", "schema", "sealed_credentials", "service_type", "stage", "stage_token", "status",
		"suspend_code", "suspend_reason", "type", "updated_at", "version",
	},
	"service_log": {
		"PK", "SK", "action", "actor", "at", "calls", "error", "request", "response", "schema", "service_id",
		"status", "type", "version",
	},
	"session": {
		"GSI1PK", "GSI1SK", "PK", "SK", "created_at", "csrf", "expires_at", "idle_until",
		"impersonator_email", "impersonator_id", "ip", "last_seen_at", "mfa", "pending", "place", "role",
		"schema", "ttl", "type", "user_agent", "user_id", "version",
	},
	"subscription": {
		"GSI1PK", "GSI1SK", "PK", "SK", "amount", "cancel_at_period_end", "cancelled_at", "change_in_flight", "created_at",
		"currency", "current_period_end", "current_period_start", "customer_id", "cycle",
		"end_requested", "gateway", "gateway_id", "id", "order_id", "plan_id", "plan_name", "price",
		"schema", "state_at", "status", "trial_end", "type", "updated_at", "version",
	},
	"tax_rate": {
		"GSI2PK", "GSI2SK", "PK", "SK", "country", "name", "rate_bp", "region", "schema", "type",
		"version",
	},
	"template": {
		"PK", "SK", "html", "schema", "subject", "text", "type", "updated_at", "updated_by", "version",
	},
	"token": {
		"PK", "SK", "email", "expires_at", "purpose", "schema", "stamp", "ttl", "type", "user_id",
		"version",
	},
	"unique": {
		"PK", "SK", "owner", "schema", "type", "version",
	},
	"user": {
		"GSI2PK", "GSI2SK", "PK", "SK", "created_at", "email", "email_verified", "id", "password_hash",
		"profile", "profile.address", "profile.address.city", "profile.address.country",
		"profile.address.line1", "profile.address.line2", "profile.address.postal_code",
		"profile.address.region", "profile.company", "profile.country", "profile.name", "profile.phone",
		"profile.vat_id", "role", "schema", "tax_exempt", "totp", "totp.enabled", "totp.last_step",
		"totp.recovery_hashes", "totp.secret", "type", "updated_at", "version",
	},
	"webhook_event": {
		"PK", "SK", "created", "event_type", "gateway", "id", "schema", "ttl", "type", "version",
	},
}
