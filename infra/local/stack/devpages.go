package stack

import (
	"encoding/json"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/ezscale/platform/shared/api/httpx"
)

// The dev-only pages: the local mailbox and the Discord messages. They
// exist only in the local stack, never in a deployed function.

var mailList = template.Must(template.New("list").Parse(`<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>Dev mailbox</title>
<style>body{font:15px/1.5 system-ui,sans-serif;margin:24px;color:#1b1f24}table{border-collapse:collapse;width:100%}
td,th{text-align:left;padding:8px;border-bottom:1px solid #d0d7de}a{color:#1f4fd1}.muted{color:#57606a}</style></head><body>
<h1>Dev mailbox</h1><p class="muted">Every e-mail the local platform "sends" lands here; nothing leaves this machine. <a href="/dev/discord">Discord alerts →</a></p>
<table><thead><tr><th>When</th><th>To</th><th>Subject</th></tr></thead><tbody>
{{range .}}<tr data-mail="{{.ID}}"><td class="muted">{{.Date.Format "2006-01-02 15:04:05"}}</td><td>{{.To}}</td><td><a href="/dev/mail/{{.ID}}">{{.Subject}}</a></td></tr>
{{else}}<tr><td colspan="3" class="muted">No mail yet.</td></tr>{{end}}</tbody></table></body></html>`))

var mailView = template.Must(template.New("view").Parse(`<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>{{.Subject}}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;margin:24px;color:#1b1f24}dt{font-weight:600}dd{margin:0 0 8px}
iframe{width:100%;height:70vh;border:1px solid #d0d7de;border-radius:8px}pre{white-space:pre-wrap;background:#f6f8fa;padding:12px;border-radius:8px}a{color:#1f4fd1}</style></head><body>
<p><a href="/dev/mail">← Mailbox</a> · <a href="/dev/mail/{{.ID}}/raw">Raw .eml</a></p>
<h1 id="subject">{{.Subject}}</h1>
<dl><dt>From</dt><dd>{{.From}}</dd><dt>To</dt><dd>{{.To}}</dd>{{with .Headers.Get "Reply-To"}}<dt>Reply-To</dt><dd>{{.}}</dd>{{end}}
<dt>Message-ID</dt><dd>{{.Headers.Get "Message-Id"}}</dd></dl>
{{if .Answerable}}<h2>Answer as {{.To}}</h2>{{if .Replied}}<p id="replied" style="color:#0f7b3a">Sent to {{.ReplyTo}} through the support mail port; it lands on the ticket within one poll.</p>{{end}}
<form method="post" action="/dev/mail/{{.ID}}/reply"><textarea name="body" rows="4" cols="80" aria-label="Your answer" data-testid="dev-reply-body"></textarea><br>
<button type="submit" data-testid="dev-reply-send">Send answer to {{.ReplyTo}}</button> <span class="muted">(as a mail client would: In-Reply-To, References, the message quoted)</span></form>{{end}}
{{if .Parts}}<h2>Attachments</h2><ul>{{range $i, $p := .Parts}}<li><a href="/dev/mail/{{$.ID}}/attachments/{{$i}}">{{$p.Filename}}</a> ({{len $p.Body}} bytes, {{$p.ContentType}})</li>{{end}}</ul>{{end}}
<h2>HTML</h2><iframe sandbox title="HTML part" src="/dev/mail/{{.ID}}/html"></iframe>
<h2>Plain text</h2><pre id="text">{{.Text}}</pre></body></html>`))

var discordList = template.Must(template.New("discord").Parse(`<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>Discord alerts</title>
<style>body{font:15px/1.5 system-ui,sans-serif;margin:24px;color:#1b1f24}.msg{border-left:4px solid #5865f2;background:#f6f8fa;margin:12px 0;padding:8px 16px;border-radius:6px}
pre{white-space:pre-wrap;margin:0}.muted{color:#57606a}a{color:#1f4fd1}</style></head><body>
<h1>Discord alerts (simulator)</h1><p class="muted">Admin alerts posted to the simulated webhook. <a href="/dev/mail">← Mailbox</a></p>
{{range .}}<div class="msg" data-discord="{{.ID}}"><div class="muted">{{.Received.Format "2006-01-02 15:04:05"}} · webhook {{.WebhookID}}</div><pre>{{.Pretty}}</pre></div>
{{else}}<p class="muted">No alerts yet.</p>{{end}}</body></html>`))

func (s *Stack) devPages(mux *http.ServeMux) {
	page := func(w http.ResponseWriter) {
		httpx.SecurityHeaders(w.Header(), "default-src 'none'; style-src 'unsafe-inline'; frame-src 'self'; img-src 'self' data:")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
	}
	mux.HandleFunc("GET /dev/mail", func(w http.ResponseWriter, r *http.Request) {
		list, err := s.Mailbox.List(200)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		page(w)
		_ = mailList.Execute(w, list)
	})
	// Machine-readable views for scripted use (the soak): a recipient's
	// newest mail with its text, and the resources the panels hold.
	mux.HandleFunc("GET /dev/mail.json", func(w http.ResponseWriter, r *http.Request) {
		list, err := s.Mailbox.List(1000)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		type item struct{ ID, To, Subject, Text string }
		out := []item{}
		for _, m := range list {
			if to := r.URL.Query().Get("to"); to != "" && !strings.Contains(m.To, to) {
				continue
			}
			if full, err := s.Mailbox.Get(m.ID); err == nil {
				out = append(out, item{m.ID, m.To, m.Subject, full.Text})
			}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(out)
	})
	mux.HandleFunc("GET /dev/panels.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]map[int]string{"virtfusion": s.panels.vf.Refs(), "virtfusion-uk": s.panels.vfUK.Refs(), "pterodactyl": s.panels.ptero.Refs(), "enhance": s.panels.enh.Refs(), "synergycp": s.panels.scp.Refs()})
	})
	mux.HandleFunc("GET /dev/mail/{id}", func(w http.ResponseWriter, r *http.Request) {
		m, err := s.Mailbox.Get(r.PathValue("id"))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		page(w)
		_ = mailView.Execute(w, answerable(m, r.URL.Query().Get("replied") != ""))
	})
	mux.HandleFunc("POST /dev/mail/{id}/reply", func(w http.ResponseWriter, r *http.Request) {
		m, err := s.Mailbox.Get(r.PathValue("id"))
		if err != nil || !answerable(m, false).Answerable {
			http.NotFound(w, r)
			return
		}
		if err := s.answerMail(m, r.FormValue("body")); err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		http.Redirect(w, r, "/dev/mail/"+m.ID+"?replied=1", http.StatusSeeOther)
	})
	mux.HandleFunc("GET /dev/mail/{id}/html", func(w http.ResponseWriter, r *http.Request) {
		m, err := s.Mailbox.Get(r.PathValue("id"))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		// Shown in a sandboxed frame; no scripts either way.
		httpx.SecurityHeaders(w.Header(), "default-src 'none'; style-src 'unsafe-inline'; img-src data:")
		w.Header().Set("X-Frame-Options", "SAMEORIGIN")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(m.HTML))
	})
	mux.HandleFunc("GET /dev/mail/{id}/raw", func(w http.ResponseWriter, r *http.Request) {
		m, err := s.Mailbox.Get(r.PathValue("id"))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "message/rfc822")
		w.Header().Set("Content-Disposition", `attachment; filename="`+m.ID+`.eml"`)
		_, _ = w.Write(m.Raw)
	})
	mux.HandleFunc("GET /dev/mail/{id}/attachments/{n}", func(w http.ResponseWriter, r *http.Request) {
		m, err := s.Mailbox.Get(r.PathValue("id"))
		n, nerr := strconv.Atoi(r.PathValue("n"))
		if err != nil || nerr != nil || n < 0 || n >= len(m.Parts) {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", m.Parts[n].ContentType)
		w.Header().Set("Content-Disposition", `attachment; filename="`+m.Parts[n].Filename+`"`)
		_, _ = w.Write(m.Parts[n].Body)
	})
	mux.HandleFunc("GET /dev/discord", func(w http.ResponseWriter, r *http.Request) {
		type view struct {
			ID, WebhookID, Pretty string
			Received              interface{ Format(string) string }
		}
		var out []view
		msgs := s.Discord.Messages()
		for i := len(msgs) - 1; i >= 0; i-- {
			b, _ := json.MarshalIndent(msgs[i].Body, "", "  ")
			out = append(out, view{ID: msgs[i].ID, WebhookID: msgs[i].WebhookID, Pretty: string(b), Received: msgs[i].Received})
		}
		page(w)
		_ = discordList.Execute(w, out)
	})
}
