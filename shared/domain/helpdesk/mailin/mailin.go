// Package mailin reads support mail as it arrives, for the helpdesk's
// IMAP import. It is tolerant of what mail clients and robots send (wrong
// or unknown charsets, encoded words, missing boundaries, broken
// transfer encodings) and answers what the helpdesk needs: who wrote,
// what the message threads to (its Message-ID, In-Reply-To, References,
// the subject's ticket tag), the text without quoted history, attachments
// with safe names, and whether it is automatic mail (auto-replies, bulk
// and list mail, bounces, our own) that must never be answered. What was
// wrong with a message and how it was read anyway is kept in Problems;
// the caller keeps the raw message for re-processing.
package mailin

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/mail"
	"regexp"
	"strings"
	"time"
)

// Message is one inbound e-mail as the helpdesk reads it.
type Message struct {
	MessageID   string   // without angle brackets; empty when it had none
	InReplyTo   []string // likewise
	References  []string // oldest first, as sent
	From        mail.Address
	ReturnPath  string // the envelope sender; "<>" for a null one
	To, Cc      []string
	Subject     string
	Date        time.Time
	Text        string // the plain text (from the HTML when only HTML came)
	HTML        string // as sent: rendering sanitises it
	Attachments []Attachment
	// Auto says why this is automatic mail that must not be answered
	// (empty for mail from a person).
	Auto   string
	Bounce *Bounce
	// Problems are what was wrong with the message and how it was read.
	Problems []string
}

// Attachment is a file that came with a message.
type Attachment struct {
	Name string // safe: no path, no control characters
	Type string // media type, lower case
	Data []byte
}

// Bounce is a delivery status report (RFC 3464) about mail we sent.
type Bounce struct {
	Recipient string
	Status    string // e.g. 5.1.1
	Permanent bool   // a 5.x.x failure: stop writing to Recipient
	// OriginalMessageID is the Message-ID of the mail that bounced, when
	// the report carries it.
	OriginalMessageID string
}

// Options are what Parse needs to know about us.
type Options struct {
	// MaxBytes bounds a message; a larger one is ErrTooLarge (its
	// headers are still read, for a polite rejection).
	MaxBytes int
	// OwnDomain is the domain of our Message-IDs: mail carrying one as its
	// own Message-ID is our own, come back.
	OwnDomain string
}

// ErrTooLarge: the message is over Options.MaxBytes.
var ErrTooLarge = errors.New("mailin: message too large")

// maxDepth bounds nested multiparts (a message inside a message…).
const maxDepth = 8

var dec = &mime.WordDecoder{CharsetReader: charsetReader}

// Parse reads raw. It fails only when there is no header to read; a
// message over the size limit answers its headers with ErrTooLarge.
func Parse(raw []byte, o Options) (*Message, error) {
	too := o.MaxBytes > 0 && len(raw) > o.MaxBytes
	src := raw
	if too {
		// The headers only: they end at the first empty line.
		if i := bytes.Index(raw, []byte("\r\n\r\n")); i >= 0 {
			src = raw[:i+4]
		} else if i := bytes.Index(raw, []byte("\n\n")); i >= 0 {
			src = raw[:i+2]
		}
	}
	msg, err := mail.ReadMessage(bytes.NewReader(src))
	if err != nil {
		return nil, fmt.Errorf("mailin: unreadable header: %w", err)
	}
	m := &Message{}
	h := msg.Header
	m.MessageID = first(msgIDs(h.Get("Message-Id")))
	m.InReplyTo = msgIDs(h.Get("In-Reply-To"))
	m.References = msgIDs(h.Get("References"))
	m.Subject = decodeWords(h.Get("Subject"))
	m.ReturnPath = strings.TrimSpace(h.Get("Return-Path"))
	if d, err := h.Date(); err == nil {
		m.Date = d.UTC()
	}
	m.From = m.address(h.Get("From"))
	m.To = m.addresses(h.Get("To"))
	m.Cc = m.addresses(h.Get("Cc"))
	if too {
		// Whether it may be answered is in the headers: a robot's oversized
		// mail gets no rejection either.
		m.Auto = automatic(h, m, o.OwnDomain)
		return m, ErrTooLarge
	}
	w := &walker{m: m}
	w.part(textprotoHeader(h), msg.Body, 0)
	if m.Text == "" && m.HTML != "" {
		m.Text = htmlText(m.HTML)
	}
	m.Text = strings.TrimSpace(strings.ReplaceAll(m.Text, "\r\n", "\n"))
	m.Auto = automatic(h, m, o.OwnDomain)
	return m, nil
}

func (m *Message) problem(format string, args ...any) {
	if len(m.Problems) < 20 {
		m.Problems = append(m.Problems, fmt.Sprintf(format, args...))
	}
}

var angle = regexp.MustCompile(`<([^<>\s]+)>`)

// msgIDs are the message ids in a header, without brackets; a bare one
// (no brackets, as some clients send) counts too.
func msgIDs(v string) []string {
	var out []string
	for _, m := range angle.FindAllStringSubmatch(v, -1) {
		out = append(out, m[1])
	}
	if len(out) == 0 {
		if f := strings.Fields(v); len(f) == 1 && strings.Contains(f[0], "@") {
			out = append(out, strings.Trim(f[0], "<>"))
		}
	}
	return out
}

func first(l []string) string {
	if len(l) == 0 {
		return ""
	}
	return l[0]
}

func decodeWords(s string) string {
	if d, err := dec.DecodeHeader(s); err == nil {
		s = d
	}
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' || r == '\t' {
			return ' '
		}
		return r
	}, s))
}

var bareAddress = regexp.MustCompile(`[^\s<>"@,;:]+@[^\s<>"@,;:]+`)

func (m *Message) address(v string) mail.Address {
	p := mail.AddressParser{WordDecoder: dec}
	if a, err := p.Parse(v); err == nil {
		return mail.Address{Name: a.Name, Address: strings.ToLower(a.Address)}
	}
	if a := bareAddress.FindString(v); a != "" {
		m.problem("sender %q read as %s", v, a)
		return mail.Address{Address: strings.ToLower(a)}
	}
	if v != "" {
		m.problem("no sender address in %q", v)
	}
	return mail.Address{}
}

func (m *Message) addresses(v string) []string {
	if strings.TrimSpace(v) == "" {
		return nil
	}
	p := mail.AddressParser{WordDecoder: dec}
	if l, err := p.ParseList(v); err == nil {
		out := make([]string, len(l))
		for i, a := range l {
			out[i] = strings.ToLower(a.Address)
		}
		return out
	}
	var out []string
	for _, a := range bareAddress.FindAllString(v, -1) {
		out = append(out, strings.ToLower(a))
	}
	return out
}

// readAll reads r up to a bound, so a part that never ends cannot exhaust
// memory (Parse's callers bound the whole message too).
func readAll(r io.Reader) ([]byte, error) {
	return io.ReadAll(io.LimitReader(r, 64<<20))
}
