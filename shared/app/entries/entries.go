// Package entries holds the Lambda functions' handlers that are more than
// a Platform method, built from a Platform and the function's outside
// parts. functions/*/main.go wire them to AWS; `make invoke`
// (infra/invoke) wires the same handlers to the local stack, so an event
// file exercises the code that is deployed. (The bandwidth and mail
// handlers live in bwsync and mailpoll, so only their functions link
// Elasticsearch's and IMAP's clients.)
package entries

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda/messages"

	"github.com/ezscale/platform/shared/app"
	"github.com/ezscale/platform/shared/domain/dunning"
	"github.com/ezscale/platform/shared/domain/provisioning"
	"github.com/ezscale/platform/shared/platform/logging"
)

// Outbox publishes pending outbox items (a stream batch or the schedule);
// the 5-minute sweep also makes dedicated plans' stock follow the panels,
// and the daily input runs the lifecycle jobs.
func Outbox(p *app.Platform) func(context.Context, json.RawMessage) (map[string]int, error) {
	return func(ctx context.Context, raw json.RawMessage) (map[string]int, error) {
		n, err := p.Outbox.Publish(ctx)
		if err != nil {
			return nil, fmt.Errorf("publish outbox: %w", err)
		}
		p.Log.InfoContext(ctx, "outbox published", "items", n)
		out := map[string]int{"published": n}
		// Stream batches do not sync stock: they come per write.
		var ev struct {
			Sweep bool `json:"sweep"`
			Daily bool `json:"daily"`
		}
		_ = json.Unmarshal(raw, &ev) // a stream batch is not a schedule's input
		if ev.Sweep {
			changed, err := p.Provisioning.SyncStock(ctx, p.Catalog, p.Orders)
			if err != nil {
				p.Log.WarnContext(ctx, "stock sync", "err", err.Error())
			}
			out["stock_changed"] = changed
		}
		// The lifecycle schedule: the dunning backstop, renewal reminders,
		// expiring-card notices, unpaid late fees and ticket auto-close.
		if ev.Daily {
			d, err := p.RunDaily(ctx)
			out["unpaid_renewals"], out["renewal_reminders"], out["card_notices"], out["fee_reminders"] = d.UnpaidRenewals, d.RenewalReminders, d.CardNotices, d.FeeReminders
			out["tickets_closed"] = d.TicketsClosed
			p.Log.InfoContext(ctx, "daily lifecycle run", "unpaid_renewals", d.UnpaidRenewals, "renewal_reminders", d.RenewalReminders,
				"card_notices", d.CardNotices, "fee_reminders", d.FeeReminders, "tickets_closed", d.TicketsClosed, "failed", d.Failed)
			if err != nil {
				return out, err
			}
		}
		return out, nil
	}
}

// ProvisionTask runs the provisioning workflow's task states. A step's
// named error becomes the Lambda error type, which the workflow's Retry
// and Catch match.
func ProvisionTask(p *app.Platform) func(context.Context, map[string]any) (map[string]any, error) {
	steps := provisioning.Steps{Engine: p.Provisioning}
	return func(ctx context.Context, in map[string]any) (map[string]any, error) {
		ctx = traced(ctx, p, in)
		out, err := steps.Task(ctx, in)
		if se, ok := errors.AsType[*provisioning.StepError](err); ok {
			return nil, messages.InvokeResponse_Error{Type: se.Name, Message: se.Cause}
		}
		return out, err
	}
}

// DunningTask runs the dunning workflow's task states, its named errors
// typed as ProvisionTask's are.
func DunningTask(p *app.Platform) func(context.Context, map[string]any) (map[string]any, error) {
	return func(ctx context.Context, in map[string]any) (map[string]any, error) {
		ctx = traced(ctx, p, in)
		out, err := p.DunningTasks.Task(ctx, in)
		if te, ok := errors.AsType[*dunning.TaskError](err); ok {
			return nil, messages.InvokeResponse_Error{Type: te.Name, Message: te.Cause}
		}
		return out, err
	}
}

// PanelWorker consumes the panel queue: each message is one panel call a
// workflow waits for, answered through its task token. Messages of one
// batch run concurrently, at most the panel's limit at a time; a message
// whose answer could not be sent is a batch item failure and comes back.
func PanelWorker(p *app.Platform, tokens provisioning.Tokens) func(context.Context, events.SQSEvent) (events.SQSEventResponse, error) {
	// A panel call gets 45 s of the function's 60; the rest is for answering.
	worker := &provisioning.Worker{Steps: provisioning.Steps{Engine: p.Provisioning}, Limits: p.PanelConcurrency, Timeout: 45 * time.Second, Log: p.Log}
	return func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		// Work stops 5 s before the deadline, so even a call still waiting
		// for its panel's slot is answered (a transient failure the
		// workflow retries) instead of being cut off.
		work, cancel := ctx, context.CancelFunc(func() {})
		if d, ok := ctx.Deadline(); ok {
			work, cancel = context.WithDeadline(ctx, d.Add(-5*time.Second))
		}
		defer cancel()
		answer := func(_ context.Context, m provisioning.WorkMessage, out map[string]any, serr *provisioning.StepError) error {
			if serr != nil {
				return tokens.Fail(ctx, m.TaskToken, serr.Name, serr.Cause)
			}
			return tokens.Succeed(ctx, m.TaskToken, out)
		}
		var (
			msgs []provisioning.WorkMessage
			ids  []string
		)
		for _, rec := range ev.Records {
			var msg provisioning.WorkMessage
			if err := json.Unmarshal([]byte(rec.Body), &msg); err != nil || msg.TaskToken == "" {
				// Nobody can be answered: drop it (it would only poison the queue).
				p.Log.ErrorContext(ctx, "unreadable panel message dropped", "message", rec.MessageId)
				continue
			}
			msgs, ids = append(msgs, msg), append(ids, rec.MessageId)
		}
		var resp events.SQSEventResponse
		for _, i := range worker.Batch(work, msgs, answer) {
			p.Log.WarnContext(ctx, "panel answer not sent", "message", ids[i], "service", msgs[i].ServiceID)
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: ids[i]})
		}
		return resp, nil
	}
}

// traced is ctx under the request id the workflow execution was started
// with (its tasks' "trace"), logging the task, so one search by that id
// follows a change from the API through the workflow.
func traced(ctx context.Context, p *app.Platform, in map[string]any) context.Context {
	if t, _ := in["trace"].(string); t != "" {
		ctx = logging.WithRequestID(ctx, t)
	}
	p.Log.InfoContext(ctx, "workflow task", "action", in["action"])
	return ctx
}
