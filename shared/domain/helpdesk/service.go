package helpdesk

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/ezscale/platform/shared/domain/notify"
	"github.com/ezscale/platform/shared/domain/outbox"
	"github.com/ezscale/platform/shared/platform/apperr"
	"github.com/ezscale/platform/shared/platform/clock"
	"github.com/ezscale/platform/shared/platform/ids"
)

// Prefix names tickets in references and subject tags: EZSCALE-42.
const Prefix = "EZSCALE"

// Person is a user as the desk knows them.
type Person struct {
	ID    string
	Name  string
	Email string
	Staff bool
}

// People tells the desk who users are and what customers own.
type People interface {
	// Person answers apperr.NotFound for an unknown id.
	Person(ctx context.Context, id string) (Person, error)
	// PersonByEmail answers a zero Person (no ID) when no account has it.
	PersonByEmail(ctx context.Context, email string) (Person, error)
	// ServiceName is the name of a customer's service; apperr.NotFound
	// when the customer has no such service.
	ServiceName(ctx context.Context, customerID, serviceID string) (string, error)
}

// Blobs keeps attachment and raw message bytes (S3, or the data dir):
// the store notifications keep theirs in.
type Blobs = notify.Blobs

// Config wires a Service.
type Config struct {
	Store  Store
	Blobs  Blobs
	People People
	Notify Notifier
	Clock  clock.Clock
	Log    *slog.Logger
	// MailDomain is the domain of our Message-IDs.
	MailDomain string
	// AccountURL and AdminURL are where the apps' ticket pages are.
	AccountURL, AdminURL string
	// SupportEmail is the address of the one department there is before
	// staff configure the desk.
	SupportEmail string
	// MaxMailBytes bounds an inbound message (0: DefaultMaxMailBytes).
	MaxMailBytes int
	// RateLimit bounds acknowledgements per sender (nil: no bound).
	RateLimit RateLimit
	// Kick asks the outbox to publish soon (nil: its next sweep).
	Kick func()
}

// Service runs the desk: tickets, replies, staff changes.
type Service struct{ c Config }

// NewService returns a Service.
func NewService(c Config) *Service { return &Service{c: c} }

// Actor is who is acting: a signed-in user, or the mail importer on
// behalf of a sender.
type Actor struct {
	Person
	Via string // web, email, api
}

func (a Actor) name() string {
	if a.Name != "" {
		return a.Name
	}
	if a.Email != "" {
		return a.Email
	}
	return "system"
}

// Limits on what people write.
const (
	MaxSubject = 200
	MaxBody    = 50_000
)

// OpenInput is a new ticket.
type OpenInput struct {
	// CustomerID is who it is for: the customer themselves, or the
	// customer staff open it for.
	CustomerID   string   `json:"customer_id"`
	Subject      string   `json:"subject"`
	Body         string   `json:"body"`
	DepartmentID string   `json:"department_id"`
	Priority     Priority `json:"priority"`
	ServiceID    string   `json:"service_id"`
	Files        []Upload `json:"attachments"`
}

// Effect kinds the desk writes to the outbox with its changes.
const (
	KindNotify = "ticket.notify"
)

// notice is an outbox payload: what happened, for the mail it causes.
type notice struct {
	What    string `json:"what"` // opened, reply, status
	ReplyID string `json:"reply_id,omitempty"`
	Status  Status `json:"status,omitempty"`
	// Ack asks for an acknowledgement to the customer (not for automatic
	// mail, and not beyond the sender's rate).
	Ack bool `json:"ack,omitempty"`
	// Auto: the desk did it (an auto-close), not a person.
	Auto bool `json:"auto,omitempty"`
	// ByCustomer: the customer moved it (staff are told, not they).
	ByCustomer bool `json:"by_customer,omitempty"`
}

func (s *Service) effect(t *Ticket, key string, n notice) outbox.Item {
	return outbox.New("tkt:"+t.ID+":"+key, KindNotify, t.ID, n, s.c.Clock.Now())
}

// Open starts a ticket: a customer from the account app, or staff for a
// customer (their first message is then staff's, and it waits on the
// customer).
func (s *Service) Open(ctx context.Context, a Actor, in OpenInput) (*Ticket, error) {
	if !a.Staff {
		in.CustomerID = a.ID
	}
	in.Subject, in.Body = strings.TrimSpace(in.Subject), strings.TrimSpace(in.Body)
	f := apperr.FieldErrors{}
	text(f, "subject", in.Subject, MaxSubject)
	text(f, "body", in.Body, MaxBody)
	if in.Priority == "" {
		in.Priority = Medium
	}
	if !slices.Contains(Priorities, in.Priority) {
		f.Add("priority", "must be one of low, medium, high, urgent")
	} else if !a.Staff && in.Priority == Urgent {
		f.Add("priority", "urgent is set by staff; choose high for an outage")
	}
	set, err := s.settings(ctx)
	if err != nil {
		return nil, err
	}
	if d := set.Department(in.DepartmentID); d == nil || d.Hidden && !a.Staff {
		f.Add("department_id", "choose one of the departments offered")
	}
	customer, err := s.c.People.Person(ctx, in.CustomerID)
	if apperr.Is(err, apperr.NotFound) || err == nil && customer.Staff {
		f.Add("customer_id", "no such customer")
	} else if err != nil {
		return nil, err
	}
	if in.ServiceID != "" && customer.ID != "" {
		if _, err := s.c.People.ServiceName(ctx, customer.ID, in.ServiceID); apperr.Is(err, apperr.NotFound) {
			f.Add("service_id", "is not one of this customer's services")
		} else if err != nil {
			return nil, err
		}
	}
	checkUploads(f, in.Files)
	if err := f.Err(); err != nil {
		return nil, err
	}
	now := s.c.Clock.Now()
	t := &Ticket{ID: ids.NewAt("tkt", now), Subject: in.Subject, DepartmentID: in.DepartmentID, CustomerID: customer.ID, Email: customer.Email,
		ServiceID: in.ServiceID, Priority: in.Priority, Status: Open, Participants: []string{}, CreatedAt: now, UpdatedAt: now, Version: 1}
	author := Customer
	if a.Staff {
		author = Staff
	}
	r := &Reply{ID: ids.NewAt("rpl", now), TicketID: t.ID, Author: author, AuthorID: a.ID, AuthorName: a.name(), Email: a.Email, Body: in.Body, Via: a.Via, CreatedAt: now}
	if r.Files, err = s.saveFiles(ctx, t.ID, in.Files); err != nil {
		return nil, err
	}
	if err := t.Replied(author, now); err != nil {
		return nil, err
	}
	if err := s.create(ctx, t, r, a, notice{What: "opened", ReplyID: r.ID, Ack: !a.Staff}); err != nil {
		return nil, err
	}
	return t, nil
}

// create writes a new ticket with its first reply, its audit and its mail.
func (s *Service) create(ctx context.Context, t *Ticket, r *Reply, a Actor, n notice) error {
	t.Replies, t.LastReplyBy = 1, authorWord(r.Author)
	r.OutID = MessageID(t.ID, r.ID, s.c.MailDomain)
	ev := []Event{{ID: ids.NewAt("evt", t.CreatedAt), TicketID: t.ID, ActorID: a.ID, ActorName: a.name(), Action: "opened", To: string(t.Status), At: t.CreatedAt}}
	if err := s.c.Store.CreateTicket(ctx, t, r, ev, []outbox.Item{s.effect(t, r.ID, n)}); err != nil {
		return err
	}
	s.kick()
	return nil
}

func authorWord(a Author) string {
	b, _ := a.MarshalText()
	return string(b)
}

func text(f apperr.FieldErrors, field, v string, max int) {
	switch {
	case v == "":
		f.Add(field, "is required")
	case !utf8.ValidString(v):
		f.Add(field, "must be UTF-8 text")
	case utf8.RuneCountInString(v) > max:
		f.Add(field, fmt.Sprintf("at most %d characters", max))
	}
}

// ReplyInput is an answer on a ticket.
type ReplyInput struct {
	Body string `json:"body"`
	// Note keeps a staff reply internal: never shown or sent to the customer.
	Note  bool     `json:"note"`
	Files []Upload `json:"attachments"`
	// Status, for staff, moves the ticket after a public answer instead of
	// the usual waiting on the customer (e.g. closed: answered and done).
	Status Status `json:"status"`
}

// Reply answers on a ticket. A customer's reply reopens it; staff's waits
// on the customer; a note changes nothing.
func (s *Service) Reply(ctx context.Context, a Actor, ticketID string, in ReplyInput) (*Ticket, *Reply, error) {
	in.Body = strings.TrimSpace(in.Body)
	f := apperr.FieldErrors{}
	text(f, "body", in.Body, MaxBody)
	checkUploads(f, in.Files)
	if in.Note && !a.Staff {
		f.Add("note", "only staff write internal notes")
	}
	if in.Status != "" && (!a.Staff || in.Note || !slices.Contains(Statuses, in.Status)) {
		f.Add("status", "staff may set open, in_progress, waiting_on_customer or closed with a public answer")
	}
	if err := f.Err(); err != nil {
		return nil, nil, err
	}
	if _, err := s.visible(ctx, a, ticketID); err != nil {
		return nil, nil, err
	}
	author := Customer
	switch {
	case in.Note:
		author = StaffNote
	case a.Staff:
		author = Staff
	}
	now := s.c.Clock.Now()
	r := Reply{ID: ids.NewAt("rpl", now), TicketID: ticketID, Author: author, AuthorID: a.ID, AuthorName: a.name(), Email: a.Email, Body: in.Body, Via: a.Via, CreatedAt: now}
	var err error
	if r.Files, err = s.saveFiles(ctx, ticketID, in.Files); err != nil {
		return nil, nil, err
	}
	t, err := s.c.Store.UpdateTicket(ctx, ticketID, func(t *Ticket) (Change, error) {
		return s.replied(t, &r, a, in.Status)
	})
	if err != nil {
		return nil, nil, err
	}
	s.kick()
	return t, &r, nil
}

// replied moves t for r and says what to write with it.
func (s *Service) replied(t *Ticket, r *Reply, a Actor, then Status) (Change, error) {
	from := t.Status
	if err := t.Replied(r.Author, r.CreatedAt); err != nil {
		return Change{}, err
	}
	if then != "" && then != t.Status {
		if err := t.Move(then, false, r.CreatedAt); err != nil {
			return Change{}, err
		}
	}
	if r.Author != StaffNote {
		t.Replies++
		t.LastReplyBy = authorWord(r.Author)
		r.OutID = MessageID(t.ID, r.ID, s.c.MailDomain)
	}
	action := "replied"
	if r.Author == StaffNote {
		action = "noted"
	}
	c := Change{Replies: []Reply{*r}, Events: []Event{{ID: ids.NewAt("evt", r.CreatedAt), TicketID: t.ID, ActorID: a.ID, ActorName: a.name(), Action: action, At: r.CreatedAt}}}
	if t.Status != from {
		c.Events = append(c.Events, Event{ID: ids.NewAt("evt", r.CreatedAt), TicketID: t.ID, ActorID: a.ID, ActorName: a.name(), Action: "status", From: string(from), To: string(t.Status), At: r.CreatedAt})
	}
	if r.Author != StaffNote {
		c.Effects = append(c.Effects, s.effect(t, r.ID, notice{What: "reply", ReplyID: r.ID, Status: t.Status}))
	}
	return c, nil
}

// visible returns the ticket if a may see it: staff see every ticket, a
// customer only their own (anything else is not found, never forbidden,
// so ticket ids cannot be probed).
func (s *Service) visible(ctx context.Context, a Actor, id string) (*Ticket, error) {
	t, err := s.c.Store.GetTicket(ctx, id)
	if err != nil {
		return nil, err
	}
	if !a.Staff && (t.CustomerID == "" || t.CustomerID != a.ID) {
		return nil, apperr.New(apperr.NotFound, "ticket %s not found", id)
	}
	return t, nil
}

// Visible answers apperr.NotFound unless a may see the ticket: callers
// check it before reading the request, so a stranger learns nothing from
// a validation error.
func (s *Service) Visible(ctx context.Context, a Actor, id string) error {
	_, err := s.visible(ctx, a, id)
	return err
}

// View is a ticket with its thread as its viewer may see it.
type View struct {
	Ticket  *Ticket `json:"ticket"`
	Replies []Reply `json:"replies"`
	Events  []Event `json:"events,omitempty"` // staff only
}

// Get returns a ticket and its thread (with the threads of tickets merged
// into it); customers never see internal notes or the audit.
func (s *Service) Get(ctx context.Context, a Actor, id string) (*View, error) {
	t, err := s.visible(ctx, a, id)
	if err != nil {
		return nil, err
	}
	v := &View{Ticket: t, Replies: []Reply{}}
	for _, tid := range append([]string{t.ID}, t.Merged...) {
		replies, events, err := s.c.Store.Thread(ctx, tid)
		if err != nil {
			return nil, err
		}
		for _, r := range replies {
			if a.Staff || r.Author != StaffNote {
				v.Replies = append(v.Replies, r)
			}
		}
		if a.Staff {
			v.Events = append(v.Events, events...)
		}
	}
	slices.SortStableFunc(v.Replies, func(x, y Reply) int { return x.CreatedAt.Compare(y.CreatedAt) })
	slices.SortStableFunc(v.Events, func(x, y Event) int { return x.At.Compare(y.At) })
	return v, nil
}

// List returns a customer's own tickets, or for staff the queue as filtered.
func (s *Service) List(ctx context.Context, a Actor, f Filter) ([]Ticket, error) {
	if !a.Staff {
		f = Filter{CustomerID: a.ID, Statuses: f.Statuses, Limit: f.Limit}
	}
	for _, st := range f.Statuses {
		if !slices.Contains(Statuses, st) {
			return nil, apperr.Validation(map[string]string{"status": "must be open, in_progress, waiting_on_customer or closed"})
		}
	}
	if f.Priority != "" && !slices.Contains(Priorities, f.Priority) {
		return nil, apperr.Validation(map[string]string{"priority": "must be low, medium, high or urgent"})
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 500
	}
	return s.c.Store.ListTickets(ctx, f)
}
