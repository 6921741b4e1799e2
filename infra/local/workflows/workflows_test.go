package workflows_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ezscale/platform/infra/local/asl"
	"github.com/ezscale/platform/infra/local/workflows"
	"github.com/ezscale/platform/shared/domain/dunning"
	"github.com/ezscale/platform/shared/domain/notify"
	"github.com/ezscale/platform/shared/domain/provisioning"
	"github.com/ezscale/platform/shared/testkit/provisioningtest"
	"github.com/ezscale/platform/statemachines"
)

// start loads the deployed definition with instant waits and retries and
// runs the panel workers.
func start(t *testing.T, w *provisioningtest.World) *workflows.Local {
	t.Helper()
	l, err := workflows.Load(statemachines.FS, &provisioning.Worker{Steps: provisioning.Steps{Engine: w.Engine}}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	l.Runner.Sleep = func(context.Context, time.Duration) error { return nil }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { l.Run(ctx); close(done) }()
	t.Cleanup(func() { l.Close(); cancel(); <-done })
	return l
}

func finish(t *testing.T, l *workflows.Local, orderID string) asl.Execution {
	t.Helper()
	e, _, err := l.StartProvisioning(context.Background(), orderID)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got, err := l.Runner.Wait(ctx, e)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func alerts(w *provisioningtest.World) int {
	n := 0
	for _, m := range w.Mail.Sent {
		if m.Kind == notify.AlertSystemError {
			n++
		}
	}
	return n
}

func service(t *testing.T, w *provisioningtest.World, orderID string) *provisioning.Service {
	t.Helper()
	s, err := w.Store.GetService(context.Background(), provisioning.ServiceID(orderID))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Every path of statemachines/provisioning.asl.json, through the local
// runner with the real steps and the panel simulators.
func TestProvisioningWorkflow(t *testing.T) {
	t.Run("Success", func(t *testing.T) {
		w := provisioningtest.New(t)
		l := start(t, w)
		got := finish(t, l, "ord_vps")
		if got.Status != asl.Succeeded || w.VF.Servers() != 1 || service(t, w, "ord_vps").Status != provisioning.StatusActive {
			t.Fatalf("%+v, %d servers", got, w.VF.Servers())
		}
		if again, started, err := l.StartProvisioning(context.Background(), "ord_vps"); err != nil || started || again.Name != "provision-ord_vps" {
			t.Fatalf("a duplicate paid-order event started another execution: %v %v", started, err)
		}
		// One credentials e-mail, one "provisioned" admin alert.
		if w.VF.Servers() != 1 || len(w.Mail.Sent) != 2 || w.Mail.Sent[0].Kind != notify.ServiceProvisioned || w.Mail.Sent[1].Kind != notify.AlertProvisioned {
			t.Fatalf("%d servers, mails %+v", w.VF.Servers(), w.Mail.Sent)
		}
	})
	t.Run("TransientThenSuccess", func(t *testing.T) {
		w := provisioningtest.New(t)
		l := start(t, w)
		w.Ptero.FailNext(http.StatusBadGateway, http.StatusTooManyRequests)
		got := finish(t, l, "ord_game")
		if got.Status != asl.Succeeded || w.Ptero.Servers() != 1 || service(t, w, "ord_game").Status != provisioning.StatusActive {
			t.Fatalf("%+v", got)
		}
	})
	t.Run("PermanentFailure", func(t *testing.T) {
		w := provisioningtest.New(t)
		l := start(t, w)
		w.VF.FailNext(http.StatusForbidden)
		got := finish(t, l, "ord_vps")
		s := service(t, w, "ord_vps")
		if got.Status != asl.Failed || got.Error != "ProvisioningFailed" || s.Status != provisioning.StatusFailed || s.Note == "" {
			t.Fatalf("%+v; service %+v", got, s)
		}
		last := got.Path[len(got.Path)-2:]
		if last[0] != "MarkFailed" || last[1] != "Failed" {
			t.Fatalf("path %v", got.Path)
		}
	})
	t.Run("AdminRetryAfterFailure", func(t *testing.T) {
		w := provisioningtest.New(t)
		l := start(t, w)
		w.VF.FailNext(http.StatusForbidden)
		if got := finish(t, l, "ord_vps"); got.Status != asl.Failed {
			t.Fatalf("%+v", got)
		}
		svc, err := w.Engine.Retry(context.Background(), provisioning.ServiceID("ord_vps"), "usr_admin")
		if err != nil || svc.Status != provisioning.StatusPending {
			t.Fatalf("retry: %+v %v", svc, err)
		}
		// The retry is an outbox item naming the new execution.
		items, err := w.Outbox.PendingOutbox(context.Background(), provisioning.KindRetry, 10)
		if err != nil || len(items) != 1 || items[0].Subject != "ord_vps" {
			t.Fatalf("outbox: %+v %v", items, err)
		}
		var req provisioning.RetryRequest
		if err := json.Unmarshal(items[0].Payload, &req); err != nil || !strings.HasPrefix(req.Execution, "provision-ord_vps-retry-") {
			t.Fatalf("payload %s: %v", items[0].Payload, err)
		}
		e, started, err := l.Start(context.Background(), "ord_vps", req.Execution)
		if err != nil || !started {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		got, err := l.Runner.Wait(ctx, e)
		if err != nil || got.Status != asl.Succeeded || service(t, w, "ord_vps").Status != provisioning.StatusActive || w.VF.Servers() != 1 {
			t.Fatalf("retry: %+v %v; %d servers", got, err, w.VF.Servers())
		}
		if _, err := w.Engine.Retry(context.Background(), provisioning.ServiceID("ord_vps"), "usr_admin"); err == nil {
			t.Fatal("an active service was retried")
		}
	})
	t.Run("MalformedAnswer", func(t *testing.T) {
		w := provisioningtest.New(t)
		l := start(t, w)
		w.Ptero.MalformNext()
		got := finish(t, l, "ord_game")
		if got.Status != asl.Failed || service(t, w, "ord_game").Status != provisioning.StatusFailed {
			t.Fatalf("%+v", got)
		}
	})
	t.Run("BuildNeverFinishes", func(t *testing.T) {
		w := provisioningtest.New(t)
		w.Ptero.InstallPolls = 1_000_000
		l := start(t, w)
		got := finish(t, l, "ord_game")
		s := service(t, w, "ord_game")
		if got.Status != asl.Failed || s.Status != provisioning.StatusFailed || s.Polls != 120 {
			t.Fatalf("%+v; service %+v", got, s)
		}
	})
	t.Run("UnpaidOrder", func(t *testing.T) {
		w := provisioningtest.New(t)
		l := start(t, w)
		got := finish(t, l, "ord_open")
		if got.Status != asl.Failed || got.Error != "ProvisioningNotRecorded" || alerts(w) != 1 {
			t.Fatalf("%+v; %d alerts", got, alerts(w))
		}
		if _, err := w.Store.GetService(context.Background(), provisioning.ServiceID("ord_open")); err == nil {
			t.Fatal("an unpaid order got a service record")
		}
	})
	// Paid orders that cannot become a service: a failed record with the
	// reason in its log, and one admin alert; nothing at any panel.
	for order, reason := range map[string]string{"ord_old": "plan VPS Old is archived", "ord_dedi": "no panel instance serves this plan here"} {
		t.Run("PaidButImpossible/"+order, func(t *testing.T) {
			w := provisioningtest.New(t)
			l := start(t, w)
			got := finish(t, l, order)
			s := service(t, w, order)
			log, _ := w.Store.ListLog(context.Background(), s.ID)
			if got.Error != "ProvisioningNotRecorded" || s.Status != provisioning.StatusFailed || !strings.Contains(s.Note, reason) || len(log) != 1 || !strings.Contains(log[0].Error, reason) {
				t.Fatalf("%+v; service %+v; log %+v", got, s, log)
			}
			if alerts(w) != 1 || w.VF.Servers() != 0 || w.Ptero.Servers() != 0 {
				t.Fatalf("%d alerts, %d+%d servers", alerts(w), w.VF.Servers(), w.Ptero.Servers())
			}
		})
	}
}

// Duplicate failure events (the gateway's retries, redeliveries, the
// sweep) start one dunning execution per invoice.
func TestDunningStartsOncePerInvoice(t *testing.T) {
	l := start(t, provisioningtest.New(t))
	l.Runner.Sleep = func(ctx context.Context, _ time.Duration) error { <-ctx.Done(); return ctx.Err() } // it stays running
	u := dunning.Unpaid{OrderID: "ord_1", Gateway: "stripe", InvoiceID: "in_1", Due: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
	for i := range 3 {
		again := u
		again.Due = u.Due.Add(time.Duration(i) * time.Second) // as another event reports it
		if err := l.StartDunning(context.Background(), u.Execution(), again); err != nil {
			t.Fatalf("start %d: %v", i, err)
		}
	}
	if _, started, err := l.Runner.Start("dunning", u.Execution(), map[string]any{"case": u, "trace": ""}); started || err != nil {
		t.Fatalf("a fourth start began another execution: %v %v", started, err)
	}
}
