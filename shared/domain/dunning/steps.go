package dunning

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// TaskError is a task's failure named for the workflow's Retry and Catch.
type TaskError struct{ Name, Cause string }

func (e *TaskError) Error() string { return e.Name + ": " + e.Cause }

// ErrNameInvalid: the task's input cannot be read (a broken definition):
// retrying cannot help.
const ErrNameInvalid = "Dunning.Invalid"

// Task runs one task state: {"action": "decide", "case": Unpaid} answers
// Next; {"action": "act", "case": Unpaid, "step": Step} takes the step.
func (r *Runner) Task(ctx context.Context, in map[string]any) (map[string]any, error) {
	var t struct {
		Action string `json:"action"`
		Case   Unpaid `json:"case"`
		Step   *Step  `json:"step"`
	}
	raw, err := json.Marshal(in)
	if err == nil {
		err = json.Unmarshal(raw, &t)
	}
	// A case without its due date would count every day as long past.
	if err != nil || t.Case.InvoiceID == "" || t.Case.OrderID == "" || t.Case.Due.IsZero() {
		return nil, &TaskError{ErrNameInvalid, fmt.Sprintf("unreadable task input %s (%v)", raw, err)}
	}
	switch t.Action {
	case "decide":
		next, err := r.Decide(ctx, t.Case)
		if err != nil {
			return nil, err
		}
		out := map[string]any{"done": next.Done, "act": next.Step != nil, "wait": next.Wait, "why": next.Why}
		if !next.Until.IsZero() {
			out["until"] = next.Until.UTC().Format(time.RFC3339)
		}
		if next.Step != nil {
			out["step"] = map[string]any{"day": next.Step.Day, "action": string(next.Step.Action)}
		}
		return out, nil
	case "act":
		if t.Step == nil {
			return nil, &TaskError{ErrNameInvalid, "act without a step"}
		}
		return map[string]any{}, r.Act(ctx, t.Case, *t.Step)
	}
	return nil, &TaskError{ErrNameInvalid, "unknown action " + t.Action}
}
