package accounts

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ezscale/platform/shared/domain/audit"
	"github.com/ezscale/platform/shared/platform/apperr"
	"github.com/ezscale/platform/shared/platform/ids"
)

// Note is something staff wrote down about a customer ("prefers e-mail",
// "disputed an invoice in March"); customers never see notes.
type Note struct {
	ID          string    `json:"id"`
	CustomerID  string    `json:"customer_id"`
	Body        string    `json:"body"`
	AuthorID    string    `json:"author_id"`
	AuthorEmail string    `json:"author_email"`
	CreatedAt   time.Time `json:"created_at"`
}

// NoteStore keeps notes.
type NoteStore interface {
	AddNote(ctx context.Context, n *Note) error
	ListNotes(ctx context.Context, customerID string) ([]Note, error)
	GetNote(ctx context.Context, customerID, id string) (*Note, error)
	DeleteNote(ctx context.Context, customerID, id string) error
}

// MaxNote is the longest note, in characters.
const MaxNote = 5000

// Notes lists a customer's notes, newest first.
func (s *Service) Notes(ctx context.Context, customerID string) ([]Note, error) {
	if _, err := s.store.GetUser(ctx, customerID); err != nil {
		return nil, err
	}
	return s.notes.ListNotes(ctx, customerID)
}

// AddNote records a note about a customer, audited.
func (s *Service) AddNote(ctx context.Context, actor *User, customerID, body string, m Meta) (*Note, error) {
	body = strings.TrimSpace(body)
	switch n := utf8.RuneCountInString(body); {
	case n == 0:
		return nil, apperr.Validation(map[string]string{"body": "is required"})
	case n > MaxNote:
		return nil, apperr.Validation(map[string]string{"body": "must be at most 5000 characters"})
	}
	if _, err := s.store.GetUser(ctx, customerID); err != nil {
		return nil, err
	}
	n := &Note{ID: ids.New("note"), CustomerID: customerID, Body: body, AuthorID: actor.ID, AuthorEmail: actor.Email, CreatedAt: s.clock.Now()}
	if err := s.notes.AddNote(ctx, n); err != nil {
		return nil, err
	}
	s.record(ctx, audit.Entry{ActorID: actor.ID, ActorEmail: actor.Email, Action: "customer.note_add", Outcome: "ok", TargetType: "user", TargetID: customerID,
		After: audit.JSON(n)}, m)
	return n, nil
}

// DeleteNote removes a note: its author may, and staff who manage
// customers; the note is kept in the audit trail.
func (s *Service) DeleteNote(ctx context.Context, actor *User, customerID, id string, m Meta) error {
	n, err := s.notes.GetNote(ctx, customerID, id)
	if err != nil {
		return err
	}
	if n.AuthorID != actor.ID && !actor.Role.Can(CustomersManage) {
		return apperr.New(apperr.Forbidden, "only its author or staff who manage customers may delete a note")
	}
	if err := s.notes.DeleteNote(ctx, customerID, id); err != nil {
		return err
	}
	s.record(ctx, audit.Entry{ActorID: actor.ID, ActorEmail: actor.Email, Action: "customer.note_delete", Outcome: "ok", TargetType: "user", TargetID: customerID,
		Before: audit.JSON(n)}, m)
	return nil
}
