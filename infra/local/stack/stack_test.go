package stack_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ezscale/platform/infra/local/stack"
	"github.com/ezscale/platform/shared/clock"
	"github.com/ezscale/platform/shared/testenv/session"
)

func TestNotificationsThroughTheLocalStack(t *testing.T) {
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	st, err := stack.Open(context.Background(), stack.Options{BaseURL: base, DataDir: t.TempDir(), Log: slog.New(slog.DiscardHandler), Clock: clock.System{}})
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = st.Handler()
	srv.Start()
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { st.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	admin, err := session.SignIn(base, st.DemoAdmin.Email, st.DemoAdmin.Password, st.DemoAdmin.TOTPSecret, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	call := func(method, path, body string) (int, string) {
		var b any
		if body != "" {
			b = body
		}
		code, raw, err := admin.Do(method, path, b)
		if err != nil {
			t.Fatal(err)
		}
		return code, string(raw)
	}
	// An admin customises the welcome e-mail, then sends samples of it and of an alert.
	if code, body := call("PUT", "/v1/admin/notification-templates/welcome", `{"subject":"Hi {{.customer_name}} from the stack test","text":"t {{.customer_name}}","html":"<p>h {{.customer_name}}</p>"}`); code != 200 {
		t.Fatalf("save template: %d %s", code, body)
	}
	if code, body := call("PUT", "/v1/admin/notification-templates/welcome", `{"subject":"{{.nope","text":"t","html":"<p>h</p>"}`); code != 400 || !strings.Contains(body, `"subject"`) {
		t.Fatalf("broken template accepted: %d %s", code, body)
	}
	if code, body := call("POST", "/v1/admin/notifications", `{"kind":"welcome","to":"ada@example.com"}`); code != 202 {
		t.Fatalf("send sample: %d %s", code, body)
	}
	if code, body := call("POST", "/v1/admin/notifications", `{"kind":"alert_security"}`); code != 202 {
		t.Fatalf("send alert: %d %s", code, body)
	}
	if code, body := call("POST", "/v1/admin/notifications", `{"kind":"welcome","to":"not an address"}`); code != 400 {
		t.Fatalf("bad address: %d %s", code, body)
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		list, _ := st.Mailbox.List(10)
		if len(list) == 1 && len(st.Discord.Messages()) == 1 {
			if list[0].Subject != "Hi Ada Lovelace from the stack test" {
				t.Fatalf("subject %q: the admin's template was not used", list[0].Subject)
			}
			_, page := call("GET", "/dev/mail", "")
			if !strings.Contains(page, "from the stack test") {
				t.Fatal("the dev mailbox page does not list the mail")
			}
			_, page = call("GET", "/dev/mail/"+list[0].ID, "")
			if !strings.Contains(page, "ada@example.com") {
				t.Fatal("the dev mailbox does not show the message")
			}
			_, log := call("GET", "/v1/admin/notifications?status=sent", "")
			if strings.Count(log, `"status":"sent"`) != 2 {
				t.Fatalf("delivery log: %s", log)
			}
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("not delivered: mailbox and Discord never got the messages (discord %d)", len(st.Discord.Messages()))
}
