package notify

import "fmt"

func serviceDefaults() {
	svc := func(extra map[string]any) map[string]any {
		m := map[string]any{"customer_name": "Ada Lovelace", "service_name": "VPS Standard (web1.example.com)", "account_service_url": "https://account.ezscale.example/services/svc_sample"}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	base := []string{"customer_name", "service_name", "account_service_url"}
	with := func(extra ...string) []string { return append(append([]string{}, base...), extra...) }
	bandwidth := func(k Kind, pct int, title string) Spec {
		return Spec{
			Kind: k, Channel: Email, Title: title,
			Required: with("used", "quota", "percent", "cycle_end"),
			Sample:   svc(map[string]any{"used": fmt.Sprintf("%d.0 GB", 3000*pct/100), "quota": "3000.0 GB", "percent": pct, "cycle_end": "1 December 2026"}),
			Subject:  `{{.service_name}} has used {{.percent}}% of its bandwidth`,
			Text: `Hi {{.customer_name}},

{{.service_name}} has used {{.used}} of its {{.quota}} bandwidth allowance ({{.percent}}%) this cycle, which ends on {{.cycle_end}}. Traffic beyond the allowance is billed as overage.

Usage: {{.account_service_url}}`,
			HTML: `<h1 style="margin:0 0 16px;font-size:22px">{{.percent}}% of bandwidth used</h1>
<p>Hi {{.customer_name}}, <strong>{{.service_name}}</strong> has used {{.used}} of its {{.quota}} allowance ({{.percent}}%) this cycle, which ends on {{.cycle_end}}. Traffic beyond the allowance is billed as overage.</p>
{{button .account_service_url "See usage"}}`,
		}
	}
	register(
		Spec{
			Kind: ServiceProvisioned, Channel: Email, Title: "Service provisioned (credentials)",
			Required: with("ip_address", "username", "password", "panel_url"),
			Sample:   svc(map[string]any{"ip_address": "198.51.100.20", "username": "root", "password": "s4mple-Pa55word", "panel_url": "https://panel.ezscale.example/"}),
			Subject:  `{{.service_name}} is ready`,
			Text: `Hi {{.customer_name}},

{{.service_name}} is ready.

  IP address: {{.ip_address}}
  Username:   {{.username}}
  Password:   {{.password}}
  Panel:      {{.panel_url}}

Change the password after your first login. You can also see these details in your account: {{.account_service_url}}`,
			HTML: `<h1 style="margin:0 0 16px;font-size:22px">Your service is ready</h1>
<p>Hi {{.customer_name}}, <strong>{{.service_name}}</strong> is ready.</p>
<table role="presentation" class="box" width="100%" style="border:1px solid #d0d7de;border-radius:8px;margin:16px 0;font-family:Menlo,Consolas,monospace;font-size:14px">
<tr><td style="padding:8px 16px">IP address</td><td style="padding:8px 16px">{{.ip_address}}</td></tr>
<tr><td style="padding:8px 16px">Username</td><td style="padding:8px 16px">{{.username}}</td></tr>
<tr><td style="padding:8px 16px">Password</td><td style="padding:8px 16px">{{.password}}</td></tr>
</table>
{{button .panel_url "Open control panel"}}
<p class="muted" style="color:#57606a">Change the password after your first login. These details are also in <a href="{{.account_service_url}}">your account</a>.</p>`,
		},
		Spec{
			Kind: ServiceSuspended, Channel: Email, Title: "Service suspended", ReplyToSupport: true,
			Required: []string{"customer_name", "service_name", "reason", "resolve_url"},
			Sample:   svc(map[string]any{"reason": "Invoice EZS-2026-000123 is overdue.", "resolve_url": "https://account.ezscale.example/invoices/inv_sample"}),
			Subject:  `{{.service_name}} has been suspended`,
			Text: `Hi {{.customer_name}},

{{.service_name}} has been suspended. {{.reason}}

Your data is kept for now. To restore the service: {{.resolve_url}}`,
			HTML: `<h1 style="margin:0 0 16px;font-size:22px">Service suspended</h1>
<p>Hi {{.customer_name}}, <strong>{{.service_name}}</strong> has been suspended. {{.reason}}</p>
<p>Your data is kept for now. Resolve the issue to restore the service.</p>
{{button .resolve_url "Restore service"}}`,
		},
		Spec{
			Kind: ServiceUnsuspended, Channel: Email, Title: "Service restored after payment",
			Required: base,
			Sample:   svc(nil),
			Subject:  `{{.service_name}} is running again`,
			Text: `Hi {{.customer_name}},

Thank you for your payment. {{.service_name}} was suspended while its renewal was unpaid; it is running again, with your data as you left it.

Your service: {{.account_service_url}}`,
			HTML: `<h1 style="margin:0 0 16px;font-size:22px">Your service is running again</h1>
<p>Hi {{.customer_name}}, thank you for your payment. <strong>{{.service_name}}</strong> was suspended while its renewal was unpaid; it is running again, with your data as you left it.</p>
{{button .account_service_url "Open your service"}}`,
		},
		Spec{
			Kind: TerminationWarning, Channel: Email, Title: "Final warning before termination", ReplyToSupport: true,
			Required: with("terminate_date", "pay_url"),
			Sample:   svc(map[string]any{"terminate_date": "31 December 2026", "pay_url": "https://account.ezscale.example/billing"}),
			Subject:  `Final notice: {{.service_name}} will be deleted on {{.terminate_date}}`,
			Text: `Hi {{.customer_name}},

{{.service_name}} is suspended because its renewal is unpaid. If it is still unpaid on {{.terminate_date}}, the service and all its data will be deleted; that cannot be undone.

Pay now to keep it: {{.pay_url}}
Your service: {{.account_service_url}}`,
			HTML: `<h1 style="margin:0 0 16px;font-size:22px">Final notice before deletion</h1>
<p>Hi {{.customer_name}}, <strong>{{.service_name}}</strong> is suspended because its renewal is unpaid. If it is still unpaid on <strong>{{.terminate_date}}</strong>, the service and all its data will be deleted; that cannot be undone.</p>
{{button .pay_url "Pay now to keep it"}}
<p class="muted" style="color:#57606a"><a href="{{.account_service_url}}">Your service</a></p>`,
		},
		Spec{
			Kind: ServiceTerminated, Channel: Email, Title: "Service terminated", ReplyToSupport: true,
			Required: []string{"customer_name", "service_name", "reason"},
			Sample:   svc(map[string]any{"reason": "Invoice EZS-2026-000123 stayed unpaid."}),
			Subject:  `{{.service_name}} has been terminated`,
			Text: `Hi {{.customer_name}},

{{.service_name}} has been terminated and its data deleted. {{.reason}}

If you think this is a mistake, reply to this e-mail.`,
			HTML: `<h1 style="margin:0 0 16px;font-size:22px">Service terminated</h1>
<p>Hi {{.customer_name}}, <strong>{{.service_name}}</strong> has been terminated and its data deleted. {{.reason}}</p>
<p class="muted" style="color:#57606a">If you think this is a mistake, reply to this e-mail.</p>`,
		},
		Spec{
			Kind: ServiceDelayed, Channel: Email, Title: "Service setup delayed", ReplyToSupport: true,
			Required: with("reason"),
			Sample:   svc(map[string]any{"service_name": "Dedicated E-2236 (metal1.example.com)", "reason": "An engineer is assigning hardware to it."}),
			Subject:  `We are preparing {{.service_name}}`,
			Text: `Hi {{.customer_name}},

Setting up {{.service_name}} takes a little longer. {{.reason}}

You do not need to do anything; we e-mail you again when it is ready. Its progress: {{.account_service_url}}`,
			HTML: `<h1 style="margin:0 0 16px;font-size:22px">We are preparing your service</h1>
<p>Hi {{.customer_name}}, setting up <strong>{{.service_name}}</strong> takes a little longer. {{.reason}}</p>
<p>You do not need to do anything; we e-mail you again when it is ready.</p>
{{button .account_service_url "See its progress"}}`,
		},
		bandwidth(Bandwidth75, 75, "Bandwidth 75 %"),
		bandwidth(Bandwidth90, 90, "Bandwidth 90 %"),
		bandwidth(Bandwidth100, 100, "Bandwidth 100 %"),
	)
}
