package dynamo

import (
	"context"
	"time"

	"github.com/ezscale/platform/shared/domain/accounts"
	"github.com/ezscale/platform/shared/platform/apperr"
)

// Staff notes about a customer, in the customer's own partition:
//
//	note  PK=CUSTNOTES#<customer>  SK=<created>#<id>
var _ accounts.NoteStore = (*Accounts)(nil)

type noteRecord struct {
	Item
	ID          string    `dynamodbav:"id"`
	CustomerID  string    `dynamodbav:"customer_id"`
	Body        string    `dynamodbav:"body"`
	AuthorID    string    `dynamodbav:"author_id"`
	AuthorEmail string    `dynamodbav:"author_email"`
	CreatedAt   time.Time `dynamodbav:"created_at"`
}

func (r *noteRecord) note() accounts.Note {
	return accounts.Note{ID: r.ID, CustomerID: r.CustomerID, Body: r.Body, AuthorID: r.AuthorID, AuthorEmail: r.AuthorEmail, CreatedAt: r.CreatedAt}
}

// Notes sort by time; GetNote and DeleteNote find one by id in the
// customer's partition, which stays small.
func noteKey(n *accounts.Note) Key {
	return Key{PK: "CUSTNOTES#" + n.CustomerID, SK: n.CreatedAt.UTC().Format(time.RFC3339Nano) + "#" + n.ID}
}

// AddNote implements accounts.NoteStore.
func (s *Accounts) AddNote(ctx context.Context, n *accounts.Note) error {
	k := noteKey(n)
	return s.t.Write(ctx, Create(&noteRecord{Item: Item{PK: k.PK, SK: k.SK, Type: "customer_note", Version: 1}, ID: n.ID, CustomerID: n.CustomerID,
		Body: n.Body, AuthorID: n.AuthorID, AuthorEmail: n.AuthorEmail, CreatedAt: n.CreatedAt}))
}

// maxNotes bounds what one customer's notes page reads.
const maxNotes = 500

// ListNotes implements accounts.NoteStore (newest first).
func (s *Accounts) ListNotes(ctx context.Context, customerID string) ([]accounts.Note, error) {
	recs, err := QueryAll[noteRecord](ctx, s.t, Query{PK: "CUSTNOTES#" + customerID, Reverse: true}, maxNotes)
	if err != nil {
		return nil, err
	}
	out := make([]accounts.Note, 0, len(recs))
	for i := range recs {
		out = append(out, recs[i].note())
	}
	return out, nil
}

// GetNote implements accounts.NoteStore.
func (s *Accounts) GetNote(ctx context.Context, customerID, id string) (*accounts.Note, error) {
	notes, err := s.ListNotes(ctx, customerID)
	if err != nil {
		return nil, err
	}
	for i := range notes {
		if notes[i].ID == id {
			return &notes[i], nil
		}
	}
	return nil, apperr.New(apperr.NotFound, "note %s not found", id)
}

// DeleteNote implements accounts.NoteStore.
func (s *Accounts) DeleteNote(ctx context.Context, customerID, id string) error {
	n, err := s.GetNote(ctx, customerID, id)
	if err != nil {
		return err
	}
	err = s.t.Write(ctx, Delete(noteKey(n), "", ""))
	if apperr.Is(err, apperr.Conflict) {
		return apperr.New(apperr.NotFound, "note %s not found", id)
	}
	return err
}
