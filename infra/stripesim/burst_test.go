package stripesim

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ezscale/platform/infra/simkit"
)

// A burst of events larger than the delivery queue is delivered whole,
// in this process: the overflow once waited for the next restart, and a
// long soak (no restart at the end) saw orders paid on the payment page
// stay pending.
func TestABurstLargerThanTheQueueIsDeliveredWhole(t *testing.T) {
	var got atomic.Int32
	endpoint := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got.Add(1) }))
	defer endpoint.Close()
	s := New(Config{SecretKey: "sk", WebhookSecret: "whsec", WebhookURL: endpoint.URL})
	n := cap(s.queue) + 50
	for i := range n {
		s.emit("customer.updated", map[string]any{"id": "cus_" + string(rune('a'+i%26)), "object": "customer"})
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	for deadline := time.Now().Add(20 * time.Second); int(got.Load()) < n; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d events delivered", got.Load(), n)
		}
	}
	for _, ev := range s.Events() {
		if !s.Delivered(ev["id"].(string)) {
			t.Errorf("%s not acknowledged", ev["id"])
		}
	}
}

// After a restart, every event not acknowledged is delivered in that run,
// however many there are (past the queue's capacity they once waited for
// yet another restart).
func TestEveryPendingEventIsDeliveredAfterARestart(t *testing.T) {
	var got atomic.Int32
	endpoint := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got.Add(1) }))
	defer endpoint.Close()
	cfg := Config{SecretKey: "sk", WebhookSecret: "whsec", WebhookURL: endpoint.URL, State: simkit.StateFile(filepath.Join(t.TempDir(), "stripe.json"))}
	first, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	n := cap(first.queue) + 30
	first.mu.Lock()
	for i := range n {
		first.events = append(first.events, map[string]any{"id": fmt.Sprintf("evt_%d", i), "object": "event", "type": "customer.updated", "data": map[string]any{}})
	}
	first.save()
	first.mu.Unlock()

	second, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { second.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	for deadline := time.Now().Add(20 * time.Second); int(got.Load()) < n; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d pending events delivered after the restart", got.Load(), n)
		}
	}
}
