package app_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// A notification batch that does not decode must fail the invocation: read
// as the schedule's sweep it would succeed, and SQS would delete its
// messages unsent.
func TestNotifierRefusesAnUnreadableBatch(t *testing.T) {
	e := newEnv(t)
	h := e.p.NotifierEntry(nil)
	for _, tc := range []struct{ name, event, err string }{
		{"attributes are strings in SQS", `{"Records":[{"messageId":"m1","body":"ntf_1","attributes":{"SentTimestamp":1796150788000}}]}`, "decode SQS batch"},
		{"records not a list", `{"Records":{"messageId":"m1"}}`, "decode SQS batch"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := h(context.Background(), json.RawMessage(tc.event))
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("err = %v, want %q", err, tc.err)
			}
		})
	}
	// The schedule's input (no Records) is the sweep.
	out, err := h(context.Background(), json.RawMessage(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	if m, ok := out.(map[string]int); !ok || m["requeued"] != 0 {
		t.Fatalf("sweep = %v", out)
	}
}
