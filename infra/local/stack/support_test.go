package stack_test

import (
	"encoding/json"
	"fmt"
	"net/smtp"
	"strings"
	"testing"
	"time"

	"github.com/ezscale/platform/shared/testkit/session"
)

// The local support desk end to end: the demo customer opens a ticket in
// the account app's API, the demo admin (staff of the seeded department)
// answers, the answer arrives in the dev mailbox threaded and linking to
// the account app's ticket page, and the customer's answer by e-mail —
// sent to the Reply-To through the local SMTP port — lands on the ticket
// within one poll.
func TestCustomerAnswersATicketByMail(t *testing.T) {
	st, base := openStack(t)
	customer, err := session.SignIn(base, st.DemoCustomer.Email, st.DemoCustomer.Password, "", time.Now)
	if err != nil {
		t.Fatal(err)
	}
	admin, err := session.SignIn(base, st.DemoAdmin.Email, st.DemoAdmin.Password, st.DemoAdmin.TOTPSecret, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	code, b, err := customer.Do("POST", "/v1/me/tickets", map[string]any{"subject": "Cannot reach my VPS", "body": "Ping times out since 09:12.", "department_id": "dep_support", "priority": "high"})
	if err != nil || code != 201 {
		t.Fatalf("open: %d %s %v", code, b, err)
	}
	var tk struct {
		ID     string `json:"id"`
		Number int64  `json:"number"`
	}
	_ = json.Unmarshal(b, &tk)
	if code, b, err := admin.Do("POST", "/v1/admin/tickets/"+tk.ID+"/replies", map[string]any{"body": "We restarted the host; please try again."}); err != nil || code != 201 {
		t.Fatalf("staff reply: %d %s %v", code, b, err)
	}

	// The answer in the customer's mailbox.
	tag := fmt.Sprintf("[EZSCALE-%d]", tk.Number)
	var msgID, replyTo, text string
	waitUntil(t, "the staff answer in the dev mailbox", func() bool {
		list, _ := st.Mailbox.List(20)
		for _, s := range list {
			m, err := st.Mailbox.Get(s.ID)
			if err == nil && strings.Contains(s.To, st.DemoCustomer.Email) && strings.Contains(m.Text, "We restarted the host") {
				msgID, replyTo, text = m.Headers.Get("Message-Id"), m.Headers.Get("Reply-To"), m.Text
				return strings.HasPrefix(s.Subject, tag)
			}
		}
		return false
	})
	if !strings.Contains(text, base+"/account/support/"+tk.ID) || !strings.Contains(replyTo, "support@ezscale.localhost") || bare(msgID) == "" {
		t.Fatalf("the answer: Reply-To %q, Message-ID %q, text %q", replyTo, msgID, text)
	}

	// The customer answers from their mail client, quoting the message
	// and with a subject their client rewrote.
	reply := "From: Demo Customer <" + st.DemoCustomer.Email + ">\r\nTo: support@ezscale.localhost\r\nSubject: AW: my server\r\n" +
		"Message-ID: <answer-1@client.example>\r\nIn-Reply-To: " + msgID + "\r\nReferences: " + msgID + "\r\n\r\n" +
		"It works again, thank you!\r\n\r\nOn Tue, 1 Dec 2026 EZSCALE wrote:\r\n> We restarted the host; please try again.\r\n"
	if err := smtp.SendMail(st.SupportMail.SMTPAddr, nil, st.DemoCustomer.Email, []string{"support@ezscale.localhost"}, []byte(reply)); err != nil {
		t.Fatal(err)
	}
	st.PollMailNow()
	waitUntil(t, "the answer on the ticket", func() bool {
		_, b, _ := customer.Do("GET", "/v1/me/tickets/"+tk.ID, nil)
		var v struct {
			Ticket  struct{ Status string }
			Replies []struct{ Body, Via string }
		}
		_ = json.Unmarshal(b, &v)
		last := len(v.Replies) - 1
		return last == 2 && v.Replies[last].Body == "It works again, thank you!" && v.Replies[last].Via == "email" && v.Ticket.Status == "open"
	})
}

func bare(id string) string { return strings.Trim(id, "<> ") }

// waitUntil polls cond for up to 20 s.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
