package notify

import (
	"context"
	"time"
)

// Store keeps messages and admin-edited templates.
type Store interface {
	// CreateMessage stores m unless a message with its ID exists; then it
	// returns the existing one and created=false.
	CreateMessage(ctx context.Context, m *Message) (existing *Message, created bool, err error)
	// GetMessage returns apperr.NotFound for an unknown id.
	GetMessage(ctx context.Context, id string) (*Message, error)
	// UpdateMessage applies fn and writes if nobody wrote in between
	// (apperr.Conflict otherwise). fn may run more than once.
	UpdateMessage(ctx context.Context, id string, fn func(*Message) error) (*Message, error)
	// ListMessages pages through messages, newest first, optionally of one status.
	ListMessages(ctx context.Context, status Status, cursor string, limit int32) ([]Message, string, error)
	// GetTemplate returns the admin's version of kind's template, or
	// apperr.NotFound when the default applies.
	GetTemplate(ctx context.Context, kind Kind) (*StoredTemplate, error)
	PutTemplate(ctx context.Context, kind Kind, t StoredTemplate) error
	// DeleteTemplate restores the default; deleting a default is not an error.
	DeleteTemplate(ctx context.Context, kind Kind) error
}

// StoredTemplate is an admin's edit of a kind's template.
type StoredTemplate struct {
	Template
	UpdatedAt time.Time `json:"updated_at"`
	UpdatedBy string    `json:"updated_by"`
}

// Queue carries message ids to the worker. Enqueueing the same id twice is
// harmless: the worker delivers a message at most once.
type Queue interface {
	Enqueue(ctx context.Context, id string) error
}

// Blobs stores attachment bytes outside the queue and the table.
type Blobs interface {
	Put(ctx context.Context, key, contentType string, data []byte) error
	Get(ctx context.Context, key string) ([]byte, error)
}

// Mail is a rendered e-mail ready for a transport.
type Mail struct {
	// ID is the idempotency key; transports derive the Message-ID from it,
	// so a duplicate (should one ever happen) carries the same Message-ID.
	ID          string
	From        string
	To          string
	ReplyTo     string
	Subject     string
	Text, HTML  string
	Attachments []Attachment
	// Thread, when set, gives the Message-ID and threading headers.
	Thread *Thread
}

// Mailer sends e-mail. Failures are *DeliveryError values.
type Mailer interface {
	Send(ctx context.Context, m Mail) error
}

// AlertSender posts admin alerts. Failures are *DeliveryError values.
type AlertSender interface {
	Send(ctx context.Context, kind Kind, a Alert) error
}

// Sealer encrypts message bodies at rest (envelope.Sealer satisfies it).
type Sealer interface {
	Seal(ctx context.Context, plaintext, aad []byte) ([]byte, error)
	Open(ctx context.Context, sealed, aad []byte) ([]byte, error)
}
