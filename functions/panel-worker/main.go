// Command panel-worker consumes the panel queue: each message is one panel
// call the provisioning workflow waits for; the worker answers its task
// token with the result or the named error. A message whose answer could
// not be sent is reported as a batch item failure and comes back.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/ezscale/platform/shared/app"
	"github.com/ezscale/platform/shared/provisioning"
)

func main() {
	p, _, err := app.FromEnvironment(context.Background(), "panel-worker")
	if err != nil {
		fmt.Fprintln(os.Stderr, "panel-worker: cannot start:", err)
		os.Exit(1)
	}
	if p.Flows == nil {
		fmt.Fprintln(os.Stderr, "panel-worker: PROVISIONING_STATE_MACHINE_ARN is required")
		os.Exit(1)
	}
	steps := provisioning.Steps{Engine: p.Provisioning}
	lambda.Start(func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		var resp events.SQSEventResponse
		for _, rec := range ev.Records {
			var msg provisioning.WorkMessage
			if err := json.Unmarshal([]byte(rec.Body), &msg); err != nil || msg.TaskToken == "" {
				// Nobody can be answered: drop it (it would only poison the queue).
				p.Log.ErrorContext(ctx, "unreadable panel message dropped", "message", rec.MessageId)
				continue
			}
			out, serr := steps.Work(ctx, msg)
			if serr != nil {
				err = p.Flows.Fail(ctx, msg.TaskToken, serr.Name, serr.Cause)
			} else {
				err = p.Flows.Succeed(ctx, msg.TaskToken, out)
			}
			if err != nil {
				p.Log.WarnContext(ctx, "panel answer not sent", "message", rec.MessageId, "err", err.Error())
				resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: rec.MessageId})
			}
		}
		return resp, nil
	})
}
