package helpdesk_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ezscale/platform/shared/domain/helpdesk"
	"github.com/ezscale/platform/shared/domain/helpdesk/mailin"
	"github.com/ezscale/platform/shared/platform/apperr"
)

var t0 = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

func TestMovesAndReplies(t *testing.T) {
	tk := &helpdesk.Ticket{Number: 42, Subject: "Server down", Status: helpdesk.Open}
	if got := helpdesk.Subject("EZSCALE", tk); got != "[EZSCALE-42] Server down" {
		t.Fatalf("subject %q", got)
	}
	steps := []struct {
		name string
		do   func() error
		want helpdesk.Status
		code apperr.Code
	}{
		{"staff take it", func() error { return tk.Move(helpdesk.InProgress, false, t0) }, helpdesk.InProgress, ""},
		{"a note changes nothing", func() error { return tk.Replied(helpdesk.StaffNote, t0) }, helpdesk.InProgress, ""},
		{"staff answer: waiting on the customer", func() error { return tk.Replied(helpdesk.Staff, t0) }, helpdesk.Waiting, ""},
		{"the customer answers: back in the queue", func() error { return tk.Replied(helpdesk.Customer, t0) }, helpdesk.Open, ""},
		{"a customer cannot set in progress", func() error { return tk.Move(helpdesk.InProgress, true, t0) }, helpdesk.Open, apperr.Forbidden},
		{"the customer closes", func() error { return tk.Move(helpdesk.Closed, true, t0) }, helpdesk.Closed, ""},
		{"closed cannot wait", func() error { return tk.Move(helpdesk.Waiting, false, t0) }, helpdesk.Closed, apperr.Conflict},
		{"a customer reply reopens", func() error { return tk.Replied(helpdesk.Customer, t0) }, helpdesk.Open, ""},
		{"no such status", func() error { return tk.Move("lost", false, t0) }, helpdesk.Open, apperr.Invalid},
	}
	for _, s := range steps {
		err := s.do()
		if s.code == "" && err != nil || s.code != "" && !apperr.Is(err, s.code) {
			t.Fatalf("%s: %v, want %q", s.name, err, s.code)
		}
		if tk.Status != s.want {
			t.Fatalf("%s: status %s, want %s", s.name, tk.Status, s.want)
		}
	}
	tk.MergedInto = "tkt_other"
	if err := tk.Replied(helpdesk.Customer, t0); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("a reply to a merged ticket: %v", err)
	}
}

func TestAutoClose(t *testing.T) {
	tk := &helpdesk.Ticket{Status: helpdesk.Open}
	_ = tk.Replied(helpdesk.Staff, t0)
	week := 7 * 24 * time.Hour
	if tk.AutoCloseDue(week, t0.Add(week-time.Second)) || !tk.AutoCloseDue(week, t0.Add(week)) || tk.AutoCloseDue(0, t0.Add(100*week)) {
		t.Fatal("auto-close is due exactly after the wait, and never when off")
	}
	_ = tk.Replied(helpdesk.Customer, t0.Add(time.Hour))
	if tk.AutoCloseDue(week, t0.Add(2*week)) {
		t.Fatal("a ticket the customer answered closed by itself")
	}
}

func TestThreadOf(t *testing.T) {
	if in, refs := helpdesk.ThreadOf(nil); in != "" || refs != nil {
		t.Fatal("a first mail threads to nothing")
	}
	var sent []string
	for i := range 14 {
		sent = append(sent, helpdesk.MessageID("tkt_42", "r"+string(rune('a'+i)), "mail.ezscale.localhost"))
	}
	in, refs := helpdesk.ThreadOf(sent)
	if in != sent[13] || len(refs) != 10 || refs[0] != sent[0] || refs[9] != sent[13] {
		t.Fatalf("in-reply-to %s, references %v", in, refs)
	}
	if !strings.HasPrefix(sent[0], "tkt_42.ra.") || !strings.HasSuffix(sent[0], "@mail.ezscale.localhost") || sent[0] == helpdesk.MessageID("tkt_42", "ra", "mail.ezscale.localhost") {
		t.Fatalf("message id %s", sent[0])
	}
}

type finder struct {
	byID     map[string]string
	byNumber map[int64]*helpdesk.Ticket
	emails   map[int64]string
}

func (f finder) TicketByMessageID(_ context.Context, id string) (string, error) {
	return f.byID[id], nil
}
func (f finder) TicketByNumber(_ context.Context, n int64) (*helpdesk.Ticket, string, error) {
	return f.byNumber[n], f.emails[n], nil
}

// Inbound mail joins a ticket by a Message-ID of its thread (the most
// recent reference first), else by the subject tag from the ticket's
// customer or a participant only; a stranger's forged tag opens a new
// ticket; a merged ticket's tag leads to the one that carries on.
func TestMatchInbound(t *testing.T) {
	f := finder{
		byID: map[string]string{"ticket-7.r1.x@mail.ezscale.localhost": "tkt_7", "ticket-8.r1.y@mail.ezscale.localhost": "tkt_8"},
		byNumber: map[int64]*helpdesk.Ticket{
			7: {ID: "tkt_7", Number: 7, Participants: []string{"cto@example.com"}},
			9: {ID: "tkt_9", Number: 9, MergedInto: "tkt_7"},
		},
		emails: map[int64]string{7: "owner@example.com", 9: "owner@example.com"},
	}
	for _, tc := range []struct {
		name             string
		from, subject    string
		inReplyTo, refs  []string
		ticket, howStart string
	}{
		{"in-reply-to", "anyone@example.org", "Re: whatever", []string{"ticket-7.r1.x@mail.ezscale.localhost"}, nil, "tkt_7", "message id"},
		{"the most recent reference wins", "anyone@example.org", "", nil, []string{"ticket-7.r1.x@mail.ezscale.localhost", "ticket-8.r1.y@mail.ezscale.localhost"}, "tkt_8", "message id"},
		{"the customer's tag", "Owner@Example.com", "Re: [EZSCALE-7] hi", nil, nil, "tkt_7", "subject tag"},
		{"a participant's tag", "cto@example.com", "[EZSCALE-7]", nil, nil, "tkt_7", "subject tag"},
		{"a stranger's forged tag", "attacker@evil.example", "[EZSCALE-7] give me the root password", nil, nil, "", "new: attacker@evil.example is not on EZSCALE-7"},
		{"a merged ticket", "owner@example.com", "[EZSCALE-9]", nil, nil, "tkt_7", "subject tag (merged)"},
		{"no such ticket", "owner@example.com", "[EZSCALE-99]", nil, nil, "", "new: no ticket EZSCALE-99"},
		{"nothing at all", "new@example.com", "Hello", nil, nil, "", "new: nothing names a ticket"},
		{"the tag in the body", "owner@example.com", "AW: Frage", nil, nil, "tkt_7", "body marker"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := &mailin.Message{Subject: tc.subject, InReplyTo: tc.inReplyTo, References: tc.refs}
			if tc.howStart == "body marker" {
				m.Text = "Thanks!\n\n> Ticket reference: [EZSCALE-7]"
			}
			m.From.Address = strings.ToLower(tc.from)
			got, err := helpdesk.MatchInbound(context.Background(), m, "EZSCALE", f)
			if err != nil || got.TicketID != tc.ticket || got.How != tc.howStart {
				t.Fatalf("%+v %v, want %s (%s)", got, err, tc.ticket, tc.howStart)
			}
		})
	}
}

// Whatever mail arrives, matching answers a ticket or a new one, never
// panics, and a ticket found by its tag alone is one the sender is on.
func FuzzMatchInbound(f *testing.F) {
	f.Add([]byte("From: owner@example.com\r\nSubject: Re: [EZSCALE-7] x\r\n\r\nhi"))
	f.Add([]byte("From: x@y.z\r\nIn-Reply-To: <ticket-7.r1.x@mail.ezscale.localhost>\r\nReferences: <a@b> <c@d>\r\n\r\n> [EZSCALE-9]"))
	f.Add([]byte("From: cto@example.com\r\nSubject: [EZSCALE-999999999999999] [EZSCALE-7]\r\n\r\n"))
	fd := finder{
		byID:     map[string]string{"ticket-7.r1.x@mail.ezscale.localhost": "tkt_7"},
		byNumber: map[int64]*helpdesk.Ticket{7: {ID: "tkt_7", Number: 7, Participants: []string{"cto@example.com"}}, 9: {ID: "tkt_9", Number: 9, MergedInto: "tkt_7"}},
		emails:   map[int64]string{7: "owner@example.com", 9: "owner@example.com"},
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := mailin.Parse(raw, mailin.Options{MaxBytes: 1 << 16})
		if err != nil {
			return
		}
		got, err := helpdesk.MatchInbound(context.Background(), m, "EZSCALE", fd)
		if err != nil {
			t.Fatal(err)
		}
		if got.TicketID != "" && !strings.HasPrefix(got.How, "message id") {
			if a := strings.ToLower(m.From.Address); a != "owner@example.com" && a != "cto@example.com" {
				t.Fatalf("%s joined %s by %s", m.From.Address, got.TicketID, got.How)
			}
		}
	})
}
