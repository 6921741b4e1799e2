// Package mailmsg builds RFC 5322 / MIME messages from rendered e-mails:
// multipart/alternative (text, then HTML) wrapped in multipart/mixed when
// there are attachments; encoded headers; a Message-ID on our own domain
// derived from the notification key, so a resend is the same message to
// mail clients.
package mailmsg

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"time"

	"github.com/ezscale/platform/shared/domain/notify"
)

// MessageID returns the Message-ID for a notification key on domain.
func MessageID(key, domain string) string {
	h := sha256.Sum256([]byte(key))
	return "<" + hex.EncodeToString(h[:16]) + "@" + domain + ">"
}

// Domain returns the domain of a From header value ("EZSCALE <a@b.c>" → "b.c").
func Domain(from string) (string, error) {
	a, err := mail.ParseAddress(from)
	if err != nil {
		return "", fmt.Errorf("parse from address %q: %w", from, err)
	}
	_, d, _ := strings.Cut(a.Address, "@")
	return d, nil
}

// Build returns the message bytes (CRLF line endings) for m sent at date.
func Build(m notify.Mail, date time.Time) ([]byte, error) {
	from, err := mail.ParseAddress(m.From)
	if err != nil {
		return nil, fmt.Errorf("from: %w", err)
	}
	domain, _ := Domain(m.From)
	var b bytes.Buffer
	h := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	h("From", from.String())
	h("To", (&mail.Address{Address: m.To}).String())
	if m.ReplyTo != "" {
		h("Reply-To", (&mail.Address{Address: m.ReplyTo}).String())
	}
	h("Subject", mime.QEncoding.Encode("utf-8", m.Subject))
	h("Date", date.Format(time.RFC1123Z))
	th := m.Thread
	if th == nil {
		th = &notify.Thread{}
	}
	if th.MessageID != "" {
		h("Message-ID", "<"+th.MessageID+">")
	} else {
		h("Message-ID", MessageID(m.ID, domain))
	}
	if th.InReplyTo != "" {
		h("In-Reply-To", "<"+th.InReplyTo+">")
	}
	if len(th.References) > 0 {
		h("References", "<"+strings.Join(th.References, ">\r\n <")+">")
	}
	h("MIME-Version", "1.0")
	switch {
	case th.Human:
		// A person's answer: the customer's mail treats it as one.
	case th.AutoReply:
		// RFC 3834: an automatic answer to the customer's mail.
		h("Auto-Submitted", "auto-replied")
		h("X-Auto-Response-Suppress", "All")
	default:
		// Transactional mail: no auto-replies, no vacation responders.
		h("Auto-Submitted", "auto-generated")
		h("X-Auto-Response-Suppress", "All")
	}

	alt, err := alternative(m.Text, m.HTML)
	if err != nil {
		return nil, err
	}
	if len(m.Attachments) == 0 {
		h("Content-Type", alt.contentType)
		b.WriteString("\r\n")
		b.Write(alt.body)
		return b.Bytes(), nil
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	h("Content-Type", "multipart/mixed; boundary="+mw.Boundary())
	b.WriteString("\r\n")
	pw, err := mw.CreatePart(textproto.MIMEHeader{"Content-Type": {alt.contentType}})
	if err != nil {
		return nil, err
	}
	pw.Write(alt.body)
	for _, a := range m.Attachments {
		name := mime.QEncoding.Encode("utf-8", a.Filename)
		pw, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {mime.FormatMediaType(a.ContentType, map[string]string{"name": a.Filename})},
			"Content-Disposition":       {mime.FormatMediaType("attachment", map[string]string{"filename": a.Filename})},
			"Content-Transfer-Encoding": {"base64"},
		})
		if err != nil {
			return nil, fmt.Errorf("attachment %s: %w", name, err)
		}
		writeBase64(pw, a.Content)
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	b.Write(body.Bytes())
	return b.Bytes(), nil
}

type part struct {
	contentType string
	body        []byte
}

func alternative(text, html string) (part, error) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, p := range []struct{ ct, s string }{{"text/plain; charset=utf-8", text}, {"text/html; charset=utf-8", html}} {
		w, err := mw.CreatePart(textproto.MIMEHeader{"Content-Type": {p.ct}, "Content-Transfer-Encoding": {"quoted-printable"}})
		if err != nil {
			return part{}, err
		}
		qp := quotedprintable.NewWriter(w)
		qp.Write([]byte(strings.ReplaceAll(strings.ReplaceAll(p.s, "\r\n", "\n"), "\n", "\r\n")))
		if err := qp.Close(); err != nil {
			return part{}, err
		}
	}
	if err := mw.Close(); err != nil {
		return part{}, err
	}
	return part{contentType: "multipart/alternative; boundary=" + mw.Boundary(), body: body.Bytes()}, nil
}

// writeBase64 writes base64 in 76-character lines (RFC 2045).
func writeBase64(w interface{ Write([]byte) (int, error) }, data []byte) {
	enc := base64.StdEncoding.EncodeToString(data)
	for len(enc) > 76 {
		w.Write([]byte(enc[:76] + "\r\n"))
		enc = enc[76:]
	}
	w.Write([]byte(enc + "\r\n"))
}
