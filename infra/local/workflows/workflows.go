// Package workflows runs the platform's state machines in process for the
// local stack: the deployed statemachines/*.asl.json files on the asl
// runner, with Task states dispatched to the same step handlers the
// Lambda functions use, and the panel queue served by worker goroutines
// that answer through task tokens.
package workflows

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"sync"

	"github.com/ezscale/platform/infra/local/asl"
	"github.com/ezscale/platform/shared/domain/dunning"
	"github.com/ezscale/platform/shared/domain/provisioning"
	"github.com/ezscale/platform/shared/platform/logging"
)

// Local resource names substituted into the definitions.
const (
	provisionTask = "arn:local:lambda:provision-task"
	dunningTask   = "arn:local:lambda:dunning-task"
	panelQueue    = "local:panel-queue"
	sqsWait       = "arn:aws:states:::sqs:sendMessage.waitForTaskToken"
	lambdaWait    = "arn:aws:states:::lambda:invoke.waitForTaskToken"
)

// Local is the in-process Step Functions + panel queue.
type Local struct {
	Runner *asl.Runner
	// Dunning runs the dunning workflow's tasks (nil: its tasks fail).
	Dunning *dunning.Runner
	steps   provisioning.Steps
	worker  *provisioning.Worker
	queue   chan provisioning.WorkMessage
	log     *slog.Logger
}

// Load reads the definitions from defs (statemachines.FS); worker serves
// the panel queue and its steps the task states.
func Load(defs fs.FS, worker *provisioning.Worker, log *slog.Logger) (*Local, error) {
	def, err := fs.ReadFile(defs, "provisioning.asl.json")
	if err != nil {
		return nil, err
	}
	m, err := asl.Load(def, map[string]string{"ProvisionTaskArn": provisionTask, "PanelQueueUrl": panelQueue})
	if err != nil {
		return nil, fmt.Errorf("provisioning.asl.json: %w", err)
	}
	def, err = fs.ReadFile(defs, "dunning.asl.json")
	if err != nil {
		return nil, err
	}
	dm, err := asl.Load(def, map[string]string{"DunningTaskArn": dunningTask})
	if err != nil {
		return nil, fmt.Errorf("dunning.asl.json: %w", err)
	}
	l := &Local{steps: worker.Steps, worker: worker, queue: make(chan provisioning.WorkMessage, 1024), log: log}
	l.Runner = asl.NewRunner(map[string]*asl.Machine{"provisioning": m, "dunning": dm}, l)
	return l, nil
}

// Invoke implements asl.Tasks.
func (l *Local) Invoke(ctx context.Context, resource string, input any, token string) (any, error) {
	in, _ := input.(map[string]any)
	task := in
	if payload, ok := in["Payload"].(map[string]any); ok {
		task = payload
	}
	ctx = traced(ctx, task)
	if resource != sqsWait {
		l.log.InfoContext(ctx, "workflow task", "action", task["action"]) // as entries' task handlers log
	}
	switch resource {
	case dunningTask:
		if l.Dunning == nil {
			return nil, &asl.TaskError{Name: "States.Runtime", Cause: "dunning tasks are not wired"}
		}
		out, err := l.Dunning.Task(ctx, in)
		if te, ok := err.(*dunning.TaskError); ok {
			return nil, &asl.TaskError{Name: te.Name, Cause: te.Cause}
		}
		return out, err
	case provisionTask:
		out, err := l.steps.Task(ctx, in)
		if se, ok := err.(*provisioning.StepError); ok {
			return nil, &asl.TaskError{Name: se.Name, Cause: se.Cause}
		}
		return out, err
	case lambdaWait:
		// The function records the token; a person answers it later.
		payload, _ := in["Payload"].(map[string]any)
		if _, err := l.steps.Task(ctx, payload); err != nil {
			if se, ok := err.(*provisioning.StepError); ok {
				return nil, &asl.TaskError{Name: se.Name, Cause: se.Cause}
			}
			return nil, err
		}
		return nil, nil
	case sqsWait:
		body, _ := in["MessageBody"].(map[string]any)
		msg := provisioning.WorkMessage{Action: fmt.Sprint(body["action"]), ServiceID: fmt.Sprint(body["service_id"]), Panel: fmt.Sprint(body["panel"]),
			TaskToken: fmt.Sprint(body["task_token"])}
		msg.Trace, _ = body["trace"].(string)
		select {
		case l.queue <- msg:
			return nil, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return nil, &asl.TaskError{Name: "States.Runtime", Cause: "no local handler for " + resource}
}

// Run serves the panel queue until ctx ends: every message gets its own
// goroutine, which waits for a slot of its panel (the worker's per-panel
// limit), so a slow panel never holds up another's messages.
func (l *Local) Run(ctx context.Context) {
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		select {
		case <-ctx.Done():
			return
		case msg := <-l.queue:
			wg.Go(func() {
				out, serr := l.worker.Handle(ctx, msg)
				var err error
				if serr != nil {
					err = l.Runner.SendTaskFailure(msg.TaskToken, serr.Name, serr.Cause)
				} else {
					err = l.Runner.SendTaskSuccess(msg.TaskToken, out)
				}
				if err != nil {
					l.log.WarnContext(ctx, "panel worker answer not taken", "service", msg.ServiceID, "err", err.Error())
				}
			})
		}
	}
}

// StartProvisioning starts the order's provisioning once (the execution is
// named after the order).
func (l *Local) StartProvisioning(ctx context.Context, orderID string) (*asl.Execution, bool, error) {
	return l.Start(ctx, orderID, "provision-"+orderID)
}

// Start runs provisioning for the order under an execution name (a staff
// retry has its own). As sfnflows does, the input carries the request id
// in ctx as "trace".
func (l *Local) Start(ctx context.Context, orderID, name string) (*asl.Execution, bool, error) {
	return l.Runner.Start("provisioning", name, map[string]any{"order_id": orderID, "trace": logging.RequestID(ctx)})
}

// StartDunning runs dunning for an unpaid renewal under its execution
// name (one per invoice: a repeat is the same execution, even when it
// reports the case a little differently — as sfnflows treats Step
// Functions' ExecutionAlreadyExists).
func (l *Local) StartDunning(ctx context.Context, name string, u dunning.Unpaid) error {
	_, _, err := l.Runner.Start("dunning", name, map[string]any{"case": u, "trace": logging.RequestID(ctx)})
	if errors.Is(err, asl.ErrExecutionExists) {
		return nil
	}
	return err
}

// Tokens answer waiting tasks (staff's hardware choice).
func (l *Local) Tokens() provisioning.Tokens { return tokens{l.Runner} }

type tokens struct{ r *asl.Runner }

func (t tokens) Succeed(_ context.Context, token string, output any) error {
	return t.r.SendTaskSuccess(token, output)
}

func (t tokens) Fail(_ context.Context, token, name, cause string) error {
	return t.r.SendTaskFailure(token, name, cause)
}

// Close stops the executions.
func (l *Local) Close() { l.Runner.Close() }

// traced is ctx under a task's "trace", as entries' task handlers do.
func traced(ctx context.Context, in map[string]any) context.Context {
	if t, _ := in["trace"].(string); t != "" {
		return logging.WithRequestID(ctx, t)
	}
	return ctx
}
