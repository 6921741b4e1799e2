// Package helpdesk is the support desk's rules: tickets with their
// department, priority and status, who may move them where, when a
// waiting ticket closes by itself, how our mail is threaded, and which
// ticket an inbound message belongs to. Storage, mail transport and the
// API are elsewhere; mailin reads the messages.
package helpdesk

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ezscale/platform/shared/platform/apperr"
)

// Status is where a ticket stands.
type Status string

// Statuses.
const (
	Open       Status = "open"
	InProgress Status = "in_progress"
	Waiting    Status = "waiting_on_customer"
	Closed     Status = "closed"
)

// Statuses lists every status.
var Statuses = []Status{Open, InProgress, Waiting, Closed}

// Priority is how soon a ticket needs an answer.
type Priority string

// Priorities, lowest first.
const (
	Low    Priority = "low"
	Medium Priority = "medium"
	High   Priority = "high"
	Urgent Priority = "urgent"
)

// Priorities lists every priority, lowest first.
var Priorities = []Priority{Low, Medium, High, Urgent}

// Ticket is one support conversation.
type Ticket struct {
	ID           string   `json:"id"`
	Number       int64    `json:"number"` // from a gap-free counter: the reference's number
	Subject      string   `json:"subject"`
	DepartmentID string   `json:"department_id"`
	CustomerID   string   `json:"customer_id,omitempty"` // empty: a sender we have no account for
	Email        string   `json:"email"`                 // where the customer side's mail goes
	ServiceID    string   `json:"service_id,omitempty"`  // optional: the service it is about
	Priority     Priority `json:"priority"`
	Status       Status   `json:"status"`
	AssigneeID   string   `json:"assignee_id,omitempty"`
	// Participants are the addresses, besides the customer's, whose mail
	// may join the ticket by its subject tag (people copied in).
	Participants []string `json:"participants"`
	MergedInto   string   `json:"merged_into,omitempty"` // set once merged: the ticket that carries on
	// Merged are the tickets merged into this one: their threads are part of it.
	Merged       []string   `json:"merged,omitempty"`
	Replies      int        `json:"replies"`
	LastReplyBy  string     `json:"last_reply_by,omitempty"` // customer or staff
	WaitingSince *time.Time `json:"waiting_since,omitempty"`
	ClosedAt     *time.Time `json:"closed_at,omitempty"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
	Version      int64      `json:"version"`
}

// Reference is how customers and mail name a ticket: EZSCALE-42.
func Reference(prefix string, number int64) string { return fmt.Sprintf("%s-%d", prefix, number) }

// Subject is the subject of our mail about t, tagged with its reference
// so replies find it again.
func Subject(prefix string, t *Ticket) string {
	return fmt.Sprintf("[%s] %s", Reference(prefix, t.Number), t.Subject)
}

// moves are the status changes staff may make by hand; replies move
// tickets by the rules in Replied.
var moves = map[Status][]Status{
	Open:       {InProgress, Waiting, Closed},
	InProgress: {Open, Waiting, Closed},
	Waiting:    {Open, InProgress, Closed},
	Closed:     {Open},
}

// Move changes t's status by hand (staff; a customer may only close or
// reopen their own). A merged ticket no longer moves.
func (t *Ticket) Move(to Status, byCustomer bool, now time.Time) error {
	switch {
	case t.MergedInto != "":
		return apperr.New(apperr.Conflict, "this ticket was merged into another; continue there")
	case !slices.Contains(Statuses, to):
		return apperr.Validation(map[string]string{"status": "must be one of open, in_progress, waiting_on_customer, closed"})
	case byCustomer && to != Closed && to != Open:
		return apperr.New(apperr.Forbidden, "customers can close or reopen a ticket, not set it %s", to)
	case to == t.Status:
		return nil
	case !slices.Contains(moves[t.Status], to):
		return apperr.New(apperr.Conflict, "a ticket cannot go from %s to %s", t.Status, to)
	}
	t.set(to, now)
	return nil
}

func (t *Ticket) set(to Status, now time.Time) {
	t.Status, t.UpdatedAt = to, now
	t.WaitingSince, t.ClosedAt = nil, nil
	switch to {
	case Waiting:
		t.WaitingSince = &now
	case Closed:
		t.ClosedAt = &now
	}
}

// Author is who wrote a reply.
type Author int

// Authors.
const (
	Customer Author = iota
	Staff
	StaffNote // internal: never shown or sent to the customer
)

// Replied moves t for a reply: the customer's reopens a closed ticket and
// puts a waiting one back in the queue; staff's public answer waits on
// the customer; an internal note changes nothing. A merged ticket takes
// no replies (they go to the one it was merged into).
func (t *Ticket) Replied(by Author, now time.Time) error {
	if t.MergedInto != "" {
		return apperr.New(apperr.Conflict, "this ticket was merged into another; reply there")
	}
	switch by {
	case Customer:
		if t.Status == Closed || t.Status == Waiting {
			t.set(Open, now)
		}
	case Staff:
		t.set(Waiting, now)
	}
	t.UpdatedAt = now
	return nil
}

// AutoCloseDue reports whether t has waited on the customer for after
// (0: never) by now.
func (t *Ticket) AutoCloseDue(after time.Duration, now time.Time) bool {
	return after > 0 && t.Status == Waiting && t.WaitingSince != nil && !now.Before(t.WaitingSince.Add(after))
}

// MaySend reports whether mail from address may join t by its subject tag
// alone: only its customer (customerEmail) or a participant's. Anyone else
// could guess a ticket number.
func (t *Ticket) MaySend(address, customerEmail string) bool {
	address = strings.ToLower(strings.TrimSpace(address))
	if address == "" {
		return false
	}
	if address == strings.ToLower(customerEmail) {
		return true
	}
	return slices.ContainsFunc(t.Participants, func(p string) bool { return strings.EqualFold(p, address) })
}
