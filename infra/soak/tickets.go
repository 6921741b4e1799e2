package main

import (
	"fmt"
	"net/smtp"
	"sort"
	"strings"
	"sync/atomic"
)

// The helpdesk's share of the soak: customers open tickets in the API and
// by mail through the support mailbox's SMTP port, while the stack is
// killed. Every ticket the API acknowledged and every message the SMTP
// port accepted must end up as exactly one ticket, numbered without gaps.

var mailSeq atomic.Int64

// openTicket opens a ticket through the API (and sometimes answers it).
func (w *world) openTicket(a *account) {
	var t struct {
		ID     string `json:"id"`
		Number int64  `json:"number"`
	}
	code, err := w.call(a.c.Client, "POST", "/v1/me/tickets", map[string]any{"subject": "soak api", "body": "Load test.", "department_id": "dep_support"}, &t)
	if err != nil || code != 201 {
		return
	}
	w.actions.add("ticket (API)")
	w.mu.Lock()
	w.tickets[t.Number] = a.email
	w.mu.Unlock()
	if t.Number%3 == 0 {
		if code, _ := w.call(a.c.Client, "POST", "/v1/me/tickets/"+t.ID+"/replies", map[string]any{"body": "More detail."}, nil); code == 201 {
			w.actions.add("ticket reply (API)")
		}
	}
}

// mailTicket writes to support through the SMTP port; once the port said
// 250 the message must become a ticket.
func (w *world) mailTicket(a *account) {
	n := mailSeq.Add(1)
	subject := fmt.Sprintf("soak mail %d", n)
	raw := "From: " + a.email + "\r\nTo: support@ezscale.localhost\r\nSubject: " + subject + "\r\nMessage-ID: <soak-" + fmt.Sprint(n) + "@soak.example>\r\n\r\nHelp by mail.\r\n"
	if err := smtp.SendMail(w.smtp, nil, a.email, []string{"support@ezscale.localhost"}, []byte(raw)); err != nil {
		return // refused or the stack was down: nothing was promised
	}
	w.actions.add("ticket (mail)")
	w.mu.Lock()
	w.mailed[subject] = a.email
	w.mu.Unlock()
}

// ticketState lists, per customer, the tickets they see: the numbers and
// the subjects.
func (w *world) ticketState() (numbers map[int64]string, subjects map[string]int, err error) {
	numbers, subjects = map[int64]string{}, map[string]int{}
	w.mu.Lock()
	people := make([]*account, 0, len(w.people))
	for _, a := range w.people {
		people = append(people, a)
	}
	w.mu.Unlock()
	for _, a := range people {
		var list struct {
			Tickets []struct {
				Number  int64  `json:"number"`
				Subject string `json:"subject"`
			}
		}
		if _, err := w.call(a.c.Client, "GET", "/v1/me/tickets", nil, &list); err != nil {
			return nil, nil, err
		}
		for _, t := range list.Tickets {
			if prev, twice := numbers[t.Number]; twice {
				return nil, nil, fmt.Errorf("ticket number %d belongs to %s and %s", t.Number, prev, a.email)
			}
			numbers[t.Number] = a.email
			subjects[t.Subject]++
		}
	}
	return numbers, subjects, nil
}

// unimported lists accepted mail not yet a ticket.
func (w *world) unimported() []string {
	_, subjects, err := w.ticketState()
	if err != nil {
		return []string{err.Error()}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
	for s := range w.mailed {
		if subjects[s] == 0 {
			out = append(out, "mail "+s+" accepted by the SMTP port is not a ticket yet")
		}
	}
	return out
}

// checkTickets: numbers 1…N without gaps or twins; every acknowledged
// ticket present with its customer; every accepted mail exactly one ticket.
func (w *world) checkTickets() []string {
	numbers, subjects, err := w.ticketState()
	if err != nil {
		return []string{"tickets: " + err.Error()}
	}
	var out []string
	seq := make([]int64, 0, len(numbers))
	for n := range numbers {
		seq = append(seq, n)
	}
	sort.Slice(seq, func(i, j int) bool { return seq[i] < seq[j] })
	for i, n := range seq {
		if n != int64(i+1) {
			out = append(out, fmt.Sprintf("ticket numbers are not gap-free: %d at position %d of %d", n, i+1, len(seq)))
			break
		}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for n, who := range w.tickets {
		if numbers[n] != who {
			out = append(out, fmt.Sprintf("ticket %d acknowledged to %s is %q's or missing", n, who, numbers[n]))
		}
	}
	for s := range w.mailed {
		if subjects[s] != 1 {
			out = append(out, fmt.Sprintf("mail %q became %d tickets, not 1", s, subjects[s]))
		}
	}
	for s, k := range subjects {
		if strings.HasPrefix(s, "soak mail") && k > 1 {
			out = append(out, fmt.Sprintf("%q was imported %d times", s, k))
		}
	}
	w.counted("tickets checked", len(numbers))
	w.counted("mailed tickets checked", len(w.mailed))
	return out
}
