package provisioning_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/ezscale/platform/shared/domain/provisioning"
	"github.com/ezscale/platform/shared/testkit/provisioningtest"
)

// gauge is a panel that measures how many status reads are in flight.
type gauge struct {
	provisioning.Panel
	delay    time.Duration
	mu       sync.Mutex
	cur, max int
}

func (g *gauge) Status(ctx context.Context, id string) (*provisioning.Resource, error) {
	g.mu.Lock()
	g.cur++
	g.max = max(g.max, g.cur)
	g.mu.Unlock()
	defer func() { g.mu.Lock(); g.cur--; g.mu.Unlock() }()
	select {
	case <-time.After(g.delay):
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return g.Panel.Status(ctx, id)
}

// A slow panel gets at most its limit of calls at a time, and another
// panel's message is not stuck behind its queue.
func TestWorkerBoundsCallsPerPanel(t *testing.T) {
	w := provisioningtest.New(t)
	vps := provision(t, w, "ord_vps")
	game := provision(t, w, "ord_game")
	vf, _ := w.Engine.Panels.Named("virtfusion")
	ptero, _ := w.Engine.Panels.Named("pterodactyl")
	slow, fast := &gauge{Panel: vf, delay: 40 * time.Millisecond}, &gauge{Panel: ptero}
	w.Engine.Panels.Swap(slow)
	w.Engine.Panels.Swap(fast)
	worker := &provisioning.Worker{Steps: provisioning.Steps{Engine: w.Engine}, Limits: map[string]int{"virtfusion": 2}}

	var msgs []provisioning.WorkMessage
	for range 8 {
		msgs = append(msgs, provisioning.WorkMessage{Action: "status", ServiceID: vps.ID, Panel: "virtfusion", TaskToken: "t"})
	}
	msgs = append(msgs, provisioning.WorkMessage{Action: "status", ServiceID: game.ID, Panel: "pterodactyl", TaskToken: "t"})
	var (
		mu       sync.Mutex
		answered []string
	)
	start := time.Now()
	failed := worker.Batch(context.Background(), msgs, func(_ context.Context, m provisioning.WorkMessage, _ map[string]any, serr *provisioning.StepError) error {
		if serr != nil {
			t.Errorf("%s: %v", m.Panel, serr)
		}
		mu.Lock()
		answered = append(answered, m.Panel)
		mu.Unlock()
		return nil
	})
	if len(failed) != 0 || len(answered) != 9 {
		t.Fatalf("failed %v, answered %d", failed, len(answered))
	}
	if slow.max != 2 {
		t.Fatalf("virtfusion saw %d calls at a time, limit 2", slow.max)
	}
	if answered[0] != "pterodactyl" {
		t.Fatalf("the game server waited behind the slow panel: %v", answered)
	}
	if d := time.Since(start); d < 4*slow.delay {
		t.Fatalf("8 calls, 2 at a time, 40 ms each took %v", d)
	}
}

// A message that cannot get a slot before its deadline is a transient
// failure (the workflow retries), not a hang.
func TestWorkerSlotWaitEndsWithTheContext(t *testing.T) {
	w := provisioningtest.New(t)
	vps := provision(t, w, "ord_vps")
	vf, _ := w.Engine.Panels.Named("virtfusion")
	w.Engine.Panels.Swap(&gauge{Panel: vf, delay: time.Second})
	worker := &provisioning.Worker{Steps: provisioning.Steps{Engine: w.Engine}, Limits: map[string]int{"virtfusion": 1}}
	m := provisioning.WorkMessage{Action: "status", ServiceID: vps.ID, Panel: "virtfusion", TaskToken: "t"}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	var got []*provisioning.StepError
	var mu sync.Mutex
	worker.Batch(ctx, []provisioning.WorkMessage{m, m}, func(_ context.Context, _ provisioning.WorkMessage, _ map[string]any, serr *provisioning.StepError) error {
		mu.Lock()
		got = append(got, serr)
		mu.Unlock()
		return nil
	})
	if len(got) != 2 || got[0] == nil || got[1] == nil || got[0].Name != provisioning.ErrNameTransient || got[1].Name != provisioning.ErrNameTransient {
		t.Fatalf("answers %+v", got)
	}
}
