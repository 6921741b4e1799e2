package notify

func billingDefaults() {
	invoice := map[string]any{"customer_name": "Ada Lovelace", "invoice_number": "EZS-2026-000123", "amount": 1199, "currency": "USD", "due_date": "1 December 2026", "invoice_url": "https://account.ezscale.example/invoices/inv_sample"}
	register(
		Spec{
			Kind: InvoiceIssued, Channel: Email, Title: "Invoice issued", ReplyToSupport: true,
			Required: []string{"customer_name", "invoice_number", "amount", "currency", "due_date", "invoice_url"},
			Sample:   invoice,
			Subject:  `Invoice {{.invoice_number}} for {{money .amount .currency}}`,
			Text: `Hi {{.customer_name}},

invoice {{.invoice_number}} for {{money .amount .currency}} is due on {{.due_date}}. The PDF is attached.

View and pay it: {{.invoice_url}}`,
			HTML: `<h1 style="margin:0 0 16px;font-size:22px">Invoice {{.invoice_number}}</h1>
<p>Hi {{.customer_name}}, your invoice is ready. The PDF is attached.</p>
<table role="presentation" class="box" width="100%" style="border:1px solid #d0d7de;border-radius:8px;margin:16px 0"><tr>
<td style="padding:12px 16px">Amount due<br><strong style="font-size:20px">{{money .amount .currency}}</strong></td>
<td style="padding:12px 16px" align="right">Due<br><strong>{{.due_date}}</strong></td></tr></table>
{{button .invoice_url "View invoice"}}`,
		},
		Spec{
			Kind: PaymentReceived, Channel: Email, Title: "Payment received (receipt)",
			Required: []string{"customer_name", "invoice_number", "amount", "currency", "paid_at", "payment_method", "invoice_url"},
			Sample:   map[string]any{"customer_name": "Ada Lovelace", "invoice_number": "EZS-2026-000123", "amount": 1199, "currency": "USD", "paid_at": "26 November 2026", "payment_method": "Visa ending 4242", "invoice_url": "https://account.ezscale.example/invoices/inv_sample"},
			Subject:  `Receipt for {{.invoice_number}}: {{money .amount .currency}} paid`,
			Text: `Hi {{.customer_name}},

thank you: we received {{money .amount .currency}} on {{.paid_at}} ({{.payment_method}}) for invoice {{.invoice_number}}.

Receipt: {{.invoice_url}}`,
			HTML: `<h1 style="margin:0 0 16px;font-size:22px">Payment received</h1>
<p>Thank you, {{.customer_name}}. We received <strong>{{money .amount .currency}}</strong> on {{.paid_at}} ({{.payment_method}}) for invoice {{.invoice_number}}.</p>
{{button .invoice_url "View receipt"}}`,
		},
		Spec{
			Kind: PaymentFailed, Channel: Email, Title: "Payment failed", ReplyToSupport: true,
			Required: []string{"customer_name", "invoice_number", "amount", "currency", "reason", "how_to_fix", "update_payment_url", "next_attempt"},
			Sample: map[string]any{"customer_name": "Ada Lovelace", "invoice_number": "EZS-2026-000123", "amount": 1199, "currency": "USD", "reason": "Your card was declined.",
				"how_to_fix": "update your card or add another payment method, then pay the invoice from your account.", "update_payment_url": "https://account.ezscale.example/billing/payment-methods", "next_attempt": "29 November 2026"},
			Subject: `Payment of {{money .amount .currency}} failed — action needed`,
			Text: `Hi {{.customer_name}},

we could not collect {{money .amount .currency}} for invoice {{.invoice_number}}. {{.reason}}

How to fix it: {{.how_to_fix}}
Your billing page: {{.update_payment_url}}
The payment is also retried automatically on {{.next_attempt}}.

Services with unpaid invoices are suspended after a grace period, so please act soon. Reply if you need help.`,
			HTML: `<h1 style="margin:0 0 16px;font-size:22px">Your payment failed</h1>
<p>Hi {{.customer_name}}, we could not collect <strong>{{money .amount .currency}}</strong> for invoice {{.invoice_number}}. {{.reason}}</p>
<p><strong>How to fix it:</strong> {{.how_to_fix}} The payment is also retried automatically on {{.next_attempt}}.</p>
{{button .update_payment_url "Open billing"}}
<p class="muted" style="color:#57606a">Services with unpaid invoices are suspended after a grace period. Reply if you need help.</p>`,
		},
		Spec{
			Kind: PaymentOverdue, Channel: Email, Title: "Payment overdue (dunning reminder)", ReplyToSupport: true,
			Required: []string{"customer_name", "service_name", "amount", "currency", "days_overdue", "how_to_fix", "pay_url", "consequence"},
			Sample: map[string]any{"customer_name": "Ada Lovelace", "service_name": "VPS Standard (web1.example.com)", "amount": 1199, "currency": "USD", "days_overdue": 3,
				"how_to_fix": "Pay it from your account, or update your card there.", "pay_url": "https://account.ezscale.example/billing",
				"consequence": "If it stays unpaid, the service is suspended on 8 December 2026."},
			Subject: `Reminder: {{money .amount .currency}} for {{.service_name}} is overdue`,
			Text: `Hi {{.customer_name}},

the renewal of {{.service_name}} ({{money .amount .currency}}) is {{.days_overdue}} day(s) overdue. {{.consequence}}

{{.how_to_fix}}
Your billing page: {{.pay_url}}

Reply if you need help or more time.`,
			HTML: `<h1 style="margin:0 0 16px;font-size:22px">Your payment is overdue</h1>
<p>Hi {{.customer_name}}, the renewal of <strong>{{.service_name}}</strong> ({{money .amount .currency}}) is {{.days_overdue}} day(s) overdue. {{.consequence}}</p>
<p>{{.how_to_fix}}</p>
{{button .pay_url "Open billing"}}
<p class="muted" style="color:#57606a">Reply if you need help or more time.</p>`,
		},
		Spec{
			Kind: InvoiceOverdue, Channel: Email, Title: "Invoice overdue (other than a renewal, e.g. a late fee)", ReplyToSupport: true,
			Required: []string{"customer_name", "what", "amount", "currency", "days_overdue", "pay_url"},
			Sample: map[string]any{"customer_name": "Ada Lovelace", "what": "the late fee on VPS Standard", "amount": 595, "currency": "USD", "days_overdue": 7,
				"pay_url": "https://account.ezscale.example/billing"},
			Subject: `Reminder: {{money .amount .currency}} for {{.what}} is unpaid`,
			Text: `Hi {{.customer_name}},

{{money .amount .currency}} for {{.what}} has been unpaid for {{.days_overdue}} day(s): the charge to your card failed.

Pay it, or update your card, at {{.pay_url}}

Reply if you need help.`,
			HTML: `<h1 style="margin:0 0 16px;font-size:22px">An invoice is unpaid</h1>
<p>Hi {{.customer_name}}, <strong>{{money .amount .currency}}</strong> for {{.what}} has been unpaid for {{.days_overdue}} day(s): the charge to your card failed.</p>
{{button .pay_url "Pay now"}}
<p class="muted" style="color:#57606a">Reply if you need help.</p>`,
		},
		Spec{
			Kind: RenewalReminder, Channel: Email, Title: "Renewal reminder / expiring soon",
			Required: []string{"customer_name", "service_name", "renewal_date", "amount", "currency", "account_service_url"},
			Sample:   map[string]any{"customer_name": "Ada Lovelace", "service_name": "VPS Standard (web1.example.com)", "renewal_date": "1 December 2026", "amount": 1199, "currency": "USD", "account_service_url": "https://account.ezscale.example/services/svc_sample"},
			Subject:  `{{.service_name}} renews on {{.renewal_date}}`,
			Text: `Hi {{.customer_name}},

{{.service_name}} renews on {{.renewal_date}} for {{money .amount .currency}}. Nothing to do if your payment method is up to date.

Manage it: {{.account_service_url}}`,
			HTML: `<h1 style="margin:0 0 16px;font-size:22px">Renewal on {{.renewal_date}}</h1>
<p>Hi {{.customer_name}}, <strong>{{.service_name}}</strong> renews on {{.renewal_date}} for {{money .amount .currency}}. Nothing to do if your payment method is up to date.</p>
{{button .account_service_url "Manage service"}}`,
		},
		Spec{
			Kind: CardExpiring, Channel: Email, Title: "Card expiring (renewals would fail)", ReplyToSupport: true,
			Required: []string{"customer_name", "card", "expires", "services", "update_payment_url"},
			Sample: map[string]any{"customer_name": "Ada Lovelace", "card": "Visa •••• 4242", "expires": "12/2026",
				"services": "VPS Standard (web1.example.com)", "update_payment_url": "https://account.ezscale.example/billing"},
			Subject: `Your card {{.card}} expires {{.expires}}`,
			Text: `Hi {{.customer_name}},

the card {{.card}} that pays for {{.services}} expires {{.expires}}. Renewals charged to it after that will fail.

Add a new card and make it the default at {{.update_payment_url}}

Reply if you need help.`,
			HTML: `<h1 style="margin:0 0 16px;font-size:22px">Your card expires {{.expires}}</h1>
<p>Hi {{.customer_name}}, the card <strong>{{.card}}</strong> that pays for {{.services}} expires {{.expires}}. Renewals charged to it after that will fail.</p>
{{button .update_payment_url "Update payment method"}}
<p class="muted" style="color:#57606a">Reply if you need help.</p>`,
		},
		Spec{
			Kind: OverageCharged, Channel: Email, Title: "Bandwidth overage charged",
			Required: []string{"customer_name", "service_name", "used", "included", "overage", "rate", "amount", "currency", "period", "billing_url"},
			Sample: map[string]any{"customer_name": "Ada Lovelace", "service_name": "VPS Standard (web1.example.com)", "used": "3120.0 GB", "included": "3000.0 GB",
				"overage": "120.0 GB", "rate": "$5.00 per TB", "amount": 60, "currency": "USD", "period": "1 November 2026 to 1 December 2026", "billing_url": "https://account.ezscale.example/billing"},
			Subject: `Bandwidth overage for {{.service_name}}: {{money .amount .currency}}`,
			Text: `Hi {{.customer_name}},

{{.service_name}} used {{.used}} from {{.period}}; the plan includes {{.included}}. The {{.overage}} beyond it, at {{.rate}}, comes to {{money .amount .currency}} before tax, which we added to your next invoice.

Billing: {{.billing_url}}`,
			HTML: `<h1 style="margin:0 0 16px;font-size:22px">Bandwidth overage</h1>
<p>Hi {{.customer_name}}, <strong>{{.service_name}}</strong> used {{.used}} from {{.period}}; the plan includes {{.included}}.</p>
<p>The {{.overage}} beyond it, at {{.rate}}, comes to <strong>{{money .amount .currency}}</strong> before tax, which we added to your next invoice.</p>
{{button .billing_url "See billing"}}`,
		},
	)
}
