package helpdesk

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/ezscale/platform/shared/domain/notify"
	"github.com/ezscale/platform/shared/domain/outbox"
	"github.com/ezscale/platform/shared/platform/apperr"
)

// Notifier sends the desk's mail and alerts (the notify service).
type Notifier interface {
	Send(ctx context.Context, req notify.Request) (*notify.Message, error)
}

// Register makes d run the desk's effects.
func (s *Service) Register(d *outbox.Dispatcher) { d.Handle(KindNotify, s.notify) }

// notify sends the mail a change causes. It runs after the change
// commits, possibly more than once: every send is keyed on the cause.
func (s *Service) notify(ctx context.Context, it outbox.Item) error {
	var n notice
	if err := json.Unmarshal(it.Payload, &n); err != nil {
		return fmt.Errorf("ticket notice %s: %w", it.ID, err)
	}
	t, err := s.c.Store.GetTicket(ctx, it.Subject)
	if err != nil {
		return fmt.Errorf("ticket notice %s: %w", it.ID, err)
	}
	set, err := s.settings(ctx)
	if err != nil {
		return err
	}
	replies, _, err := s.c.Store.Thread(ctx, t.ID)
	if err != nil {
		return err
	}
	m := mailing{s: s, t: t, dept: Department{Name: "Support"}, key: it.ID}
	if d := set.Department(t.DepartmentID); d != nil {
		m.dept = *d
	}
	for _, x := range replies {
		if x.Author == Customer && x.AuthorName != "" {
			m.requester = x.AuthorName // a sender without an account: the name they wrote under
			break
		}
	}
	var r *Reply
	for i := range replies {
		if replies[i].ID == n.ReplyID {
			r = &replies[i]
			break
		}
		if replies[i].Author != StaffNote {
			m.sent = append(m.sent, nonEmpty(replies[i].MessageID, replies[i].OutID)...)
		}
	}
	if n.ReplyID != "" && r == nil {
		return fmt.Errorf("ticket notice %s: reply %s is not on %s", it.ID, n.ReplyID, t.ID)
	}
	switch {
	case n.What == "status" && n.ByCustomer:
		word := map[Status]string{Closed: "The customer closed the ticket.", Open: "The customer reopened the ticket."}[n.Status]
		return m.toStaff(ctx, &Reply{AuthorName: "The customer", Email: t.Email, Body: word}, "Ticket "+strings.ReplaceAll(string(n.Status), "_", " "))
	case n.What == "status":
		return m.status(ctx, n)
	case r.Author == Customer:
		if n.What == "opened" && n.Ack && r.Auto == "" {
			if err := m.ack(ctx, r); err != nil {
				return err
			}
		}
		if r.Auto != "" {
			return nil // an auto-reply or a bounce: on the thread, nobody told
		}
		what := "Customer replied"
		if n.What == "opened" {
			what = "New ticket"
		}
		return m.toStaff(ctx, r, what)
	case r.Author == Staff:
		return m.answer(ctx, r)
	}
	return nil
}

func nonEmpty(l ...string) []string {
	var out []string
	for _, s := range l {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// mailing is one notice's mail about a ticket.
type mailing struct {
	s    *Service
	t    *Ticket
	dept Department
	key  string
	sent []string // the thread's Message-IDs before this one, oldest first
	// requester is the name the customer side first wrote under.
	requester string
}

func (m *mailing) data(extra map[string]any) map[string]any {
	d := map[string]any{"ticket_id": strconv.FormatInt(m.t.Number, 10), "ticket_subject": m.t.Subject,
		"ticket_url": m.s.c.AccountURL + "/support/" + m.t.ID}
	for k, v := range extra {
		d[k] = v
	}
	return d
}

// customer is the name and address the customer side's mail goes to; ""
// when the address bounced for good (it is not written to again).
func (m *mailing) customer(ctx context.Context) (name, addr string, err error) {
	name, addr = m.t.Email, m.t.Email
	if m.requester != "" {
		name = m.requester
	}
	if m.t.CustomerID != "" {
		p, err := m.s.c.People.Person(ctx, m.t.CustomerID)
		if err != nil && !apperr.Is(err, apperr.NotFound) {
			return "", "", err
		}
		if p.Email != "" {
			name, addr = p.Name, p.Email
		}
		if name == "" {
			name = addr
		}
	}
	bad, err := m.s.c.Store.Undeliverable(ctx, addr)
	if err != nil || bad {
		return name, "", err
	}
	return name, addr, nil
}

func (m *mailing) thread(id string, extra ...string) *notify.Thread {
	refs := append(append([]string{}, m.sent...), extra...)
	inReplyTo, refs := ThreadOf(refs)
	return &notify.Thread{MessageID: id, InReplyTo: inReplyTo, References: refs, ReplyTo: m.dept.Email}
}

// ack tells the customer their ticket arrived: an automatic answer.
func (m *mailing) ack(ctx context.Context, r *Reply) error {
	name, addr, err := m.customer(ctx)
	if err != nil || addr == "" {
		return err
	}
	th := m.thread(r.OutID, nonEmpty(r.MessageID)...)
	th.AutoReply = true
	_, err = m.s.c.Notify.Send(ctx, notify.Request{Kind: notify.TicketOpened, To: addr, Key: m.key + ":ack", Thread: th,
		Data: m.data(map[string]any{"customer_name": name, "department": m.dept.Name})})
	return err
}

// answer mails staff's public reply to the customer, as a person's mail.
func (m *mailing) answer(ctx context.Context, r *Reply) error {
	name, addr, err := m.customer(ctx)
	if err != nil || addr == "" {
		return err
	}
	th := m.thread(r.OutID)
	th.Human = true
	_, err = m.s.c.Notify.Send(ctx, notify.Request{Kind: notify.TicketReply, To: addr, Key: m.key + ":answer", Thread: th,
		Data: m.data(map[string]any{"customer_name": name, "reply_author": r.AuthorName, "reply_body": r.Body})})
	return err
}

// status tells the customer their ticket moved (staff or the auto-close).
func (m *mailing) status(ctx context.Context, n notice) error {
	name, addr, err := m.customer(ctx)
	if err != nil || addr == "" {
		return err
	}
	label := strings.ReplaceAll(string(n.Status), "_", " ")
	if n.Auto {
		label += " (no reply for a while; answer to reopen it)"
	}
	_, err = m.s.c.Notify.Send(ctx, notify.Request{Kind: notify.TicketStatus, To: addr, Key: m.key + ":status",
		Thread: m.thread(MessageID(m.t.ID, "status", m.s.c.MailDomain)),
		Data:   m.data(map[string]any{"customer_name": name, "status": label})})
	return err
}

// toStaff tells the assignee, or else the department's staff, of a new
// ticket, a customer's reply or their closing or reopening it; an urgent
// new ticket also alerts Discord.
func (m *mailing) toStaff(ctx context.Context, r *Reply, what string) error {
	opened := what == "New ticket"
	who := m.dept.Staff
	if m.t.AssigneeID != "" {
		who = []string{m.t.AssigneeID}
	}
	customer := r.AuthorName
	if r.Email != "" && r.Email != customer {
		customer += " <" + r.Email + ">"
	}
	data := map[string]any{"what": what, "customer": customer, "department": m.dept.Name, "priority": string(m.t.Priority),
		"reply_author": r.AuthorName, "reply_body": r.Body}
	for _, id := range who {
		p, err := m.s.c.People.Person(ctx, id)
		if apperr.Is(err, apperr.NotFound) || err == nil && !p.Staff {
			continue // left the team since
		}
		if err != nil {
			return err
		}
		d := m.data(data)
		d["ticket_url"] = m.s.c.AdminURL + "/tickets/" + m.t.ID
		if _, err := m.s.c.Notify.Send(ctx, notify.Request{Kind: notify.TicketStaffNotice, To: p.Email, Key: m.key + ":staff:" + p.ID, Data: d}); err != nil {
			return err
		}
	}
	if opened && m.t.Priority == Urgent {
		_, err := m.s.c.Notify.Send(ctx, notify.Request{Kind: notify.AlertTicketUrgent, Key: m.key + ":urgent",
			Data: map[string]any{"ticket": Reference(Prefix, m.t.Number), "subject": m.t.Subject, "customer": customer, "department": m.dept.Name,
				"url": m.s.c.AdminURL + "/tickets/" + m.t.ID}})
		return err
	}
	return nil
}
