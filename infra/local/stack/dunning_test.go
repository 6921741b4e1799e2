package stack_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ezscale/platform/infra/local/stack"
	"github.com/ezscale/platform/shared/domain/orders"
	"github.com/ezscale/platform/shared/domain/provisioning"
	"github.com/ezscale/platform/shared/testkit/session"
)

// A renewal is declined; the dev clock is moved past its due date: the
// dunning workflow sends the first reminder, then (a week on, with the
// reminders of days 3 and 5 due together) only the newest, and suspends
// the service for being overdue; the customer pays and it comes back.
// declined buys a VPS and has its renewal declined at the Stripe
// simulator; it returns the service, its subscription and the unpaid
// period's start once the failure is on the ledger.
func declined(t *testing.T, st *stack.Stack, base, host string) (*provisioning.Service, *orders.Subscription, time.Time) {
	t.Helper()
	ctx := context.Background()
	svc := buyVPS(t, st, base, host)
	sub, err := st.Platform.OrderStore.GetSubscription(ctx, orders.SubscriptionID(svc.OrderID))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Stripe.Renew(sub.GatewayID, true); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		s, err := st.Platform.OrderStore.GetSubscription(ctx, sub.ID)
		list, _ := st.Platform.OrderStore.ListPayments(ctx, svc.CustomerID)
		if err == nil && s.Status == "past_due" && len(list) > 1 {
			return svc, sub, s.CurrentPeriodStart
		}
	}
	t.Fatal("the renewal never failed")
	return nil, nil, time.Time{}
}

func TestDunningRemindsSuspendsAndPaymentRestores(t *testing.T) {
	st, base := openStack(t)
	ctx := context.Background()
	svc, sub, due := declined(t, st, base, "dunned.example.com")
	advanceTo := func(at time.Time) {
		t.Helper()
		d := at.Sub(st.Clock.Now())
		if code, _, raw := devClock(t, base, fmt.Sprintf(`{"advance":"%s"}`, d.Round(time.Second))); code != 200 {
			t.Fatalf("advance %s: %d %s", d, code, raw)
		}
	}
	mails := func(what string) int {
		list, _ := st.Mailbox.List(100)
		n := 0
		for _, m := range list {
			if strings.Contains(m.Subject, what) && strings.Contains(m.Subject, "dunned.example.com") {
				n++
			}
		}
		return n
	}
	waitMails := func(what string, n int) {
		t.Helper()
		for deadline := time.Now().Add(15 * time.Second); mails(what) < n; time.Sleep(50 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%d %q e-mails, want %d", mails(what), what, n)
			}
		}
	}

	advanceTo(due.Add(25 * time.Hour))
	waitMails("is overdue", 1)
	if s, _ := st.Platform.Services.GetService(ctx, svc.ID); s.Status != provisioning.StatusActive {
		t.Fatalf("suspended before day 7: %+v", s)
	}
	advanceTo(due.Add(7*24*time.Hour + time.Hour))
	s := waitFor(t, st, svc.ID, func(s *provisioning.Service) bool { return s.Status == provisioning.StatusSuspended })
	if s.SuspendCode != provisioning.SuspendOverdue {
		t.Fatalf("suspended without the overdue code: %+v", s)
	}
	waitMails("is overdue", 2) // day 1, then day 5 only (day 3 fell due with it)
	if n := mails("is overdue"); n != 2 {
		t.Fatalf("%d reminders, want 2", n)
	}
	claims, err := st.Platform.DunningTasks.Claims.Claimed(ctx, sub.GatewayID) // not the invoice: nothing
	if err != nil || len(claims) != 0 {
		t.Fatalf("claims under a subscription id: %v %v", claims, err)
	}

	c, err := session.SignIn(base, st.DemoCustomer.Email, st.DemoCustomer.Password, "", time.Now)
	if err != nil {
		t.Fatal(err)
	}
	if code, raw, _ := c.Do("POST", "/v1/me/subscriptions/"+sub.ID+"/pay", nil); code != 202 {
		t.Fatalf("pay: %d %s", code, raw)
	}
	waitFor(t, st, svc.ID, func(s *provisioning.Service) bool { return s.Status == provisioning.StatusActive })
	waitMails("is running again", 1)
}

// Dunning executions live in the local process; after a restart the sweep
// starts them again, so a declined renewal is still followed.
func TestDunningOutlivesARestart(t *testing.T) {
	dir := t.TempDir()
	st, base, stop := openStackAt(t, dir, false)
	ctx := context.Background()
	_, _, due := declined(t, st, base, "restarted.example.com")
	stop()

	st2, base2, stop2 := openStackAt(t, dir, false)
	defer stop2()
	if n, err := st2.Platform.SweepDunning(ctx); err != nil || n != 1 {
		t.Fatalf("sweep found %d unpaid renewals: %v", n, err)
	}
	if code, _, raw := devClock(t, base2, fmt.Sprintf(`{"advance":"%s"}`, due.Add(25*time.Hour).Sub(st2.Clock.Now()).Round(time.Second))); code != 200 {
		t.Fatalf("advance: %s", raw)
	}
	for deadline := time.Now().Add(15 * time.Second); !strings.Contains(lastMailTo(t, st2, "is overdue"), "restarted.example.com"); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no reminder after the restart")
		}
	}
}

// Staff see the unpaid renewal with its next step, hold the customer's
// services past the suspension day ("extend"), pause and resume the run;
// once the hold is lifted the run suspends at its next look.
func TestStaffSeePastDueHoldAndPause(t *testing.T) {
	st, base := openStack(t)
	svc, _, due := declined(t, st, base, "held.example.com")
	admin, err := session.SignIn(base, st.DemoAdmin.Email, st.DemoAdmin.Password, st.DemoAdmin.TOTPSecret, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	type view struct {
		InvoiceID string `json:"invoice_id"`
		Next      *struct {
			Action string `json:"action"`
		} `json:"next"`
		Paused    bool       `json:"paused"`
		HoldUntil *time.Time `json:"hold_until"`
		Why       string     `json:"why"`
	}
	list := func() view {
		t.Helper()
		code, raw, _ := admin.Do("GET", "/v1/admin/dunning", nil)
		var l struct {
			PastDue []view `json:"past_due"`
		}
		if err := json.Unmarshal(raw, &l); err != nil || code != 200 || len(l.PastDue) != 1 {
			t.Fatalf("past due: %d %s", code, raw)
		}
		return l.PastDue[0]
	}
	v := list()
	if v.Next == nil || v.Next.Action != "reminder" || v.Paused {
		t.Fatalf("before: %+v", v)
	}
	do := func(method, path string, body any, want int) {
		t.Helper()
		if code, raw, _ := admin.Do(method, path, body); code != want {
			t.Fatalf("%s %s: %d %s", method, path, code, raw)
		}
	}
	do("POST", "/v1/admin/dunning/in_nope/pause", nil, 404)
	do("POST", "/v1/admin/dunning/"+v.InvoiceID+"/pause", nil, 200)
	if !list().Paused {
		t.Fatal("not paused")
	}
	do("POST", "/v1/admin/dunning/"+v.InvoiceID+"/resume", nil, 200)
	hold := "/v1/admin/customers/" + svc.CustomerID + "/dunning-hold"
	do("PUT", hold, map[string]any{"until": time.Now().Add(-time.Hour), "reason": "too late"}, 400)
	do("PUT", hold, map[string]any{"until": due.Add(20 * 24 * time.Hour), "reason": "Promised to pay on the 20th."}, 200)

	if code, _, raw := devClock(t, base, fmt.Sprintf(`{"advance":"%s"}`, due.Add(8*24*time.Hour).Sub(st.Clock.Now()).Round(time.Second))); code != 200 {
		t.Fatalf("advance: %s", raw)
	}
	// A week on, the staff session has expired: sign in again (the code
	// from the authenticator follows the moved clock, as the server does).
	if admin, err = session.SignIn(base, st.DemoAdmin.Email, st.DemoAdmin.Password, st.DemoAdmin.TOTPSecret, st.Clock.Now); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(15 * time.Second); !strings.HasPrefix(list().Why, "held by an override"); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("not held: %+v", list())
		}
	}
	// The reminder sent meanwhile names the day the extension moved the
	// suspension to, not the policy's day 7.
	var reminder string
	for deadline := time.Now().Add(15 * time.Second); reminder == ""; time.Sleep(50 * time.Millisecond) {
		list, _ := st.Mailbox.List(50)
		for _, m := range list {
			if strings.Contains(m.Subject, "is overdue") && strings.Contains(m.Subject, "held.example.com") {
				full, err := st.Mailbox.Get(m.ID)
				if err != nil {
					t.Fatal(err)
				}
				reminder = full.Text
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("no reminder during the hold")
		}
	}
	if want := "suspended on " + due.Add(20*24*time.Hour).Format("2 January 2006"); !strings.Contains(reminder, want) {
		t.Fatalf("reminder during the hold does not say %q:\n%s", want, reminder)
	}
	do("DELETE", hold, nil, 204)
	if code, _, raw := devClock(t, base, `{"advance":"25h"}`); code != 200 { // the run's next look, at most a day away
		t.Fatalf("advance: %s", raw)
	}
	waitFor(t, st, svc.ID, func(s *provisioning.Service) bool { return s.Status == provisioning.StatusSuspended })
}
