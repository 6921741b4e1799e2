package provisioning

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/ezscale/platform/shared/platform/logging"
)

// DefaultPanelConcurrency is how many calls one worker makes to one panel
// at a time unless configured otherwise.
const DefaultPanelConcurrency = 4

// Worker serves panel-queue messages: each message waits for a slot of its
// panel (so a slow or rate-limited panel cannot take every worker, and no
// panel sees more than its limit from one worker) and runs under a
// deadline.
type Worker struct {
	Steps   Steps
	Timeout time.Duration // per message; zero means two minutes
	// Limits are calls at a time per panel name; unlisted panels get
	// DefaultPanelConcurrency.
	Limits map[string]int
	// Log gets a line per panel call (nil: none).
	Log *slog.Logger

	mu    sync.Mutex
	slots map[string]chan struct{}
}

func (w *Worker) slot(panel string) chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.slots == nil {
		w.slots = map[string]chan struct{}{}
	}
	s, ok := w.slots[panel]
	if !ok {
		n := w.Limits[panel]
		if n <= 0 {
			n = DefaultPanelConcurrency
		}
		s = make(chan struct{}, n)
		w.slots[panel] = s
	}
	return s
}

// Handle performs one message's panel call once its panel has a free
// slot. Waiting ends with the context (a transient error: the message
// comes back).
func (w *Worker) Handle(ctx context.Context, m WorkMessage) (out map[string]any, serr *StepError) {
	if m.Trace != "" {
		ctx = logging.WithRequestID(ctx, m.Trace)
	}
	if w.Log != nil {
		start := time.Now()
		defer func() {
			attrs := []any{"action", m.Action, "service", m.ServiceID, "panel", m.Panel, "duration_ms", time.Since(start).Milliseconds()}
			if serr != nil {
				attrs = append(attrs, "error", serr.Name)
			}
			w.Log.InfoContext(ctx, "panel call", attrs...)
		}()
	}
	s := w.slot(m.Panel)
	select {
	case s <- struct{}{}:
	case <-ctx.Done():
		return nil, &StepError{ErrNameTransient, "no free slot for panel " + m.Panel + ": " + ctx.Err().Error()}
	}
	defer func() { <-s }()
	timeout := w.Timeout
	if timeout <= 0 {
		timeout = 2 * time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return w.Steps.Work(ctx, m)
}

// Batch handles messages concurrently (each bounded by its panel's slots)
// and answers each through answer; it returns the indexes of messages
// whose answer could not be given, for the queue to deliver again.
func (w *Worker) Batch(ctx context.Context, msgs []WorkMessage, answer func(context.Context, WorkMessage, map[string]any, *StepError) error) []int {
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		failed []int
	)
	for i, m := range msgs {
		wg.Go(func() {
			out, serr := w.Handle(ctx, m)
			if err := answer(ctx, m, out, serr); err != nil {
				mu.Lock()
				failed = append(failed, i)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	slices.Sort(failed)
	return failed
}
