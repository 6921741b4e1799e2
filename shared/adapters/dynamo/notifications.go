package dynamo

import (
	"context"
	"fmt"
	"time"

	"github.com/ezscale/platform/shared/domain/notify"
	"github.com/ezscale/platform/shared/platform/apperr"
)

// Notifications stores notification messages and admin-edited templates.
// Keys (see docs/access-patterns.md):
//
//	message   PK=NOTIF#<key>  SK=NOTIF
//	          GSI1PK=NOTIFS#<status>  GSI1SK=<created>#<key>  (delivery log by status)
//	          GSI2PK=NOTIFS           GSI2SK=<created>#<key>  (delivery log)
//	template  PK=TEMPLATE#<kind>  SK=TEMPLATE
//
// Messages expire after MessageRetention; until then their key dedupes.
type Notifications struct{ t *Table }

// MessageRetention is how long delivery records (and so idempotency keys)
// are kept.
const MessageRetention = 180 * 24 * time.Hour

var _ notify.Store = (*Notifications)(nil)

// NewNotifications returns the notification store on t.
func NewNotifications(t *Table) *Notifications { return &Notifications{t: t} }

type attachmentRecord struct {
	Filename    string `dynamodbav:"filename"`
	ContentType string `dynamodbav:"content_type"`
	Size        int64  `dynamodbav:"size"`
	BlobKey     string `dynamodbav:"blob_key"`
}

type messageRecord struct {
	Item
	ID          string             `dynamodbav:"id"`
	Kind        string             `dynamodbav:"kind"`
	Channel     string             `dynamodbav:"channel"`
	To          string             `dynamodbav:"to,omitempty"`
	ReplyTo     string             `dynamodbav:"reply_to,omitempty"`
	Subject     string             `dynamodbav:"subject,omitempty"`
	Body        []byte             `dynamodbav:"body,omitempty"`
	Alert       *alertData         `dynamodbav:"alert,omitempty"`
	Attachments []attachmentRecord `dynamodbav:"attachments,omitempty"`
	Thread      *threadData        `dynamodbav:"thread,omitempty"`
	Status      string             `dynamodbav:"status"`
	Attempts    int                `dynamodbav:"attempts"`
	LastError   string             `dynamodbav:"last_error,omitempty"`
	LeaseUntil  time.Time          `dynamodbav:"lease_until"`
	SentAt      *time.Time         `dynamodbav:"sent_at,omitempty"`
	CreatedAt   time.Time          `dynamodbav:"created_at"`
	UpdatedAt   time.Time          `dynamodbav:"updated_at"`
}

func messageKey(id string) Key { return Key{PK: "NOTIF#" + id, SK: "NOTIF"} }

func toMessageRecord(m *notify.Message) *messageRecord {
	order := m.CreatedAt.UTC().Format(time.RFC3339Nano) + "#" + m.ID
	r := &messageRecord{
		Item: Item{PK: "NOTIF#" + m.ID, SK: "NOTIF", Type: "notification", Version: m.Version,
			GSI1PK: "NOTIFS#" + string(m.Status), GSI1SK: order, GSI2PK: "NOTIFS", GSI2SK: order,
			TTL: m.CreatedAt.Add(MessageRetention).Unix()},
		ID: m.ID, Kind: string(m.Kind), Channel: string(m.Channel), To: m.To, ReplyTo: m.ReplyTo,
		Subject: m.Subject, Body: m.Body, Alert: mapPtr(m.Alert, alertDataOf), Thread: mapPtr(m.Thread, threadDataOf), Status: string(m.Status),
		Attempts: m.Attempts, LastError: m.LastError, LeaseUntil: m.LeaseUntil, SentAt: m.SentAt,
		CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt,
	}
	// Left nil when empty: an empty list attribute trips the emulator's
	// condition evaluation, and omitting it means the same.
	for _, a := range m.Attachments {
		r.Attachments = append(r.Attachments, attachmentRecord(a))
	}
	return r
}

func (r *messageRecord) message() *notify.Message {
	m := &notify.Message{
		ID: r.ID, Kind: notify.Kind(r.Kind), Channel: notify.Channel(r.Channel), To: r.To, ReplyTo: r.ReplyTo,
		Subject: r.Subject, Body: r.Body, Alert: mapPtr(r.Alert, alertData.value), Thread: mapPtr(r.Thread, threadData.value), Status: notify.Status(r.Status),
		Attempts: r.Attempts, LastError: r.LastError, LeaseUntil: r.LeaseUntil, SentAt: r.SentAt,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Version: r.Version, Attachments: []notify.StoredAttachment{},
	}
	for _, a := range r.Attachments {
		m.Attachments = append(m.Attachments, notify.StoredAttachment(a))
	}
	return m
}

// CreateMessage implements notify.Store.
func (s *Notifications) CreateMessage(ctx context.Context, m *notify.Message) (*notify.Message, bool, error) {
	err := s.t.Write(ctx, Create(toMessageRecord(m)))
	if err == nil {
		return m, true, nil
	}
	if !apperr.Is(err, apperr.Conflict) {
		return nil, false, err
	}
	existing, err := s.GetMessage(ctx, m.ID)
	if err != nil {
		return nil, false, err
	}
	return existing, false, nil
}

// GetMessage implements notify.Store.
func (s *Notifications) GetMessage(ctx context.Context, id string) (*notify.Message, error) {
	var r messageRecord
	if err := s.t.Get(ctx, messageKey(id), &r); err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return nil, apperr.New(apperr.NotFound, "notification %s not found", id)
		}
		return nil, err
	}
	return r.message(), nil
}

// UpdateMessage implements notify.Store.
func (s *Notifications) UpdateMessage(ctx context.Context, id string, fn func(*notify.Message) error) (*notify.Message, error) {
	var out *notify.Message
	_, err := Update(ctx, s.t, messageKey(id), func(r *messageRecord) ([]Op, error) {
		m := r.message()
		if err := fn(m); err != nil {
			return nil, err
		}
		version := r.Version
		*r = *toMessageRecord(m)
		r.Version = version
		out = m
		return nil, nil
	})
	if err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return nil, apperr.New(apperr.NotFound, "notification %s not found", id)
		}
		return nil, err
	}
	out.Version++
	return out, nil
}

// ListMessages implements notify.Store: newest first, one query per page.
func (s *Notifications) ListMessages(ctx context.Context, status notify.Status, cursor string, limit int32) ([]notify.Message, string, error) {
	q := Query{Index: GSI2, PK: "NOTIFS", Reverse: true, Limit: limit, Cursor: cursor}
	if status != "" {
		q.Index, q.PK = GSI1, "NOTIFS#"+string(status)
	}
	page, err := QueryPage[messageRecord](ctx, s.t, q)
	if err != nil {
		return nil, "", fmt.Errorf("list notifications: %w", err)
	}
	out := make([]notify.Message, 0, len(page.Items))
	for i := range page.Items {
		out = append(out, *page.Items[i].message())
	}
	return out, page.Next, nil
}

type templateRecord struct {
	Item
	Subject   string    `dynamodbav:"subject"`
	Text      string    `dynamodbav:"text"`
	HTML      string    `dynamodbav:"html"`
	UpdatedAt time.Time `dynamodbav:"updated_at"`
	UpdatedBy string    `dynamodbav:"updated_by"`
}

func templateKey(k notify.Kind) Key { return Key{PK: "TEMPLATE#" + string(k), SK: "TEMPLATE"} }

// GetTemplate implements notify.Store.
func (s *Notifications) GetTemplate(ctx context.Context, kind notify.Kind) (*notify.StoredTemplate, error) {
	var r templateRecord
	if err := s.t.Get(ctx, templateKey(kind), &r); err != nil {
		return nil, err
	}
	return &notify.StoredTemplate{Template: notify.Template{Subject: r.Subject, Text: r.Text, HTML: r.HTML}, UpdatedAt: r.UpdatedAt, UpdatedBy: r.UpdatedBy}, nil
}

// PutTemplate implements notify.Store (last writer wins: one admin field).
func (s *Notifications) PutTemplate(ctx context.Context, kind notify.Kind, t notify.StoredTemplate) error {
	k := templateKey(kind)
	return s.t.Write(ctx, Put(&templateRecord{
		Item:    Item{PK: k.PK, SK: k.SK, Type: "template", Version: 1},
		Subject: t.Subject, Text: t.Text, HTML: t.HTML, UpdatedAt: t.UpdatedAt, UpdatedBy: t.UpdatedBy,
	}))
}

// DeleteTemplate implements notify.Store.
func (s *Notifications) DeleteTemplate(ctx context.Context, kind notify.Kind) error {
	err := s.t.Write(ctx, Delete(templateKey(kind), "", ""))
	if apperr.Is(err, apperr.Conflict) {
		return nil // already the default
	}
	return err
}
