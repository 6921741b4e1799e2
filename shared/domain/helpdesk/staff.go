package helpdesk

import (
	"context"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"

	"github.com/ezscale/platform/shared/domain/outbox"
	"github.com/ezscale/platform/shared/platform/apperr"
	"github.com/ezscale/platform/shared/platform/ids"
)

// Changes are staff's edits of a ticket; nil fields stay as they are.
type Changes struct {
	Status       *Status   `json:"status"`
	Priority     *Priority `json:"priority"`
	DepartmentID *string   `json:"department_id"`
	AssigneeID   *string   `json:"assignee_id"` // "": unassigned
	ServiceID    *string   `json:"service_id"`
}

// Change applies staff's edits (a customer may only change the status),
// recording each in the ticket's audit; a status change e-mails the
// customer.
func (s *Service) Change(ctx context.Context, a Actor, id string, c Changes) (*Ticket, error) {
	if !a.Staff && (c.Priority != nil || c.DepartmentID != nil || c.AssigneeID != nil || c.ServiceID != nil) {
		return nil, apperr.New(apperr.Forbidden, "customers can only close or reopen a ticket")
	}
	if _, err := s.visible(ctx, a, id); err != nil {
		return nil, err
	}
	f := apperr.FieldErrors{}
	if c.Priority != nil && !slices.Contains(Priorities, *c.Priority) {
		f.Add("priority", "must be one of low, medium, high, urgent")
	}
	if c.DepartmentID != nil {
		set, err := s.settings(ctx)
		if err != nil {
			return nil, err
		}
		if set.Department(*c.DepartmentID) == nil {
			f.Add("department_id", "no such department")
		}
	}
	if c.AssigneeID != nil && *c.AssigneeID != "" {
		p, err := s.c.People.Person(ctx, *c.AssigneeID)
		if apperr.Is(err, apperr.NotFound) || err == nil && !p.Staff {
			f.Add("assignee_id", "must be a staff member")
		} else if err != nil {
			return nil, err
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	now := s.c.Clock.Now()
	t, err := s.c.Store.UpdateTicket(ctx, id, func(t *Ticket) (Change, error) {
		var ch Change
		ev := func(action, from, to string) {
			ch.Events = append(ch.Events, Event{ID: ids.NewAt("evt", now), TicketID: t.ID, ActorID: a.ID, ActorName: a.name(), Action: action, From: from, To: to, At: now})
		}
		if c.ServiceID != nil && *c.ServiceID != t.ServiceID {
			if *c.ServiceID != "" {
				if _, err := s.c.People.ServiceName(ctx, t.CustomerID, *c.ServiceID); err != nil {
					if apperr.Is(err, apperr.NotFound) {
						return ch, apperr.Validation(map[string]string{"service_id": "is not one of this customer's services"})
					}
					return ch, err
				}
			}
			ev("service", t.ServiceID, *c.ServiceID)
			t.ServiceID = *c.ServiceID
		}
		if c.Priority != nil && *c.Priority != t.Priority {
			ev("priority", string(t.Priority), string(*c.Priority))
			t.Priority = *c.Priority
		}
		if c.DepartmentID != nil && *c.DepartmentID != t.DepartmentID {
			ev("department", t.DepartmentID, *c.DepartmentID)
			t.DepartmentID = *c.DepartmentID
		}
		if c.AssigneeID != nil && *c.AssigneeID != t.AssigneeID {
			ev("assignee", t.AssigneeID, *c.AssigneeID)
			t.AssigneeID = *c.AssigneeID
		}
		if c.Status != nil && *c.Status != t.Status {
			from := t.Status
			if err := t.Move(*c.Status, !a.Staff, now); err != nil {
				return ch, err
			}
			ev("status", string(from), string(t.Status))
			// Staff's move is mailed to the customer; the customer's own
			// (closing, reopening) to the ticket's staff.
			ch.Effects = append(ch.Effects, s.effect(t, "status:"+ch.Events[len(ch.Events)-1].ID, notice{What: "status", Status: t.Status, ByCustomer: !a.Staff}))
		}
		if len(ch.Events) == 0 {
			return ch, errUnchanged
		}
		t.UpdatedAt = now
		return ch, nil
	})
	if unchanged(err) {
		return s.c.Store.GetTicket(ctx, id)
	}
	if err == nil {
		s.kick()
	}
	return t, err
}

// errUnchanged: nothing to write (stores return the ticket as it is).
var errUnchanged = apperr.New(apperr.Conflict, "nothing changed")

// unchanged reports whether err means an update had nothing to write.
func unchanged(err error) bool { return err == errUnchanged }

// Merge folds a duplicate into the ticket that carries on: the duplicate
// closes and points at it, its thread shows in the other, and mail to the
// duplicate lands in the other.
func (s *Service) Merge(ctx context.Context, a Actor, fromID, intoID string) (*Ticket, error) {
	if fromID == intoID {
		return nil, apperr.Validation(map[string]string{"into": "a ticket cannot be merged into itself"})
	}
	now := s.c.Clock.Now()
	return s.c.Store.Merge(ctx, fromID, intoID, func(from, into *Ticket) (Change, error) {
		switch {
		case into.MergedInto != "":
			return Change{}, apperr.New(apperr.Conflict, "%s was itself merged; merge into %s", Reference(Prefix, into.Number), into.MergedInto)
		case from.MergedInto != "":
			return Change{}, apperr.New(apperr.Conflict, "%s is already merged", Reference(Prefix, from.Number))
		case from.CustomerID != into.CustomerID || from.CustomerID == "" && !strings.EqualFold(from.Email, into.Email):
			return Change{}, apperr.Validation(map[string]string{"into": "both tickets must be the same customer's"})
		}
		if from.Status != Closed {
			from.set(Closed, now)
		}
		from.MergedInto, from.UpdatedAt = into.ID, now
		into.Merged = append(append(into.Merged, from.ID), from.Merged...)
		into.Replies += from.Replies
		into.UpdatedAt = now
		ev := func(t *Ticket) Event {
			return Event{ID: ids.NewAt("evt", now), TicketID: t.ID, ActorID: a.ID, ActorName: a.name(), Action: "merged",
				From: Reference(Prefix, from.Number), To: Reference(Prefix, into.Number), At: now}
		}
		return Change{Events: []Event{ev(from), ev(into)}}, nil
	})
}

// Settings returns the desk's configuration.
func (s *Service) Settings(ctx context.Context) (*Settings, error) { return s.settings(ctx) }

// settings are staff's, or before they saved any one department at the
// support address, so customers can always write.
func (s *Service) settings(ctx context.Context) (*Settings, error) {
	set, err := s.c.Store.Settings(ctx)
	if apperr.Is(err, apperr.NotFound) {
		return &Settings{Departments: []Department{{ID: "dep_support", Name: "Support", Email: s.c.SupportEmail, Staff: []string{}}}, Canned: []Canned{}}, nil
	}
	return set, err
}

// SaveSettings checks and stores staff's configuration.
func (s *Service) SaveSettings(ctx context.Context, in Settings) (*Settings, error) {
	f := apperr.FieldErrors{}
	seenID, seenMail := map[string]bool{}, map[string]bool{}
	if len(in.Departments) == 0 {
		f.Add("departments", "at least one department is needed")
	}
	for i := range in.Departments {
		d := &in.Departments[i]
		at := fmt.Sprintf("departments[%d]", i)
		d.Name, d.Email = strings.TrimSpace(d.Name), strings.ToLower(strings.TrimSpace(d.Email))
		if d.ID == "" {
			d.ID = ids.New("dep")
		}
		if seenID[d.ID] {
			f.Add(at+".id", "appears twice")
		}
		seenID[d.ID] = true
		text(f, at+".name", d.Name, 60)
		if a, err := mail.ParseAddress(d.Email); err != nil || a.Address != d.Email || a.Name != "" {
			f.Add(at+".email", "must be one e-mail address")
		} else if seenMail[d.Email] {
			f.Add(at+".email", "is another department's address")
		}
		seenMail[d.Email] = true
		if d.Staff == nil {
			d.Staff = []string{}
		}
		for _, id := range d.Staff {
			if p, err := s.c.People.Person(ctx, id); err != nil || !p.Staff {
				f.Add(at+".staff", fmt.Sprintf("%s is not a staff member", id))
			}
		}
	}
	for i := range in.Canned {
		c := &in.Canned[i]
		if c.ID == "" {
			c.ID = ids.New("can")
		}
		text(f, fmt.Sprintf("canned_replies[%d].title", i), strings.TrimSpace(c.Title), 100)
		text(f, fmt.Sprintf("canned_replies[%d].body", i), strings.TrimSpace(c.Body), MaxBody)
	}
	if in.Canned == nil {
		in.Canned = []Canned{}
	}
	// A department with tickets still open cannot go: they would belong
	// nowhere. Staff move them first.
	if old, err := s.settings(ctx); err == nil && len(f) == 0 {
		for _, d := range old.Departments {
			if seenID[d.ID] {
				continue
			}
			open, err := s.c.Store.ListTickets(ctx, Filter{DepartmentID: d.ID, Statuses: []Status{Open, InProgress, Waiting}, Limit: 1})
			if err != nil {
				return nil, err
			}
			if len(open) > 0 {
				f.Add("departments", fmt.Sprintf("%s still has open tickets; move them to another department first", d.Name))
			}
		}
	} else if err != nil {
		return nil, err
	}
	if in.AutoCloseDays < 0 || in.AutoCloseDays > 365 {
		f.Add("auto_close_days", "must be 0 (never) to 365")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	in.UpdatedAt = s.c.Clock.Now()
	if err := s.c.Store.SaveSettings(ctx, &in); err != nil {
		return nil, err
	}
	in.Version++
	return &in, nil
}

// AutoClose closes the tickets that waited on their customer longer than
// the desk allows, telling each customer; it returns how many it closed.
func (s *Service) AutoClose(ctx context.Context) (int, error) {
	set, err := s.settings(ctx)
	if err != nil || set.AutoCloseDays == 0 {
		return 0, err
	}
	after := time.Duration(set.AutoCloseDays) * 24 * time.Hour
	waiting, err := s.c.Store.ListTickets(ctx, Filter{Statuses: []Status{Waiting}, Limit: 1000})
	if err != nil {
		return 0, err
	}
	n := 0
	system := Actor{Person: Person{Name: "Auto-close", Staff: true}}
	for _, t := range waiting {
		now := s.c.Clock.Now()
		if !t.AutoCloseDue(after, now) {
			continue
		}
		_, err := s.c.Store.UpdateTicket(ctx, t.ID, func(t *Ticket) (Change, error) {
			if !t.AutoCloseDue(after, now) {
				return Change{}, errUnchanged // answered meanwhile
			}
			t.set(Closed, now)
			ev := Event{ID: ids.NewAt("evt", now), TicketID: t.ID, ActorName: system.name(), Action: "status", From: string(Waiting), To: string(Closed), At: now}
			return Change{Events: []Event{ev}, Effects: []outbox.Item{s.effect(t, "status:"+ev.ID, notice{What: "status", Status: Closed, Auto: true})}}, nil
		})
		switch {
		case err == nil:
			n++
			s.kick()
		case unchanged(err):
		default:
			return n, fmt.Errorf("auto-close %s: %w", t.ID, err)
		}
	}
	return n, nil
}
