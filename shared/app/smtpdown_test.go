package app_test

import (
	"context"
	"log/slog"
	"net"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	minidyn "github.com/truora/minidyn/aws-v2/client"

	"github.com/ezscale/platform/infra/discordsim"
	"github.com/ezscale/platform/shared/adapters/dynamo"
	"github.com/ezscale/platform/shared/adapters/invoicepdf"
	"github.com/ezscale/platform/shared/adapters/stripegw"
	"github.com/ezscale/platform/shared/app"
	"github.com/ezscale/platform/shared/domain/gateway"
	"github.com/ezscale/platform/shared/domain/notify"
	"github.com/ezscale/platform/shared/platform/clock"
	"github.com/ezscale/platform/shared/platform/config"
)

// SMTP server down: the real SMTP transport fails to connect, the worker
// retries with backoff, the queue moves the message to its DLQ, the record
// is failed in the delivery log, and admins get a Discord alert.
func TestSMTPDownRetriesThenDLQAndAlert(t *testing.T) {
	ctx := context.Background()
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	port := l.Addr().(*net.TCPAddr).Port
	l.Close() // nothing listens here now
	sim := discordsim.New()
	dsrv := httptest.NewServer(sim.Handler())
	defer dsrv.Close()
	api := minidyn.NewClient()
	if err := dynamo.EnsureTable(ctx, api, "ezscale"); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(map[string]string{
		"LOCAL_KEY_FILE": filepath.Join(t.TempDir(), "k"), "MAIL_TRANSPORT": "smtp", "SMTP_HOST": "127.0.0.1",
		"SMTP_PORT": strconv.Itoa(port), "SMTP_SECURITY": "starttls", "NOTIFY_MAX_ATTEMPTS": "3", "NOTIFY_RETRY_BASE": "20ms",
		"DISCORD_WEBHOOK_URL": dsrv.URL + sim.AddWebhook("1", "t"),
	})
	if err != nil {
		t.Fatal(err)
	}
	adapters, q, _, err := app.Embedded(api, t.TempDir(), 3, clock.System{})
	if err != nil {
		t.Fatal(err)
	}
	adapters.Gateways = []gateway.Gateway{stripegw.Configured(cfg, adapters.HTTP)}
	adapters.PDF = invoicepdf.Configured(cfg)
	adapters.Mailer = app.SMTPMailer(cfg)
	var delays []time.Duration
	delay := q.Delay
	q.Delay = func(err error) (time.Duration, bool) {
		d, ok := delay(err)
		delays = append(delays, d) // one message, so one worker at a time appends
		return d, ok
	}
	p := app.New(cfg, adapters, slog.New(slog.DiscardHandler), clock.System{})
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { q.Run(runCtx, 2, p.NotifyWorker.Deliver); close(done) }()
	defer func() { cancel(); <-done }()

	if _, err := p.Notify.Send(ctx, notify.Request{Kind: notify.Welcome, To: "ada@example.com", Key: "welcome:smtp-down", Data: map[string]any{"customer_name": "Ada"}}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) && (len(q.DLQ()) == 0 || len(sim.Messages()) == 0) {
		time.Sleep(10 * time.Millisecond)
	}
	if dlq := q.DLQ(); len(dlq) != 1 || dlq[0] != "welcome:smtp-down" {
		t.Fatalf("DLQ = %v", dlq)
	}
	m, _ := p.Notify.Get(ctx, "welcome:smtp-down")
	if m.Status != notify.Failed || m.Attempts != 3 || !strings.Contains(m.LastError, "connect") {
		t.Fatalf("record = %+v", m)
	}
	if len(delays) < 2 || delays[1] < delays[0] {
		t.Fatalf("retry delays %v: want growing backoff", delays)
	}
	if msgs := sim.Messages(); len(msgs) != 1 || !strings.Contains(string(msgs[0].Body), "welcome:smtp-down") {
		t.Fatalf("admin alert = %v", msgs)
	}
}
