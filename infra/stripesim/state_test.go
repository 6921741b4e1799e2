package stripesim

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ezscale/platform/infra/simkit"
)

// Like Stripe, the simulator keeps what it has and retries webhooks the
// endpoint has not acknowledged, also across a restart (a kill right after
// a payment must not lose its events).
func TestStateAndPendingWebhooksSurviveARestart(t *testing.T) {
	state := simkit.StateFile(filepath.Join(t.TempDir(), "stripe.json"))
	var got atomic.Int32
	endpoint := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got.Add(1) }))
	defer endpoint.Close()
	cfg := Config{SecretKey: "sk", WebhookSecret: "whsec", WebhookURL: endpoint.URL, State: state}

	first, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cus := first.store(map[string]any{"id": "cus_kept", "object": "customer", "created": int64(1700000000)})
	first.emit("customer.created", cus) // not delivered: the process dies before Run

	second, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if o := second.Object("cus_kept"); o == nil || o["created"] != int64(1700000000) {
		t.Fatalf("customer after restart = %#v", o)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { second.Run(ctx); close(done) }()
	id := second.Events()[0]["id"].(string)
	for deadline := time.Now().Add(5 * time.Second); !second.Delivered(id); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the pending webhook was not delivered after the restart")
		}
	}
	cancel()
	<-done
	// Acknowledgements are saved with the next change (here, a new event
	// the restart interrupts again): the delivered one is not sent twice.
	second.emit("customer.updated", cus)

	third, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(third.queue) != 1 || (<-third.queue)["type"] != "customer.updated" || got.Load() != 1 {
		t.Fatalf("after delivery: %d queued again, %d deliveries", len(third.queue), got.Load())
	}
}

// "Renew now" on /dev/stripe/ comes back to the same page and says what
// happened (it used to land on the site's front page, saying nothing).
func TestRenewNowComesBackWithANotice(t *testing.T) {
	s := New(Config{SecretKey: "sk"})
	s.store(map[string]any{"id": "cus_1", "object": "customer", "created": int64(1)})
	sub := s.store(map[string]any{"id": "sub_1", "object": "subscription", "customer": "cus_1", "status": "active", "currency": "usd",
		"current_period_start": int64(1700000000), "current_period_end": int64(1702592000), "_amount": int64(999), "_months": 1, "created": int64(1),
		"metadata": map[string]any{}})
	mux := http.NewServeMux()
	mux.Handle("/dev/stripe/", http.StripPrefix("/dev/stripe", s.Handler()))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	res, err := http.Post(srv.URL+"/dev/stripe/subscriptions/sub_1/renew?fail=1", "application/x-www-form-urlencoded", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	page, _ := io.ReadAll(res.Body)
	if res.Request.URL.Path != "/dev/stripe/" || !strings.Contains(string(page), "Renewed sub_1") || !strings.Contains(string(page), "declined") {
		t.Fatalf("landed on %s: %.300s", res.Request.URL, page)
	}
	if sub["status"] != "past_due" {
		t.Fatalf("subscription = %v", sub["status"])
	}
}
