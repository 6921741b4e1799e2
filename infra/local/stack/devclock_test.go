package stack_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ezscale/platform/infra/local/stack"
	"github.com/ezscale/platform/shared/testkit/session"
)

type clockView struct{ Now, Offset string }

func devClock(t *testing.T, base, body string) (int, clockView, string) {
	t.Helper()
	var res *http.Response
	var err error
	if body == "" {
		res, err = http.Get(base + "/dev/clock")
	} else {
		res, err = http.Post(base+"/dev/clock", "application/json", strings.NewReader(body))
	}
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var raw bytes.Buffer
	_, _ = raw.ReadFrom(res.Body)
	var v clockView
	_ = json.Unmarshal(raw.Bytes(), &v)
	return res.StatusCode, v, raw.String()
}

// Moving the dev clock a month on ends the subscription's period at the
// Stripe simulator, which renews it as Stripe would: the renewal invoice
// reaches the customer's account through the webhooks. Bad moves are
// refused with field errors, and the move outlives a restart.
func TestDevClockRenewsSubscriptions(t *testing.T) {
	dir := t.TempDir()
	st, base, stop := openStackAt(t, dir, false)
	code, before, raw := devClock(t, base, "")
	if at, err := time.Parse(time.RFC3339, before.Now); code != 200 || err != nil || time.Since(at).Abs() > time.Minute || before.Offset != "0s" {
		t.Fatalf("GET /dev/clock: %d %s", code, raw)
	}
	for _, bad := range []string{`{"advance":"-1h"}`, `{"advance":"0s"}`, `{"advance":"soon"}`, `{"advance":"400d"}`, `{"when":"72h"}`, `not json`} {
		if code, _, raw := devClock(t, base, bad); code != 400 || !strings.Contains(raw, `"invalid"`) {
			t.Fatalf("%s: %d %s", bad, code, raw)
		}
	}

	buyVPS(t, st, base, "renews.example.com")
	c, err := session.SignIn(base, st.DemoCustomer.Email, st.DemoCustomer.Password, "", time.Now)
	if err != nil {
		t.Fatal(err)
	}
	paid := func() int {
		_, raw, _ := c.Do("GET", "/v1/me/invoices", nil)
		var l struct{ Invoices []struct{ Status string } }
		_ = json.Unmarshal(raw, &l)
		n := 0
		for _, inv := range l.Invoices {
			if inv.Status == "paid" {
				n++
			}
		}
		return n
	}
	first := paid()
	if first == 0 {
		t.Fatal("the purchase left no paid invoice")
	}
	if code, after, raw := devClock(t, base, `{"advance":"32d"}`); code != 200 || after.Offset != "768h0m0s" {
		t.Fatalf("advance: %d %s", code, raw)
	}
	for deadline := time.Now().Add(20 * time.Second); paid() == first; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("a month on, the subscription was not renewed")
		}
	}
	stop()

	st2, base2, stop2 := openStackAt(t, dir, false)
	defer stop2()
	if code, v, raw := devClock(t, base2, ""); code != 200 || v.Offset != "768h0m0s" || st2.Clock.By() != 768*time.Hour {
		t.Fatalf("after a restart: %d %s", code, raw)
	}
}

// The local stack serves simulators and the clock under /dev/, which no
// other stage may: it refuses to start as another stage.
func TestLocalStackIsTheLocalStageOnly(t *testing.T) {
	_, err := stack.Open(context.Background(), stack.Options{BaseURL: "http://127.0.0.1:1", DataDir: t.TempDir(), Log: slog.New(slog.DiscardHandler),
		Env: map[string]string{"STAGE": "test"}})
	if err == nil || !strings.Contains(err.Error(), "STAGE=local") {
		t.Fatalf("opened as stage test: %v", err)
	}
}
