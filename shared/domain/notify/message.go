package notify

import (
	"fmt"
	"net/mail"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/ezscale/platform/shared/platform/apperr"
)

// Status is where a message is in its delivery.
type Status string

// Delivery statuses. Pending messages wait in the queue; sending means a
// worker holds the lease and is calling the provider; unknown means a
// worker stopped mid-send, so the provider may or may not have it — it is
// not resent automatically (at most once), an admin decides.
const (
	Pending Status = "pending"
	Sending Status = "sending"
	Sent    Status = "sent"
	Failed  Status = "failed"
	Unknown Status = "unknown"
)

// Statuses lists every status.
var Statuses = []Status{Pending, Sending, Sent, Failed, Unknown}

// Attachment is a file sent with an e-mail.
type Attachment struct {
	Filename    string
	ContentType string
	Content     []byte
}

// Request asks for one notification.
type Request struct {
	Kind Kind
	// To is the recipient's e-mail address (e-mail kinds only).
	To   string
	Data map[string]any
	// Key makes the request idempotent: the same key is delivered at most
	// once, however often Send is called. Derive it from what the message
	// is about, e.g. "invoice_issued:inv_123".
	Key         string
	Attachments []Attachment
	// Thread makes the mail part of a conversation (helpdesk tickets).
	Thread *Thread
}

// Thread is what makes a mail part of a conversation mail clients thread
// and answers come back to.
type Thread struct {
	// MessageID is the mail's own Message-ID (without brackets), stored by
	// the caller so replies to it find the conversation again.
	MessageID  string   `json:"message_id"`
	InReplyTo  string   `json:"in_reply_to,omitempty"`
	References []string `json:"references,omitempty"`
	// ReplyTo replaces the support address (a department's own).
	ReplyTo string `json:"reply_to,omitempty"`
	// Written by a person (a staff reply): no Auto-Submitted, so the
	// customer's mail treats it as a person's. Otherwise it is
	// auto-generated, or auto-replied when AutoReply is set (RFC 3834:
	// sent with a null envelope sender).
	Human     bool `json:"human,omitempty"`
	AutoReply bool `json:"auto_reply,omitempty"`
}

// StoredAttachment is an attachment kept in the blob store.
type StoredAttachment struct {
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	BlobKey     string `json:"-"`
}

// Field is one name/value line of an alert.
type Field struct {
	Name   string `json:"name"`
	Value  string `json:"value"`
	Inline bool   `json:"inline"`
}

// Alert is a rendered admin alert.
type Alert struct {
	Title       string   `json:"title"`
	Description string   `json:"description,omitempty"`
	Severity    Severity `json:"severity"`
	Fields      []Field  `json:"fields"`
	URL         string   `json:"url,omitempty"`
}

// Message is a stored notification and its delivery state.
type Message struct {
	ID      string  `json:"id"`
	Kind    Kind    `json:"kind"`
	Channel Channel `json:"channel"`
	To      string  `json:"to,omitempty"`
	ReplyTo string  `json:"reply_to,omitempty"`
	Subject string  `json:"subject,omitempty"`
	// Body is the rendered text and HTML, sealed (envelope encryption bound
	// to the message id): bodies carry credentials and reset links.
	Body        []byte             `json:"-"`
	Alert       *Alert             `json:"alert,omitempty"`
	Attachments []StoredAttachment `json:"attachments"`
	Thread      *Thread            `json:"thread,omitempty"`
	Status      Status             `json:"status"`
	Attempts    int                `json:"attempts"`
	LastError   string             `json:"last_error,omitempty"`
	LeaseUntil  time.Time          `json:"-"`
	SentAt      *time.Time         `json:"sent_at"`
	CreatedAt   time.Time          `json:"created_at"`
	UpdatedAt   time.Time          `json:"updated_at"`
	Version     int64              `json:"version"`
}

// Limits on what a request may carry.
const (
	MaxAttachments      = 10
	MaxAttachmentsBytes = 10 << 20 // most relays accept 10 MB+; SES allows 40 MB
)

// Counted repetitions ({m,n}) compile to a program n states long at
// every cold start, so lengths are checked apart from the pattern.
var keyRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9:_.@-]*$`)

// validMsgID accepts the id of a Message-ID header without its brackets.
func validMsgID(id string) bool {
	l, d, ok := strings.Cut(id, "@")
	return ok && l != "" && d != "" && len(id) <= 250 && !strings.ContainsAny(id, "<> \t\r\n\"(),;")
}

// normalizeAddress accepts one bare address ("ada@example.com"), refusing
// display names, lists and header injection, and lower-cases the domain.
func normalizeAddress(s string) (string, error) {
	if strings.ContainsAny(s, "\r\n<>,;\"") || len(s) > 254 {
		return "", fmt.Errorf("is not a single e-mail address")
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != strings.TrimSpace(s) {
		return "", fmt.Errorf("is not a valid e-mail address")
	}
	local, domain, ok := strings.Cut(a.Address, "@")
	if !ok || local == "" || !strings.Contains(domain, ".") || strings.HasSuffix(domain, ".") {
		return "", fmt.Errorf("is not a valid e-mail address")
	}
	return local + "@" + strings.ToLower(domain), nil
}

// validate checks a request against its spec; it returns the spec.
func (r *Request) validate() (Spec, error) {
	f := apperr.FieldErrors{}
	spec, ok := Lookup(r.Kind)
	if !ok {
		return Spec{}, apperr.Validation(map[string]string{"kind": fmt.Sprintf("unknown notification kind %q", r.Kind)})
	}
	if len(r.Key) > 200 || !keyRE.MatchString(r.Key) {
		f.Add("key", "must be 1-200 characters of letters, digits and :_.@-")
	}
	if spec.Channel == Email {
		addr, err := normalizeAddress(r.To)
		if err != nil {
			f.Add("to", err.Error())
		}
		r.To = addr
	} else if r.To != "" {
		f.Add("to", "alerts go to the configured Discord webhooks, not to an address")
	}
	for _, k := range spec.missing(r.Data) {
		f.Add("data."+k, "is required for "+string(r.Kind))
	}
	if spec.Channel == Discord && len(r.Attachments) > 0 {
		f.Add("attachments", "alerts cannot carry attachments")
	}
	if len(r.Attachments) > MaxAttachments {
		f.Add("attachments", fmt.Sprintf("at most %d attachments", MaxAttachments))
	}
	var total int
	for i, a := range r.Attachments {
		total += len(a.Content)
		if a.Filename == "" || a.Filename != filepath.Base(a.Filename) || strings.ContainsAny(a.Filename, "\r\n\"\\/") || len(a.Filename) > 200 {
			f.Add(fmt.Sprintf("attachments[%d].filename", i), "must be a plain file name")
		}
		if !strings.Contains(a.ContentType, "/") || strings.ContainsAny(a.ContentType, "\r\n") {
			f.Add(fmt.Sprintf("attachments[%d].content_type", i), "must be a MIME type like application/pdf")
		}
	}
	if th := r.Thread; th != nil {
		if spec.Channel != Email {
			f.Add("thread", "only e-mail is threaded")
		}
		for i, id := range append([]string{th.MessageID, th.InReplyTo}, th.References...) {
			if (i != 1 || id != "") && !validMsgID(id) {
				f.Add("thread", fmt.Sprintf("%q is not a message id (local@domain, no brackets)", id))
			}
		}
		if th.ReplyTo != "" {
			addr, err := normalizeAddress(th.ReplyTo)
			if err != nil {
				f.Add("thread.reply_to", err.Error())
			}
			th.ReplyTo = addr
		}
	}
	if total > MaxAttachmentsBytes {
		return spec, &apperr.Error{Code: apperr.PayloadTooLarge, Message: fmt.Sprintf("attachments total %d bytes; the limit is %d", total, MaxAttachmentsBytes), Fields: map[string]string{"attachments": "too large"}}
	}
	return spec, f.Err()
}
