package stack_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ezscale/platform/infra/stripesim"
	"github.com/ezscale/platform/shared/domain/notify"
)

// The daily lifecycle run, on the dev clock: a week before a monthly VPS
// renews its customer is reminded, and the card it charges, expiring at
// the end of that month, is noticed — each once, however often it runs.
func TestDailyRemindsRenewalAndExpiringCard(t *testing.T) {
	st, base := openStack(t)
	ctx := context.Background()
	then := st.Clock.Now().Add(24 * 24 * time.Hour) // 4 to 7 days before a monthly renewal
	exp := fmt.Sprintf("%02d / %02d", then.Month(), then.Year()%100)
	buyVPSWith(t, st, base, "renews.example.com", url.Values{"card": {stripesim.CardSuccess}, "exp": {exp}})

	sent := func(kind notify.Kind) []notify.Message {
		var out []notify.Message
		for cursor := ""; ; {
			list, next, err := st.Platform.Notify.List(ctx, "", cursor)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range list {
				if m.Kind == kind {
					out = append(out, m)
				}
			}
			if next == "" {
				return out
			}
			cursor = next
		}
	}
	if n := len(sent(notify.RenewalReminder)) + len(sent(notify.CardExpiring)); n != 0 {
		t.Fatalf("%d notices a month ahead", n)
	}
	if code, _, raw := devClock(t, base, `{"advance":"576h"}`); code != 200 {
		t.Fatalf("advance: %d %s", code, raw)
	}
	for deadline := time.Now().Add(15 * time.Second); len(sent(notify.RenewalReminder)) == 0 || len(sent(notify.CardExpiring)) == 0; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("after 24 days: %d renewal reminders, %d card notices", len(sent(notify.RenewalReminder)), len(sent(notify.CardExpiring)))
		}
	}
	if m := sent(notify.RenewalReminder)[0]; !strings.Contains(m.Subject, "renews.example.com") || m.To != st.DemoCustomer.Email {
		t.Fatalf("renewal reminder %q to %s", m.Subject, m.To)
	}
	if m := sent(notify.CardExpiring)[0]; !strings.Contains(m.Subject, "4242") || !strings.Contains(m.Subject, fmt.Sprintf("%02d/%d", then.Month(), then.Year())) {
		t.Fatalf("card notice %q", m.Subject)
	}

	// Run again (as a retried schedule would): due, and sent before.
	d, err := st.Platform.RunDaily(ctx)
	if err != nil || d.RenewalReminders != 1 || d.CardNotices != 1 {
		t.Fatalf("second run: %+v %v", d, err)
	}
	if r, c := len(sent(notify.RenewalReminder)), len(sent(notify.CardExpiring)); r != 1 || c != 1 {
		t.Fatalf("after a second run: %d renewal reminders, %d card notices", r, c)
	}
}
