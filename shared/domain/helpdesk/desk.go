package helpdesk

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ezscale/platform/shared/domain/outbox"
)

// MarshalText names an author in the API and storage.
func (a Author) MarshalText() ([]byte, error) {
	switch a {
	case Customer:
		return []byte("customer"), nil
	case Staff:
		return []byte("staff"), nil
	case StaffNote:
		return []byte("note"), nil
	}
	return nil, fmt.Errorf("helpdesk: unknown author %d", int(a))
}

// UnmarshalText reads what MarshalText wrote.
func (a *Author) UnmarshalText(b []byte) error {
	switch string(b) {
	case "customer":
		*a = Customer
	case "staff":
		*a = Staff
	case "note":
		*a = StaffNote
	default:
		return fmt.Errorf("helpdesk: unknown author %q", b)
	}
	return nil
}

// Reply is one message on a ticket's thread.
type Reply struct {
	ID         string `json:"id"`
	TicketID   string `json:"ticket_id"`
	Author     Author `json:"author"`
	AuthorID   string `json:"author_id,omitempty"` // the user; empty for a sender without an account
	AuthorName string `json:"author_name"`
	// Email is the address the reply came from (mail) or went to.
	Email string `json:"email,omitempty"`
	Body  string `json:"body"` // plain text: HTML mail is read as text, never rendered
	Files []File `json:"attachments"`
	Via   string `json:"via"` // web, email, api
	// MessageID is the Message-ID (without brackets) of the mail this
	// reply came in as; OutID that of ours that tells the other side of it.
	// Both are recorded, so answers to either thread back here.
	MessageID string `json:"-"`
	OutID     string `json:"-"`
	// Auto says why an imported message was automatic (an auto-reply, a
	// bounce): it is kept on the thread and never answered.
	Auto      string    `json:"auto,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// File is an attachment kept in the blob store.
type File struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Type string `json:"type"`
	Size int    `json:"size"`
	Key  string `json:"-"`
}

// Event is one change in a ticket's audit.
type Event struct {
	ID        string    `json:"id"`
	TicketID  string    `json:"ticket_id"`
	ActorID   string    `json:"actor_id,omitempty"` // empty: the system (auto-close, mail import)
	ActorName string    `json:"actor_name"`
	Action    string    `json:"action"` // opened, status, priority, department, assignee, service, merged, replied, noted
	From      string    `json:"from,omitempty"`
	To        string    `json:"to,omitempty"`
	At        time.Time `json:"at"`
}

// Department is a queue of tickets with its own address and staff.
type Department struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"` // its support address: mail to it opens tickets here
	// Staff are the user ids told of its new tickets and replies.
	Staff []string `json:"staff"`
	// Hidden departments take mail and staff moves but are not offered to
	// customers opening a ticket.
	Hidden bool `json:"hidden"`
}

// Canned is a saved staff answer.
type Canned struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Body  string `json:"body"`
}

// Settings are the desk's staff-managed configuration.
type Settings struct {
	Departments []Department `json:"departments"`
	Canned      []Canned     `json:"canned_replies"`
	// AutoCloseDays closes a ticket waiting on its customer that long (0: never).
	AutoCloseDays int       `json:"auto_close_days"`
	UpdatedAt     time.Time `json:"updated_at"`
	Version       int64     `json:"version"`
}

// Department returns the department with id, or nil.
func (s *Settings) Department(id string) *Department {
	for i := range s.Departments {
		if s.Departments[i].ID == id {
			return &s.Departments[i]
		}
	}
	return nil
}

// Change is what one ticket write adds beside the ticket itself.
type Change struct {
	Replies []Reply
	Events  []Event
	// Effects are outbox items: the mail the change causes, run after it
	// commits.
	Effects []outbox.Item
}

// Filter selects tickets for a list.
type Filter struct {
	Statuses     []Status // none: every status
	DepartmentID string
	Priority     Priority
	AssigneeID   string // "none": unassigned
	CustomerID   string
	Limit        int
}

// Cursor is how far a mailbox has been imported.
type Cursor struct {
	Mailbox     string `json:"mailbox"`
	UIDValidity uint32 `json:"uid_validity"`
	LastUID     uint32 `json:"last_uid"`
	Version     int64  `json:"version"`
}

// ErrDuplicate: a message with this Message-ID is already on a ticket.
var ErrDuplicate = errors.New("helpdesk: message already recorded")

// Store keeps tickets, their threads and the desk's settings. Every write
// of a reply also records its Message-ID, in the same transaction, so a
// message imported twice fails the second time with ErrDuplicate.
type Store interface {
	// CreateTicket numbers t from the gap-free series and writes it with
	// its first reply and events in one transaction.
	CreateTicket(ctx context.Context, t *Ticket, first *Reply, events []Event, effects []outbox.Item) error
	GetTicket(ctx context.Context, id string) (*Ticket, error)
	// TicketByNumber answers apperr.NotFound when there is none.
	TicketByNumber(ctx context.Context, n int64) (*Ticket, error)
	// UpdateTicket lets fn change the ticket and say what to add; all is
	// written in one transaction if nobody wrote in between. fn may run
	// more than once.
	UpdateTicket(ctx context.Context, id string, fn func(*Ticket) (Change, error)) (*Ticket, error)
	// Merge writes both tickets and the events fn returns in one transaction.
	Merge(ctx context.Context, fromID, intoID string, fn func(from, into *Ticket) (Change, error)) (*Ticket, error)
	// Thread is a ticket's replies and events, oldest first.
	Thread(ctx context.Context, id string) ([]Reply, []Event, error)
	ListTickets(ctx context.Context, f Filter) ([]Ticket, error)
	// TicketByMessageID is the ticket whose thread holds message id; "" when none.
	TicketByMessageID(ctx context.Context, id string) (string, error)
	// Settings answers defaults (version 0) before staff saved any.
	Settings(ctx context.Context) (*Settings, error)
	// SaveSettings writes s if it is still at s.Version (apperr.Conflict otherwise).
	SaveSettings(ctx context.Context, s *Settings) error
	// Undeliverable reports whether mail to address bounced for good.
	Undeliverable(ctx context.Context, address string) (bool, error)
	MarkUndeliverable(ctx context.Context, address, reason string) error
}
