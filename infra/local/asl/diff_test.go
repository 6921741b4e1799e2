package asl_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ezscale/platform/infra/local/asl"
)

// stepTasks answers every task from a plan keyed by the "step" its
// Parameters carry (the oracle keys the same plan by state name); waiting
// tasks are answered at once through the token.
type stepTasks struct {
	mu     sync.Mutex
	r      *asl.Runner
	plan   map[string][]string
	calls  map[string]int
	closed bool
}

func (s *stepTasks) Invoke(ctx context.Context, resource string, input any, token string) (any, error) {
	in := input.(map[string]any)
	step, _ := in["step"].(string)
	if step == "" { // the deployed definitions: keyed by their action
		step, _ = in["action"].(string)
		if body, ok := in["MessageBody"].(map[string]any); ok {
			step, _ = body["action"].(string)
		}
		if payload, ok := in["Payload"].(map[string]any); ok { // lambda:invoke
			step, _ = payload["action"].(string)
			if payload["reminder"] == true {
				step += "_again"
			}
		}
	}
	s.mu.Lock()
	outs := s.plan[step]
	n := s.calls[step]
	s.calls[step]++
	s.mu.Unlock()
	if len(outs) == 0 {
		panic("no scripted answer for step " + step)
	}
	out := outs[min(n, len(outs)-1)]
	var result any
	var fail *asl.TaskError
	if name, ok := strings.CutPrefix(out, "fail:"); ok {
		fail = &asl.TaskError{Name: name, Cause: "scripted"}
	} else if err := json.Unmarshal([]byte(out), &result); err != nil {
		panic(err)
	}
	if token == "" {
		if fail != nil {
			return nil, fail
		}
		return result, nil
	}
	go func() { // the worker answering through the token
		if fail != nil {
			_ = s.r.SendTaskFailure(token, fail.Name, fail.Cause)
		} else {
			_ = s.r.SendTaskSuccess(token, result)
		}
	}()
	return nil, nil
}

type outcome struct {
	Status string   `json:"status"`
	Output any      `json:"output"`
	Error  string   `json:"error"`
	Path   []string `json:"path"`
}

func oracle(t *testing.T, def json.RawMessage, input any, plan map[string][]string) outcome {
	t.Helper()
	modules, _ := filepath.Abs("../../../web/node_modules")
	if _, err := os.Stat(filepath.Join(modules, "aws-local-stepfunctions")); err != nil {
		t.Fatalf("the oracle needs web/node_modules/aws-local-stepfunctions (cd web && npm ci): %v", err)
	}
	body, _ := json.Marshal(map[string]any{"definition": def, "input": input, "plan": plan})
	cmd := exec.Command("node", "testdata/oracle.mjs")
	cmd.Env = append(os.Environ(), "ASL_NODE_MODULES="+modules)
	cmd.Stdin = bytes.NewReader(body)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("oracle: %v: %s", err, stderr.String())
	}
	var o outcome
	if err := json.Unmarshal(out, &o); err != nil {
		t.Fatalf("oracle output %q: %v", out, err)
	}
	return o
}

func ours(t *testing.T, def json.RawMessage, input any, plan map[string][]string) outcome {
	t.Helper()
	m, err := asl.Load(def, deployed)
	if err != nil {
		t.Fatal(err)
	}
	tasks := &stepTasks{plan: plan, calls: map[string]int{}}
	r := asl.NewRunner(map[string]*asl.Machine{"m": m}, tasks)
	tasks.r = r
	r.Sleep = func(context.Context, time.Duration) error { return nil }
	defer r.Close()
	e, _, err := r.Start("m", "exec-1", input)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	got, err := r.Wait(ctx, e)
	if err != nil {
		t.Fatal(err)
	}
	o := outcome{Status: got.Status, Error: got.Error, Path: got.Path}
	if got.Status == asl.Succeeded {
		o.Output = got.Output
	}
	return o
}

// deployed substitutes the definitions' placeholders in both runs.
var deployed = map[string]string{"ProvisionTaskArn": "arn:aws:lambda:us-east-1:123456789012:function:provision-task", "PanelQueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/panel",
	"DunningTaskArn": "arn:aws:lambda:us-east-1:123456789012:function:dunning-task"}

// deployedDefinition reads a deployed definition with its placeholders
// filled as in both runs.
func deployedDefinition(t *testing.T, file string) json.RawMessage {
	t.Helper()
	raw, err := os.ReadFile("../../../statemachines/" + file)
	if err != nil {
		t.Fatal(err)
	}
	s := string(raw)
	for k, v := range deployed {
		s = strings.ReplaceAll(s, "${"+k+"}", v)
	}
	return json.RawMessage(s)
}

// The deployed dunning workflow: our runner and the oracle agree on every
// path — paid before the first reminder, reminded and suspended then paid,
// never paid and terminated, a step retried after a fault, and input the
// task cannot read (no retry: the execution fails for staff to see).
func TestDifferentialDunningDefinition(t *testing.T) {
	def := deployedDefinition(t, "dunning.asl.json")
	step := func(day int, action string) string {
		return fmt.Sprintf(`{"done":false,"act":true,"wait":0,"step":{"day":%d,"action":%q}}`, day, action)
	}
	wait := func(sec int) string {
		return fmt.Sprintf(`{"done":false,"act":false,"wait":%d,"until":%q}`, sec, time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC).Add(time.Duration(sec)*time.Second).Format(time.RFC3339))
	}
	done := `{"done":true,"act":false,"wait":0}`
	cases := map[string]map[string][]string{
		"PaidBeforeFirstReminder": {"Decide": {wait(86400), done}},
		"RemindedSuspendedPaid":   {"Decide": {step(1, "reminder"), wait(86400), step(7, "suspend"), wait(86400), done}, "Act": {`{}`}},
		"NeverPaidTerminated": {"Decide": {step(1, "reminder"), step(7, "suspend"), step(27, "final_warning"), step(30, "terminate"), done},
			"Act": {`{}`}},
		"StepRetriedAfterAFault": {"Decide": {step(7, "suspend"), done}, "Act": {"fail:Panel.Transient", `{}`}},
		"UnreadableInput":        {"Decide": {"fail:Dunning.Invalid"}},
	}
	for name, plan := range cases {
		t.Run(name, func(t *testing.T) {
			byAction := map[string][]string{"decide": plan["Decide"], "act": plan["Act"]}
			input := map[string]any{"case": map[string]any{"order_id": "ord_1", "gateway": "stripe", "invoice_id": "in_1", "due": "2026-12-01T00:00:00Z"}, "trace": "req_1"}
			want := oracle(t, def, input, plan)
			got := ours(t, def, input, byAction)
			if js(got) != js(want) {
				t.Fatalf("ours   %s\noracle %s", js(got), js(want))
			}
		})
	}
}

// The deployed provisioning workflow: our runner and the oracle agree on
// every path (plans keyed by state name for the oracle, by action for us).
func TestDifferentialProvisioningDefinition(t *testing.T) {
	def := deployedDefinition(t, "provisioning.asl.json")
	actions := map[string]string{"RecordService": "record_service", "ChooseHardware": "hardware", "AwaitStaff": "await_staff", "AwaitStaffAgain": "await_staff_again", "CreateAtPanel": "create", "CheckBuild": "status", "IssueCredentials": "credentials", "Activate": "activate", "MarkFailed": "mark_failed", "RecordFailed": "record_failed"}
	cases := map[string]map[string][]string{
		"Success": {"RecordService": {`{"service_id":"svc_1","panel":"virtfusion"}`}, "CreateAtPanel": {`{"panel_id":"7","state":"building"}`},
			"CheckBuild": {`{"state":"building","polls":1}`, `{"state":"running","polls":2,"ips":["203.0.113.9"]}`}, "IssueCredentials": {`{"issued":true}`},
			"Activate": {`{"status":"active"}`}},
		"TransientCreate": {"RecordService": {`{"service_id":"svc_1","panel":"virtfusion"}`}, "CreateAtPanel": {"fail:Panel.Transient", `{"panel_id":"7"}`},
			"CheckBuild": {`{"state":"running","polls":1}`}, "IssueCredentials": {"fail:Panel.Transient", `{"issued":true}`}, "Activate": {`{}`}},
		"CredentialsRefused": {"RecordService": {`{"service_id":"svc_1","panel":"virtfusion"}`}, "CreateAtPanel": {`{"panel_id":"7"}`}, "CheckBuild": {`{"state":"running","polls":1}`},
			"IssueCredentials": {"fail:Panel.Rejected"}, "MarkFailed": {`{}`}},
		"Rejected":    {"RecordService": {`{"service_id":"svc_1","panel":"virtfusion"}`}, "CreateAtPanel": {"fail:Panel.Rejected"}, "MarkFailed": {`{}`}},
		"BuildFailed": {"RecordService": {`{"service_id":"svc_1","panel":"virtfusion"}`}, "CreateAtPanel": {`{"panel_id":"7"}`}, "CheckBuild": {`{"state":"failed","polls":1}`}, "MarkFailed": {`{}`}},
		"Stuck":       {"RecordService": {`{"service_id":"svc_1","panel":"virtfusion"}`}, "CreateAtPanel": {`{"panel_id":"7"}`}, "CheckBuild": {`{"state":"building","polls":119}`, `{"state":"building","polls":120}`}, "MarkFailed": {`{}`}},
		"NotRecorded": {"RecordService": {"fail:Provisioning.Invalid"}, "RecordFailed": {`{}`}},
		"NoTrace":     {"RecordService": {`{"service_id":"svc_1","panel":"virtfusion"}`}},
		"StaffAssigns": {"RecordService": {`{"service_id":"svc_1","panel":"synergycp"}`}, "ChooseHardware": {`{"decision":"staff"}`},
			"AwaitStaff": {`{"hardware":"chosen"}`}, "CreateAtPanel": {`{"panel_id":"7"}`}, "CheckBuild": {`{"state":"running","polls":1}`},
			"IssueCredentials": {`{"issued":true}`}, "Activate": {`{}`}},
		"StaffHasNone": {"RecordService": {`{"service_id":"svc_1","panel":"synergycp"}`}, "ChooseHardware": {`{"decision":"staff"}`},
			"AwaitStaff": {"fail:Hardware.Unavailable"}, "MarkFailed": {`{}`}},
		"HardwareLookupFails": {"RecordService": {`{"service_id":"svc_1","panel":"synergycp"}`}, "ChooseHardware": {"fail:Panel.Transient", "fail:Panel.Malformed"}, "MarkFailed": {`{}`}},
		"StaffAnswerTimesOut": {"RecordService": {`{"service_id":"svc_1","panel":"synergycp"}`}, "ChooseHardware": {`{"decision":"staff"}`},
			"AwaitStaff": {"fail:States.Timeout"}, "AwaitStaffAgain": {`{"hardware":"chosen"}`}, "CreateAtPanel": {`{"panel_id":"7"}`},
			"CheckBuild": {`{"state":"running","polls":1}`}, "IssueCredentials": {`{"issued":true}`}, "Activate": {`{}`}},
	}
	for name, plan := range cases {
		if _, ok := plan["ChooseHardware"]; !ok && name != "NotRecorded" && name != "NoTrace" {
			plan["ChooseHardware"] = []string{`{"decision":"not_needed"}`}
		}
	}
	for name, plan := range cases {
		t.Run(name, func(t *testing.T) {
			byAction := map[string][]string{}
			for st, outs := range plan {
				byAction[actions[st]] = outs
			}
			input := map[string]any{"order_id": "ord_1", "trace": "req_1"}
			if name == "NoTrace" {
				// An input without "trace" fails at the first task's
				// parameters, uncaught: States.ALL does not catch States.Runtime.
				delete(input, "trace")
			}
			want := oracle(t, def, input, plan)
			got := ours(t, def, input, byAction)
			if js(got) != js(want) {
				t.Fatalf("ours   %s\noracle %s", js(got), js(want))
			}
		})
	}
}

// The same definitions and inputs through our runner and through
// aws-local-stepfunctions: the same states entered, the same outcome.
func TestDifferentialAgainstAWSLocalStepFunctions(t *testing.T) {
	lambda := func(step string) string {
		return `"Resource":"arn:aws:lambda:us-east-1:123456789012:function:tasks","Parameters":{"step":"` + step + `","in.$":"$"}`
	}
	waiting := func(step string) string {
		return `"Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken","Parameters":{"step":"` + step + `","QueueUrl":"q","MessageBody":{"token.$":"$$.Task.Token","order.$":"$.order_id"}}`
	}
	cases := []struct {
		name  string
		def   string
		input any
		plan  map[string][]string
	}{
		{"PassesAndPaths", `{"StartAt":"A","States":{
			"A":{"Type":"Pass","Parameters":{"id.$":"$.order_id","k":[1,{"n":"x"}]},"ResultPath":"$.a","Next":"B"},
			"B":{"Type":"Pass","Result":{"deep":{"v":true}},"ResultPath":"$.a.b","Next":"C"},
			"C":{"Type":"Pass","InputPath":"$.a","OutputPath":"$.b","End":true}}}`, map[string]any{"order_id": "o1"}, nil},
		{"RetryThenSucceed", `{"StartAt":"T","States":{"T":{"Type":"Task",` + lambda("T") + `,"ResultSelector":{"got.$":"$.v"},"ResultPath":"$.t",
			"Retry":[{"ErrorEquals":["Panel.Transient"],"MaxAttempts":3}],"End":true}}}`,
			map[string]any{"x": 1}, map[string][]string{"T": {"fail:Panel.Transient", "fail:Panel.Transient", `{"v":"ok"}`}}},
		{"RetriesExhaustedCaught", `{"StartAt":"T","States":{
			"T":{"Type":"Task",` + lambda("T") + `,"Retry":[{"ErrorEquals":["Panel.Transient"],"MaxAttempts":2}],
				"Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.error","Next":"Mark"}],"Next":"Done"},
			"Mark":{"Type":"Pass","Result":"failed","ResultPath":"$.status","Next":"Stop"},
			"Stop":{"Type":"Fail","Error":"ProvisioningFailed","Cause":"see log"},"Done":{"Type":"Succeed"}}}`,
			map[string]any{"x": 1}, map[string][]string{"T": {"fail:Panel.Transient"}}},
		{"TaskFailedMatchesCustomErrors", `{"StartAt":"T","States":{
			"T":{"Type":"Task",` + lambda("T") + `,"Catch":[{"ErrorEquals":["Other"],"Next":"No"},{"ErrorEquals":["States.TaskFailed"],"ResultPath":"$.e","Next":"Yes"}],"End":true},
			"No":{"Type":"Fail","Error":"wrong catcher"},"Yes":{"Type":"Succeed"}}}`,
			map[string]any{"x": 1}, map[string][]string{"T": {"fail:Panel.Rejected"}}},
		{"PollUntilReady", `{"StartAt":"Create","States":{
			"Create":{"Type":"Task",` + waiting("Create") + `,"ResultPath":"$.panel","Next":"Status"},
			"Status":{"Type":"Task",` + waiting("Status") + `,"ResultPath":"$.status","Next":"Ready?"},
			"Ready?":{"Type":"Choice","Choices":[
				{"Variable":"$.status.state","StringEquals":"running","Next":"Done"},
				{"And":[{"Variable":"$.status.state","StringEquals":"building"},{"Variable":"$.status.polls","NumericGreaterThanEquals":5}],"Next":"TooSlow"},
				{"Not":{"Variable":"$.status.state","StringEquals":"building"},"Next":"Broken"}],"Default":"Wait"},
			"Wait":{"Type":"Wait","Seconds":15,"Next":"Status"},
			"Done":{"Type":"Pass","Parameters":{"service.$":"$.panel.id","ips.$":"$.status.ips"},"End":true},
			"TooSlow":{"Type":"Fail","Error":"BuildTimeout"},"Broken":{"Type":"Fail","Error":"BuildFailed"}}}`,
			map[string]any{"order_id": "o1"}, map[string][]string{"Create": {`{"id":"42"}`},
				"Status": {`{"state":"building","polls":1}`, `{"state":"building","polls":2}`, `{"state":"running","polls":3,"ips":["203.0.113.5"]}`}}},
		{"StuckBuild", `{"StartAt":"Status","States":{
			"Status":{"Type":"Task",` + waiting("Status") + `,"ResultPath":"$.status","Next":"Ready?"},
			"Ready?":{"Type":"Choice","Choices":[{"Variable":"$.status.polls","NumericGreaterThan":2,"Next":"TooSlow"}],"Default":"Wait"},
			"Wait":{"Type":"Wait","SecondsPath":"$.delay","Next":"Status"},"TooSlow":{"Type":"Fail","Error":"BuildTimeout"}}}`,
			map[string]any{"order_id": "o1", "delay": 10}, map[string][]string{"Status": {`{"polls":1}`, `{"polls":2}`, `{"polls":3}`}}},
		{"WaitingTaskFails", `{"StartAt":"Create","States":{"Create":{"Type":"Task",` + waiting("Create") + `,
			"Catch":[{"ErrorEquals":["Panel.Rejected"],"ResultPath":"$.error","Next":"Out"}],"End":true},"Out":{"Type":"Pass","OutputPath":"$.error","End":true}}}`,
			map[string]any{"order_id": "o1"}, map[string][]string{"Create": {"fail:Panel.Rejected"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			def := json.RawMessage(c.def)
			want := oracle(t, def, c.input, c.plan)
			got := ours(t, def, c.input, c.plan)
			if js(got) != js(want) {
				t.Fatalf("ours   %s\noracle %s", js(got), js(want))
			}
		})
	}
}
