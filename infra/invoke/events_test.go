package invoke_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/ezscale/platform/infra/invoke"
	"github.com/ezscale/platform/infra/local/stack"
	"github.com/ezscale/platform/shared/adapters/dynamo"
	"github.com/ezscale/platform/shared/domain/provisioning"
)

// eventsDir is the repository's events/ folder.
const eventsDir = "../../events"

// demoData is a data directory as make dev leaves it after its first
// start: seeded, with the demo customer's VPS bought and running.
func demoData(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	// The purchase goes through the simulated checkout, which calls the
	// stack over HTTP: its address is known before it opens.
	srv := httptest.NewUnstartedServer(nil)
	st, err := stack.Open(context.Background(), stack.Options{BaseURL: "http://" + srv.Listener.Addr().String(), DataDir: dir,
		Log: slog.New(slog.DiscardHandler), DemoPurchase: true})
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = st.Handler()
	srv.Start()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { st.Run(ctx); close(done) }()
	defer func() { cancel(); <-done; srv.Close() }()
	deadline := time.Now().Add(60 * time.Second)
	for {
		u, err := dynamo.NewAccounts(st.Platform.Table).GetUserByEmail(ctx, st.DemoCustomer.Email)
		if err != nil {
			t.Fatal(err)
		}
		svcs, _ := st.Platform.Provisioning.Services(ctx, u.ID, false)
		if len(svcs) > 0 && svcs[0].Status == provisioning.StatusActive {
			return dir
		}
		if time.Now().After(deadline) {
			t.Fatalf("the demo purchase did not become an active service: %+v", svcs)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestEveryEventIsAccepted runs every events/<function>/<case>.json with
// its function's real handler, as make invoke does, and checks the
// function took it: an HTTP request answered 2xx, a queue batch with no
// failed item, a task or schedule without an error.
func TestEveryEventIsAccepted(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(eventsDir, "*", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no event files under %s (%v)", eventsDir, err)
	}
	covered := map[string]bool{}
	for _, f := range files {
		covered[filepath.Base(filepath.Dir(f))] = true
	}
	for _, fn := range invoke.Functions {
		if !covered[fn] {
			t.Errorf("events/%s/ has no event: every function needs at least one", fn)
		}
	}
	for fn := range covered {
		if !slices.Contains(invoke.Functions, fn) {
			t.Errorf("events/%s/ names no function (functions: %v)", fn, invoke.Functions)
		}
	}
	for _, f := range files {
		raw, _ := os.ReadFile(f)
		var doc any
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatalf("%s is not JSON: %v", f, err)
		}
		for _, name := range invoke.Names(doc) {
			if _, ok := invoke.Placeholders[name]; !ok {
				t.Errorf("%s uses {{%s}}, which invoke.Placeholders (and docs/invoke.md) do not name", f, name)
			}
		}
	}
	dir := demoData(t)
	for _, f := range files {
		fn := filepath.Base(filepath.Dir(f))
		t.Run(fn+"/"+strings.TrimSuffix(filepath.Base(f), ".json"), func(t *testing.T) {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var logs bytes.Buffer
			res, err := invoke.Run(context.Background(), invoke.Options{DataDir: dir, Function: fn, Event: raw, Log: &logs, Timeout: time.Minute})
			if err != nil {
				t.Fatalf("not run: %v\n%s", err, logs.String())
			}
			if res.Error != nil {
				t.Fatalf("the function failed: %s: %s\n%s", res.Error.Type, res.Error.Message, logs.String())
			}
			accepted(t, fn, res, logs.String())
		})
	}
}

func accepted(t *testing.T, fn string, res *invoke.Result, logs string) {
	t.Helper()
	if slices.Contains(invoke.HTTP, fn) {
		var r events.APIGatewayV2HTTPResponse
		if err := json.Unmarshal(res.Response, &r); err != nil {
			t.Fatal(err)
		}
		if r.StatusCode < 200 || r.StatusCode > 299 {
			t.Fatalf("answered %d: %s\n%s", r.StatusCode, r.Body, logs)
		}
		return
	}
	var batch events.SQSEventResponse
	if json.Unmarshal(res.Response, &batch) == nil && len(batch.BatchItemFailures) > 0 {
		t.Fatalf("failed items %v\n%s", batch.BatchItemFailures, logs)
	}
	if fn == "panel-worker" {
		if len(res.Answers) != 1 || res.Answers[0].Error != "" {
			t.Fatalf("the panel call's answer = %+v\n%s", res.Answers, logs)
		}
	}
	// A workflow task or panel call logs under the request id of the
	// execution's cause (its "trace"), so one search finds them all.
	if trace := traceOf(res.Event); trace != "" && !strings.Contains(logs, `"request_id":"`+trace+`"`) {
		t.Fatalf("nothing logged under the trace %s:\n%s", trace, logs)
	}
	if fn == "notifier" && strings.Contains(logs, "notification not done") {
		t.Fatalf("a notification was not delivered:\n%s", logs)
	}
}

func TestBadInvocations(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ name, fn, event, want string }{
		{"unknown function", "billing", `{}`, `no function named "billing"`},
		{"not JSON", "outbox", `{"sweep":`, "the event is not JSON"},
		{"unknown placeholder", "catalog", `{"rawPath":"/v1/plans/{{plan.nope}}"}`, "{{plan.nope}}: unknown placeholder"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := invoke.Run(context.Background(), invoke.Options{DataDir: dir, Function: tc.fn, Event: []byte(tc.event), Log: io.Discard})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
	// A data directory make dev holds is refused, not shared.
	release, err := stack.Lock(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	_, err = invoke.Run(context.Background(), invoke.Options{DataDir: dir, Function: "outbox", Event: []byte(`{}`), Log: io.Discard})
	if err == nil || !strings.Contains(err.Error(), "in use by another process") {
		t.Fatalf("err = %v, want the data directory refused", err)
	}
}

// traceOf is a task input's "trace", or that of a queue batch's first
// message body.
func traceOf(event []byte) string {
	var ev struct {
		Trace   string `json:"trace"`
		Records []struct {
			Body string `json:"body"`
		} `json:"Records"`
	}
	_ = json.Unmarshal(event, &ev)
	if ev.Trace == "" && len(ev.Records) > 0 {
		var body struct {
			Trace string `json:"trace"`
		}
		_ = json.Unmarshal([]byte(ev.Records[0].Body), &body)
		return body.Trace
	}
	return ev.Trace
}
