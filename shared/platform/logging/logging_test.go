package logging_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"testing"

	"github.com/ezscale/platform/shared/platform/logging"
)

func TestRequestIDOnEveryRecord(t *testing.T) {
	var buf bytes.Buffer
	log := logging.New(&buf, slog.LevelInfo).With("fn", "catalog")
	ctx := logging.WithRequestID(context.Background(), "req-123")
	log.InfoContext(ctx, "hello", "k", 1)
	var rec map[string]any
	if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
		t.Fatalf("not JSON: %v: %s", err, buf.String())
	}
	if rec["request_id"] != "req-123" || rec["fn"] != "catalog" || rec["msg"] != "hello" {
		t.Fatalf("record = %v", rec)
	}
}
