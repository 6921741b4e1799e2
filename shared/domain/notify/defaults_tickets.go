package notify

// Ticket mail to customers carries the ticket's tag in its body too
// ("Ticket reference: [EZSCALE-42]"): answers whose subject was edited and
// whose Message-IDs a provider rewrote still find their ticket.

func ticketsDefaults() {
	register(
		Spec{
			Kind: TicketOpened, Channel: Email, Title: "Ticket received (acknowledgement)",
			Required: []string{"customer_name", "ticket_id", "ticket_subject", "department", "ticket_url"},
			Sample:   map[string]any{"customer_name": "Ada Lovelace", "ticket_id": "1042", "ticket_subject": "Cannot reach my server", "department": "Technical support", "ticket_url": "https://account.ezscale.example/support/tkt_sample"},
			Subject:  `[EZSCALE-{{.ticket_id}}] {{.ticket_subject}}`,
			Text: `Hi {{.customer_name}},

we received your request "{{.ticket_subject}}" ({{.department}}) as ticket EZSCALE-{{.ticket_id}}. A member of our team will answer soon.

To add anything, reply to this e-mail or open the ticket: {{.ticket_url}}

Ticket reference: [EZSCALE-{{.ticket_id}}]`,
			HTML: `<p>Hi {{.customer_name}},</p>
<p>we received your request <strong>{{.ticket_subject}}</strong> ({{.department}}) as ticket <strong>EZSCALE-{{.ticket_id}}</strong>. A member of our team will answer soon.</p>
<p>To add anything, reply to this e-mail or open the ticket.</p>
{{button .ticket_url "Open ticket"}}
<p style="color:#57606a;font-size:12px" class="muted">Ticket reference: [EZSCALE-{{.ticket_id}}]</p>`,
		},
		Spec{
			Kind: TicketStaffNotice, Channel: Email, Title: "Ticket activity (to staff)",
			Required: []string{"what", "ticket_id", "ticket_subject", "customer", "department", "priority", "reply_author", "reply_body", "ticket_url"},
			Sample: map[string]any{"what": "New ticket", "ticket_id": "1042", "ticket_subject": "Cannot reach my server", "customer": "Ada Lovelace <ada@example.com>",
				"department": "Technical support", "priority": "high", "reply_author": "Ada Lovelace", "reply_body": "My VPS stopped answering at 09:12.", "ticket_url": "https://admin.ezscale.example/tickets/tkt_sample"},
			Subject: `[EZSCALE-{{.ticket_id}}] {{.what}}: {{.ticket_subject}}`,
			Text: `{{.what}} — {{.department}}, priority {{.priority}}
From: {{.customer}}

{{.reply_author}} wrote:

{{.reply_body}}

Open it in the console: {{.ticket_url}}`,
			HTML: `<p><strong>{{.what}}</strong> — {{.department}}, priority {{.priority}}<br>From: {{.customer}}</p>
<p style="margin:0 0 8px;color:#57606a" class="muted">{{.reply_author}} wrote:</p>
<div class="box" style="border-left:4px solid #1f4fd1;padding:8px 16px;margin:0 0 16px;white-space:pre-wrap">{{.reply_body}}</div>
{{button .ticket_url "Open in the console"}}`,
		},
		Spec{
			Kind: TicketRejected, Channel: Email, Title: "Support mail not accepted (too large)",
			Required: []string{"subject", "limit_mb"},
			Sample:   map[string]any{"subject": "Logs of my server", "limit_mb": 10},
			Subject:  `Not delivered to support: {{.subject}}`,
			Text: `Hello,

your message "{{.subject}}" to our support is larger than {{.limit_mb}} MB, so it was not added to a ticket.

Please send it again without the large attachments — compress logs, or share big files by a link — or attach them in your account's Support section.`,
			HTML: `<p>Hello,</p>
<p>your message <strong>{{.subject}}</strong> to our support is larger than {{.limit_mb}} MB, so it was not added to a ticket.</p>
<p>Please send it again without the large attachments — compress logs, or share big files by a link — or attach them in your account's Support section.</p>`,
		},
		Spec{
			Kind: TicketReply, Channel: Email, Title: "Ticket reply", ReplyToSupport: true,
			Required: []string{"customer_name", "ticket_id", "ticket_subject", "reply_author", "reply_body", "ticket_url"},
			Sample:   map[string]any{"customer_name": "Ada Lovelace", "ticket_id": "1042", "ticket_subject": "Cannot reach my server", "reply_author": "Grace (EZSCALE support)", "reply_body": "We restarted the network service on the host; please try again.", "ticket_url": "https://account.ezscale.example/support/tkt_sample"},
			Subject:  `[EZSCALE-{{.ticket_id}}] {{.ticket_subject}}`,
			Text: `Hi {{.customer_name}},

{{.reply_author}} wrote:

{{.reply_body}}

Reply to this e-mail to answer, or open the ticket: {{.ticket_url}}

Ticket reference: [EZSCALE-{{.ticket_id}}]`,
			HTML: `<p>Hi {{.customer_name}},</p>
<p style="margin:0 0 8px;color:#57606a" class="muted">{{.reply_author}} wrote:</p>
<div class="box" style="border-left:4px solid #1f4fd1;padding:8px 16px;margin:0 0 16px;white-space:pre-wrap">{{.reply_body}}</div>
<p>Reply to this e-mail to answer, or open the ticket.</p>
{{button .ticket_url "Open ticket"}}
<p style="color:#57606a;font-size:12px" class="muted">Ticket reference: [EZSCALE-{{.ticket_id}}]</p>`,
		},
		Spec{
			Kind: TicketStatus, Channel: Email, Title: "Ticket status changed",
			Required: []string{"customer_name", "ticket_id", "ticket_subject", "status", "ticket_url"},
			Sample:   map[string]any{"customer_name": "Ada Lovelace", "ticket_id": "1042", "ticket_subject": "Cannot reach my server", "status": "Closed", "ticket_url": "https://account.ezscale.example/support/tkt_sample"},
			Subject:  `[EZSCALE-{{.ticket_id}}] {{.ticket_subject}} — {{.status}}`,
			Text: `Hi {{.customer_name}},

your ticket "{{.ticket_subject}}" is now: {{.status}}.

Open it: {{.ticket_url}}

Ticket reference: [EZSCALE-{{.ticket_id}}]`,
			HTML: `<p>Hi {{.customer_name}}, your ticket <strong>{{.ticket_subject}}</strong> is now <strong>{{.status}}</strong>.</p>
{{button .ticket_url "Open ticket"}}
<p style="color:#57606a;font-size:12px" class="muted">Ticket reference: [EZSCALE-{{.ticket_id}}]</p>`,
		},
	)
}
