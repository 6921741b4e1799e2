package notify_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	minidyn "github.com/truora/minidyn/aws-v2/client"

	"github.com/ezscale/platform/shared/adapters/blob"
	"github.com/ezscale/platform/shared/adapters/dynamo"
	"github.com/ezscale/platform/shared/adapters/memqueue"
	"github.com/ezscale/platform/shared/domain/notify"
	"github.com/ezscale/platform/shared/platform/apperr"
	"github.com/ezscale/platform/shared/platform/clock"
	"github.com/ezscale/platform/shared/platform/envelope"
)

var brand = notify.Brand{Company: "EZSCALE", SiteURL: "https://ezscale.example", AccountURL: "https://account.ezscale.example", SupportEmail: "support@ezscale.example"}

// fakeMailer records sends and answers with scripted errors.
type fakeMailer struct {
	mu    sync.Mutex
	sent  []notify.Mail
	calls atomic.Int64
	fail  func(n int64) error // n is the 1-based call number
}

func (f *fakeMailer) Send(_ context.Context, m notify.Mail) error {
	n := f.calls.Add(1)
	if f.fail != nil {
		if err := f.fail(n); err != nil {
			return err
		}
	}
	f.mu.Lock()
	f.sent = append(f.sent, m)
	f.mu.Unlock()
	return nil
}

type fakeAlerts struct{ got []notify.Alert }

func (f *fakeAlerts) Send(_ context.Context, _ notify.Kind, a notify.Alert) error {
	f.got = append(f.got, a)
	return nil
}

// flakyStore fails UpdateMessage when failUpdate says so.
type flakyStore struct {
	notify.Store
	failUpdate func(n int64) bool
	updates    atomic.Int64
}

func (s *flakyStore) UpdateMessage(ctx context.Context, id string, fn func(*notify.Message) error) (*notify.Message, error) {
	if n := s.updates.Add(1); s.failUpdate != nil && s.failUpdate(n) {
		return nil, apperr.New(apperr.Unavailable, "injected store failure")
	}
	return s.Store.UpdateMessage(ctx, id, fn)
}

type env struct {
	svc    *notify.Service
	worker *notify.Worker
	store  *flakyStore
	queue  *memqueue.Queue
	mailer *fakeMailer
	alerts *fakeAlerts
	clock  *clock.Fake
	failed []string
	sealer *envelope.Sealer
}

func newEnv(t *testing.T) *env {
	t.Helper()
	api := minidyn.NewClient()
	if err := dynamo.EnsureTable(context.Background(), api, "t"); err != nil {
		t.Fatal(err)
	}
	e := &env{clock: clock.NewFake(time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)), mailer: &fakeMailer{}, alerts: &fakeAlerts{}}
	e.store = &flakyStore{Store: dynamo.NewNotifications(dynamo.New(api, "t", e.clock))}
	e.queue = memqueue.New(4, time.Millisecond)
	blobs := blob.NewDir(t.TempDir())
	keys, err := envelope.LoadOrCreateLocalKeys(t.TempDir() + "/k")
	if err != nil {
		t.Fatal(err)
	}
	sealer := envelope.New(keys)
	e.sealer = sealer
	log := slog.New(slog.DiscardHandler)
	e.svc = notify.NewService(notify.Config{Sealer: sealer, Store: e.store, Queue: e.queue, Blobs: blobs, Renderer: notify.NewRenderer(brand), Clock: e.clock, Log: log, SupportEmail: brand.SupportEmail})
	e.worker = notify.NewWorker(notify.WorkerConfig{Sealer: sealer, Store: e.store, Blobs: blobs, Mailer: e.mailer, Alerts: e.alerts, From: "EZSCALE <no-reply@ezscale.example>",
		Clock: e.clock, Log: log, MaxAttempts: 4, Backoff: time.Millisecond,
		OnFailed: func(_ context.Context, m *notify.Message) { e.failed = append(e.failed, m.ID) }})
	return e
}

// drain runs the queue's workers until nothing is ready or in flight.
func (e *env) drain(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	done := make(chan struct{})
	go func() { e.queue.Run(ctx, 3, e.worker.Deliver); close(done) }()
	for e.queue.Len() > 0 && ctx.Err() == nil {
		_ = e.queue.WaitIdle(ctx)
		time.Sleep(2 * time.Millisecond)
	}
	cancel()
	<-done
}

func welcome(key string) notify.Request {
	return notify.Request{Kind: notify.Welcome, To: "Ada@Example.COM", Key: key, Data: map[string]any{"customer_name": "Ada"}}
}

func TestEveryEmailKindRendersItsSample(t *testing.T) {
	r := notify.NewRenderer(brand)
	kinds := notify.Kinds(notify.Email)
	if len(kinds) != 25 {
		t.Fatalf("e-mail kinds = %d, want 25", len(kinds))
	}
	for _, k := range kinds {
		t.Run(string(k), func(t *testing.T) {
			spec, _ := notify.Lookup(k)
			out, err := r.Render(notify.Template{Subject: spec.Subject, Text: spec.Text, HTML: spec.HTML}, spec.Sample)
			if err != nil {
				t.Fatal(err)
			}
			if out.Subject == "" || strings.Contains(out.Subject, "\n") || out.Text == "" {
				t.Fatalf("subject %q text %q", out.Subject, out.Text)
			}
			for _, want := range []string{`name="color-scheme"`, "prefers-color-scheme: dark", "max-width:600px", "EZSCALE"} {
				if !strings.Contains(out.HTML, want) {
					t.Errorf("HTML lacks %q", want)
				}
			}
			// Removing any required field must fail the render or the request.
			for _, req := range spec.Required {
				data := map[string]any{}
				for k, v := range spec.Sample {
					if k != req {
						data[k] = v
					}
				}
				if _, err := r.Render(notify.Template{Subject: spec.Subject, Text: spec.Text, HTML: spec.HTML}, data); err == nil {
					t.Errorf("rendered without %s", req)
				}
			}
		})
	}
}

func TestHTMLEscapesData(t *testing.T) {
	r := notify.NewRenderer(brand)
	spec, _ := notify.Lookup(notify.Welcome)
	out, err := r.Render(notify.Template{Subject: spec.Subject, Text: spec.Text, HTML: spec.HTML}, map[string]any{"customer_name": `<script>alert(1)</script>`})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.HTML, "<script>") {
		t.Fatal("data was not escaped in HTML")
	}
}

func TestBadInputIsRefusedAndNothingStored(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	tests := []struct {
		name  string
		req   notify.Request
		code  apperr.Code
		field string
	}{
		{"UnknownKind", notify.Request{Kind: "birthday", To: "a@b.co", Key: "k1"}, apperr.Invalid, "kind"},
		{"MissingData", notify.Request{Kind: notify.Welcome, To: "a@b.co", Key: "k2", Data: map[string]any{}}, apperr.Invalid, "data.customer_name"},
		{"InvalidAddress", notify.Request{Kind: notify.Welcome, To: "not-an-address", Key: "k3", Data: map[string]any{"customer_name": "A"}}, apperr.Invalid, "to"},
		{"HeaderInjection", notify.Request{Kind: notify.Welcome, To: "a@b.co\r\nBcc: x@y.z", Key: "k4", Data: map[string]any{"customer_name": "A"}}, apperr.Invalid, "to"},
		{"DisplayName", notify.Request{Kind: notify.Welcome, To: "Ada <a@b.co>", Key: "k5", Data: map[string]any{"customer_name": "A"}}, apperr.Invalid, "to"},
		{"BadKey", notify.Request{Kind: notify.Welcome, To: "a@b.co", Key: "", Data: map[string]any{"customer_name": "A"}}, apperr.Invalid, "key"},
		{"BadAmount", notify.Request{Kind: notify.RenewalReminder, To: "a@b.co", Key: "k6", Data: map[string]any{"customer_name": "A", "service_name": "s", "renewal_date": "d", "amount": 12.5, "currency": "USD", "account_service_url": "https://x.example"}}, apperr.Invalid, "text"},
		{"OversizedAttachment", notify.Request{Kind: notify.Welcome, To: "a@b.co", Key: "k7", Data: map[string]any{"customer_name": "A"},
			Attachments: []notify.Attachment{{Filename: "big.pdf", ContentType: "application/pdf", Content: make([]byte, notify.MaxAttachmentsBytes+1)}}}, apperr.PayloadTooLarge, "attachments"},
		{"AttachmentPath", notify.Request{Kind: notify.Welcome, To: "a@b.co", Key: "k8", Data: map[string]any{"customer_name": "A"},
			Attachments: []notify.Attachment{{Filename: "../etc/passwd", ContentType: "text/plain", Content: []byte("x")}}}, apperr.Invalid, "attachments[0].filename"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.svc.Send(ctx, tt.req)
			ae, ok := errors.AsType[*apperr.Error](err)
			if !ok || ae.Code != tt.code || ae.Fields[tt.field] == "" {
				t.Fatalf("err = %v (fields %v), want %s on %s", err, fieldsOf(err), tt.code, tt.field)
			}
		})
	}
	msgs, _, err := e.svc.List(ctx, "", "")
	if err != nil || len(msgs) != 0 || e.queue.Len() != 0 {
		t.Fatalf("bad input left %d messages, %d queued (%v)", len(msgs), e.queue.Len(), err)
	}
}

func fieldsOf(err error) map[string]string {
	if ae, ok := errors.AsType[*apperr.Error](err); ok {
		return ae.Fields
	}
	return nil
}

func TestDuplicateEnqueueDeliversOnce(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for range 5 {
		if _, err := e.svc.Send(ctx, welcome("welcome:cus_1")); err != nil {
			t.Fatal(err)
		}
		_ = e.queue.Enqueue(ctx, "welcome:cus_1") // and raw duplicates, as SQS may deliver
	}
	e.drain(t)
	if n := e.mailer.calls.Load(); n != 1 {
		t.Fatalf("mailer called %d times, want 1", n)
	}
	m, _ := e.svc.Get(ctx, "welcome:cus_1")
	if m.Status != notify.Sent || m.To != "Ada@example.com" {
		t.Fatalf("message = %+v", m)
	}
	// Sending again after delivery neither queues nor sends.
	if _, err := e.svc.Send(ctx, welcome("welcome:cus_1")); err != nil {
		t.Fatal(err)
	}
	if e.queue.Len() != 0 {
		t.Fatal("a delivered message was queued again")
	}
	// The same key for a different notification is a conflict, not a silent no-op.
	other := welcome("welcome:cus_1")
	other.To = "someone@else.example"
	if _, err := e.svc.Send(ctx, other); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("reused key err = %v", err)
	}
}

func TestConcurrentWorkersSendOnce(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if _, err := e.svc.Send(ctx, welcome("race")); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() { _ = e.worker.Deliver(ctx, "race") })
	}
	wg.Wait()
	if n := e.mailer.calls.Load(); n != 1 {
		t.Fatalf("mailer called %d times by 8 concurrent workers, want 1", n)
	}
}

func TestCrashWindows(t *testing.T) {
	ctx := context.Background()
	t.Run("CrashBeforeSend", func(t *testing.T) {
		e := newEnv(t)
		if _, err := e.svc.Send(ctx, welcome("c1")); err != nil {
			t.Fatal(err)
		}
		// A worker claimed it and died before calling the provider.
		if _, err := e.store.UpdateMessage(ctx, "c1", func(m *notify.Message) error {
			m.Status, m.Attempts, m.LeaseUntil = notify.Sending, 1, e.clock.Now().Add(time.Minute)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		var rl *notify.RetryLater
		if err := e.worker.Deliver(ctx, "c1"); !errors.As(err, &rl) {
			t.Fatalf("while the lease is held: %v, want RetryLater", err)
		}
		e.clock.Advance(2 * time.Minute)
		if err := e.worker.Deliver(ctx, "c1"); err != nil {
			t.Fatal(err)
		}
		m, _ := e.svc.Get(ctx, "c1")
		if m.Status != notify.Unknown || e.mailer.calls.Load() != 0 {
			t.Fatalf("status %s, sends %d; want unknown and 0 (at most once)", m.Status, e.mailer.calls.Load())
		}
	})
	t.Run("CrashAfterSendBeforeRecord", func(t *testing.T) {
		e := newEnv(t)
		if _, err := e.svc.Send(ctx, welcome("c2")); err != nil {
			t.Fatal(err)
		}
		// The send succeeds; the write recording it fails (as if we crashed).
		e.store.failUpdate = func(n int64) bool { return n == 2 }
		if err := e.worker.Deliver(ctx, "c2"); err == nil {
			t.Fatal("Deliver hid the failed record")
		}
		e.store.failUpdate = nil
		for range 3 { // SQS redelivers; the lease is still held, then expires
			_ = e.worker.Deliver(ctx, "c2")
			e.clock.Advance(time.Minute)
		}
		m, _ := e.svc.Get(ctx, "c2")
		if e.mailer.calls.Load() != 1 || m.Status != notify.Unknown {
			t.Fatalf("sends %d, status %s; want 1 and unknown", e.mailer.calls.Load(), m.Status)
		}
	})
}

func TestRetriesThenDLQAndAdminVisibleFailure(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.mailer.fail = func(int64) error {
		return notify.Retryable(errors.New("dial tcp 127.0.0.1:2525: connection refused"), 0)
	}
	if _, err := e.svc.Send(ctx, welcome("down")); err != nil {
		t.Fatal(err)
	}
	e.drain(t)
	if n := e.mailer.calls.Load(); n != 4 {
		t.Fatalf("attempts = %d, want 4 (MaxAttempts)", n)
	}
	if dlq := e.queue.DLQ(); len(dlq) != 1 || dlq[0] != "down" {
		t.Fatalf("DLQ = %v", dlq)
	}
	failed, _, _ := e.svc.List(ctx, notify.Failed, "")
	if len(failed) != 1 || !strings.Contains(failed[0].LastError, "connection refused") || len(e.failed) != 1 {
		t.Fatalf("failed = %+v, onFailed = %v", failed, e.failed)
	}
	// The server is back: an admin resends and it arrives once.
	e.mailer.fail = nil
	if _, err := e.svc.Resend(ctx, "down"); err != nil {
		t.Fatal(err)
	}
	e.drain(t)
	if m, _ := e.svc.Get(ctx, "down"); m.Status != notify.Sent || len(e.mailer.sent) != 1 {
		t.Fatalf("after resend: %s, %d sent", m.Status, len(e.mailer.sent))
	}
}

func TestPermanentAndAmbiguousAreNotRetried(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		err  error
		want notify.Status
	}{
		{"Permanent", notify.PermanentError(errors.New("550 no such user")), notify.Failed},
		{"Ambiguous", notify.AmbiguousError(errors.New("timeout after DATA")), notify.Unknown},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.mailer.fail = func(int64) error { return tc.err }
			if _, err := e.svc.Send(ctx, welcome("x")); err != nil {
				t.Fatal(err)
			}
			e.drain(t)
			m, _ := e.svc.Get(ctx, "x")
			if m.Status != tc.want || e.mailer.calls.Load() != 1 {
				t.Fatalf("status %s after %d sends", m.Status, e.mailer.calls.Load())
			}
		})
	}
}

func TestAttachmentsTravelThroughTheBlobStore(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	pdf := []byte("%PDF-1.7\x00\xff binary")
	req := welcome("att")
	req.Attachments = []notify.Attachment{{Filename: "EZS-2026-000123.pdf", ContentType: "application/pdf", Content: pdf}}
	if _, err := e.svc.Send(ctx, req); err != nil {
		t.Fatal(err)
	}
	e.drain(t)
	if len(e.mailer.sent) != 1 || string(e.mailer.sent[0].Attachments[0].Content) != string(pdf) {
		t.Fatalf("attachment not delivered intact: %+v", e.mailer.sent)
	}
}

func TestTemplatesEditPreviewReset(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	bad := notify.Template{Subject: "Hi {{.customer_name", Text: "t", HTML: "<p>x</p>"}
	if _, err := e.svc.SaveTemplate(ctx, notify.Welcome, bad, "admin"); fieldsOf(err)["subject"] == "" {
		t.Fatalf("syntax error accepted: %v", err)
	}
	unknownKey := notify.Template{Subject: "Hi", Text: "{{.no_such_field}}", HTML: "<p>x</p>"}
	if _, err := e.svc.SaveTemplate(ctx, notify.Welcome, unknownKey, "admin"); fieldsOf(err)["text"] == "" {
		t.Fatalf("template that cannot render accepted: %v", err)
	}
	good := notify.Template{Subject: "Hello {{.customer_name}}!", Text: "Custom {{.customer_name}}", HTML: "<p>Custom {{.customer_name}}</p>"}
	v, err := e.svc.SaveTemplate(ctx, notify.Welcome, good, "admin@ezscale.example")
	if err != nil || !v.Custom {
		t.Fatalf("save = %+v, %v", v, err)
	}
	p, err := e.svc.Preview(ctx, notify.Welcome, nil)
	if err != nil || p.Subject != "Hello Ada Lovelace!" || !strings.Contains(p.HTML, "<p>Custom Ada Lovelace</p>") {
		t.Fatalf("preview = %+v, %v", p, err)
	}
	if _, err := e.svc.Send(ctx, welcome("custom")); err != nil {
		t.Fatal(err)
	}
	e.drain(t)
	if e.mailer.sent[0].Subject != "Hello Ada!" {
		t.Fatalf("sent subject %q, want the admin's template", e.mailer.sent[0].Subject)
	}
	v, err = e.svc.ResetTemplate(ctx, notify.Welcome)
	if err != nil || v.Custom || !strings.HasPrefix(v.Subject, "Welcome to") {
		t.Fatalf("reset = %+v, %v", v, err)
	}
	if _, err := e.svc.ResetTemplate(ctx, notify.Welcome); err != nil {
		t.Fatalf("resetting a default: %v", err)
	}
	if _, err := e.svc.TemplateOf(ctx, notify.AlertSecurity); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("alert kinds have no e-mail template: %v", err)
	}
}

func TestAlertsAreBuiltFromData(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if _, err := e.svc.Send(ctx, notify.Request{Kind: notify.AlertHighValueOrder, Key: "hv:ord_1",
		Data: map[string]any{"order_id": "ord_1", "customer_name": "Ada", "plan_name": "EPYC", "amount": 355899, "currency": "USD", "url": "https://admin.ezscale.example/orders/ord_1"}}); err != nil {
		t.Fatal(err)
	}
	e.drain(t)
	if len(e.alerts.got) != 1 {
		t.Fatalf("alerts = %d", len(e.alerts.got))
	}
	a := e.alerts.got[0]
	if a.Severity != notify.Warning || a.URL == "" || a.Fields[3].Name != "Amount" || a.Fields[3].Value != "$3,558.99" {
		t.Fatalf("alert = %+v", a)
	}
}

func TestSweepRequeuesStalePending(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if _, err := e.svc.Send(ctx, welcome("lost")); err != nil {
		t.Fatal(err)
	}
	// Lose the queue message (as if the enqueue had failed).
	e.queue = memqueue.New(4, time.Millisecond)
	e.svc = notify.NewService(notify.Config{Sealer: e.sealer, Store: e.store, Queue: e.queue, Blobs: blob.NewDir(t.TempDir()), Renderer: notify.NewRenderer(brand), Clock: e.clock, Log: slog.New(slog.DiscardHandler)})
	e.clock.Advance(10 * time.Minute)
	n, err := e.svc.Sweep(ctx, 5*time.Minute)
	if err != nil || n != 1 {
		t.Fatalf("sweep = %d, %v", n, err)
	}
	e.drain(t)
	if e.mailer.calls.Load() != 1 {
		t.Fatal("swept message not delivered")
	}
}

func TestBodiesAreSealedAtRest(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	spec, _ := notify.Lookup(notify.ServiceProvisioned)
	if _, err := e.svc.Send(ctx, notify.Request{Kind: notify.ServiceProvisioned, To: "a@b.co", Key: "prov:1", Data: spec.Sample}); err != nil {
		t.Fatal(err)
	}
	m, err := e.svc.Get(ctx, "prov:1")
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Body) == 0 || strings.Contains(string(m.Body), "s4mple-Pa55word") {
		t.Fatal("the stored body is empty or holds the password in clear")
	}
	e.drain(t)
	if len(e.mailer.sent) != 1 || !strings.Contains(e.mailer.sent[0].Text, "s4mple-Pa55word") {
		t.Fatal("the delivered mail lacks the credentials")
	}
}

func TestPoisonMessagesDoNotWedgeTheQueue(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_ = e.queue.Enqueue(ctx, "no-such-notification")
	_ = e.queue.Enqueue(ctx, "")
	if _, err := e.svc.Send(ctx, welcome("after-poison")); err != nil {
		t.Fatal(err)
	}
	// A stored message whose sealed body is corrupt fails for good, alone.
	if _, err := e.svc.Send(ctx, welcome("corrupt")); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.UpdateMessage(ctx, "corrupt", func(m *notify.Message) error { m.Body = []byte("garbage"); return nil }); err != nil {
		t.Fatal(err)
	}
	e.drain(t)
	if e.queue.Len() != 0 || len(e.queue.DLQ()) != 0 {
		t.Fatalf("queue left %d, DLQ %v", e.queue.Len(), e.queue.DLQ())
	}
	if m, _ := e.svc.Get(ctx, "after-poison"); m.Status != notify.Sent {
		t.Fatalf("the good message is %s", m.Status)
	}
	if m, _ := e.svc.Get(ctx, "corrupt"); m.Status != notify.Failed {
		t.Fatalf("the corrupt message is %s, want failed", m.Status)
	}
}
