package asl_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ezscale/platform/infra/local/asl"
)

// script answers tasks from a table: per resource, a list of outcomes in
// call order (the last repeats). "fail:Name" fails with that error name;
// "token" hands the token to the test; anything else is JSON output.
type script struct {
	mu     sync.Mutex
	plan   map[string][]string
	calls  map[string]int
	inputs map[string][]any
	tokens chan string
}

func newScript(plan map[string][]string) *script {
	return &script{plan: plan, calls: map[string]int{}, inputs: map[string][]any{}, tokens: make(chan string, 10)}
}

func (s *script) Invoke(ctx context.Context, resource string, input any, token string) (any, error) {
	s.mu.Lock()
	outs := s.plan[resource]
	n := s.calls[resource]
	s.calls[resource]++
	s.inputs[resource] = append(s.inputs[resource], input)
	s.mu.Unlock()
	if len(outs) == 0 {
		return nil, fmt.Errorf("no plan for %s", resource)
	}
	out := outs[min(n, len(outs)-1)]
	switch {
	case strings.HasPrefix(out, "fail:"):
		return nil, &asl.TaskError{Name: strings.TrimPrefix(out, "fail:"), Cause: "scripted"}
	case out == "token":
		s.tokens <- token
		return nil, nil
	case out == "hang":
		<-ctx.Done()
		return nil, ctx.Err()
	}
	var v any
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		panic(err)
	}
	return v, nil
}

func run(t *testing.T, def string, plan map[string][]string, input any, during func(*asl.Runner, *script)) (asl.Execution, []time.Duration) {
	t.Helper()
	m, err := asl.Load([]byte(def), nil)
	if err != nil {
		t.Fatal(err)
	}
	sc := newScript(plan)
	r := asl.NewRunner(map[string]*asl.Machine{"m": m}, sc)
	var mu sync.Mutex
	var slept []time.Duration
	r.Sleep = func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		slept = append(slept, d)
		mu.Unlock()
		return nil
	}
	defer r.Close()
	e, _, err := r.Start("m", "exec-1", input)
	if err != nil {
		t.Fatal(err)
	}
	if during != nil {
		during(r, sc)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	got, err := r.Wait(ctx, e)
	if err != nil {
		t.Fatal(err)
	}
	return got, slept
}

func js(v any) string { b, _ := json.Marshal(v); return string(b) }

func TestPassPathsAndContext(t *testing.T) {
	def := `{"StartAt":"A","States":{
		"A":{"Type":"Pass","Parameters":{"order.$":"$.order.id","exec.$":"$$.Execution.Name","fixed":{"n":1}},"ResultPath":"$.a","Next":"B"},
		"B":{"Type":"Pass","Result":{"x":2},"ResultPath":"$.b.c","OutputPath":"$.b","Next":"C"},
		"C":{"Type":"Pass","InputPath":"$.c","ResultPath":null,"End":true}}}`
	got, _ := run(t, def, nil, map[string]any{"order": map[string]any{"id": "ord_1"}}, nil)
	if got.Status != asl.Succeeded || js(got.Output) != `{"x":2}` || js(got.Path) != `["A","B","C"]` {
		t.Fatalf("got %s %s %v", got.Status, js(got.Output), got.Path)
	}
}

func TestRetryBackoffThenSuccess(t *testing.T) {
	def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"r","ResultPath":"$.r",
		"Retry":[{"ErrorEquals":["Panel.Transient"],"IntervalSeconds":2,"MaxAttempts":3,"BackoffRate":3}],"End":true}}}`
	got, slept := run(t, def, map[string][]string{"r": {"fail:Panel.Transient", "fail:Panel.Transient", `{"ok":true}`}}, map[string]any{"in": 1}, nil)
	if got.Status != asl.Succeeded || js(got.Output) != `{"in":1,"r":{"ok":true}}` {
		t.Fatalf("got %s %s", got.Status, js(got.Output))
	}
	if js(slept) != js([]time.Duration{2 * time.Second, 6 * time.Second}) {
		t.Fatalf("slept %v, want 2s then 6s", slept)
	}
}

func TestRetriesExhaustedThenCaught(t *testing.T) {
	def := `{"StartAt":"T","States":{
		"T":{"Type":"Task","Resource":"r","Retry":[{"ErrorEquals":["States.TaskFailed"],"MaxAttempts":2}],
			"Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.error","Next":"Failed"}],"Next":"Done"},
		"Done":{"Type":"Succeed"},
		"Failed":{"Type":"Fail","Error":"ProvisioningFailed","Cause":"see the log"}}}`
	got, slept := run(t, def, map[string][]string{"r": {"fail:Panel.Rejected"}}, map[string]any{}, nil)
	if got.Status != asl.Failed || got.Error != "ProvisioningFailed" || js(got.Path) != `["T","Failed"]` || len(slept) != 2 {
		t.Fatalf("got %+v slept %v", got, slept)
	}
}

func TestCatchResultPathKeepsTheInput(t *testing.T) {
	def := `{"StartAt":"T","States":{
		"T":{"Type":"Task","Resource":"r","Catch":[{"ErrorEquals":["Panel.Rejected"],"ResultPath":"$.error","Next":"End"}],"End":true},
		"End":{"Type":"Pass","End":true}}}`
	got, _ := run(t, def, map[string][]string{"r": {"fail:Panel.Rejected"}}, map[string]any{"order_id": "o1"}, nil)
	if js(got.Output) != `{"error":{"Cause":"scripted","Error":"Panel.Rejected"},"order_id":"o1"}` {
		t.Fatalf("output %s", js(got.Output))
	}
}

func TestWaitForTaskToken(t *testing.T) {
	def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",
		"Parameters":{"MessageBody":{"action":"create","token.$":"$$.Task.Token","service.$":"$.service"}},"ResultPath":"$.panel","TimeoutSeconds":5,"End":true}}}`
	got, _ := run(t, def, map[string][]string{"arn:aws:states:::sqs:sendMessage.waitForTaskToken": {"token"}}, map[string]any{"service": "svc_1"},
		func(r *asl.Runner, s *script) {
			token := <-s.tokens
			if err := r.SendTaskHeartbeat(token); err != nil {
				t.Error(err)
			}
			if err := r.SendTaskSuccess(token, map[string]any{"id": "42"}); err != nil {
				t.Error(err)
			}
			if err := r.SendTaskSuccess(token, map[string]any{"id": "43"}); !errors.Is(err, asl.ErrTaskTimedOut) {
				t.Errorf("second answer: %v", err)
			}
		})
	if got.Status != asl.Succeeded || js(got.Output) != `{"panel":{"id":"42"},"service":"svc_1"}` {
		t.Fatalf("got %s %s", got.Status, js(got.Output))
	}
}

func TestTaskTimeoutAndHeartbeat(t *testing.T) {
	for _, c := range []struct {
		name, def, want string
	}{
		{"Timeout", `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"x.waitForTaskToken","TimeoutSeconds":1,
			"Catch":[{"ErrorEquals":["States.Timeout"],"Next":"Late"}],"End":true},"Late":{"Type":"Succeed"}}}`, "Late"},
		{"Heartbeat", `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"x.waitForTaskToken","TimeoutSeconds":60,"HeartbeatSeconds":1,
			"Catch":[{"ErrorEquals":["States.HeartbeatTimeout"],"Next":"Silent"}],"End":true},"Silent":{"Type":"Succeed"}}}`, "Silent"},
		{"PlainTaskTimeout", `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"slow","TimeoutSeconds":1,
			"Catch":[{"ErrorEquals":["States.TaskFailed"],"Next":"Wrong"},{"ErrorEquals":["States.Timeout"],"Next":"Late"}],"End":true},
			"Late":{"Type":"Succeed"},"Wrong":{"Type":"Fail","Error":"x"}}}`, "Late"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, _ := run(t, c.def, map[string][]string{"x.waitForTaskToken": {"token"}, "slow": {"hang"}}, map[string]any{}, nil)
			if got.Status != asl.Succeeded || got.Path[len(got.Path)-1] != c.want {
				t.Fatalf("got %+v", got)
			}
		})
	}
}

func TestChoiceAndWait(t *testing.T) {
	def := `{"StartAt":"Poll","States":{
		"Poll":{"Type":"Task","Resource":"status","ResultPath":"$.status","Next":"Ready?"},
		"Ready?":{"Type":"Choice","Choices":[
			{"Variable":"$.status.state","StringEquals":"running","Next":"Done"},
			{"And":[{"Variable":"$.status.state","StringEquals":"building"},{"Variable":"$.status.polls","NumericGreaterThanEquals":3}],"Next":"TooSlow"},
			{"Not":{"Variable":"$.status.state","StringEquals":"building"},"Next":"Broken"}],
			"Default":"Wait"},
		"Wait":{"Type":"Wait","SecondsPath":"$.delay","Next":"Poll"},
		"Done":{"Type":"Succeed"},"TooSlow":{"Type":"Fail","Error":"BuildTimeout"},"Broken":{"Type":"Fail","Error":"BuildFailed"}}}`
	plan := map[string][]string{"status": {`{"state":"building","polls":1}`, `{"state":"building","polls":2}`, `{"state":"running","polls":3}`}}
	got, slept := run(t, def, plan, map[string]any{"delay": 15}, nil)
	if got.Status != asl.Succeeded || js(got.Path) != `["Poll","Ready?","Wait","Poll","Ready?","Wait","Poll","Ready?","Done"]` || len(slept) != 2 || slept[0] != 15*time.Second {
		t.Fatalf("got %+v slept %v", got, slept)
	}
	plan["status"] = []string{`{"state":"building","polls":3}`}
	if got, _ := run(t, def, plan, map[string]any{"delay": 15}, nil); got.Error != "BuildTimeout" {
		t.Fatalf("stuck build: %+v", got)
	}
	plan["status"] = []string{`{"state":"failed","polls":1}`}
	if got, _ := run(t, def, plan, map[string]any{"delay": 15}, nil); got.Error != "BuildFailed" {
		t.Fatalf("failed build: %+v", got)
	}
	noDefault := `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.x","NumericEquals":1,"Next":"D"}]},"D":{"Type":"Succeed"}}}`
	if got, _ := run(t, noDefault, nil, map[string]any{"x": 2}, nil); got.Error != "States.NoChoiceMatched" {
		t.Fatalf("no match: %+v", got)
	}
}

func TestStartIsIdempotentByName(t *testing.T) {
	m, err := asl.Load([]byte(`{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"x.waitForTaskToken","End":true}}}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	sc := newScript(map[string][]string{"x.waitForTaskToken": {"token"}})
	r := asl.NewRunner(map[string]*asl.Machine{"m": m}, sc)
	defer r.Close()
	in := map[string]any{"order_id": "o1"}
	first, started, err := r.Start("m", "provision-o1", in)
	if err != nil || !started {
		t.Fatal(err)
	}
	again, started, err := r.Start("m", "provision-o1", map[string]any{"order_id": "o1"})
	if err != nil || started || again != first {
		t.Fatalf("second start: %v %v", started, err)
	}
	if _, _, err := r.Start("m", "provision-o1", map[string]any{"order_id": "o2"}); !errors.Is(err, asl.ErrExecutionExists) {
		t.Fatalf("other input: %v", err)
	}
	var token string
	select {
	case token = <-sc.tokens:
	case <-time.After(2 * time.Second):
		t.Fatal("the task never ran")
	}
	// Finish the one execution and wait for its end: the repeated starts
	// made no other (no sleeping in the hope a twin would show itself).
	if err := r.SendTaskSuccess(token, map[string]any{}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	done, err := r.Wait(ctx, first)
	if err != nil || done.Status != "SUCCEEDED" {
		t.Fatalf("execution = %+v, %v", done, err)
	}
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if n := sc.calls["x.waitForTaskToken"]; n != 1 {
		t.Fatalf("the task ran %d times", n)
	}
}

func TestLoadRefusesWhatItDoesNotRun(t *testing.T) {
	cases := map[string]string{
		"Parallel":       `{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[],"End":true}}}`,
		"Map":            `{"StartAt":"M","States":{"M":{"Type":"Map","End":true}}}`,
		"Intrinsic":      `{"StartAt":"A","States":{"A":{"Type":"Pass","Parameters":{"s.$":"States.Format('x{}', $.a)"},"End":true}}}`,
		"FilterPath":     `{"StartAt":"A","States":{"A":{"Type":"Pass","InputPath":"$.items[0]","End":true}}}`,
		"UnknownField":   `{"StartAt":"A","States":{"A":{"Type":"Pass","Resultz":1,"End":true}}}`,
		"MissingNext":    `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"}}}`,
		"NoEnd":          `{"StartAt":"A","States":{"A":{"Type":"Pass"}}}`,
		"BothNextAndEnd": `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"A","End":true}}}`,
		"UnknownStart":   `{"StartAt":"Z","States":{"A":{"Type":"Succeed"}}}`,
		"ChoiceOperator": `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$.a","StringMatches":"x*","Next":"D"}]},"D":{"Type":"Succeed"}}}`,
		"Placeholder":    `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"${Missing}","End":true}}}`,
		"TaskWithResult": `{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"r","Result":{},"End":true}}}`,
		"TwoWaits":       `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":1,"Timestamp":"2026-12-01T00:00:00Z","End":true}}}`,
		"NoWait":         `{"StartAt":"W","States":{"W":{"Type":"Wait","End":true}}}`,
	}
	for name, def := range cases {
		if _, err := asl.Load([]byte(def), nil); err == nil {
			t.Errorf("%s: loaded", name)
		}
	}
	m, err := asl.Load([]byte(`{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"${Fn}","End":true}}}`), map[string]string{"Fn": "arn:x"})
	if err != nil || m.States["A"].Resource != "arn:x" {
		t.Fatalf("substitution: %v", err)
	}
}

// Every supported comparison, true and false, including the *Path forms
// and type mismatches (no match, as in Step Functions).
func TestChoiceComparisons(t *testing.T) {
	input := map[string]any{"s": "running", "n": 3, "b": true, "other": 2, "name": "running", "nil": nil}
	cases := []struct {
		rule string
		want bool
	}{
		{`"Variable":"$.s","StringEquals":"running"`, true},
		{`"Variable":"$.s","StringEquals":"building"`, false},
		{`"Variable":"$.n","StringEquals":"3"`, false},
		{`"Variable":"$.s","StringEqualsPath":"$.name"`, true},
		{`"Variable":"$.b","BooleanEquals":true`, true},
		{`"Variable":"$.s","BooleanEquals":true`, false},
		{`"Variable":"$.n","NumericEquals":3`, true},
		{`"Variable":"$.n","NumericGreaterThan":3`, false},
		{`"Variable":"$.n","NumericGreaterThanPath":"$.other"`, true},
		{`"Variable":"$.n","NumericGreaterThanEquals":3`, true},
		{`"Variable":"$.n","NumericLessThan":3`, false},
		{`"Variable":"$.n","NumericLessThanEquals":3`, true},
		{`"Variable":"$.s","NumericLessThan":9`, false},
		{`"Variable":"$.missing","IsPresent":false`, true},
		{`"Variable":"$.nil","IsNull":true`, true},
		{`"Variable":"$.s","IsNull":true`, false},
	}
	for _, c := range cases {
		def := `{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{` + c.rule + `,"Next":"Yes"}],"Default":"No"},"Yes":{"Type":"Succeed"},"No":{"Type":"Succeed"}}}`
		got, _ := run(t, def, nil, input, nil)
		if (got.Path[len(got.Path)-1] == "Yes") != c.want {
			t.Errorf("%s: path %v, want match %v", c.rule, got.Path, c.want)
		}
	}
}

// A heartbeat the waiting task has not taken yet never pushes out the
// answer that follows it (it once did, under load: the answer was
// dropped and the task timed out).
func TestHeartbeatThenAnswerAtOnce(t *testing.T) {
	def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"x.waitForTaskToken","TimeoutSeconds":5,"HeartbeatSeconds":4,"End":true}}}`
	for i := range 200 {
		got, _ := run(t, def, map[string][]string{"x.waitForTaskToken": {"token"}}, map[string]any{}, func(r *asl.Runner, s *script) {
			token := <-s.tokens
			for range 3 {
				if err := r.SendTaskHeartbeat(token); err != nil {
					t.Error(err)
				}
			}
			if err := r.SendTaskSuccess(token, map[string]any{"n": i}); err != nil {
				t.Error(err)
			}
		})
		if got.Status != asl.Succeeded {
			t.Fatalf("round %d: %+v", i, got)
		}
	}
}

// A Wait on a timestamp waits until that moment by the runner's clock
// (SleepUntil), and a timestamp that is not one fails the execution.
func TestWaitUntilTimestamp(t *testing.T) {
	m, err := asl.Load([]byte(`{"StartAt":"W","States":{"W":{"Type":"Wait","TimestampPath":"$.until","End":true}}}`), nil)
	if err != nil {
		t.Fatal(err)
	}
	r := asl.NewRunner(map[string]*asl.Machine{"m": m}, newScript(nil))
	defer r.Close()
	var until []time.Time
	r.SleepUntil = func(_ context.Context, at time.Time) error { until = append(until, at); return nil }
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for name, in := range map[string]string{"ok": "2026-12-03T09:00:00Z", "bad": "next Tuesday"} {
		e, _, err := r.Start("m", name, map[string]any{"until": in})
		if err != nil {
			t.Fatal(err)
		}
		got, err := r.Wait(ctx, e)
		if err != nil {
			t.Fatal(err)
		}
		if name == "ok" && (got.Status != asl.Succeeded || len(until) != 1 || !until[0].Equal(time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC))) {
			t.Fatalf("waited until %v: %+v", until, got)
		}
		if name == "bad" && got.Error != "States.Runtime" {
			t.Fatalf("a bad timestamp: %+v", got)
		}
	}
}
