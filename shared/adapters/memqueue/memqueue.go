// Package memqueue is an in-process queue with the semantics the platform
// relies on from SQS: at-least-once delivery, per-message delays, receive
// counts and a dead-letter list after MaxReceive failed receives. It backs
// make dev and tests; SQS backs AWS.
package memqueue

import (
	"context"
	"errors"
	"sync"
	"time"
)

// Handler processes one message body. nil deletes the message; an error
// makes it visible again after Delay(err) (or DefaultRetry).
type Handler func(ctx context.Context, body string) error

// Queue is safe for concurrent use.
type Queue struct {
	// MaxReceive moves a message to the DLQ after this many failed receives.
	MaxReceive int
	// DefaultRetry is the redelivery delay for errors without their own.
	DefaultRetry time.Duration
	// Delay extracts a requested delay from a handler error.
	Delay func(error) (time.Duration, bool)

	mu      sync.Mutex
	ready   []*msg
	waiting []*msg
	dlq     []string
	wake    chan struct{}
	busy    int
	idle    *sync.Cond
}

type msg struct {
	body     string
	visible  time.Time
	receives int
}

// New returns a queue.
func New(maxReceive int, defaultRetry time.Duration) *Queue {
	q := &Queue{MaxReceive: maxReceive, DefaultRetry: defaultRetry, wake: make(chan struct{}, 1)}
	q.idle = sync.NewCond(&q.mu)
	return q
}

// Enqueue adds a message, visible at once.
func (q *Queue) Enqueue(_ context.Context, body string) error {
	q.mu.Lock()
	q.ready = append(q.ready, &msg{body: body, visible: time.Now()})
	q.mu.Unlock()
	q.signal()
	return nil
}

func (q *Queue) signal() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// DLQ returns the bodies that exhausted their receives.
func (q *Queue) DLQ() []string {
	q.mu.Lock()
	defer q.mu.Unlock()
	return append([]string(nil), q.dlq...)
}

// Len returns how many messages wait (ready or delayed) or are in flight.
func (q *Queue) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.ready) + len(q.waiting) + q.busy
}

// Run delivers messages to h with n concurrent workers until ctx ends. It
// returns when every worker has stopped.
func (q *Queue) Run(ctx context.Context, n int, h Handler) {
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() { q.work(ctx, h) })
	}
	wg.Wait()
}

func (q *Queue) next() (*msg, time.Duration) {
	q.mu.Lock()
	defer q.mu.Unlock()
	now := time.Now()
	kept := q.waiting[:0]
	for _, m := range q.waiting {
		if !m.visible.After(now) {
			q.ready = append(q.ready, m)
		} else {
			kept = append(kept, m)
		}
	}
	q.waiting = kept
	if len(q.ready) > 0 {
		m := q.ready[0]
		q.ready = q.ready[1:]
		q.busy++
		return m, 0
	}
	wait := time.Hour
	for _, m := range q.waiting {
		wait = min(wait, m.visible.Sub(now))
	}
	return nil, wait
}

func (q *Queue) work(ctx context.Context, h Handler) {
	for {
		m, wait := q.next()
		if m == nil {
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-q.wake:
			case <-t.C:
			}
			t.Stop()
			continue
		}
		m.receives++
		err := h(ctx, m.body)
		q.mu.Lock()
		q.busy--
		switch {
		case err == nil:
		case m.receives >= q.MaxReceive:
			q.dlq = append(q.dlq, m.body)
		default:
			d := q.DefaultRetry
			if q.Delay != nil {
				if rd, ok := q.Delay(err); ok {
					d = rd
				}
			}
			if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
				d = 0 // shutting down: leave it ready for the next run
			}
			m.visible = time.Now().Add(d)
			q.waiting = append(q.waiting, m)
		}
		q.idle.Broadcast()
		q.mu.Unlock()
		q.signal()
	}
}

// WaitIdle blocks until no message is ready or in flight (delayed ones may
// remain) or ctx ends. Tests use it to wait for deliveries.
func (q *Queue) WaitIdle(ctx context.Context) error {
	done := make(chan struct{})
	go func() {
		q.mu.Lock()
		for (len(q.ready) > 0 || q.busy > 0) && ctx.Err() == nil {
			q.idle.Wait()
		}
		q.mu.Unlock()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		q.mu.Lock()
		q.idle.Broadcast()
		q.mu.Unlock()
		<-done
		return ctx.Err()
	}
}
