package notify

import (
	htmltemplate "html/template"
	"sync"
)

// layout is the branded frame around every HTML body: a single 600 px
// column that shrinks on phones, inline styles for clients that strip
// <style>, and a prefers-color-scheme block for dark-mode clients. It is
// parsed on first use, not at start: most functions never send mail, and
// every Lambda cold start pays for what package initialisation does.
var layout = sync.OnceValue(func() *htmltemplate.Template {
	return htmltemplate.Must(htmltemplate.New("layout").Parse(layoutHTML))
})

const layoutHTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="supported-color-schemes" content="light dark">
<title>{{.subject}}</title>
<style>
  body { margin: 0; padding: 0; -webkit-text-size-adjust: 100%; }
  a { color: #1f4fd1; }
  @media only screen and (max-width: 620px) {
    .container { width: 100% !important; }
    .card { padding: 24px 18px !important; }
  }
  @media (prefers-color-scheme: dark) {
    body, .bg { background: #0d1117 !important; }
    .card { background: #161b22 !important; color: #e6edf3 !important; }
    .muted { color: #9da7b3 !important; }
    .brand, a { color: #8cb4ff !important; }
    .btn { background: #8cb4ff !important; }
    .btn a { color: #0d1117 !important; }
    .box { background: #0d1117 !important; border-color: #30363d !important; }
  }
</style>
</head>
<body style="margin:0;padding:0;background:#f6f8fb">
<div style="display:none;max-height:0;overflow:hidden;opacity:0">{{.preheader}}</div>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" class="bg" style="background:#f6f8fb">
<tr><td align="center" style="padding:24px 12px">
<table role="presentation" width="600" cellpadding="0" cellspacing="0" class="container" style="width:600px;max-width:600px">
<tr><td class="brand" style="padding:0 8px 16px;font:700 20px/1.2 Arial,Helvetica,sans-serif;letter-spacing:.04em;color:#1f4fd1">{{.company}}</td></tr>
<tr><td class="card" style="background:#ffffff;border-radius:12px;padding:32px;font:16px/1.55 Arial,Helvetica,sans-serif;color:#1b1f24">
{{.body}}
</td></tr>
<tr><td class="muted" style="padding:16px 8px;font:12px/1.5 Arial,Helvetica,sans-serif;color:#57606a">
Questions? Reply to this e-mail or write to <a href="mailto:{{.support_email}}">{{.support_email}}</a>.<br>
{{.company}} · <a href="{{.site_url}}">{{.site_url}}</a>
</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
`
