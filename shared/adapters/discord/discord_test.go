package discord_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ezscale/platform/infra/discordsim"
	"github.com/ezscale/platform/shared/adapters/discord"
	"github.com/ezscale/platform/shared/domain/notify"
	"github.com/ezscale/platform/shared/platform/clock"
)

func setup(t *testing.T) (*discordsim.Sim, *httptest.Server, string) {
	t.Helper()
	sim := discordsim.New()
	srv := httptest.NewServer(sim.Handler())
	t.Cleanup(srv.Close)
	return sim, srv, srv.URL + sim.AddWebhook("111", "tok-secret")
}

func alert() notify.Alert {
	return notify.Alert{Title: "High-value order", Severity: notify.Warning, URL: "https://admin.ezscale.example/orders/1",
		Fields: []notify.Field{{Name: "Customer", Value: "Ada", Inline: true}, {Name: "Amount", Value: "$3,558.99", Inline: true}}}
}

func client(url string) *discord.Client {
	return discord.New(&http.Client{Timeout: 2 * time.Second}, discord.Routes{Default: url}, clock.System{})
}

func outcome(t *testing.T, err error) notify.Outcome {
	t.Helper()
	de, ok := errors.AsType[*notify.DeliveryError](err)
	if !ok {
		t.Fatalf("err %v is not a DeliveryError", err)
	}
	return de.Outcome
}

func TestPostsEmbed(t *testing.T) {
	sim, _, url := setup(t)
	if err := client(url).Send(context.Background(), notify.AlertHighValueOrder, alert()); err != nil {
		t.Fatal(err)
	}
	msgs := sim.Messages()
	if len(msgs) != 1 {
		t.Fatalf("messages = %d", len(msgs))
	}
	var p struct {
		Embeds []struct {
			Title  string `json:"title"`
			Color  int    `json:"color"`
			URL    string `json:"url"`
			Fields []struct{ Name, Value string }
		} `json:"embeds"`
		AllowedMentions struct{ Parse []string } `json:"allowed_mentions"`
	}
	if err := json.Unmarshal(msgs[0].Body, &p); err != nil {
		t.Fatal(err)
	}
	e := p.Embeds[0]
	if e.Title != "High-value order" || e.Color != 0xf1c40f || e.URL == "" || len(e.Fields) != 2 || p.AllowedMentions.Parse == nil {
		t.Fatalf("payload = %+v", p)
	}
}

func TestOversizedAlertIsClippedToDiscordLimits(t *testing.T) {
	sim, _, url := setup(t)
	a := notify.Alert{Title: strings.Repeat("T", 500), Description: strings.Repeat("d", 9000), Severity: notify.Critical}
	for range 40 {
		a.Fields = append(a.Fields, notify.Field{Name: strings.Repeat("n", 300), Value: strings.Repeat("v", 2000)})
	}
	if err := client(url).Send(context.Background(), notify.AlertSystemError, a); err != nil {
		t.Fatalf("the simulator refused a clipped payload: %v", err)
	}
	if len(sim.Messages()) != 1 {
		t.Fatal("not delivered")
	}
}

func TestSimulatorRefusesOversize(t *testing.T) {
	_, _, url := setup(t)
	body := `{"embeds":[{"title":"` + strings.Repeat("x", 300) + `"}]}`
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var e struct {
		Code int `json:"code"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&e)
	if resp.StatusCode != 400 || e.Code != 50035 {
		t.Fatalf("status %d code %d, want 400/50035", resp.StatusCode, e.Code)
	}
}

func TestFailureModes(t *testing.T) {
	ctx := context.Background()
	t.Run("ShortRateLimitWaitedInPlace", func(t *testing.T) {
		sim, _, url := setup(t)
		sim.FailNext(http.StatusTooManyRequests) // retry_after 0.2s
		start := time.Now()
		if err := client(url).Send(ctx, notify.AlertSecurity, alert()); err != nil {
			t.Fatal(err)
		}
		if time.Since(start) < 200*time.Millisecond || len(sim.Messages()) != 1 {
			t.Fatal("did not honour retry_after before retrying")
		}
	})
	t.Run("LongRateLimitGoesBackToTheQueue", func(t *testing.T) {
		sim, _, url := setup(t)
		sim.Limit, sim.Window = 1, time.Minute
		c := client(url)
		if err := c.Send(ctx, notify.AlertSecurity, alert()); err != nil {
			t.Fatal(err)
		}
		err := c.Send(ctx, notify.AlertSecurity, alert())
		de, ok := errors.AsType[*notify.DeliveryError](err)
		if !ok || de.Outcome != notify.Retry || de.RetryAfter < 50*time.Second {
			t.Fatalf("err = %v (%+v), want retry after about a minute", err, de)
		}
	})
	t.Run("ServerError", func(t *testing.T) {
		sim, _, url := setup(t)
		sim.FailNext(502)
		if o := outcome(t, client(url).Send(ctx, notify.AlertSecurity, alert())); o != notify.Retry {
			t.Fatalf("outcome %d", o)
		}
	})
	t.Run("UnknownWebhook", func(t *testing.T) {
		_, srv, _ := setup(t)
		err := client(srv.URL+"/api/webhooks/999/nope").Send(ctx, notify.AlertSecurity, alert())
		if o := outcome(t, err); o != notify.Permanent || !strings.Contains(err.Error(), "Unknown Webhook") {
			t.Fatalf("outcome %d: %v", o, err)
		}
	})
	t.Run("TimeoutIsAmbiguousAndRedacted", func(t *testing.T) {
		sim, _, url := setup(t)
		sim.SetLatency(3 * time.Second)
		c := discord.New(&http.Client{Timeout: 200 * time.Millisecond}, discord.Routes{Default: url}, clock.System{})
		err := c.Send(ctx, notify.AlertSecurity, alert())
		if o := outcome(t, err); o != notify.Ambiguous {
			t.Fatalf("outcome %d", o)
		}
		if strings.Contains(err.Error(), "tok-secret") {
			t.Fatalf("webhook token leaked into the error: %v", err)
		}
	})
	t.Run("Refused", func(t *testing.T) {
		_, srv, url := setup(t)
		srv.Close()
		if o := outcome(t, client(url).Send(ctx, notify.AlertSecurity, alert())); o != notify.Retry {
			t.Fatalf("outcome %d", o)
		}
	})
	t.Run("MalformedRateLimitBody", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Retry-After", "30")
			w.WriteHeader(429)
			_, _ = w.Write([]byte("<html>cloudflare</html>"))
		}))
		defer srv.Close()
		err := client(srv.URL+"/api/webhooks/1/t").Send(ctx, notify.AlertSecurity, alert())
		de, ok := errors.AsType[*notify.DeliveryError](err)
		if !ok || de.RetryAfter != 30*time.Second {
			t.Fatalf("err = %v, want Retry-After header honoured", err)
		}
	})
	t.Run("NoWebhookConfigured", func(t *testing.T) {
		c := discord.New(http.DefaultClient, discord.Routes{}, clock.System{})
		if o := outcome(t, c.Send(ctx, notify.AlertSecurity, alert())); o != notify.Permanent {
			t.Fatalf("outcome %d", o)
		}
	})
}

func TestRoutesPerKind(t *testing.T) {
	sim, srv, url := setup(t)
	sec := srv.URL + sim.AddWebhook("222", "security-tok")
	c := discord.New(http.DefaultClient, discord.Routes{Default: url, ByKind: map[notify.Kind]string{notify.AlertSecurity: sec}}, clock.System{})
	_ = c.Send(context.Background(), notify.AlertSecurity, alert())
	_ = c.Send(context.Background(), notify.AlertNewOrder, alert())
	msgs := sim.Messages()
	if len(msgs) != 2 || msgs[0].WebhookID != "222" || msgs[1].WebhookID != "111" {
		t.Fatalf("routing: %+v", msgs)
	}
}

// Text customers typed must show as typed: a masked link, a code block or a
// heading in a name must not become live markdown in the admins' channel.
func TestCustomerTextIsNotMarkdown(t *testing.T) {
	a := notify.Alert{Title: "New sign-up", Description: "# Urgent\n[pay here](https://evil.example)",
		Fields: []notify.Field{{Name: "Customer", Value: "[Support](https://evil.example) **admin** `x` ||s|| <@123>"}}}
	p := discord.BuildPayload(notify.AlertNewSignup, a, time.Now())
	got := p.Embeds[0].Fields[0].Value
	if want := `\[Support\](https://evil.example) \*\*admin\*\* \` + "`x\\`" + ` \|\|s\|\| \<@123\>`; got != want {
		t.Fatalf("field = %q\nwant    %q", got, want)
	}
	if d := p.Embeds[0].Description; !strings.HasPrefix(d, `\# Urgent`) || !strings.Contains(d, `\[pay here\]`) {
		t.Fatalf("description = %q", d)
	}
}
