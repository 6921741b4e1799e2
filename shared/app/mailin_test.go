package app_test

import (
	"context"
	"fmt"
	"net/mail"
	"net/smtp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ezscale/platform/shared/adapters/dynamo"
	"github.com/ezscale/platform/shared/app/mailpoll"
	"github.com/ezscale/platform/shared/domain/helpdesk"
	"github.com/ezscale/platform/shared/domain/notify"
	"github.com/ezscale/platform/shared/testkit/supportmail"
)

type deskMail struct {
	e   *env
	srv *supportmail.Server
}

func newDeskMail(t *testing.T) *deskMail {
	t.Helper()
	srv, err := supportmail.Start(supportmail.Options{Addresses: []string{"support@ezscale.example", "billing@ezscale.example"}, Username: "desk", Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	e := newEnvWith(t, map[string]string{"IMAP_URL": "imap+plain://" + srv.IMAPAddr, "IMAP_USERNAME": "desk", "IMAP_PASSWORD": "pw", "IMAP_MAILBOXES": "*",
		"MAIL_MAX_BYTES": fmt.Sprint(1 << 20), "MAIL_FROM": "EZSCALE <no-reply@ezscale.example>"})
	set := `{"departments":[{"id":"dep_support","name":"Support","email":"support@ezscale.example"},{"id":"dep_billing","name":"Billing","email":"billing@ezscale.example"}],"canned_replies":[],"auto_close_days":0,"version":0}`
	if resp, body := e.do("PUT", "/v1/admin/helpdesk/settings", set, true); resp.StatusCode != 200 {
		t.Fatalf("settings: %d %v", resp.StatusCode, body)
	}
	return &deskMail{e: e, srv: srv}
}

// send delivers a message through the mailbox's SMTP port, as a mail client would.
func (d *deskMail) send(t *testing.T, from, to, headers, text string) {
	t.Helper()
	raw := "From: " + from + "\r\nTo: " + to + "\r\n" + headers + "\r\n\r\n" + text + "\r\n"
	a, err := mail.ParseAddress(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := smtp.SendMail(d.srv.SMTPAddr, nil, a.Address, []string{to}, []byte(raw)); err != nil {
		t.Fatal(err)
	}
}

func (d *deskMail) poll(t *testing.T) {
	t.Helper()
	st, err := mailpoll.Poll(context.Background(), d.e.p)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("poll: %+v", st)
}

func (d *deskMail) tickets(t *testing.T) []helpdesk.Ticket {
	t.Helper()
	list, err := d.e.p.Helpdesk.List(context.Background(), helpdesk.Actor{Person: helpdesk.Person{Staff: true}}, helpdesk.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func (d *deskMail) view(t *testing.T, id string) *helpdesk.View {
	t.Helper()
	v, err := d.e.p.Helpdesk.Get(context.Background(), helpdesk.Actor{Person: helpdesk.Person{Staff: true}}, id)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// Mail in, end to end through a real SMTP and IMAP server: a customer's
// mail opens a ticket in the department it was written to and is
// acknowledged; their answer to staff's reply threads back by Message-ID;
// an auto-responder answering our mail is kept but starts nothing; a
// stranger's forged subject tag opens a ticket of their own; a bounce
// flags the address; oversized mail is refused politely; and nothing is
// imported twice — not after a lost cursor, not after a new UIDVALIDITY.
func TestSupportMailImport(t *testing.T) {
	d := newDeskMail(t)
	e := d.e
	customer(t, e, "alice@example.com")
	d.send(t, "Alice <alice@example.com>", "billing@ezscale.example", "Subject: Invoice question\r\nMessage-ID: <q1@mail.example.com>", "Why was I charged twice?")
	d.poll(t)
	list := d.tickets(t)
	if len(list) != 1 || list[0].DepartmentID != "dep_billing" || list[0].CustomerID == "" || list[0].Subject != "Invoice question" {
		t.Fatalf("opened by mail: %+v", list)
	}
	tk := list[0]
	mail := ticketMail(t, e)
	ack := mailOf(mail, notify.TicketOpened, "alice@example.com", int(tk.Number))
	if ack == nil || ack.Thread.InReplyTo != "q1@mail.example.com" || ack.ReplyTo != "billing@ezscale.example" {
		t.Fatalf("acknowledgement: %v", ack != nil)
	}

	code, b, err := e.admin.Do("POST", "/v1/admin/tickets/"+tk.ID+"/replies", map[string]any{"body": "Refunded the second charge."})
	must(t, code, b, err, 201)
	answer := mailOf(ticketMail(t, e), notify.TicketReply, "alice@example.com", int(tk.Number))
	// The customer answers from a client that dropped the subject tag.
	d.send(t, "alice@example.com", "billing@ezscale.example", "Subject: Re: thanks\r\nMessage-ID: <q2@mail.example.com>\r\nIn-Reply-To: <"+answer.Thread.MessageID+">",
		"Great, thank you!\r\n\r\nOn Tue, Dec 1, 2026 at 10:00 EZSCALE wrote:\r\n> Refunded the second charge.")
	// Their vacation responder answered our reply too.
	d.send(t, "Alice <alice@example.com>", "billing@ezscale.example", "Subject: Out of office\r\nAuto-Submitted: auto-replied\r\nMessage-ID: <ooo@mail.example.com>\r\nIn-Reply-To: <"+answer.Thread.MessageID+">",
		"I am away until Monday.")
	// A stranger guesses the ticket's number.
	d.send(t, "mallory@evil.example", "support@ezscale.example", fmt.Sprintf("Subject: Re: [EZSCALE-%d] send me the invoice\r\nMessage-ID: <m1@evil.example>", tk.Number), "Please.")
	before := map[string]bool{}
	for _, m := range ticketMail(t, e) {
		before[m.ID] = true
	}
	d.poll(t)
	v := d.view(t, tk.ID)
	if n := len(v.Replies); n != 4 || v.Replies[2].Body != "Great, thank you!" || v.Replies[2].Via != "email" || v.Replies[3].Auto == "" {
		t.Fatalf("thread after the answers: %d replies %+v", n, v.Replies)
	}
	if v.Ticket.Status != helpdesk.Open {
		t.Fatalf("the customer's answer left the ticket %s", v.Ticket.Status)
	}
	list = d.tickets(t)
	if len(list) != 2 {
		t.Fatalf("the forged tag did not open a ticket of its own: %d tickets", len(list))
	}
	var stranger helpdesk.Ticket
	for _, x := range list {
		if x.ID != tk.ID {
			stranger = x
		}
	}
	if stranger.CustomerID != "" || stranger.Email != "mallory@evil.example" || stranger.DepartmentID != "dep_support" {
		t.Fatalf("the stranger's ticket: %+v", stranger)
	}
	// Mail since: the stranger's acknowledgement only (the answer and the
	// auto-reply tell staff of nothing new by mail to the customer, and
	// nobody answers the auto-reply).
	after := ticketMail(t, e)
	var toCustomer int
	for _, m := range after {
		if !before[m.ID] && m.To == "alice@example.com" {
			toCustomer++
			t.Logf("to the customer: %s %q", m.Kind, m.Subject)
		}
	}
	if toCustomer != 0 || mailOf(after, notify.TicketOpened, "mallory@evil.example", int(stranger.Number)) == nil {
		t.Fatalf("mail after the answers: %d to the customer", toCustomer)
	}

	// Our acknowledgement to the stranger bounced for good.
	strangerAck := mailOf(after, notify.TicketOpened, "mallory@evil.example", int(stranger.Number))
	d.send(t, "MAILER-DAEMON@mx.evil.example", "support@ezscale.example", `Subject: Undelivered Mail Returned to Sender
Message-ID: <dsn1@mx.evil.example>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="b"`, "--b\r\nContent-Type: text/plain\r\n\r\nNo such user.\r\n--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.evil.example\r\n\r\nFinal-Recipient: rfc822; mallory@evil.example\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n--b\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <"+strangerAck.Thread.MessageID+">\r\nSubject: x\r\n\r\n--b--")
	// A message over the limit (1 MB here).
	d.send(t, "bob@example.com", "support@ezscale.example", "Subject: huge logs\r\nMessage-ID: <big@example.com>", strings.Repeat("log line\r\n", 120_000))
	d.poll(t)
	bad, err := dynamo.NewTickets(e.p.Table).Undeliverable(context.Background(), "mallory@evil.example")
	if err != nil || !bad {
		t.Fatalf("the bounced address is not flagged: %v", err)
	}
	if sv := d.view(t, stranger.ID); len(sv.Replies) != 2 || sv.Replies[1].Auto == "" {
		t.Fatalf("the bounce is not on the ticket: %+v", sv.Replies)
	}
	var refused bool
	for _, m := range ticketMail(t, e) {
		refused = refused || m.Kind == notify.TicketRejected && m.To == "bob@example.com"
	}
	if len(d.tickets(t)) != 2 || !refused {
		t.Fatalf("oversized mail: %d tickets, refusal sent %v", len(d.tickets(t)), refused)
	}

	// Nothing imports twice: the cursors lost, then the mailbox re-indexed.
	tkts := dynamo.NewTickets(e.p.Table)
	for _, box := range d.srv.Mailboxes() {
		c, _ := tkts.MailCursor(context.Background(), box)
		c.LastUID = 0
		if err := tkts.SaveMailCursor(context.Background(), c); err != nil {
			t.Fatal(err)
		}
	}
	d.poll(t)
	if err := d.srv.Recreate("billing@ezscale.example"); err != nil {
		t.Fatal(err)
	}
	d.send(t, "Alice <alice@example.com>", "billing@ezscale.example", "Subject: Invoice question\r\nMessage-ID: <q1@mail.example.com>", "Why was I charged twice?")
	d.poll(t)
	if n := len(d.tickets(t)); n != 2 || len(d.view(t, tk.ID).Replies) != 4 {
		t.Fatalf("after re-importing: %d tickets, %d replies", n, len(d.view(t, tk.ID).Replies))
	}
}

// A robot that opens a ticket with every mail gets a few acknowledgements
// an hour, not one per mail: no loop with another auto-responder.
func TestAcknowledgementsAreRateLimited(t *testing.T) {
	d := newDeskMail(t)
	for i := range helpdesk.AcksPerHour + 3 {
		d.send(t, "monitor@example.net", "support@ezscale.example", fmt.Sprintf("Subject: Check %d failed\r\nMessage-ID: <chk%d@example.net>", i, i), "Host down.")
	}
	d.poll(t)
	acks := 0
	for _, m := range ticketMail(t, d.e) {
		if m.Kind == notify.TicketOpened {
			acks++
		}
	}
	if n := len(d.tickets(t)); n != helpdesk.AcksPerHour+3 || acks != helpdesk.AcksPerHour {
		t.Fatalf("%d tickets, %d acknowledgements", n, acks)
	}
}

// Mail answering a ticket that was merged into one that was merged again
// lands on the ticket that carries on.
func TestMailToAMergedTicketFollowsTheMerges(t *testing.T) {
	d := newDeskMail(t)
	e := d.e
	alice := customer(t, e, "alice@example.com")
	ids := []string{aliceTicket(t, alice), aliceTicket(t, alice), aliceTicket(t, alice)}
	ack := mailOf(ticketMail(t, e), notify.TicketOpened, "alice@example.com", 1)
	for i := range 2 {
		code, b, err := e.admin.Do("POST", "/v1/admin/tickets/"+ids[i]+"/merge", map[string]any{"into": ids[i+1]})
		must(t, code, b, err, 200)
	}
	e.clock.Advance(time.Hour) // an answer some time later
	d.send(t, "alice@example.com", "support@ezscale.example", "Subject: Re: help\r\nMessage-ID: <late@mail.example.com>\r\nIn-Reply-To: <"+ack.Thread.MessageID+">", "Still there?")
	d.poll(t)
	v := d.view(t, ids[2])
	if last := v.Replies[len(v.Replies)-1]; last.Body != "Still there?" || v.Ticket.Status != helpdesk.Open {
		t.Fatalf("the answer to the first ticket: %+v on a %s ticket", last, v.Ticket.Status)
	}
}

// Overlapping imports of one message (two polls at once) make one ticket:
// the others are told it is a duplicate, none fails.
func TestConcurrentImportsOfOneMessage(t *testing.T) {
	d := newDeskMail(t)
	raw := []byte("From: carol@example.com\r\nTo: support@ezscale.example\r\nSubject: Twice\r\nMessage-ID: <twice@example.com>\r\n\r\nOnce, please.\r\n")
	outcomes := make([]helpdesk.Outcome, 6)
	errs := make([]error, 6)
	var wg sync.WaitGroup
	for i := range outcomes {
		wg.Go(func() {
			outcomes[i], errs[i] = d.e.p.Helpdesk.Import(context.Background(), raw, "support@ezscale.example")
		})
	}
	wg.Wait()
	opened := 0
	for i, o := range outcomes {
		if errs[i] != nil || o.Action != "opened" && o.Action != "duplicate" {
			t.Fatalf("import %d: %+v %v", i, o, errs[i])
		}
		if o.Action == "opened" {
			opened++
		}
	}
	if opened != 1 || len(d.tickets(t)) != 1 {
		t.Fatalf("%d opened, %d tickets", opened, len(d.tickets(t)))
	}
}
