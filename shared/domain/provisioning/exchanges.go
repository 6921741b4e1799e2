package provisioning

import (
	"context"
	"fmt"
	"sync"
)

// Exchange is one HTTP call to a panel as the provisioning log shows it:
// method, path (never a query, which may carry a key), status and time.
type Exchange struct {
	Method  string
	Path    string
	Status  int // 0: no answer (timeout, connection refused)
	Millis  int64
	Attempt int
}

func (x Exchange) String() string {
	status := "no answer"
	if x.Status != 0 {
		status = fmt.Sprint(x.Status)
	}
	s := fmt.Sprintf("%s %s → %s in %d ms", x.Method, x.Path, status, x.Millis)
	if x.Attempt > 1 {
		s += fmt.Sprintf(" (attempt %d)", x.Attempt)
	}
	return s
}

// exchanges collects a step's calls; adapters append through the context.
type exchanges struct {
	mu   sync.Mutex
	list []string
}

type exchangesKey struct{}

// WithExchanges starts collecting the panel calls made under ctx; taken
// returns (and clears) those collected so far.
func WithExchanges(ctx context.Context) (_ context.Context, taken func() []string) {
	x := &exchanges{}
	return context.WithValue(ctx, exchangesKey{}, x), x.take
}

// RecordExchange notes a call for the step's log entry (a no-op when no
// step collects them). Panel HTTP clients call it for every attempt.
func RecordExchange(ctx context.Context, x Exchange) {
	if c, ok := ctx.Value(exchangesKey{}).(*exchanges); ok {
		c.mu.Lock()
		c.list = append(c.list, x.String())
		c.mu.Unlock()
	}
}

// collecting makes the panel calls under ctx land in the next log entry
// (ctx already collecting is kept).
func collecting(ctx context.Context) context.Context {
	if _, ok := ctx.Value(exchangesKey{}).(*exchanges); ok {
		return ctx
	}
	ctx, _ = WithExchanges(ctx)
	return ctx
}

// taken returns and clears the calls collected under ctx.
func taken(ctx context.Context) []string {
	c, _ := ctx.Value(exchangesKey{}).(*exchanges)
	return c.take()
}

// take returns the calls so far and starts again (one log entry each).
func (c *exchanges) take() []string {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.list
	c.list = nil
	return out
}
