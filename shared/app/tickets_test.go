package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ezscale/platform/shared/domain/notify"
	"github.com/ezscale/platform/shared/testkit/session"
)

// ticketMail is the ticket mail queued so far, after running the outbox.
func ticketMail(t *testing.T, e *env) []notify.Message {
	t.Helper()
	ctx := context.Background()
	if _, err := e.p.Outbox.Publish(ctx); err != nil {
		t.Fatal(err)
	}
	msgs, _, err := e.p.Notify.List(ctx, "", "")
	if err != nil {
		t.Fatal(err)
	}
	var out []notify.Message
	for _, m := range msgs {
		if strings.HasPrefix(string(m.Kind), "ticket_") || m.Kind == notify.AlertTicketUrgent {
			out = append(out, m)
		}
	}
	slices.SortFunc(out, func(a, b notify.Message) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return out
}

// mailOf finds the mail of kind to an address about ticket number n.
func mailOf(msgs []notify.Message, kind notify.Kind, to string, n int) *notify.Message {
	for i := range msgs {
		if msgs[i].Kind == kind && msgs[i].To == to && strings.HasPrefix(msgs[i].Subject, fmt.Sprintf("[EZSCALE-%d] ", n)) {
			return &msgs[i]
		}
	}
	return nil
}

func decodeAs[T any](t *testing.T, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	return v
}

type ticketOut struct {
	ID         string `json:"id"`
	Number     int64  `json:"number"`
	Status     string `json:"status"`
	Priority   string `json:"priority"`
	MergedInto string `json:"merged_into"`
	AssigneeID string `json:"assignee_id"`
}

type viewOut struct {
	Ticket  ticketOut `json:"ticket"`
	Replies []struct {
		Author, Body string
		Files        []struct{ ID, Name, Type string } `json:"attachments"`
	} `json:"replies"`
	Events []struct{ Action, From, To string } `json:"events"`
}

func must(t *testing.T, code int, body []byte, err error, want int) []byte {
	t.Helper()
	if err != nil || code != want {
		t.Fatalf("status %d (want %d): %s %v", code, want, body, err)
	}
	return body
}

// A customer opens tickets (numbered without gaps), staff answer and
// keep notes, the customer answers, closes and reopens; every step mails
// the other side with threading headers, and a customer sees neither
// notes nor the audit.
func TestTicketLifecycle(t *testing.T) {
	e := newEnv(t)
	alice := customer(t, e, "alice@example.com")
	_, me, _ := e.admin.Do("GET", "/v1/me", nil)
	adminID := decodeAs[struct{ ID string }](t, me).ID
	set := fmt.Sprintf(`{"departments":[{"id":"dep_tech","name":"Technical","email":"tech@ezscale.example","staff":[%q],"hidden":false},
		{"id":"dep_abuse","name":"Abuse","email":"abuse@ezscale.example","staff":[],"hidden":true}],"canned_replies":[{"title":"Restarted","body":"We restarted it."}],"auto_close_days":3,"version":0}`, adminID)
	if resp, body := e.do("PUT", "/v1/admin/helpdesk/settings", set, true); resp.StatusCode != 200 {
		t.Fatalf("settings: %d %v", resp.StatusCode, body)
	}
	code, deps, err := alice.Do("GET", "/v1/me/ticket-departments", nil)
	if body := must(t, code, deps, err, 200); strings.Contains(string(body), "abuse") || !strings.Contains(string(body), "dep_tech") {
		t.Fatalf("departments offered: %s", body)
	}
	for _, bad := range []map[string]any{
		{"subject": "x", "body": "y", "department_id": "dep_tech", "priority": "urgent"},
		{"subject": "x", "body": "y", "department_id": "dep_abuse"},
		{"subject": "", "body": "y", "department_id": "dep_tech"},
		{"subject": "x", "body": "y", "department_id": "dep_tech", "attachments": []map[string]any{{"name": "setup.exe", "type": "application/octet-stream", "data": []byte("MZ")}}},
	} {
		if code, body, _ := alice.Do("POST", "/v1/me/tickets", bad); code != 400 {
			t.Fatalf("bad ticket %v: %d %s", bad, code, body)
		}
	}
	png := []byte("\x89PNG\r\n\x1a\nnot really")
	code, b, err := alice.Do("POST", "/v1/me/tickets", map[string]any{"subject": "Server down", "body": "It stopped at 09:12.", "department_id": "dep_tech", "priority": "high",
		"attachments": []map[string]any{{"name": "../../etc/screen shot.png", "type": "image/png", "data": png}}})
	first := decodeAs[ticketOut](t, must(t, code, b, err, 201))
	code, b, err = alice.Do("POST", "/v1/me/tickets", map[string]any{"subject": "Server down (again)", "body": "Same.", "department_id": "dep_tech"})
	second := decodeAs[ticketOut](t, must(t, code, b, err, 201))
	if first.Number != 1 || second.Number != 2 || first.Status != "open" {
		t.Fatalf("numbers %d, %d; status %s", first.Number, second.Number, first.Status)
	}

	mail := ticketMail(t, e)
	ack := mailOf(mail, notify.TicketOpened, "alice@example.com", 1)
	notice := mailOf(mail, notify.TicketStaffNotice, "admin@example.com", 1)
	if ack == nil || notice == nil || ack.Thread == nil || !ack.Thread.AutoReply || ack.ReplyTo != "tech@ezscale.example" {
		t.Fatalf("after opening: %d ticket mails; ack %v, staff notice %v", len(mail), ack != nil, notice != nil)
	}

	code, b, err = e.admin.Do("POST", "/v1/admin/tickets/"+first.ID+"/replies", map[string]any{"body": "We restarted the host."})
	if got := decodeAs[struct{ Ticket ticketOut }](t, must(t, code, b, err, 201)); got.Ticket.Status != "waiting_on_customer" {
		t.Fatalf("after staff's answer: %s", got.Ticket.Status)
	}
	code, b, err = e.admin.Do("POST", "/v1/admin/tickets/"+first.ID+"/replies", map[string]any{"body": "Host had a kernel panic.", "note": true})
	must(t, code, b, err, 201)
	mail = ticketMail(t, e)
	answer := mailOf(mail, notify.TicketReply, "alice@example.com", 1)
	if answer == nil || answer.Thread == nil || !answer.Thread.Human || answer.Thread.InReplyTo != ack.Thread.MessageID ||
		!slices.Contains(answer.Thread.References, ack.Thread.MessageID) || len(mail) != 5 {
		t.Fatalf("staff's answer mail: found %v (ack id %s)", answer != nil, ack.Thread.MessageID)
	}

	code, b, err = alice.Do("GET", "/v1/me/tickets/"+first.ID, nil)
	v := decodeAs[viewOut](t, must(t, code, b, err, 200))
	if len(v.Replies) != 2 || v.Events != nil || strings.Contains(string(b), "kernel panic") {
		t.Fatalf("the customer's view: %s", b)
	}
	if f := v.Replies[0].Files; len(f) != 1 || f[0].Name != "screen shot.png" || f[0].Type != "image/png" {
		t.Fatalf("attachment %+v", f)
	}
	resp, err := alice.Client.Get(alice.Base + "/v1/me/tickets/" + first.ID + "/attachments/" + v.Replies[0].Files[0].ID)
	if err != nil || resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("download: %v %+v", err, resp)
	}
	resp.Body.Close()

	code, b, err = alice.Do("POST", "/v1/me/tickets/"+first.ID+"/replies", map[string]any{"body": "Works again, thanks.", "note": true})
	must(t, code, b, err, 400)
	code, b, err = alice.Do("POST", "/v1/me/tickets/"+first.ID+"/replies", map[string]any{"body": "Works again, thanks."})
	if got := decodeAs[struct{ Ticket ticketOut }](t, must(t, code, b, err, 201)); got.Ticket.Status != "open" {
		t.Fatalf("after the customer's answer: %s", got.Ticket.Status)
	}
	code, b, err = alice.Do("POST", "/v1/me/tickets/"+first.ID+"/status", map[string]any{"status": "in_progress"})
	must(t, code, b, err, 403)
	code, b, err = alice.Do("POST", "/v1/me/tickets/"+first.ID+"/status", map[string]any{"status": "closed"})
	if got := decodeAs[ticketOut](t, must(t, code, b, err, 200)); got.Status != "closed" {
		t.Fatalf("closed by the customer: %s", got.Status)
	}
	var told bool
	for _, m := range ticketMail(t, e) {
		told = told || m.Kind == notify.TicketStaffNotice && m.To == "admin@example.com" && strings.Contains(m.Subject, "Ticket closed: Server down")
	}
	if !told {
		t.Fatal("the department's staff were not told the customer closed the ticket")
	}

	code, b, err = e.admin.Do("PATCH", "/v1/admin/tickets/"+first.ID, map[string]any{"priority": "urgent", "assignee_id": adminID, "status": "open"})
	if got := decodeAs[ticketOut](t, must(t, code, b, err, 200)); got.Priority != "urgent" || got.AssigneeID != adminID || got.Status != "open" {
		t.Fatalf("staff's change: %s", b)
	}
	code, b, err = e.admin.Do("PATCH", "/v1/admin/tickets/"+first.ID, map[string]any{"assignee_id": "usr_nobody"})
	must(t, code, b, err, 400)
	code, b, err = e.admin.Do("GET", "/v1/admin/tickets?status=open,in_progress&assignee_id="+adminID, nil)
	if q := decodeAs[struct{ Tickets []ticketOut }](t, must(t, code, b, err, 200)); len(q.Tickets) != 1 || q.Tickets[0].ID != first.ID {
		t.Fatalf("queue filtered by assignee: %s", b)
	}

	// The duplicate folds into the first: closed, pointing there, its
	// thread shown there; it takes no more replies.
	code, b, err = e.admin.Do("POST", "/v1/admin/tickets/"+second.ID+"/merge", map[string]any{"into": first.ID})
	must(t, code, b, err, 200)
	code, b, err = alice.Do("GET", "/v1/me/tickets/"+second.ID, nil)
	if got := decodeAs[viewOut](t, must(t, code, b, err, 200)); got.Ticket.MergedInto != first.ID || got.Ticket.Status != "closed" {
		t.Fatalf("merged ticket: %s", b)
	}
	code, b, err = alice.Do("GET", "/v1/me/tickets/"+first.ID, nil)
	if got := decodeAs[viewOut](t, must(t, code, b, err, 200)); len(got.Replies) != 4 {
		t.Fatalf("the thread after the merge has %d replies: %s", len(got.Replies), b)
	}
	code, b, err = alice.Do("POST", "/v1/me/tickets/"+second.ID+"/replies", map[string]any{"body": "hello?"})
	must(t, code, b, err, 409)

	code, b, err = e.admin.Do("GET", "/v1/admin/tickets/"+first.ID, nil)
	actions := []string{}
	for _, ev := range decodeAs[viewOut](t, must(t, code, b, err, 200)).Events {
		actions = append(actions, ev.Action)
	}
	for _, want := range []string{"opened", "replied", "noted", "status", "priority", "assignee", "merged"} {
		if !slices.Contains(actions, want) {
			t.Fatalf("audit %v lacks %s", actions, want)
		}
	}
	var anon = session.New(e.srv.URL)
	if code, _, _ := anon.Do("GET", "/v1/me/tickets", nil); code != 401 {
		t.Fatalf("anonymous list: %d", code)
	}
}

// A ticket waiting on its customer longer than the desk allows is closed
// by the daily run, and the customer told; one answered meanwhile is not.
func TestWaitingTicketsAutoClose(t *testing.T) {
	e := newEnv(t)
	alice := customer(t, e, "alice@example.com")
	if resp, body := e.do("PUT", "/v1/admin/helpdesk/settings", `{"departments":[{"id":"dep_support","name":"Support","email":"support@ezscale.example"}],"canned_replies":[],"auto_close_days":3,"version":0}`, true); resp.StatusCode != 200 {
		t.Fatalf("settings: %d %v", resp.StatusCode, body)
	}
	var ids []string
	for range 2 {
		id := aliceTicket(t, alice)
		code, b, err := e.admin.Do("POST", "/v1/admin/tickets/"+id+"/replies", map[string]any{"body": "Does it work now?"})
		must(t, code, b, err, 201)
		ids = append(ids, id)
	}
	e.clock.Advance(2 * 24 * time.Hour)
	code, b, err := alice.Do("POST", "/v1/me/tickets/"+ids[1]+"/replies", map[string]any{"body": "Not yet."})
	must(t, code, b, err, 201)
	e.clock.Advance(24*time.Hour + time.Minute)
	d, err := e.p.RunDaily(context.Background())
	if err != nil || d.TicketsClosed != 1 {
		t.Fatalf("daily run: %+v %v", d, err)
	}
	for i, want := range []string{"closed", "open"} {
		code, b, err := alice.Do("GET", "/v1/me/tickets/"+ids[i], nil)
		if got := decodeAs[viewOut](t, must(t, code, b, err, 200)); got.Ticket.Status != want {
			t.Fatalf("ticket %d: %s, want %s", i, got.Ticket.Status, want)
		}
	}
	if m := mailOf(ticketMail(t, e), notify.TicketStatus, "alice@example.com", 1); m == nil {
		t.Fatal("the customer was not told of the auto-close")
	}
}

// A department with open tickets cannot be removed; once they moved, it can.
func TestDepartmentWithOpenTicketsStays(t *testing.T) {
	e := newEnv(t)
	alice := customer(t, e, "alice@example.com")
	two := `{"departments":[{"id":"dep_support","name":"Support","email":"support@ezscale.example"},{"id":"dep_sales","name":"Sales","email":"sales@ezscale.example"}],"canned_replies":[],"auto_close_days":0,"version":%d}`
	one := `{"departments":[{"id":"dep_support","name":"Support","email":"support@ezscale.example"}],"canned_replies":[],"auto_close_days":0,"version":%d}`
	if resp, body := e.do("PUT", "/v1/admin/helpdesk/settings", fmt.Sprintf(two, 0), true); resp.StatusCode != 200 {
		t.Fatalf("settings: %d %v", resp.StatusCode, body)
	}
	code, b, err := alice.Do("POST", "/v1/me/tickets", map[string]any{"subject": "Pricing", "body": "Volume discount?", "department_id": "dep_sales"})
	id := decodeAs[ticketOut](t, must(t, code, b, err, 201)).ID
	if resp, body := e.do("PUT", "/v1/admin/helpdesk/settings", fmt.Sprintf(one, 1), true); resp.StatusCode != 400 || !strings.Contains(fmt.Sprint(body), "still has open tickets") {
		t.Fatalf("removing a department with an open ticket: %d %v", resp.StatusCode, body)
	}
	code, b, err = e.admin.Do("PATCH", "/v1/admin/tickets/"+id, map[string]any{"department_id": "dep_support"})
	must(t, code, b, err, 200)
	if resp, body := e.do("PUT", "/v1/admin/helpdesk/settings", fmt.Sprintf(one, 1), true); resp.StatusCode != 200 {
		t.Fatalf("removing an empty department: %d %v", resp.StatusCode, body)
	}
}
