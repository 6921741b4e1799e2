// Package sfnflows is the AWS side of the workflows: starting executions
// with names derived from what they are for, and answering task tokens
// from the panel worker.
package sfnflows

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/ezscale/platform/shared/platform/logging"
)

// API is the part of Step Functions used.
type API interface {
	StartExecution(ctx context.Context, in *sfn.StartExecutionInput, opts ...func(*sfn.Options)) (*sfn.StartExecutionOutput, error)
	SendTaskSuccess(ctx context.Context, in *sfn.SendTaskSuccessInput, opts ...func(*sfn.Options)) (*sfn.SendTaskSuccessOutput, error)
	SendTaskFailure(ctx context.Context, in *sfn.SendTaskFailureInput, opts ...func(*sfn.Options)) (*sfn.SendTaskFailureOutput, error)
}

// Flows starts and answers executions of one state machine.
type Flows struct {
	API          API
	StateMachine string // ARN
}

// Start runs the provisioning of orderID under name. A name already used
// is success: Step Functions keeps names unique, which is what makes a
// repeated start a no-op.
func (f Flows) Start(ctx context.Context, orderID, name string) error {
	return f.StartWith(ctx, name, map[string]any{"order_id": orderID})
}

// StartWith runs the state machine under name with input (JSON); a name
// already used is success, as for Start. The input gets "trace", the
// request id in ctx (possibly empty, but always there: every task state
// reads $$.Execution.Input.trace), so the tasks and the panel worker log
// under the id of the request that caused the execution.
func (f Flows) StartWith(ctx context.Context, name string, input map[string]any) error {
	input = maps.Clone(input)
	input["trace"] = logging.RequestID(ctx)
	b, err := json.Marshal(input)
	if err != nil {
		return fmt.Errorf("start %s: %w", name, err)
	}
	_, err = f.API.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(f.StateMachine), Name: aws.String(name), Input: aws.String(string(b))})
	var exists *types.ExecutionAlreadyExists
	if errors.As(err, &exists) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("start %s: %w", name, err)
	}
	return nil
}

// gone reports an answer to a token nobody waits for any more (the task
// timed out, or a redelivered message was answered before): not an error
// for the worker.
func gone(err error) bool {
	var timedOut *types.TaskTimedOut
	var invalid *types.InvalidToken
	var missing *types.TaskDoesNotExist
	return errors.As(err, &timedOut) || errors.As(err, &invalid) || errors.As(err, &missing)
}

// Succeed answers a task token with output.
func (f Flows) Succeed(ctx context.Context, token string, output any) error {
	b, err := json.Marshal(output)
	if err != nil {
		return err
	}
	_, err = f.API.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(token), Output: aws.String(string(b))})
	if err != nil && !gone(err) {
		return fmt.Errorf("send task success: %w", err)
	}
	return nil
}

// Fail answers a task token with a named error.
func (f Flows) Fail(ctx context.Context, token, name, cause string) error {
	if len(cause) > 32768 {
		cause = cause[:32768]
	}
	_, err := f.API.SendTaskFailure(ctx, &sfn.SendTaskFailureInput{TaskToken: aws.String(token), Error: aws.String(name), Cause: aws.String(cause)})
	if err != nil && !gone(err) {
		return fmt.Errorf("send task failure: %w", err)
	}
	return nil
}
