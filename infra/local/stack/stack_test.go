package stack_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ezscale/platform/infra/local/stack"
	"github.com/ezscale/platform/shared/domain/catalog"
	"github.com/ezscale/platform/shared/domain/orders"
	"github.com/ezscale/platform/shared/domain/outbox"
	"github.com/ezscale/platform/shared/domain/provisioning"
	"github.com/ezscale/platform/shared/testkit/apicontract"
	"github.com/ezscale/platform/shared/testkit/session"
)

// openStack serves a fresh local stack and runs its workers until the
// test ends.
func openStack(t *testing.T) (*stack.Stack, string) {
	t.Helper()
	st, base, stop := openStackAt(t, t.TempDir(), false)
	t.Cleanup(stop)
	return st, base
}

// openStackAt serves the local stack on dir's data (with the demo
// customer's purchase when demo is set); stop ends it.
func openStackAt(t *testing.T, dir string, demo bool) (*stack.Stack, string, func()) {
	t.Helper()
	return openStackWith(t, stack.Options{DataDir: dir, Log: testLog(), DemoPurchase: demo})
}

// openStackWith is openStackAt with the options given (BaseURL is set).
func openStackWith(t *testing.T, o stack.Options) (*stack.Stack, string, func()) {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	o.BaseURL = base
	st, err := stack.Open(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = apicontract.For(t, st.Handler())
	srv.Start()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { st.Run(ctx); close(done) }()
	return st, base, func() { cancel(); <-done; srv.Close() }
}

func TestNotificationsThroughTheLocalStack(t *testing.T) {
	st, base := openStack(t)

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
			// The worker records "sent" after the transport took the
			// message, so the log may lag what the mailbox shows.
			for {
				_, log := call("GET", "/v1/admin/notifications?status=sent", "")
				if strings.Count(log, `"status":"sent"`) == 2 {
					return
				}
				if time.Now().After(deadline) {
					t.Fatalf("delivery log: %s", log)
				}
				time.Sleep(50 * time.Millisecond)
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("not delivered: mailbox and Discord never got the messages (discord %d)", len(st.Discord.Messages()))
}

// A paid VPS order in the local stack runs the deployed provisioning
// workflow against the VirtFusion simulator and ends with an active
// service and the credentials e-mail.
func TestPaidOrderIsProvisionedLocally(t *testing.T) {
	st, base := openStack(t)
	ctx := context.Background()

	p := st.Platform
	plans, err := p.Catalog.List(ctx, catalog.Active, catalog.VPS)
	if err != nil || len(plans) == 0 {
		t.Fatalf("plans: %v", err)
	}
	c, err := session.SignIn(base, st.DemoCustomer.Email, st.DemoCustomer.Password, "", time.Now)
	if err != nil {
		t.Fatal(err)
	}
	_, raw, _ := c.Do("GET", "/v1/me", nil)
	var u struct{ ID string }
	_ = json.Unmarshal(raw, &u)
	now := time.Now().UTC()
	o := &orders.Order{ID: "ord_local_1", CustomerID: u.ID, PlanID: plans[0].ID, PlanName: plans[0].Name, ServiceType: catalog.VPS, Cycle: catalog.Monthly,
		Currency: "USD", Options: orders.Options{Hostname: "web1.example.com", OS: "debian-12", Location: "Dallas, US"}, Status: orders.Paid,
		Gateway: "stripe", CreatedAt: now, ExpiresAt: now, PaidAt: &now, Version: 1}
	if err := p.OrderStore.CreateOrder(ctx, o, nil); err != nil {
		t.Fatal(err)
	}
	// What the paid-order webhook writes: the provisioning request.
	if err := p.OrderStore.Apply(ctx, orders.Change{Outbox: []outbox.Item{outbox.New("provision-"+o.ID, orders.KindProvision, o.ID, map[string]string{"order_id": o.ID}, now)}}); err != nil {
		t.Fatal(err)
	}
	p.Outbox.Kick()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		svc, err := p.Services.GetService(ctx, provisioning.ServiceID(o.ID))
		if err == nil && svc.Status == provisioning.StatusActive {
			list, _ := st.Mailbox.List(20)
			for _, m := range list {
				if strings.Contains(m.Subject, "is ready") {
					mail, err := st.Mailbox.Get(m.ID)
					if err != nil {
						t.Fatal(err)
					}
					revealCredentials(t, c, st.DemoCustomer.Password, svc.ID, mail.Text)
					admin, err := session.SignIn(base, st.DemoAdmin.Email, st.DemoAdmin.Password, st.DemoAdmin.TOTPSecret, time.Now)
					if err != nil {
						t.Fatal(err)
					}
					resizes(t, st, admin, o, plans)
					serviceAPIs(t, admin, c, svc.ID)
					return
				}
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	svc, err := p.Services.GetService(ctx, provisioning.ServiceID(o.ID))
	t.Fatalf("not provisioned: %+v, %v", svc, err)
}

// resizes moves the service to another plan from the admin API ("modify")
// and back through billing's service.resize outbox item.
func resizes(t *testing.T, st *stack.Stack, admin *session.Client, o *orders.Order, plans []catalog.Plan) {
	t.Helper()
	ctx, p, id := context.Background(), st.Platform, provisioning.ServiceID(o.ID)
	if len(plans) < 2 {
		t.Fatalf("the seed has %d VPS plans; two are needed", len(plans))
	}
	if code, raw, _ := admin.Do("POST", "/v1/admin/services/"+id+"/modify", map[string]string{"plan_id": "pln_nope"}); code != 400 {
		t.Fatalf("modify to no plan: %d %s", code, raw)
	}
	svc, err := p.Services.GetService(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	server, _ := strconv.Atoi(svc.PanelID)
	before := st.VirtFusion().PackageOf(server)
	if code, raw, _ := admin.Do("POST", "/v1/admin/services/"+id+"/modify", map[string]string{"plan_id": plans[1].ID}); code != 200 || !strings.Contains(string(raw), plans[1].Name) {
		t.Fatalf("modify: %d %s", code, raw)
	}
	if after := st.VirtFusion().PackageOf(server); after == before || after == 0 {
		t.Fatalf("the server stayed on package %d", after)
	}
	item := outbox.New("resize-test", orders.KindResize, o.ID, map[string]string{"order_id": o.ID, "to_plan_id": plans[0].ID}, time.Now())
	if err := p.OrderStore.Apply(ctx, orders.Change{Outbox: []outbox.Item{item}}); err != nil {
		t.Fatal(err)
	}
	p.Outbox.Kick()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if svc, err := p.Services.GetService(ctx, id); err == nil && svc.PlanID == plans[0].ID && st.VirtFusion().PackageOf(server) == before {
			return
		}
	}
	t.Fatal("the service.resize item never moved the service back")
}

// revealCredentials asks for the service's login with a wrong and then the
// right password: the login shown is the one e-mailed.
func revealCredentials(t *testing.T, c *session.Client, password, id, mailText string) {
	t.Helper()
	path := "/v1/me/services/" + id + "/credentials"
	if code, raw, _ := c.Do("POST", path, map[string]string{"password": "not-it"}); code != 400 || !strings.Contains(string(raw), `"password"`) {
		t.Fatalf("wrong password: %d %s", code, raw)
	}
	code, raw, err := c.Do("POST", path, map[string]string{"password": password})
	var got struct{ Username, Password string }
	_ = json.Unmarshal(raw, &got)
	if err != nil || code != 200 || got.Username != "root" || len(got.Password) < 12 {
		t.Fatalf("reveal: %d %s %v", code, raw, err)
	}
	if !strings.Contains(mailText, "Password:   "+got.Password) {
		t.Fatalf("the e-mailed password differs from the revealed one:\n%s", mailText)
	}
}

// serviceAPIs drives the customer and staff service routes on an active
// service.
func serviceAPIs(t *testing.T, admin, c *session.Client, id string) {
	t.Helper()
	do := func(cl *session.Client, method, path string, body any, want int) string {
		t.Helper()
		code, raw, err := cl.Do(method, path, body)
		if err != nil || code != want {
			t.Fatalf("%s %s: %d %s (%v), want %d", method, path, code, raw, err, want)
		}
		return string(raw)
	}
	if list := do(c, "GET", "/v1/me/services", nil, 200); !strings.Contains(list, id) || !strings.Contains(list, `"status":"active"`) {
		t.Fatalf("my services: %s", list)
	}
	do(c, "GET", "/v1/me/services/"+id+"/usage", nil, 200)
	do(c, "POST", "/v1/me/services/"+id+"/power", map[string]string{"action": "restart"}, 204)
	do(c, "POST", "/v1/me/services/"+id+"/power", map[string]string{"action": "explode"}, 400)
	if login := do(c, "POST", "/v1/me/services/"+id+"/login", nil, 200); !strings.Contains(login, "token_login") {
		t.Fatalf("login: %s", login)
	}
	do(admin, "POST", "/v1/admin/services/"+id+"/archive", nil, 409) // active services are not archived
	do(admin, "POST", "/v1/admin/services/"+id+"/suspend", nil, 200)
	do(c, "POST", "/v1/me/services/"+id+"/power", map[string]string{"action": "start"}, 409)
	do(admin, "POST", "/v1/admin/services/"+id+"/unsuspend", nil, 200)
	do(admin, "POST", "/v1/admin/services/"+id+"/retry", nil, 409) // only failed ones
	do(admin, "POST", "/v1/admin/services/"+id+"/terminate", nil, 200)
	do(admin, "POST", "/v1/admin/services/"+id+"/archive", nil, 200)
	if list := do(c, "GET", "/v1/me/services", nil, 200); strings.Contains(list, id) {
		t.Fatalf("an archived service is listed: %s", list)
	}
	if list := do(admin, "GET", "/v1/admin/services?archived=true", nil, 200); !strings.Contains(list, id) {
		t.Fatalf("show archived: %s", list)
	}
	detail := do(admin, "GET", "/v1/admin/services/"+id, nil, 200)
	for _, action := range []string{`"action":"create"`, `"action":"power"`, `"action":"suspend"`, `"action":"terminate"`} {
		if !strings.Contains(detail, action) {
			t.Fatalf("the provisioning log lacks %s: %s", action, detail)
		}
	}
	do(admin, "POST", "/v1/admin/services/"+id+"/restore", nil, 200)
}

// testLog discards the stack's logs unless STACK_LOG=1.
func testLog() *slog.Logger {
	if os.Getenv("STACK_LOG") == "1" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}
