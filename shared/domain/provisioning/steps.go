package provisioning

import (
	"context"
	"encoding/json"
	"fmt"
)

// Steps adapts the engine to the workflow: Task answers the provision
// task function's actions, Work the panel queue's messages. Both take and
// give plain JSON values, so the Lambda handlers and the local runner
// share them.
type Steps struct{ Engine *Engine }

// WorkMessage is one panel-queue message.
type WorkMessage struct {
	Action    string `json:"action"` // hardware, create, status, credentials
	Panel     string `json:"panel"`  // whose concurrency limit applies
	ServiceID string `json:"service_id"`
	TaskToken string `json:"task_token"`
	// Trace is the request id the execution was started under.
	Trace string `json:"trace,omitempty"`
}

func str(in map[string]any, k string) string { s, _ := in[k].(string); return s }

// Task runs a provision task action.
func (s Steps) Task(ctx context.Context, in map[string]any) (map[string]any, error) {
	e := s.Engine
	switch action := str(in, "action"); action {
	case "record_service":
		svc, err := e.CreateService(ctx, str(in, "order_id"))
		if err != nil {
			return nil, named(err)
		}
		return map[string]any{"service_id": svc.ID, "panel": svc.Panel}, nil
	case "activate":
		var b struct {
			IPs       []string `json:"ips"`
			Addresses []string `json:"addresses"`
		}
		// The build result is the workflow's own state; one that does not
		// decode means a broken definition, not a transient fault.
		raw, err := json.Marshal(in["build"])
		if err == nil {
			err = json.Unmarshal(raw, &b)
		}
		if err != nil {
			return nil, &StepError{ErrNameInvalid, fmt.Sprintf("activate: the build result %s is malformed: %v", raw, err)}
		}
		svc, err := e.Activate(ctx, str(in, "service_id"), &Resource{State: Running, IPs: b.IPs, Addresses: b.Addresses})
		if err != nil {
			return nil, named(err)
		}
		return map[string]any{"status": string(svc.Status)}, nil
	case "await_staff":
		// The workflow waits on task_token until staff answer (or a day
		// passes and this runs again as a reminder).
		reminder, _ := in["reminder"].(bool)
		if err := e.AwaitStaff(ctx, str(in, "service_id"), str(in, "task_token"), reminder); err != nil {
			return nil, named(err)
		}
		return map[string]any{}, nil
	case "record_failed":
		errObj, _ := in["error"].(map[string]any)
		if err := e.RecordFailed(ctx, str(in, "order_id"), str(errObj, "Error"), str(errObj, "Cause")); err != nil {
			return nil, named(err)
		}
		return map[string]any{}, nil
	case "mark_failed":
		errObj, _ := in["error"].(map[string]any)
		if err := e.MarkFailed(ctx, str(in, "service_id"), str(errObj, "Error"), str(errObj, "Cause")); err != nil {
			return nil, named(err)
		}
		return map[string]any{}, nil
	default:
		return nil, &StepError{ErrNameInvalid, fmt.Sprintf("unknown task action %q", action)}
	}
}

// Work performs one panel call; the caller answers the workflow's token
// with the output or the named error.
func (s Steps) Work(ctx context.Context, m WorkMessage) (map[string]any, *StepError) {
	e := s.Engine
	switch m.Action {
	case "create":
		r, err := e.Create(ctx, m.ServiceID)
		if err != nil {
			return nil, named(err)
		}
		return map[string]any{"panel_id": r.ID, "state": string(r.State)}, nil
	case "status":
		r, polls, err := e.Poll(ctx, m.ServiceID)
		if err != nil {
			return nil, named(err)
		}
		ips := r.IPs
		if ips == nil {
			ips = []string{}
		}
		addrs := r.Addresses
		if addrs == nil {
			addrs = []string{}
		}
		return map[string]any{"state": string(r.State), "ips": ips, "addresses": addrs, "polls": polls}, nil
	case "hardware":
		d, err := e.ChooseHardware(ctx, m.ServiceID)
		if err != nil {
			return nil, named(err)
		}
		return map[string]any{"decision": d}, nil
	case "credentials":
		if err := e.IssueCredentials(ctx, m.ServiceID); err != nil {
			return nil, named(err)
		}
		return map[string]any{"issued": true}, nil
	}
	return nil, &StepError{ErrNameInvalid, fmt.Sprintf("unknown panel action %q", m.Action)}
}
