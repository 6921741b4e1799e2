package notify

func alertsDefaults() {
	alert := func(k Kind, title string, sev Severity, required []string, sample map[string]any) Spec {
		return Spec{Kind: k, Channel: Discord, Title: title, Severity: sev, Required: required, Sample: sample}
	}
	register(
		alert(AlertNewSignup, "New signup", Info, []string{"customer_name", "email", "country"},
			map[string]any{"customer_name": "Ada Lovelace", "email": "ada@example.com", "country": "GB"}),
		alert(AlertNewOrder, "New order", Success, []string{"order_id", "customer_name", "plan_name", "amount", "currency"},
			map[string]any{"order_id": "ord_sample", "customer_name": "Ada Lovelace", "plan_name": "VPS Standard", "amount": 1199, "currency": "USD"}),
		alert(AlertHighValueOrder, "High-value order", Warning, []string{"order_id", "customer_name", "plan_name", "amount", "currency"},
			map[string]any{"order_id": "ord_sample", "customer_name": "Ada Lovelace", "plan_name": "EPYC 9354P (annual)", "amount": 355899, "currency": "USD"}),
		alert(AlertPaymentFailed, "Payment failed", Warning, []string{"customer_name", "invoice_number", "amount", "currency", "reason"},
			map[string]any{"customer_name": "Ada Lovelace", "invoice_number": "EZS-2026-000123", "amount": 1199, "currency": "USD", "reason": "card_declined"}),
		alert(AlertServiceSuspended, "Service suspended", Warning, []string{"customer_name", "service_name", "reason"},
			map[string]any{"customer_name": "Ada Lovelace", "service_name": "VPS Standard (web1.example.com)", "reason": "overdue invoice"}),
		alert(AlertProvisioned, "Service provisioned", Success, []string{"customer_name", "service_name", "panel"},
			map[string]any{"customer_name": "Ada Lovelace", "service_name": "VPS Standard (web1.example.com)", "panel": "virtfusion", "ip_address": "198.51.100.20"}),
		alert(AlertCancellation, "Cancellation", Info, []string{"customer_name", "service_name", "when", "reason"},
			map[string]any{"customer_name": "Ada Lovelace", "service_name": "VPS Standard (web1.example.com)", "when": "at period end", "reason": "Too expensive"}),
		alert(AlertSystemError, "Provisioning failure / system error", Critical, []string{"component", "error"},
			map[string]any{"component": "provisioning", "error": "VirtFusion returned 500 on create", "reference": "ord_sample"}),
		alert(AlertSecurity, "Security alert", Critical, []string{"event", "ip_address"},
			map[string]any{"event": "5 failed admin logins for grace@ezscale.example", "ip_address": "203.0.113.66"}),
		alert(AlertTicketUrgent, "Urgent ticket", Critical, []string{"ticket", "subject", "customer", "department"},
			map[string]any{"ticket": "EZSCALE-1042", "subject": "All my servers are down", "customer": "Ada Lovelace <ada@example.com>", "department": "Technical support"}),
		alert(AlertBandwidthQuota, "Bandwidth allowance used up", Warning, []string{"customer_name", "service_name", "used", "quota", "percent"},
			map[string]any{"customer_name": "Ada Lovelace", "service_name": "VPS Standard (web1.example.com)", "used": "3012.4 GB", "quota": "3000.0 GB", "percent": 100}),
		alert(AlertOpsAlarm, "AWS alarm", Critical, []string{"alarm", "state", "reason"},
			map[string]any{"alarm": "ezscale-prod-NotifyDLQAlarm", "state": "ALARM", "reason": "Threshold Crossed: 1 datapoint [3.0] was greater than or equal to the threshold (1.0).",
				"description": "Notifications reached the dead-letter queue.", "stage": "prod"}),
	)
}
