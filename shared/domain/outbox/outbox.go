// Package outbox turns recorded domain events into their effects. A state
// change writes its outbox items in the same transaction as itself; the
// dispatcher later runs each item's handler and marks it published. A crash
// in between leaves the item pending, and the sweep runs it again, so
// handlers must be idempotent (they key their own effects on the item).
package outbox

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/ezscale/platform/shared/platform/clock"
	"github.com/ezscale/platform/shared/platform/logging"
)

// Item is one domain event waiting for its effects.
type Item struct {
	// ID is deterministic (derived from the cause, e.g. the webhook event
	// id and the kind), so a repeated decision writes the same item once.
	ID          string          `json:"id"`
	Kind        string          `json:"kind"`
	Subject     string          `json:"subject"` // what it is about, e.g. an order id
	Payload     json.RawMessage `json:"payload"`
	CreatedAt   time.Time       `json:"created_at"`
	Attempts    int64           `json:"attempts"`
	LastError   string          `json:"last_error,omitempty"`
	PublishedAt *time.Time      `json:"published_at"`
	// NotBefore delays the effects until then (a grace period); the sweep
	// runs the item once it is due.
	NotBefore *time.Time `json:"not_before,omitempty"`
	// Trace is the request id of the write that made the item (the API
	// request or webhook delivery); its effects log under the same id, so
	// one search follows a change from the API to the panel worker.
	Trace string `json:"trace,omitempty"`
}

// New builds an item whose payload is v as JSON.
func New(id, kind, subject string, v any, at time.Time) Item {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("outbox payload for %s: %v", kind, err)) // our own types only
	}
	return Item{ID: id, Kind: kind, Subject: subject, Payload: b, CreatedAt: at}
}

// Store reads and settles outbox items. Pending items are kept per kind,
// so kinds without a consumer yet (or a backlog of one kind) never stand
// in front of others.
type Store interface {
	PendingOutbox(ctx context.Context, kind string, limit int32) ([]Item, error)
	ListOutbox(ctx context.Context, subject string) ([]Item, error)
	MarkPublished(ctx context.Context, it Item, at time.Time) error
	// MarkFailed counts a failed attempt; dead takes the item out of the
	// pending set for good (staff look at it).
	MarkFailed(ctx context.Context, it Item, reason string, dead bool) error
}

// Handler performs an item's effects; it must be idempotent.
type Handler func(ctx context.Context, it Item) error

// Dispatcher runs handlers for pending items.
type Dispatcher struct {
	store    Store
	handlers map[string]Handler
	clock    clock.Clock
	log      *slog.Logger
	kick     chan struct{}
	mu       sync.Mutex // one publish pass at a time in this process
	// MaxAttempts bounds retries of a failing item; then OnDead is told
	// once and the item waits for staff (it stays listed, unpublished).
	MaxAttempts int64
	OnDead      func(ctx context.Context, it Item, err error)
	// Workers is how many subjects' items run at once (handlers and OnDead
	// must be safe to call concurrently).
	Workers int

	// soonest is when the earliest item a pass left for later falls due
	// (zero: none), so Run wakes for it instead of at the next interval.
	soonest time.Time
}

// NewDispatcher returns a dispatcher with no handlers.
func NewDispatcher(store Store, clk clock.Clock, log *slog.Logger) *Dispatcher {
	return &Dispatcher{store: store, handlers: map[string]Handler{}, clock: clk, log: log, kick: make(chan struct{}, 1), MaxAttempts: 10, Workers: 4,
		OnDead: func(context.Context, Item, error) {}}
}

// Handle registers h for kind. Kinds without a handler stay pending until
// a consumer exists (visible to staff meanwhile).
func (d *Dispatcher) Handle(kind string, h Handler) { d.handlers[kind] = h }

// Kick asks a running dispatcher to publish soon; it never blocks.
func (d *Dispatcher) Kick() {
	select {
	case d.kick <- struct{}{}:
	default:
	}
}

// Publish runs up to 100 pending items of each handled kind once and
// returns how many were published. Items about different subjects run
// Workers at a time (a day of renewals is a PDF and an e-mail each);
// items about one subject run one after another, oldest first.
func (d *Dispatcher) Publish(ctx context.Context) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	kinds := make([]string, 0, len(d.handlers))
	for k := range d.handlers {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	n := 0
	d.soonest = time.Time{}
	for _, kind := range kinds {
		items, err := d.store.PendingOutbox(ctx, kind, 100)
		if err != nil {
			return n, fmt.Errorf("list pending %s: %w", kind, err)
		}
		groups, later := bySubject(items, d.clock.Now())
		if !later.IsZero() && (d.soonest.IsZero() || later.Before(d.soonest)) {
			d.soonest = later
		}
		done, err := d.publishAll(ctx, d.handlers[kind], groups)
		n += done
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// bySubject groups the items that are due by subject, keeping their
// order, and tells when the earliest item not yet due falls due.
func bySubject(items []Item, now time.Time) (groups [][]Item, later time.Time) {
	at := map[string]int{}
	for _, it := range items {
		if it.NotBefore != nil && now.Before(*it.NotBefore) {
			if later.IsZero() || it.NotBefore.Before(later) {
				later = *it.NotBefore
			}
			continue // not due yet; a later sweep runs it
		}
		i, ok := at[it.Subject]
		if !ok {
			i = len(groups)
			at[it.Subject] = i
			groups = append(groups, nil)
		}
		groups[i] = append(groups[i], it)
	}
	return groups, later
}

// publishAll runs the groups, Workers at a time. A failure to record an
// outcome stops it (the store is unwell; the sweep tries again); a failed
// handler only counts an attempt.
func (d *Dispatcher) publishAll(ctx context.Context, h Handler, groups [][]Item) (int, error) {
	var (
		mu       sync.Mutex
		n        int
		firstErr error
		wg       sync.WaitGroup
	)
	slots := make(chan struct{}, max(d.Workers, 1))
	for _, g := range groups {
		mu.Lock()
		stop := firstErr != nil
		mu.Unlock()
		if stop {
			break
		}
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			for _, it := range g {
				ok, err := d.publishOne(ctx, h, it)
				mu.Lock()
				if ok {
					n++
				}
				if err != nil && firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
				if err != nil || !ok {
					return // later items of this subject wait for this one
				}
			}
		})
	}
	wg.Wait()
	return n, firstErr
}

// publishOne runs one item and records the outcome: published, or a
// failed attempt (dead after MaxAttempts).
func (d *Dispatcher) publishOne(ctx context.Context, h Handler, it Item) (bool, error) {
	if it.Trace != "" {
		ctx = logging.WithRequestID(ctx, it.Trace)
	}
	if err := h(ctx, it); err != nil {
		dead := it.Attempts+1 >= d.MaxAttempts
		d.log.WarnContext(ctx, "outbox item failed", "item", it.ID, "kind", it.Kind, "attempt", it.Attempts+1, "dead", dead, "err", err.Error())
		if merr := d.store.MarkFailed(ctx, it, err.Error(), dead); merr != nil {
			return false, merr
		}
		if dead {
			d.OnDead(ctx, it, err)
		}
		return false, nil
	}
	if err := d.store.MarkPublished(ctx, it, d.clock.Now()); err != nil {
		return false, fmt.Errorf("mark %s published: %w", it.ID, err)
	}
	d.log.InfoContext(ctx, "outbox item published", "item", it.ID, "kind", it.Kind, "subject", it.Subject)
	return true, nil
}

// Run publishes when kicked, when a delayed item falls due, and every
// interval (the backstop for items a crash left behind and for failed
// ones), until ctx ends.
func (d *Dispatcher) Run(ctx context.Context, interval time.Duration) {
	for {
		if _, err := d.Publish(ctx); err != nil && ctx.Err() == nil {
			d.log.WarnContext(ctx, "outbox publish failed", "err", err.Error())
		}
		wait := interval
		d.mu.Lock()
		if !d.soonest.IsZero() {
			wait = min(wait, max(d.soonest.Sub(d.clock.Now()), 10*time.Millisecond))
		}
		d.mu.Unlock()
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-d.kick:
		case <-t.C:
		}
		t.Stop()
	}
}
