package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/ezscale/platform/shared/platform/apperr"
	"github.com/ezscale/platform/shared/platform/clock"
)

// Worker delivers queued messages. Delivery is at most once per message:
//
//  1. claim: a conditional write moves the message pending → sending and
//     takes a lease (only one worker can win it);
//  2. send through the transport;
//  3. record the outcome (sent, pending again for a retry, failed).
//
// A worker that dies between 1 and 3 leaves the message "sending"; when the
// lease expires the next delivery attempt marks it "unknown" instead of
// sending again, because the provider may already have it. That is the
// remaining window: a crash (or a timeout after the provider received the
// data) produces no duplicate, but needs an admin's resend if the message
// was in fact lost. E-mails carry a Message-ID derived from the key, so even
// an admin's resend of a delivered message threads as the same message.
type Worker struct {
	sealer      Sealer
	store       Store
	blobs       Blobs
	mailer      Mailer
	alerts      AlertSender
	from        string
	clock       clock.Clock
	log         *slog.Logger
	maxAttempts int
	lease       time.Duration
	backoff     time.Duration
	// onFailed is told about messages that failed for good (admin alert).
	onFailed func(ctx context.Context, m *Message)
}

// WorkerConfig wires a Worker.
type WorkerConfig struct {
	Sealer      Sealer
	Store       Store
	Blobs       Blobs
	Mailer      Mailer
	Alerts      AlertSender
	From        string // "EZSCALE <no-reply@ezscale.example>"
	Clock       clock.Clock
	Log         *slog.Logger
	MaxAttempts int           // default 5; keep equal to the queue's maxReceiveCount
	Lease       time.Duration // default 2 minutes; longer than any send
	Backoff     time.Duration // first retry delay, doubled each attempt; default 10s
	OnFailed    func(ctx context.Context, m *Message)
}

// NewWorker returns a Worker.
func NewWorker(c WorkerConfig) *Worker {
	w := &Worker{sealer: c.Sealer, store: c.Store, blobs: c.Blobs, mailer: c.Mailer, alerts: c.Alerts, from: c.From, clock: c.Clock, log: c.Log,
		maxAttempts: c.MaxAttempts, lease: c.Lease, backoff: c.Backoff, onFailed: c.OnFailed}
	if w.maxAttempts <= 0 {
		w.maxAttempts = 5
	}
	if w.lease <= 0 {
		w.lease = 2 * time.Minute
	}
	if w.backoff <= 0 {
		w.backoff = 10 * time.Second
	}
	return w
}

// MaxAttempts is how many sends a message gets before it fails for good.
func (w *Worker) MaxAttempts() int { return w.maxAttempts }

var errLeaseHeld = errors.New("another worker is delivering this message")

// Deliver processes one queued message id. nil means the queue may drop
// the message (delivered, or nothing left to do); *RetryLater asks for a
// redelivery after a delay; any other error is a transient processing
// failure (store down) to redeliver with the queue's own timing.
func (w *Worker) Deliver(ctx context.Context, id string) error {
	now := w.clock.Now()
	var claimed bool
	m, err := w.store.UpdateMessage(ctx, id, func(m *Message) error {
		claimed = false
		switch m.Status {
		case Sent, Failed, Unknown:
			return nil // done; a duplicate queue message
		case Sending:
			if now.Before(m.LeaseUntil) {
				return errLeaseHeld
			}
			// The last worker stopped mid-send: the provider may have it.
			m.Status, m.LastError, m.UpdatedAt = Unknown, "delivery was interrupted; it may or may not have arrived (not resent automatically)", now
			return nil
		}
		m.Status, m.Attempts, m.LeaseUntil, m.UpdatedAt = Sending, m.Attempts+1, now.Add(w.lease), now
		claimed = true
		return nil
	})
	switch {
	case apperr.Is(err, apperr.NotFound):
		w.log.WarnContext(ctx, "notification not found; dropping queue message", "id", id)
		return nil
	case errors.Is(err, errLeaseHeld):
		return &RetryLater{Delay: w.lease, Err: err}
	case err != nil:
		return fmt.Errorf("claim notification %s: %w", id, err)
	}
	if !claimed {
		if m.Status == Unknown {
			w.log.WarnContext(ctx, "notification interrupted mid-send; marked unknown", "id", id, "kind", m.Kind)
		}
		return nil
	}
	sendErr := w.send(ctx, m)
	return w.record(ctx, m, sendErr)
}

func (w *Worker) send(ctx context.Context, m *Message) error {
	switch m.Channel {
	case Email:
		body, err := openBody(ctx, w.sealer, m)
		if err != nil {
			return PermanentError(err)
		}
		mail := Mail{ID: m.ID, From: w.from, To: m.To, ReplyTo: m.ReplyTo, Subject: body.Subject, Text: body.Text, HTML: body.HTML, Thread: m.Thread}
		for _, a := range m.Attachments {
			b, err := w.blobs.Get(ctx, a.BlobKey)
			if err != nil {
				return Retryable(fmt.Errorf("load attachment %s: %w", a.Filename, err), 0)
			}
			mail.Attachments = append(mail.Attachments, Attachment{Filename: a.Filename, ContentType: a.ContentType, Content: b})
		}
		return w.mailer.Send(ctx, mail)
	case Discord:
		if m.Alert == nil {
			return PermanentError(errors.New("alert message without alert content"))
		}
		return w.alerts.Send(ctx, m.Kind, *m.Alert)
	}
	return PermanentError(fmt.Errorf("unknown channel %q", m.Channel))
}

// record writes the outcome of a claimed send. The lease is ours, so the
// write is expected to succeed; it is retried by the store on contention.
func (w *Worker) record(ctx context.Context, m *Message, sendErr error) error {
	now := w.clock.Now()
	outcome, hint := outcomeOf(sendErr)
	var retry *RetryLater
	final, err := w.store.UpdateMessage(ctx, m.ID, func(cur *Message) error {
		retry = nil
		cur.UpdatedAt, cur.LeaseUntil = now, time.Time{}
		if sendErr == nil {
			cur.Status, cur.SentAt, cur.LastError = Sent, &now, ""
			return nil
		}
		cur.LastError = truncate(sendErr.Error(), 1000)
		switch {
		case outcome == Permanent:
			cur.Status = Failed
		case outcome == Ambiguous:
			cur.Status = Unknown
		case cur.Attempts >= w.maxAttempts:
			cur.Status = Failed
			// Returned as an error so the queue moves the message to its DLQ,
			// where the alarm sees it.
			retry = &RetryLater{Delay: 0, Err: fmt.Errorf("gave up after %d attempts: %w", cur.Attempts, sendErr)}
		default:
			cur.Status = Pending
			retry = &RetryLater{Delay: w.delay(cur.Attempts, hint), Err: sendErr}
		}
		return nil
	})
	if err != nil {
		// The send happened (or failed) but we could not record it. Leaving the
		// lease to expire turns this into "unknown" rather than a duplicate.
		return fmt.Errorf("record delivery of %s: %w", m.ID, err)
	}
	log := w.log.With("id", m.ID, "kind", m.Kind, "channel", m.Channel, "attempt", final.Attempts)
	switch final.Status {
	case Sent:
		log.InfoContext(ctx, "notification sent")
	case Pending:
		log.WarnContext(ctx, "notification send failed; will retry", "err", sendErr.Error(), "retry_in", retry.Delay.String())
	default:
		log.ErrorContext(ctx, "notification not delivered", "status", final.Status, "err", sendErr.Error())
		if w.onFailed != nil {
			w.onFailed(ctx, final)
		}
	}
	if retry != nil {
		return retry
	}
	return nil
}

// delay is exponential backoff with jitter, never shorter than the
// provider's own hint.
func (w *Worker) delay(attempt int, hint time.Duration) time.Duration {
	d := w.backoff << min(attempt-1, 10)
	d += time.Duration(rand.Int64N(int64(d)/4 + 1))
	return max(d, hint)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
