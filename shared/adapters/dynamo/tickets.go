package dynamo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ezscale/platform/shared/domain/helpdesk"
	"github.com/ezscale/platform/shared/domain/outbox"
	"github.com/ezscale/platform/shared/platform/apperr"
)

// Tickets stores the helpdesk:
//
//	ticket         PK=TICKET#<id>  SK=TICKET  GSI1PK=CUSTTICKETS#<customer>  GSI2PK=TICKETS#<status>  (SK: <updated>#<id>)
//	reply          PK=TICKET#<id>  SK=REPLY#<created>#<seq>#<reply>
//	event          PK=TICKET#<id>  SK=EVENT#<at>#<seq>#<event>
//
// <seq> is the ticket's version the write made: two replies with the same
// time (clocks are coarse, tests' clocks fixed) keep the order they were
// written in.
//
//	number         PK=TICKETNO#<n>  SK=TICKETNO  ticket_id
//	series         PK=COUNTER#ticket  SK=COUNTER  seq=<last number used>
//	message id     PK=MSGID#<message-id>  SK=MSGID  ticket_id, reply_id
//	settings       PK=SETTINGS#helpdesk  SK=SETTINGS
//	undeliverable  PK=UNDELIVERABLE#<address>  SK=UNDELIVERABLE
//
// A reply and its Message-IDs are written in one transaction: a message
// imported twice fails the second time on its Message-ID item.
type Tickets struct{ t *Table }

var _ helpdesk.Store = (*Tickets)(nil)

// NewTickets returns the helpdesk store on t.
func NewTickets(t *Table) *Tickets { return &Tickets{t: t} }

// tsKey is a fixed-width time for sort keys (RFC 3339 with nanoseconds
// drops trailing zeros, which breaks lexical order).
func tsKey(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000000Z") }

func ticketKey(id string) Key { return Key{PK: "TICKET#" + id, SK: "TICKET"} }

type ticketRecord struct {
	Item
	ticketData
}

type ticketData struct {
	ID           string     `dynamodbav:"id"`
	Number       int64      `dynamodbav:"number"`
	Subject      string     `dynamodbav:"subject"`
	DepartmentID string     `dynamodbav:"department_id"`
	CustomerID   string     `dynamodbav:"customer_id,omitempty"`
	Email        string     `dynamodbav:"email"`
	ServiceID    string     `dynamodbav:"service_id,omitempty"`
	Priority     string     `dynamodbav:"priority"`
	Status       string     `dynamodbav:"status"`
	AssigneeID   string     `dynamodbav:"assignee_id,omitempty"`
	Participants []string   `dynamodbav:"participants,omitempty"`
	MergedInto   string     `dynamodbav:"merged_into,omitempty"`
	Merged       []string   `dynamodbav:"merged,omitempty"`
	Replies      int        `dynamodbav:"replies"`
	LastReplyBy  string     `dynamodbav:"last_reply_by,omitempty"`
	WaitingSince *time.Time `dynamodbav:"waiting_since,omitempty"`
	ClosedAt     *time.Time `dynamodbav:"closed_at,omitempty"`
	CreatedAt    time.Time  `dynamodbav:"created_at"`
	UpdatedAt    time.Time  `dynamodbav:"updated_at"`
}

func toTicketRecord(t *helpdesk.Ticket, version int64) *ticketRecord {
	order := tsKey(t.UpdatedAt) + "#" + t.ID
	r := &ticketRecord{Item: Item{PK: "TICKET#" + t.ID, SK: "TICKET", Type: "ticket", Version: version, GSI2PK: "TICKETS#" + string(t.Status), GSI2SK: order},
		ticketData: ticketData{ID: t.ID, Number: t.Number, Subject: t.Subject, DepartmentID: t.DepartmentID, CustomerID: t.CustomerID, Email: t.Email,
			ServiceID: t.ServiceID, Priority: string(t.Priority), Status: string(t.Status), AssigneeID: t.AssigneeID, Participants: nilIfEmpty(t.Participants),
			MergedInto: t.MergedInto, Merged: nilIfEmpty(t.Merged), Replies: t.Replies, LastReplyBy: t.LastReplyBy, WaitingSince: t.WaitingSince, ClosedAt: t.ClosedAt,
			CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt}}
	if t.CustomerID != "" {
		r.GSI1PK, r.GSI1SK = "CUSTTICKETS#"+t.CustomerID, order
	}
	return r
}

// nilIfEmpty leaves empty lists out of the item (the emulator's condition
// evaluation trips on empty list attributes).
func nilIfEmpty(l []string) []string {
	if len(l) == 0 {
		return nil
	}
	return l
}

func (r *ticketRecord) ticket() *helpdesk.Ticket {
	d := r.ticketData
	t := &helpdesk.Ticket{ID: d.ID, Number: d.Number, Subject: d.Subject, DepartmentID: d.DepartmentID, CustomerID: d.CustomerID, Email: d.Email,
		ServiceID: d.ServiceID, Priority: helpdesk.Priority(d.Priority), Status: helpdesk.Status(d.Status), AssigneeID: d.AssigneeID,
		Participants: d.Participants, MergedInto: d.MergedInto, Merged: d.Merged, Replies: d.Replies, LastReplyBy: d.LastReplyBy,
		WaitingSince: d.WaitingSince, ClosedAt: d.ClosedAt, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt, Version: r.Version}
	if t.Participants == nil {
		t.Participants = []string{}
	}
	return t
}

type replyRecord struct {
	Item
	ID         string       `dynamodbav:"id"`
	TicketID   string       `dynamodbav:"ticket_id"`
	Author     string       `dynamodbav:"author"`
	AuthorID   string       `dynamodbav:"author_id,omitempty"`
	AuthorName string       `dynamodbav:"author_name"`
	Email      string       `dynamodbav:"email,omitempty"`
	Body       string       `dynamodbav:"body"`
	Files      []fileRecord `dynamodbav:"files,omitempty"`
	Via        string       `dynamodbav:"via"`
	MessageID  string       `dynamodbav:"message_id,omitempty"`
	OutID      string       `dynamodbav:"out_id,omitempty"`
	Auto       string       `dynamodbav:"auto,omitempty"`
	CreatedAt  time.Time    `dynamodbav:"created_at"`
}

type fileRecord struct {
	ID   string `dynamodbav:"id"`
	Name string `dynamodbav:"name"`
	Type string `dynamodbav:"type"`
	Size int    `dynamodbav:"size"`
	Key  string `dynamodbav:"key"`
}

func seqKey(at time.Time, seq int64, id string) string {
	return tsKey(at) + "#" + fmt.Sprintf("%012d", seq) + "#" + id
}

func toReplyRecord(r *helpdesk.Reply, seq int64) *replyRecord {
	author, _ := r.Author.MarshalText()
	rec := &replyRecord{Item: Item{PK: "TICKET#" + r.TicketID, SK: "REPLY#" + seqKey(r.CreatedAt, seq, r.ID), Type: "ticket_reply", Version: 1},
		ID: r.ID, TicketID: r.TicketID, Author: string(author), AuthorID: r.AuthorID, AuthorName: r.AuthorName, Email: r.Email, Body: r.Body,
		Via: r.Via, MessageID: r.MessageID, OutID: r.OutID, Auto: r.Auto, CreatedAt: r.CreatedAt}
	for _, f := range r.Files {
		rec.Files = append(rec.Files, fileRecord(f))
	}
	return rec
}

func (r *replyRecord) reply() (helpdesk.Reply, error) {
	out := helpdesk.Reply{ID: r.ID, TicketID: r.TicketID, AuthorID: r.AuthorID, AuthorName: r.AuthorName, Email: r.Email, Body: r.Body,
		Via: r.Via, MessageID: r.MessageID, OutID: r.OutID, Auto: r.Auto, CreatedAt: r.CreatedAt, Files: []helpdesk.File{}}
	if err := out.Author.UnmarshalText([]byte(r.Author)); err != nil {
		return out, fmt.Errorf("reply %s: %w", r.ID, err)
	}
	for _, f := range r.Files {
		out.Files = append(out.Files, helpdesk.File(f))
	}
	return out, nil
}

type ticketEventRecord struct {
	Item
	ID        string    `dynamodbav:"id"`
	TicketID  string    `dynamodbav:"ticket_id"`
	ActorID   string    `dynamodbav:"actor_id,omitempty"`
	ActorName string    `dynamodbav:"actor_name"`
	Action    string    `dynamodbav:"action"`
	From      string    `dynamodbav:"from,omitempty"`
	To        string    `dynamodbav:"to,omitempty"`
	At        time.Time `dynamodbav:"at"`
}

type messageIDRecord struct {
	Item
	TicketID string `dynamodbav:"ticket_id"`
	ReplyID  string `dynamodbav:"reply_id"`
}

type ticketNumberRecord struct {
	Item
	TicketID string `dynamodbav:"ticket_id"`
}

// msgIDKey folds case: Message-IDs compare case-sensitively on the left
// in theory, but clients and relays fold them in practice.
func msgIDKey(id string) Key { return Key{PK: "MSGID#" + strings.ToLower(id), SK: "MSGID"} }

// changeOps are a change's writes after the ticket's own, and where the
// Message-ID items are among them (from, to: indexes in the result).
func changeOps(ctx context.Context, c helpdesk.Change, now time.Time, seq int64, base int) (ops []Op, idsFrom, idsTo int) {
	for i := range c.Replies {
		ops = append(ops, Create(toReplyRecord(&c.Replies[i], seq)))
	}
	idsFrom = base + len(ops)
	for _, r := range c.Replies {
		for _, id := range []string{r.MessageID, r.OutID} {
			if id != "" {
				ops = append(ops, Create(&messageIDRecord{Item: Item{PK: msgIDKey(id).PK, SK: "MSGID", Type: "message_id", Version: 1}, TicketID: r.TicketID, ReplyID: r.ID}))
			}
		}
	}
	idsTo = base + len(ops)
	for _, e := range c.Events {
		ops = append(ops, Create(&ticketEventRecord{Item: Item{PK: "TICKET#" + e.TicketID, SK: "EVENT#" + seqKey(e.At, seq, e.ID), Type: "ticket_event", Version: 1},
			ID: e.ID, TicketID: e.TicketID, ActorID: e.ActorID, ActorName: e.ActorName, Action: e.Action, From: e.From, To: e.To, At: e.At}))
	}
	for _, it := range c.Effects {
		ops = append(ops, createOutbox(ctx, it, now))
	}
	return ops, idsFrom, idsTo
}

// duplicate reports whether a transaction failed on a Message-ID item.
func duplicate(err error, from, to int) bool {
	tc, ok := errors.AsType[*TxConflict](err)
	if !ok {
		return false
	}
	for i := from; i < to; i++ {
		if tc.FailedAt(i) {
			return true
		}
	}
	return false
}

// CreateTicket implements helpdesk.Store. The series moves from n to n+1
// only in the transaction that writes ticket n+1, so numbers have no gaps.
func (s *Tickets) CreateTicket(ctx context.Context, t *helpdesk.Ticket, first *helpdesk.Reply, events []helpdesk.Event, effects []outbox.Item) error {
	ck := Key{PK: "COUNTER#ticket", SK: "COUNTER"}
	for attempt := 1; attempt <= 100; attempt++ {
		var c counterRecord
		err := s.t.Get(ctx, ck, &c)
		if err != nil && !apperr.Is(err, apperr.NotFound) {
			return err
		}
		t.Number = c.Seq + 1
		counter := &counterRecord{Item: Item{PK: ck.PK, SK: ck.SK, Type: "counter", Version: c.Version + 1}, Seq: t.Number}
		counterOp := Create(counter)
		if err == nil {
			counterOp = Replace(counter, c.Version)
		}
		ops := []Op{counterOp, Create(toTicketRecord(t, 1)),
			Create(&ticketNumberRecord{Item: Item{PK: "TICKETNO#" + strconv.FormatInt(t.Number, 10), SK: "TICKETNO", Type: "ticket_number", Version: 1}, TicketID: t.ID})}
		more, from, to := changeOps(ctx, helpdesk.Change{Replies: []helpdesk.Reply{*first}, Events: events, Effects: effects}, t.CreatedAt, 1, len(ops))
		err = s.t.Transact(ctx, append(ops, more...)...)
		switch {
		case err == nil:
			return nil
		case duplicate(err, from, to):
			return fmt.Errorf("create ticket: %w", helpdesk.ErrDuplicate)
		case !apperr.Is(err, apperr.Conflict):
			return err
		}
		select { // another ticket took the number: read the series again
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(rand.IntN(5*min(attempt, 10))+1) * time.Millisecond):
		}
	}
	return apperr.New(apperr.Unavailable, "ticket numbering is too contended; try again")
}

// GetTicket implements helpdesk.Store.
func (s *Tickets) GetTicket(ctx context.Context, id string) (*helpdesk.Ticket, error) {
	var r ticketRecord
	if err := s.t.Get(ctx, ticketKey(id), &r); err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return nil, apperr.New(apperr.NotFound, "ticket %s not found", id)
		}
		return nil, err
	}
	return r.ticket(), nil
}

// TicketByNumber implements helpdesk.Store.
func (s *Tickets) TicketByNumber(ctx context.Context, n int64) (*helpdesk.Ticket, error) {
	var r ticketNumberRecord
	if err := s.t.Get(ctx, Key{PK: "TICKETNO#" + strconv.FormatInt(n, 10), SK: "TICKETNO"}, &r); err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return nil, apperr.New(apperr.NotFound, "ticket %s not found", helpdesk.Reference(helpdesk.Prefix, n))
		}
		return nil, err
	}
	return s.GetTicket(ctx, r.TicketID)
}

// UpdateTicket implements helpdesk.Store.
func (s *Tickets) UpdateTicket(ctx context.Context, id string, fn func(*helpdesk.Ticket) (helpdesk.Change, error)) (*helpdesk.Ticket, error) {
	var out *helpdesk.Ticket
	var from, to int
	_, err := Update(ctx, s.t, ticketKey(id), func(r *ticketRecord) ([]Op, error) {
		t := r.ticket()
		c, err := fn(t)
		if err != nil {
			return nil, err
		}
		*r = *toTicketRecord(t, r.Version)
		var ops []Op
		ops, from, to = changeOps(ctx, c, t.UpdatedAt, r.Version+1, 1)
		out = t
		return ops, nil
	})
	if duplicate(err, from, to) {
		return nil, fmt.Errorf("update ticket %s: %w", id, helpdesk.ErrDuplicate)
	}
	if apperr.Is(err, apperr.NotFound) {
		return nil, apperr.New(apperr.NotFound, "ticket %s not found", id)
	}
	if err != nil {
		return nil, err
	}
	out.Version++
	return out, nil
}

// Merge implements helpdesk.Store.
func (s *Tickets) Merge(ctx context.Context, fromID, intoID string, fn func(from, into *helpdesk.Ticket) (helpdesk.Change, error)) (*helpdesk.Ticket, error) {
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		from, err := s.GetTicket(ctx, fromID)
		if err != nil {
			return nil, err
		}
		into, err := s.GetTicket(ctx, intoID)
		if err != nil {
			return nil, err
		}
		vf, vi := from.Version, into.Version
		c, err := fn(from, into)
		if err != nil {
			return nil, err
		}
		// One event on each ticket: a sequence above both versions orders
		// it after everything either ticket had.
		more, _, _ := changeOps(ctx, c, into.UpdatedAt, max(vf, vi)+1, 2)
		err = s.t.Transact(ctx, append([]Op{Replace(toTicketRecord(from, vf+1), vf), Replace(toTicketRecord(into, vi+1), vi)}, more...)...)
		if err == nil {
			into.Version = vi + 1
			return into, nil
		}
		if !apperr.Is(err, apperr.Conflict) {
			return nil, err
		}
	}
	return nil, apperr.New(apperr.Conflict, "the tickets kept changing; try again")
}

// maxThread bounds what one ticket's thread reads.
const maxThread = 5000

// Thread implements helpdesk.Store.
func (s *Tickets) Thread(ctx context.Context, id string) ([]helpdesk.Reply, []helpdesk.Event, error) {
	recs, err := QueryAll[replyRecord](ctx, s.t, Query{PK: "TICKET#" + id, SKPrefix: "REPLY#"}, maxThread)
	if err != nil {
		return nil, nil, err
	}
	replies := make([]helpdesk.Reply, 0, len(recs))
	for i := range recs {
		r, err := recs[i].reply()
		if err != nil {
			return nil, nil, err
		}
		replies = append(replies, r)
	}
	evs, err := QueryAll[ticketEventRecord](ctx, s.t, Query{PK: "TICKET#" + id, SKPrefix: "EVENT#"}, maxThread)
	if err != nil {
		return nil, nil, err
	}
	events := make([]helpdesk.Event, 0, len(evs))
	for _, e := range evs {
		events = append(events, helpdesk.Event{ID: e.ID, TicketID: e.TicketID, ActorID: e.ActorID, ActorName: e.ActorName, Action: e.Action, From: e.From, To: e.To, At: e.At})
	}
	return replies, events, nil
}

// maxQueue bounds what one status's queue reads for a staff list.
const maxQueue = 2000

// ListTickets implements helpdesk.Store: newest activity first.
func (s *Tickets) ListTickets(ctx context.Context, f helpdesk.Filter) ([]helpdesk.Ticket, error) {
	var recs []ticketRecord
	statuses := f.Statuses
	if len(statuses) == 0 {
		statuses = helpdesk.Statuses
	}
	if f.CustomerID != "" {
		all, err := QueryAll[ticketRecord](ctx, s.t, Query{Index: GSI1, PK: "CUSTTICKETS#" + f.CustomerID, Reverse: true}, maxQueue)
		if err != nil {
			return nil, err
		}
		recs = all
	} else {
		for _, st := range statuses {
			part, err := QueryAll[ticketRecord](ctx, s.t, Query{Index: GSI2, PK: "TICKETS#" + string(st), Reverse: true}, maxQueue)
			if err != nil {
				return nil, err
			}
			recs = append(recs, part...)
		}
	}
	out := []helpdesk.Ticket{}
	for i := range recs {
		t := recs[i].ticket()
		// Index copies lag the item a moment; the item's own status decides.
		if !slices.Contains(statuses, t.Status) || f.DepartmentID != "" && t.DepartmentID != f.DepartmentID ||
			f.Priority != "" && t.Priority != f.Priority || f.CustomerID != "" && t.CustomerID != f.CustomerID ||
			f.AssigneeID == "none" && t.AssigneeID != "" || f.AssigneeID != "" && f.AssigneeID != "none" && t.AssigneeID != f.AssigneeID {
			continue
		}
		out = append(out, *t)
	}
	slices.SortStableFunc(out, func(a, b helpdesk.Ticket) int { return b.UpdatedAt.Compare(a.UpdatedAt) })
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, nil
}

// TicketByMessageID implements helpdesk.Store.
func (s *Tickets) TicketByMessageID(ctx context.Context, id string) (string, error) {
	var r messageIDRecord
	err := s.t.Get(ctx, msgIDKey(id), &r)
	if apperr.Is(err, apperr.NotFound) {
		return "", nil
	}
	return r.TicketID, err
}

var helpdeskKey = Key{PK: "SETTINGS#helpdesk", SK: "SETTINGS"}

type helpdeskRecord struct {
	Item
	Departments   []departmentRecord `dynamodbav:"departments"`
	Canned        []cannedRecord     `dynamodbav:"canned_replies,omitempty"`
	AutoCloseDays int                `dynamodbav:"auto_close_days"`
	UpdatedAt     time.Time          `dynamodbav:"updated_at"`
}

type departmentRecord struct {
	ID     string   `dynamodbav:"id"`
	Name   string   `dynamodbav:"name"`
	Email  string   `dynamodbav:"email"`
	Staff  []string `dynamodbav:"staff,omitempty"`
	Hidden bool     `dynamodbav:"hidden"`
}

type cannedRecord struct {
	ID    string `dynamodbav:"id"`
	Title string `dynamodbav:"title"`
	Body  string `dynamodbav:"body"`
}

// Settings implements helpdesk.Store: apperr.NotFound before staff saved any.
func (s *Tickets) Settings(ctx context.Context) (*helpdesk.Settings, error) {
	var r helpdeskRecord
	if err := s.t.Get(ctx, helpdeskKey, &r); err != nil {
		return nil, err
	}
	out := &helpdesk.Settings{AutoCloseDays: r.AutoCloseDays, UpdatedAt: r.UpdatedAt, Version: r.Version, Departments: []helpdesk.Department{}, Canned: []helpdesk.Canned{}}
	for _, d := range r.Departments {
		dep := helpdesk.Department{ID: d.ID, Name: d.Name, Email: d.Email, Staff: d.Staff, Hidden: d.Hidden}
		if dep.Staff == nil {
			dep.Staff = []string{}
		}
		out.Departments = append(out.Departments, dep)
	}
	for _, c := range r.Canned {
		out.Canned = append(out.Canned, helpdesk.Canned(c))
	}
	return out, nil
}

// SaveSettings implements helpdesk.Store.
func (s *Tickets) SaveSettings(ctx context.Context, set *helpdesk.Settings) error {
	r := &helpdeskRecord{Item: Item{PK: helpdeskKey.PK, SK: helpdeskKey.SK, Type: "helpdesk_settings", Version: set.Version + 1},
		AutoCloseDays: set.AutoCloseDays, UpdatedAt: set.UpdatedAt}
	for _, d := range set.Departments {
		r.Departments = append(r.Departments, departmentRecord{ID: d.ID, Name: d.Name, Email: d.Email, Staff: nilIfEmpty(d.Staff), Hidden: d.Hidden})
	}
	for _, c := range set.Canned {
		r.Canned = append(r.Canned, cannedRecord(c))
	}
	op := Create(r)
	if set.Version > 0 {
		op = Replace(r, set.Version)
	}
	err := s.t.Write(ctx, op)
	if apperr.Is(err, apperr.Conflict) {
		return apperr.New(apperr.Conflict, "someone else changed the helpdesk settings; reload and try again")
	}
	return err
}

type undeliverableRecord struct {
	Item
	Reason string    `dynamodbav:"reason"`
	At     time.Time `dynamodbav:"at"`
}

func undeliverableKey(address string) Key {
	return Key{PK: "UNDELIVERABLE#" + strings.ToLower(address), SK: "UNDELIVERABLE"}
}

// Undeliverable implements helpdesk.Store.
func (s *Tickets) Undeliverable(ctx context.Context, address string) (bool, error) {
	err := s.t.Get(ctx, undeliverableKey(address), &undeliverableRecord{})
	if apperr.Is(err, apperr.NotFound) {
		return false, nil
	}
	return err == nil, err
}

// MarkUndeliverable implements helpdesk.Store.
func (s *Tickets) MarkUndeliverable(ctx context.Context, address, reason string) error {
	k := undeliverableKey(address)
	return s.t.Write(ctx, Put(&undeliverableRecord{Item: Item{PK: k.PK, SK: k.SK, Type: "undeliverable", Version: 1}, Reason: reason, At: s.t.clock.Now()}))
}
