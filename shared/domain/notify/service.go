package notify

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/ezscale/platform/shared/platform/apperr"
	"github.com/ezscale/platform/shared/platform/clock"
)

// Service accepts notifications and manages templates.
type Service struct {
	sealer   Sealer
	store    Store
	queue    Queue
	blobs    Blobs
	render   *Renderer
	clock    clock.Clock
	log      *slog.Logger
	supportE string
}

// Config wires a Service.
type Config struct {
	Sealer   Sealer
	Store    Store
	Queue    Queue
	Blobs    Blobs
	Renderer *Renderer
	Clock    clock.Clock
	Log      *slog.Logger
	// SupportEmail is the Reply-To of kinds customers may answer.
	SupportEmail string
}

// NewService returns a Service.
func NewService(c Config) *Service {
	return &Service{sealer: c.Sealer, store: c.Store, queue: c.Queue, blobs: c.Blobs, render: c.Renderer, clock: c.Clock, log: c.Log, supportE: c.SupportEmail}
}

// Send validates and renders req, stores it and queues it. Calling Send
// again with the same Key returns the stored message and never queues a
// second delivery of a message already sent. Errors: apperr.Invalid (bad
// kind, address, data or template), apperr.PayloadTooLarge (attachments),
// apperr.Unavailable (store or queue down — safe to call again).
func (s *Service) Send(ctx context.Context, req Request) (*Message, error) {
	spec, err := req.validate()
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	m := &Message{ID: req.Key, Kind: req.Kind, Channel: spec.Channel, To: req.To, Status: Pending, Version: 1, CreatedAt: now, UpdatedAt: now, Attachments: []StoredAttachment{}}
	switch spec.Channel {
	case Email:
		tpl, err := s.template(ctx, req.Kind)
		if err != nil {
			return nil, err
		}
		out, err := s.render.Render(tpl, req.Data)
		if err != nil {
			return nil, fmt.Errorf("render %s: %w", req.Kind, err)
		}
		m.Subject = out.Subject
		if m.Body, err = sealBody(ctx, s.sealer, m.ID, out); err != nil {
			return nil, apperr.Wrap(err, apperr.Unavailable, "the notification could not be encrypted; try again")
		}
		if spec.ReplyToSupport {
			m.ReplyTo = s.supportE
		}
		if req.Thread != nil {
			th := *req.Thread
			m.Thread = &th
			if th.ReplyTo != "" {
				m.ReplyTo = th.ReplyTo
			}
		}
	case Discord:
		a, err := buildAlert(spec, req.Data)
		if err != nil {
			return nil, err
		}
		m.Alert = &a
	}
	// Attachments go to the blob store first, under keys derived from the
	// idempotency key: a retried Send overwrites the same blobs.
	prefix := "notifications/" + hashKey(req.Key)
	for i, a := range req.Attachments {
		key := fmt.Sprintf("%s/%d-%s", prefix, i, a.Filename)
		if err := s.blobs.Put(ctx, key, a.ContentType, a.Content); err != nil {
			return nil, apperr.Wrap(fmt.Errorf("store attachment %s: %w", a.Filename, err), apperr.Unavailable, "attachments could not be stored; try again")
		}
		m.Attachments = append(m.Attachments, StoredAttachment{Filename: a.Filename, ContentType: a.ContentType, Size: int64(len(a.Content)), BlobKey: key})
	}
	existing, created, err := s.store.CreateMessage(ctx, m)
	if err != nil {
		return nil, fmt.Errorf("store notification %s: %w", req.Key, err)
	}
	if !created {
		if existing.Kind != m.Kind || existing.To != m.To {
			return nil, apperr.New(apperr.Conflict, "idempotency key %q was already used for another notification", req.Key)
		}
		m = existing
		if m.Status != Pending {
			return m, nil // already on its way or done: never queue it again
		}
	}
	// A pending message may be queued any number of times; the worker
	// delivers it once. If this fails the sweep re-queues it.
	if err := s.queue.Enqueue(ctx, m.ID); err != nil {
		return nil, apperr.Wrap(fmt.Errorf("enqueue %s: %w", m.ID, err), apperr.Unavailable, "the notification queue is unavailable; try again")
	}
	return m, nil
}

func bodyAAD(id string) []byte { return []byte("notification:" + id) }

func sealBody(ctx context.Context, s Sealer, id string, r Rendered) ([]byte, error) {
	plain, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	return s.Seal(ctx, plain, bodyAAD(id))
}

func openBody(ctx context.Context, s Sealer, m *Message) (Rendered, error) {
	plain, err := s.Open(ctx, m.Body, bodyAAD(m.ID))
	if err != nil {
		return Rendered{}, fmt.Errorf("open body of %s: %w", m.ID, err)
	}
	var r Rendered
	return r, json.Unmarshal(plain, &r)
}

func hashKey(k string) string {
	h := sha256.Sum256([]byte(k))
	return hex.EncodeToString(h[:12])
}

// Resend puts a failed or unknown message back in the queue (an admin's
// decision, since it may produce a duplicate for unknown ones).
func (s *Service) Resend(ctx context.Context, id string) (*Message, error) {
	m, err := s.store.UpdateMessage(ctx, id, func(m *Message) error {
		if m.Status != Failed && m.Status != Unknown {
			return apperr.New(apperr.Conflict, "only failed or unknown notifications can be resent; this one is %s", m.Status)
		}
		m.Status, m.Attempts, m.LastError, m.UpdatedAt = Pending, 0, "", s.clock.Now()
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("resend %s: %w", id, err)
	}
	if err := s.queue.Enqueue(ctx, id); err != nil {
		return nil, apperr.Wrap(err, apperr.Unavailable, "the notification queue is unavailable; try again")
	}
	return m, nil
}

// Sweep re-queues pending messages older than age: the backstop for a
// Send whose enqueue failed or a queue message lost to the DLQ.
func (s *Service) Sweep(ctx context.Context, age time.Duration) (int, error) {
	n, cursor := 0, ""
	cutoff := s.clock.Now().Add(-age)
	for {
		msgs, next, err := s.store.ListMessages(ctx, Pending, cursor, 100)
		if err != nil {
			return n, err
		}
		for _, m := range msgs {
			if m.UpdatedAt.After(cutoff) {
				continue
			}
			if err := s.queue.Enqueue(ctx, m.ID); err != nil {
				return n, err
			}
			n++
		}
		if next == "" {
			return n, nil
		}
		cursor = next
	}
}

// Get returns a stored message.
func (s *Service) Get(ctx context.Context, id string) (*Message, error) {
	return s.store.GetMessage(ctx, id)
}

// List pages through the delivery log.
func (s *Service) List(ctx context.Context, status Status, cursor string) ([]Message, string, error) {
	if status != "" && !validStatus(status) {
		return nil, "", apperr.Validation(map[string]string{"status": "must be one of pending, sending, sent, failed, unknown"})
	}
	return s.store.ListMessages(ctx, status, cursor, 50)
}

func validStatus(st Status) bool {
	for _, v := range Statuses {
		if v == st {
			return true
		}
	}
	return false
}

// template returns the admin's template for kind, or the default.
func (s *Service) template(ctx context.Context, kind Kind) (Template, error) {
	st, err := s.store.GetTemplate(ctx, kind)
	if err == nil {
		return st.Template, nil
	}
	if !apperr.Is(err, apperr.NotFound) {
		return Template{}, fmt.Errorf("load template %s: %w", kind, err)
	}
	spec, _ := Lookup(kind)
	return Template{Subject: spec.Subject, Text: spec.Text, HTML: spec.HTML}, nil
}
