package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/ezscale/platform/shared/domain/notify"
)

// Delayer postpones a received SQS message (sqsqueue.Queue does).
type Delayer interface {
	Delay(ctx context.Context, receiptHandle string, seconds int32) error
}

// NotifierHandler consumes the notification queue. It reports partial batch
// failures, so one bad message never holds up the others, and turns a
// worker's RetryLater into a visibility delay — the backoff between
// attempts. Messages that keep failing reach the DLQ through the queue's
// redrive policy.
func (p *Platform) NotifierHandler(q Delayer) func(context.Context, events.SQSEvent) (events.SQSEventResponse, error) {
	return func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		var resp events.SQSEventResponse
		for _, rec := range ev.Records {
			err := p.NotifyWorker.Deliver(ctx, rec.Body)
			if err == nil {
				continue
			}
			p.Log.WarnContext(ctx, "notification not done", "id", rec.Body, "message_id", rec.MessageId, "err", err.Error())
			if rl, ok := errors.AsType[*notify.RetryLater](err); ok && rl.Delay > 0 && q != nil {
				secs := int32(math.Ceil(rl.Delay.Seconds()))
				if derr := q.Delay(ctx, rec.ReceiptHandle, secs); derr != nil {
					p.Log.WarnContext(ctx, "could not delay redelivery", "err", derr.Error())
				}
			}
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: rec.MessageId})
		}
		return resp, nil
	}
}

// NotifierEntry is the notifier function's handler: SQS batches are
// delivered; SNS events (the ops topic's CloudWatch alarms) become Discord
// alerts; any other event (the schedule) runs the sweep that re-queues
// pending notifications older than five minutes.
func (p *Platform) NotifierEntry(q Delayer) func(context.Context, json.RawMessage) (any, error) {
	deliver := p.NotifierHandler(q)
	return func(ctx context.Context, raw json.RawMessage) (any, error) {
		var probe struct {
			Records json.RawMessage `json:"Records"`
		}
		_ = json.Unmarshal(raw, &probe)
		var sources []struct {
			EventSource string `json:"EventSource"` // SNS spells it so; SQS eventSource (decoding ignores case)
		}
		if json.Unmarshal(probe.Records, &sources) == nil && len(sources) > 0 && sources[0].EventSource == "aws:sns" {
			var ev events.SNSEvent
			if err := json.Unmarshal(raw, &ev); err != nil {
				return nil, fmt.Errorf("decode SNS event: %w", err)
			}
			return p.forwardAlarms(ctx, ev)
		}
		if len(probe.Records) > 0 {
			// A batch that does not decode is an error, not a schedule:
			// answered as a sweep, its messages would be deleted unsent.
			var ev events.SQSEvent
			if err := json.Unmarshal(raw, &ev); err != nil {
				return nil, fmt.Errorf("decode SQS batch: %w", err)
			}
			return deliver(ctx, ev)
		}
		n, err := p.Notify.Sweep(ctx, 5*time.Minute)
		if err != nil {
			return nil, fmt.Errorf("sweep notifications: %w", err)
		}
		p.Log.InfoContext(ctx, "notification sweep", "requeued", n)
		return map[string]int{"requeued": n}, nil
	}
}

// cloudWatchAlarm is an alarm's SNS message, as far as the alert shows it.
type cloudWatchAlarm struct {
	AlarmName        string
	AlarmDescription string
	NewStateValue    string
	NewStateReason   string
}

// forwardAlarms sends the deployment's CloudWatch alarms (the ops topic)
// to Discord, where staff see the platform's own alerts. The SNS message
// id is the notification's key, so a redelivered event alerts once.
func (p *Platform) forwardAlarms(ctx context.Context, ev events.SNSEvent) (map[string]int, error) {
	for _, rec := range ev.Records {
		var a cloudWatchAlarm
		if err := json.Unmarshal([]byte(rec.SNS.Message), &a); err != nil || a.AlarmName == "" {
			// Not an alarm (a message published by hand): shown as it is.
			a = cloudWatchAlarm{AlarmName: rec.SNS.Subject, NewStateValue: "NOTICE", NewStateReason: rec.SNS.Message}
			if a.AlarmName == "" {
				a.AlarmName = "message to the ops topic"
			}
		}
		data := map[string]any{"alarm": a.AlarmName, "state": a.NewStateValue, "reason": a.NewStateReason, "stage": p.Config.Stage}
		if a.AlarmDescription != "" {
			data["description"] = a.AlarmDescription // the Discord adapter clips long fields
		}
		if _, err := p.Notify.Send(ctx, notify.Request{Kind: notify.AlertOpsAlarm, Key: "ops-alarm:" + rec.SNS.MessageID, Data: data}); err != nil {
			return nil, fmt.Errorf("alarm %s to Discord: %w", a.AlarmName, err)
		}
		p.Log.WarnContext(ctx, "alarm forwarded to Discord", "alarm", a.AlarmName, "state", a.NewStateValue)
	}
	return map[string]int{"alarms": len(ev.Records)}, nil
}
