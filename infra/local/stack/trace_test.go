package stack_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/ezscale/platform/infra/local/stack"
	"github.com/ezscale/platform/shared/platform/logging"
)

// lockedBuffer is a log sink read while the stack writes to it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) lines() []map[string]any {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(b.buf.Bytes()))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var m map[string]any
		if json.Unmarshal(sc.Bytes(), &m) == nil {
			out = append(out, m)
		}
	}
	return out
}

// A purchase is one trace: the webhook delivery that marks the order paid,
// the outbox item it writes, the provisioning workflow's tasks and every
// panel call log under that delivery's request id, so searching the logs
// for it follows the order from the gateway to the panel.
func TestAPurchaseIsOneTraceFromWebhookToPanel(t *testing.T) {
	logs := &lockedBuffer{}
	st, base, stop := openStackWith(t, stack.Options{DataDir: t.TempDir(), Log: logging.New(logs, slog.LevelInfo)})
	defer stop()

	svc := buyVPS(t, st, base, "traced.example.com")

	lines := logs.lines()
	var trace string
	for _, l := range lines {
		if l["msg"] == "outbox item published" && l["subject"] == svc.OrderID && l["kind"] == "order.paid" {
			trace, _ = l["request_id"].(string)
		}
	}
	if trace == "" {
		t.Fatalf("no traced order.paid outbox item for %s in the logs", svc.OrderID)
	}
	seen := map[string]int{}
	for _, l := range lines {
		if l["request_id"] != trace {
			continue
		}
		switch msg, _ := l["msg"].(string); msg {
		case "webhook applied", "workflow task":
			seen[msg]++
		case "panel call":
			if l["service"] != svc.ID {
				t.Errorf("a panel call for %v logs under %s's trace", l["service"], svc.ID)
			}
			seen[msg]++
		}
	}
	if seen["webhook applied"] == 0 || seen["workflow task"] < 2 || seen["panel call"] < 3 {
		var all []string
		for _, l := range lines {
			b, _ := json.Marshal(l)
			all = append(all, string(b))
		}
		t.Fatalf("trace %s: %v (want the webhook, the record and activate tasks, and the hardware, create, status and credentials calls)\n%s", trace, seen, strings.Join(all, "\n"))
	}
}
