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

// The ops topic's CloudWatch alarms reach Discord as alerts, once per SNS
// message however often SNS delivers it.
func TestAlarmsOfTheOpsTopicBecomeDiscordAlerts(t *testing.T) {
	e := newEnv(t)
	h := e.p.NotifierEntry(nil)
	alarm := `{"AlarmName":"ezscale-prod-NotifyDLQAlarm","AlarmDescription":"Notifications reached the dead-letter queue.","NewStateValue":"ALARM",` +
		`"NewStateReason":"Threshold Crossed: 1 datapoint [3.0] was greater than or equal to the threshold (1.0).","OldStateValue":"OK"}`
	ev, _ := json.Marshal(map[string]any{"Records": []any{
		map[string]any{"EventSource": "aws:sns", "EventVersion": "1.0", "Sns": map[string]any{"MessageId": "95df01b4-ee98-5cb9-9903-4c221d41eb5e", "Subject": `ALARM: "ezscale-prod-NotifyDLQAlarm"`, "Message": alarm}},
		map[string]any{"EventSource": "aws:sns", "EventVersion": "1.0", "Sns": map[string]any{"MessageId": "0bd0c5a1-0000-4000-8000-000000000001", "Subject": "Maintenance", "Message": "Panel maintenance tonight"}},
	}})
	for range 2 { // SNS retries a failed invocation: the same messages again
		out, err := h(context.Background(), ev)
		if err != nil {
			t.Fatal(err)
		}
		if m, _ := out.(map[string]int); m["alarms"] != 2 {
			t.Fatalf("out = %v", out)
		}
	}
	for _, tc := range []struct{ id, title, want string }{
		{"ops-alarm:95df01b4-ee98-5cb9-9903-4c221d41eb5e", "AWS alarm", "ezscale-prod-NotifyDLQAlarm"},
		{"ops-alarm:0bd0c5a1-0000-4000-8000-000000000001", "AWS alarm", "Panel maintenance tonight"},
	} {
		m, err := e.p.Notify.Get(context.Background(), tc.id)
		if err != nil {
			t.Fatalf("%s: %v", tc.id, err)
		}
		b, _ := json.Marshal(m.Alert)
		if m.Kind != "alert_ops_alarm" || m.Alert == nil || m.Alert.Title != tc.title || !strings.Contains(string(b), tc.want) {
			t.Fatalf("%s: %s %s", tc.id, m.Kind, b)
		}
	}
	list, _, err := e.p.Notify.List(context.Background(), "", "")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range list {
		if m.Kind == "alert_ops_alarm" {
			n++
		}
	}
	if n != 2 {
		t.Fatalf("%d alarm alerts, want 2 (one per SNS message)", n)
	}
}
