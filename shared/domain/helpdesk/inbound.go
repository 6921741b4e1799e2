package helpdesk

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ezscale/platform/shared/domain/helpdesk/mailin"
	"github.com/ezscale/platform/shared/domain/notify"
	"github.com/ezscale/platform/shared/platform/apperr"
	"github.com/ezscale/platform/shared/platform/ids"
)

// Outcome is what became of an inbound message. Every message has one;
// only a failure of our own (the store, the blob store) is an error, and
// then the message is tried again at the next poll.
type Outcome struct {
	// Action: replied, opened, duplicate, bounce, ignored, rejected.
	Action   string `json:"action"`
	TicketID string `json:"ticket_id,omitempty"`
	Reason   string `json:"reason,omitempty"`
}

// Inbound limits.
const (
	// DefaultMaxMailBytes is Zammad's default: larger mail is refused
	// politely (the sender is told), never half imported.
	DefaultMaxMailBytes = 10 << 20
	// AcksPerHour bounds acknowledgements to one sender: a robot that
	// writes a new ticket with every mail gets a few answers, not a loop.
	AcksPerHour = 5
)

// RateLimit counts one use of key and reports whether it is within limit
// per window.
type RateLimit func(ctx context.Context, key string, limit int, window time.Duration) (bool, error)

// Import turns one raw message from the support mailbox into its effect:
// a reply on the ticket it continues, a new ticket, a bounce on the ticket
// whose mail bounced — or nothing, for our own mail and for automatic mail
// that names no ticket. The message's Message-ID is written with its
// effect, so importing it again (an overlapping poll, a crash before the
// mailbox was told) answers "duplicate" and changes nothing.
func (s *Service) Import(ctx context.Context, raw []byte, mailbox string) (Outcome, error) {
	sum := sha256.Sum256(raw)
	key := hex.EncodeToString(sum[:16])
	rawKey := "helpdesk/raw/" + key + ".eml"
	// The raw message is kept first, for re-processing what we misread.
	if err := s.c.Blobs.Put(ctx, rawKey, "message/rfc822", raw); err != nil {
		return Outcome{}, fmt.Errorf("keep raw message: %w", err)
	}
	maxBytes := s.c.MaxMailBytes
	if maxBytes == 0 {
		maxBytes = DefaultMaxMailBytes
	}
	m, err := mailin.Parse(raw, mailin.Options{MaxBytes: maxBytes, OwnDomain: s.c.MailDomain})
	switch {
	case errors.Is(err, mailin.ErrTooLarge):
		return s.reject(ctx, m, key, maxBytes)
	case err != nil:
		s.c.Log.WarnContext(ctx, "inbound mail unreadable; kept", "raw", rawKey, "err", err.Error())
		return Outcome{Action: "ignored", Reason: "unreadable: " + err.Error()}, nil
	}
	if m.MessageID == "" {
		// Derived from the content, so fetching it again still dedupes.
		m.MessageID = key + "@no-message-id.invalid"
	}
	if m.Auto == "our own mail" {
		return Outcome{Action: "ignored", Reason: "our own mail came back"}, nil
	}
	// Seen before (offered again after a crash or a new UIDVALIDITY):
	// answered at once, before its attachments are stored again. The
	// write's own check on the Message-ID still decides a race.
	if id, err := s.c.Store.TicketByMessageID(ctx, m.MessageID); err != nil {
		return Outcome{}, err
	} else if id != "" {
		return Outcome{Action: "duplicate", TicketID: id}, nil
	}
	if m.Bounce != nil {
		return s.bounce(ctx, m)
	}
	match, err := MatchInbound(ctx, m, Prefix, finder{s.c.Store})
	if err != nil {
		return Outcome{}, err
	}
	sender, err := s.c.People.PersonByEmail(ctx, m.From.Address)
	if err != nil {
		return Outcome{}, err
	}
	if match.TicketID != "" {
		return s.importReply(ctx, m, match, sender)
	}
	if m.Auto != "" {
		return Outcome{Action: "ignored", Reason: "automatic mail (" + m.Auto + ") that names no ticket"}, nil
	}
	return s.importTicket(ctx, m, mailbox, sender)
}

// finder answers MatchInbound from the store.
type finder struct{ st Store }

func (f finder) TicketByMessageID(ctx context.Context, id string) (string, error) {
	return f.st.TicketByMessageID(ctx, id)
}

func (f finder) TicketByNumber(ctx context.Context, n int64) (*Ticket, string, error) {
	t, err := f.st.TicketByNumber(ctx, n)
	if apperr.Is(err, apperr.NotFound) {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", err
	}
	return t, t.Email, nil
}

// body is what a message says, fit for a reply: no quoted history on a
// reply, a note of attachments that were not kept, bounded in length.
func body(text string, reply bool, dropped []string) string {
	if reply {
		text = mailin.ReplyText(text)
	}
	if strings.TrimSpace(text) == "" {
		text = "(no text)"
	}
	if utf8.RuneCountInString(text) > MaxBody {
		text = string([]rune(text)[:MaxBody]) + "\n[… cut: the message was longer]"
	}
	for _, d := range dropped {
		text += "\n[attachment not kept: " + d + "]"
	}
	return text
}

// files picks the attachments we keep (the types the desk accepts, at
// most MaxFiles) and names the rest.
func files(m *mailin.Message) (keep []Upload, dropped []string) {
	for _, a := range m.Attachments {
		mt, ok := FileType(a.Name, a.Type)
		switch {
		case !ok:
			dropped = append(dropped, a.Name+" (type "+a.Type+" is not accepted)")
		case len(a.Data) > MaxFileBytes:
			dropped = append(dropped, a.Name+" (over 4 MB)")
		case len(keep) == MaxFiles:
			dropped = append(dropped, a.Name+" (more than 5 files)")
		default:
			keep = append(keep, Upload{Name: a.Name, Type: mt, Data: a.Data})
		}
	}
	return keep, dropped
}

func senderName(m *mailin.Message, p Person) string {
	switch {
	case p.Name != "":
		return p.Name
	case m.From.Name != "":
		return m.From.Name
	}
	return m.From.Address
}

// importReply adds m to the ticket it continues. The customer's answer
// reopens a waiting or closed ticket; an automatic one (a vacation
// notice) is kept on the thread without moving it or telling anyone; a
// staff member's mail becomes an internal note (mail can be forged: it
// never speaks to the customer in staff's name).
func (s *Service) importReply(ctx context.Context, m *mailin.Message, match Match, sender Person) (Outcome, error) {
	t, err := s.carryingOn(ctx, match.TicketID)
	if err != nil {
		return Outcome{}, err
	}
	keep, dropped := files(m)
	now := s.c.Clock.Now()
	author := Customer
	if sender.Staff {
		author = StaffNote
	}
	r := Reply{ID: ids.NewAt("rpl", now), TicketID: t.ID, Author: author, AuthorName: senderName(m, sender), Email: m.From.Address,
		Body: body(m.Text, true, dropped), Via: "email", MessageID: m.MessageID, Auto: m.Auto, CreatedAt: now}
	if sender.ID != "" && (sender.ID == t.CustomerID || sender.Staff) {
		r.AuthorID = sender.ID
	}
	if r.Files, err = s.saveFiles(ctx, t.ID, keep); err != nil {
		return Outcome{}, err
	}
	a := Actor{Person: Person{ID: r.AuthorID, Name: r.AuthorName, Email: m.From.Address, Staff: sender.Staff}, Via: "email"}
	_, err = s.c.Store.UpdateTicket(ctx, t.ID, func(t *Ticket) (Change, error) {
		if r.Auto != "" {
			t.UpdatedAt = now
			return Change{Replies: []Reply{r}, Events: []Event{{ID: ids.NewAt("evt", now), TicketID: t.ID, ActorName: r.AuthorName, Action: "automatic mail", To: r.Auto, At: now}}}, nil
		}
		if author == Customer {
			t.Participants = participants(t, m, s.departmentAddresses(ctx))
		}
		return s.replied(t, &r, a, "")
	})
	if errors.Is(err, ErrDuplicate) {
		return Outcome{Action: "duplicate", TicketID: t.ID}, nil
	}
	if err != nil {
		return Outcome{}, err
	}
	s.kick()
	return Outcome{Action: "replied", TicketID: t.ID, Reason: match.How}, nil
}

// carryingOn is the ticket that carries on for id: itself, or the one it
// was merged into (a merge of a merge included).
func (s *Service) carryingOn(ctx context.Context, id string) (*Ticket, error) {
	for range 10 {
		t, err := s.c.Store.GetTicket(ctx, id)
		if err != nil || t.MergedInto == "" {
			return t, err
		}
		id = t.MergedInto
	}
	return nil, fmt.Errorf("ticket %s: merges nest deeper than 10", id)
}

// participants adds the people the customer copied in: their answers may
// join the ticket by its tag. Our own addresses never do.
func participants(t *Ticket, m *mailin.Message, ours []string) []string {
	out := slices.Clone(t.Participants)
	for _, a := range append(slices.Clone(m.To), m.Cc...) {
		a = strings.ToLower(a)
		if a == "" || strings.EqualFold(a, t.Email) || slices.Contains(ours, a) || slices.Contains(out, a) || len(out) >= 20 {
			continue
		}
		out = append(out, a)
	}
	return out
}

func (s *Service) departmentAddresses(ctx context.Context) []string {
	set, err := s.settings(ctx)
	if err != nil {
		return nil
	}
	var out []string
	for _, d := range set.Departments {
		out = append(out, strings.ToLower(d.Email))
	}
	return out
}

// importTicket opens a ticket for m in the department of the address it
// was written to (else the first), for the customer with that address or
// for the sender alone; it is acknowledged unless the sender has had
// AcksPerHour acknowledgements already.
func (s *Service) importTicket(ctx context.Context, m *mailin.Message, mailbox string, sender Person) (Outcome, error) {
	set, err := s.settings(ctx)
	if err != nil {
		return Outcome{}, err
	}
	dept := set.Departments[0]
	for _, addr := range append(append([]string{mailbox}, m.To...), m.Cc...) {
		if d := departmentByEmail(set, addr); d != nil {
			dept = *d
			break
		}
	}
	keep, dropped := files(m)
	now := s.c.Clock.Now()
	subject := strings.TrimSpace(m.Subject)
	if subject == "" {
		subject = "(no subject)"
	}
	if utf8.RuneCountInString(subject) > MaxSubject {
		subject = string([]rune(subject)[:MaxSubject])
	}
	t := &Ticket{ID: ids.NewAt("tkt", now), Subject: subject, DepartmentID: dept.ID, Email: strings.ToLower(m.From.Address), Priority: Medium, Status: Open,
		Participants: []string{}, CreatedAt: now, UpdatedAt: now, Version: 1}
	if sender.ID != "" && !sender.Staff {
		t.CustomerID, t.Email = sender.ID, sender.Email
	}
	t.Participants = participants(t, m, s.departmentAddresses(ctx))
	r := &Reply{ID: ids.NewAt("rpl", now), TicketID: t.ID, Author: Customer, AuthorID: t.CustomerID, AuthorName: senderName(m, sender), Email: m.From.Address,
		Body: body(m.Text, false, dropped), Via: "email", MessageID: m.MessageID, CreatedAt: now}
	if r.Files, err = s.saveFiles(ctx, t.ID, keep); err != nil {
		return Outcome{}, err
	}
	ack := true
	if s.c.RateLimit != nil {
		if ack, err = s.c.RateLimit(ctx, "ticket-ack:"+t.Email, AcksPerHour, time.Hour); err != nil {
			return Outcome{}, err
		}
	}
	if err := t.Replied(Customer, now); err != nil {
		return Outcome{}, err
	}
	a := Actor{Person: Person{ID: t.CustomerID, Name: r.AuthorName, Email: m.From.Address}, Via: "email"}
	err = s.create(ctx, t, r, a, notice{What: "opened", ReplyID: r.ID, Ack: ack})
	if errors.Is(err, ErrDuplicate) {
		id, _ := s.c.Store.TicketByMessageID(ctx, m.MessageID)
		return Outcome{Action: "duplicate", TicketID: id}, nil
	}
	if err != nil {
		return Outcome{}, err
	}
	s.kick()
	reason := "new ticket"
	if !ack {
		reason = "new ticket; not acknowledged: the sender's rate was reached"
	}
	return Outcome{Action: "opened", TicketID: t.ID, Reason: reason}, nil
}

func departmentByEmail(set *Settings, addr string) *Department {
	for i := range set.Departments {
		if strings.EqualFold(set.Departments[i].Email, strings.TrimSpace(addr)) {
			return &set.Departments[i]
		}
	}
	return nil
}

// bounce flags a permanently failing address (no more ticket mail to it)
// and keeps the report on the ticket whose mail bounced.
func (s *Service) bounce(ctx context.Context, m *mailin.Message) (Outcome, error) {
	b := m.Bounce
	if b.Permanent && b.Recipient != "" {
		if err := s.c.Store.MarkUndeliverable(ctx, b.Recipient, b.Status); err != nil {
			return Outcome{}, err
		}
	}
	id := ""
	if b.OriginalMessageID != "" {
		var err error
		if id, err = s.c.Store.TicketByMessageID(ctx, b.OriginalMessageID); err != nil {
			return Outcome{}, err
		}
	}
	if id == "" {
		return Outcome{Action: "ignored", Reason: "a delivery report about mail that was not a ticket's"}, nil
	}
	what := fmt.Sprintf("Mail to %s could not be delivered (%s).", b.Recipient, b.Status)
	if b.Permanent {
		what += " The address is now marked undeliverable: no more ticket mail goes to it."
	}
	now := s.c.Clock.Now()
	r := Reply{ID: ids.NewAt("rpl", now), TicketID: id, Author: StaffNote, AuthorName: "Mail delivery system", Email: m.From.Address, Body: what,
		Via: "email", MessageID: m.MessageID, Auto: "a delivery report", CreatedAt: now}
	_, err := s.c.Store.UpdateTicket(ctx, id, func(t *Ticket) (Change, error) {
		return Change{Replies: []Reply{r}, Events: []Event{{ID: ids.NewAt("evt", now), TicketID: t.ID, ActorName: r.AuthorName, Action: "bounced", To: b.Recipient, At: now}}}, nil
	})
	if errors.Is(err, ErrDuplicate) {
		return Outcome{Action: "duplicate", TicketID: id}, nil
	}
	if err != nil {
		return Outcome{}, err
	}
	return Outcome{Action: "bounce", TicketID: id, Reason: what}, nil
}

// reject tells the sender of an oversized message that it was not taken,
// once per message, unless a robot sent it.
func (s *Service) reject(ctx context.Context, m *mailin.Message, key string, max int) (Outcome, error) {
	out := Outcome{Action: "rejected", Reason: fmt.Sprintf("over %d MB", max>>20)}
	if m == nil || m.Auto != "" || m.From.Address == "" {
		return out, nil
	}
	th := &notify.Thread{MessageID: MessageID("rejected", key, s.c.MailDomain), AutoReply: true}
	if m.MessageID != "" {
		th.InReplyTo, th.References = m.MessageID, []string{m.MessageID}
	}
	_, err := s.c.Notify.Send(ctx, notify.Request{Kind: notify.TicketRejected, To: strings.ToLower(m.From.Address), Key: "mail-rejected:" + key, Thread: th,
		Data: map[string]any{"subject": orNone(m.Subject), "limit_mb": max >> 20}})
	if apperr.Is(err, apperr.Invalid) {
		return Outcome{Action: "rejected", Reason: out.Reason + "; the sender's address cannot be written to"}, nil
	}
	return out, err
}

func orNone(s string) string {
	if strings.TrimSpace(s) == "" {
		return "(no subject)"
	}
	return s
}

func (s *Service) kick() {
	if s.c.Kick != nil {
		s.c.Kick()
	}
}
