package notify

func accountDefaults() {
	register(
		Spec{
			Kind: Welcome, Channel: Email, Title: "Welcome", ReplyToSupport: true,
			Required: []string{"customer_name"},
			Sample:   map[string]any{"customer_name": "Ada Lovelace"},
			Subject:  `Welcome to {{.company}}, {{.customer_name}}`,
			Text: `Hi {{.customer_name}},

welcome to {{.company}}. Your account is ready: pick a server, a hosting plan or a game server whenever you like.

Your account: {{.account_url}}

If anything is unclear, just reply to this e-mail.`,
			HTML: `<h1 style="margin:0 0 16px;font-size:22px">Welcome, {{.customer_name}}</h1>
<p>Your {{.company}} account is ready. Pick a server, a hosting plan or a game server whenever you like.</p>
{{button .account_url "Open your account"}}
<p class="muted" style="color:#57606a">If anything is unclear, just reply to this e-mail.</p>`,
		},
		Spec{
			Kind: EmailVerification, Channel: Email, Title: "E-mail verification",
			Required: []string{"customer_name", "verify_url", "expires_in"},
			Sample:   map[string]any{"customer_name": "Ada Lovelace", "verify_url": "https://account.ezscale.example/verify?token=sample", "expires_in": "24 hours"},
			Subject:  `Confirm your e-mail address`,
			Text: `Hi {{.customer_name}},

please confirm your e-mail address by opening this link:

{{.verify_url}}

The link works once and expires in {{.expires_in}}. If you did not create a {{.company}} account, ignore this e-mail.`,
			HTML: `<h1 style="margin:0 0 16px;font-size:22px">Confirm your e-mail address</h1>
<p>Hi {{.customer_name}}, please confirm that this is your e-mail address.</p>
{{button .verify_url "Confirm e-mail address"}}
<p>The link works once and expires in {{.expires_in}}. If the button does not work, copy this address into your browser:<br><a href="{{.verify_url}}" style="word-break:break-all">{{.verify_url}}</a></p>
<p class="muted" style="color:#57606a">If you did not create a {{.company}} account, ignore this e-mail.</p>`,
		},
		Spec{
			Kind: PasswordReset, Channel: Email, Title: "Password reset",
			Required: []string{"customer_name", "reset_url", "expires_in", "ip_address"},
			Sample:   map[string]any{"customer_name": "Ada Lovelace", "reset_url": "https://account.ezscale.example/reset?token=sample", "expires_in": "60 minutes", "ip_address": "203.0.113.9"},
			Subject:  `Reset your {{.company}} password`,
			Text: `Hi {{.customer_name}},

someone (hopefully you) asked to reset your password from {{.ip_address}}. To choose a new password, open:

{{.reset_url}}

The link works once and expires in {{.expires_in}}. If you did not ask for this, ignore this e-mail: your password stays as it is.`,
			HTML: `<h1 style="margin:0 0 16px;font-size:22px">Reset your password</h1>
<p>Hi {{.customer_name}}, someone (hopefully you) asked to reset your password from {{.ip_address}}.</p>
{{button .reset_url "Choose a new password"}}
<p>The link works once and expires in {{.expires_in}}.</p>
<p class="muted" style="color:#57606a">If you did not ask for this, ignore this e-mail: your password stays as it is.</p>`,
		},
	)
}
