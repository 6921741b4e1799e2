// Command panel-worker consumes the panel queue: each message is one panel
// call the provisioning workflow waits for; the worker answers its task
// token with the result or the named error. Messages of one batch run
// concurrently, at most PANELS' "concurrency" (default 4) per panel at a
// time. A message whose answer could not be sent is reported as a batch
// item failure and comes back.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/ezscale/platform/shared/adapters/kmskeys"
	"github.com/ezscale/platform/shared/adapters/sfnflows"
	"github.com/ezscale/platform/shared/app/lambdaenv"
	"github.com/ezscale/platform/shared/domain/provisioning"
)

func main() {
	env := lambdaenv.MustLoad("panel-worker")
	if env.Config.ProvisioningStateMachine == "" {
		lambdaenv.Must(0, errors.New("PROVISIONING_STATE_MACHINE_ARN is required"))
	}
	ad := lambdaenv.Must(lambdaenv.Adapters(env))
	ad.Keys = lambdaenv.Must(kmskeys.Configured(env.AWS, env.Config.KMSKeyID, env.Config.LocalKeyFile))
	p := env.Platform(ad)
	flows := sfnflows.Flows{API: sfnflows.NewClient(env.AWS), StateMachine: env.Config.ProvisioningStateMachine}
	// A panel call gets 45 s of the function's 60; the rest is for answering.
	worker := &provisioning.Worker{Steps: provisioning.Steps{Engine: p.Provisioning}, Limits: p.PanelConcurrency, Timeout: 45 * time.Second}
	lambda.Start(func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		// Work stops 5 s before the function's deadline, so even a call
		// still waiting for its panel's slot is answered (a transient
		// failure the workflow retries) instead of being cut off.
		work, cancel := ctx, context.CancelFunc(func() {})
		if d, ok := ctx.Deadline(); ok {
			work, cancel = context.WithDeadline(ctx, d.Add(-5*time.Second))
		}
		defer cancel()
		answer := func(_ context.Context, m provisioning.WorkMessage, out map[string]any, serr *provisioning.StepError) error {
			if serr != nil {
				return flows.Fail(ctx, m.TaskToken, serr.Name, serr.Cause)
			}
			return flows.Succeed(ctx, m.TaskToken, out)
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
	})
}
