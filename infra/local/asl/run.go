package asl

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"
)

// TaskError is a task's failure, by name (matched by Retry and Catch).
type TaskError struct{ Name, Cause string }

func (e *TaskError) Error() string { return e.Name + ": " + e.Cause }

// Tasks performs Task states. For a ".waitForTaskToken" resource Invoke
// only hands the work over (with token); the result comes back through
// Runner.SendTaskSuccess or SendTaskFailure.
type Tasks interface {
	Invoke(ctx context.Context, resource string, input any, token string) (any, error)
}

// Execution statuses, as Step Functions names them.
const (
	Running   = "RUNNING"
	Succeeded = "SUCCEEDED"
	Failed    = "FAILED"
)

// Execution is one run of a machine.
type Execution struct {
	Machine, Name string
	Input         any
	Status        string
	Output        any
	Error, Cause  string
	// Path lists the states entered, in order (retries not repeated).
	Path []string
	done chan struct{}
}

// Runner runs executions, each in a goroutine it owns until Close.
type Runner struct {
	machines map[string]*Machine
	tasks    Tasks
	// Sleep waits for Wait states and retry intervals; tests make it
	// instant. It must return early when ctx ends.
	Sleep func(ctx context.Context, d time.Duration) error
	// SleepUntil waits for a Wait state's Timestamp (by Now's clock); nil
	// sleeps for the time left until it by Sleep.
	SleepUntil func(ctx context.Context, t time.Time) error
	// Now is the clock for $$.State.EnteredTime and timestamps.
	Now func() time.Time

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex
	execs   map[string]*Execution
	waiting map[string]*waiter
}

type taskResult struct {
	output any
	err    *TaskError
}

// waiter is a task waiting for its token: one result (the first answer
// takes the token, so the buffered slot is always free for it) and
// heartbeats kept apart, so a heartbeat not yet taken never pushes a
// result out.
type waiter struct {
	result chan taskResult
	beat   chan struct{}
}

// NewRunner returns a runner for the named machines.
func NewRunner(machines map[string]*Machine, tasks Tasks) *Runner {
	ctx, cancel := context.WithCancel(context.Background())
	return &Runner{machines: machines, tasks: tasks, ctx: ctx, cancel: cancel, execs: map[string]*Execution{}, waiting: map[string]*waiter{},
		Now: time.Now, Sleep: func(ctx context.Context, d time.Duration) error {
			t := time.NewTimer(d)
			defer t.Stop()
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-t.C:
				return nil
			}
		}}
}

// Close stops every execution and waits for them.
func (r *Runner) Close() {
	r.cancel()
	r.wg.Wait()
}

// ErrExecutionExists is Step Functions' ExecutionAlreadyExists: the name
// was used with another input.
var ErrExecutionExists = errors.New("an execution with this name exists with a different input")

// Start begins machine with input under name. Starting a name again with
// the same input returns the first execution (started false): names make
// starts idempotent, as in Step Functions.
func (r *Runner) Start(machine, name string, input any) (*Execution, bool, error) {
	m, ok := r.machines[machine]
	if !ok {
		return nil, false, fmt.Errorf("no state machine %q", machine)
	}
	in, err := normalize(input)
	if err != nil {
		return nil, false, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	key := machine + "/" + name
	if e, ok := r.execs[key]; ok {
		if !reflect.DeepEqual(e.Input, in) {
			return nil, false, ErrExecutionExists
		}
		return e, false, nil
	}
	e := &Execution{Machine: machine, Name: name, Input: in, Status: Running, done: make(chan struct{})}
	r.execs[key] = e
	r.wg.Go(func() { r.run(m, e) })
	return e, true, nil
}

// Wait blocks until e ends (or ctx does) and returns a snapshot.
func (r *Runner) Wait(ctx context.Context, e *Execution) (Execution, error) {
	select {
	case <-e.done:
	case <-ctx.Done():
		return Execution{}, ctx.Err()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return snapshot(e), nil
}

func snapshot(e *Execution) Execution {
	s := *e
	s.Path = slices.Clone(e.Path)
	s.done = nil
	return s
}

// SendTaskSuccess completes the waiting task with output.
func (r *Runner) SendTaskSuccess(token string, output any) error {
	out, err := normalize(output)
	if err != nil {
		return err
	}
	return r.deliver(token, taskResult{output: out})
}

// SendTaskFailure fails the waiting task.
func (r *Runner) SendTaskFailure(token, name, cause string) error {
	return r.deliver(token, taskResult{err: &TaskError{Name: name, Cause: cause}})
}

// SendTaskHeartbeat keeps a waiting task alive.
func (r *Runner) SendTaskHeartbeat(token string) error {
	r.mu.Lock()
	w, ok := r.waiting[token]
	r.mu.Unlock()
	if !ok {
		return ErrTaskTimedOut
	}
	select {
	case w.beat <- struct{}{}:
	default: // one is pending already: the same news
	}
	return nil
}

// ErrTaskTimedOut is Step Functions' TaskTimedOut: the token is not (or
// no longer) awaited.
var ErrTaskTimedOut = errors.New("task token is not awaited (unknown, done or timed out)")

func (r *Runner) deliver(token string, res taskResult) error {
	r.mu.Lock()
	w, ok := r.waiting[token]
	delete(r.waiting, token)
	r.mu.Unlock()
	if !ok {
		return ErrTaskTimedOut
	}
	w.result <- res // never blocks: only the first answer gets here
	return nil
}

// normalize turns any Go value into its JSON form (maps, slices, float64).
func normalize(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out any
	return out, json.Unmarshal(b, &out)
}

func (r *Runner) run(m *Machine, e *Execution) {
	defer close(e.done)
	input := clone(e.Input)
	name := m.StartAt
	for {
		st := m.States[name]
		r.mu.Lock()
		e.Path = append(e.Path, name)
		r.mu.Unlock()
		next, output, err := r.step(e, st, input)
		if err != nil {
			var te *TaskError
			if !errors.As(err, &te) {
				te = &TaskError{Name: "States.Runtime", Cause: err.Error()}
			}
			r.finish(e, Failed, nil, te.Name, te.Cause)
			return
		}
		if next == "" {
			r.finish(e, Succeeded, output, "", "")
			return
		}
		name, input = next, output
	}
}

func (r *Runner) finish(e *Execution, status string, output any, errName, cause string) {
	r.mu.Lock()
	e.Status, e.Output, e.Error, e.Cause = status, output, errName, cause
	r.mu.Unlock()
}

// applyPath is InputPath/OutputPath: nil keeps, "" (null) gives {}.
func applyPath(v any, p *string) (any, error) {
	switch {
	case p == nil || *p == "$":
		return v, nil
	case *p == "":
		return map[string]any{}, nil
	}
	got, ok := get(v, nil, *p)
	if !ok {
		return nil, &TaskError{Name: "States.Runtime", Cause: fmt.Sprintf("the path %s matches nothing", *p)}
	}
	return got, nil
}

// applyResult is ResultPath: nil and "$" replace, "" (null) discards.
func applyResult(input, result any, p *string) (any, error) {
	switch {
	case p == nil:
		return result, nil
	case *p == "":
		return input, nil
	}
	return set(input, *p, result)
}

// step runs one state and returns the next state's name ("" at the end).
func (r *Runner) step(e *Execution, st *State, raw any) (string, any, error) {
	if st.Type == "Fail" {
		return "", nil, &TaskError{Name: st.Error, Cause: st.Cause}
	}
	in, err := applyPath(raw, st.InputPath)
	if err != nil {
		return "", nil, err
	}
	ctxObj := map[string]any{"Execution": map[string]any{"Name": e.Name, "Input": e.Input},
		"State": map[string]any{"Name": st.Name, "EnteredTime": r.Now().UTC().Format(time.RFC3339Nano), "RetryCount": 0.0}}
	var out any
	switch st.Type {
	case "Succeed":
		out = in
	case "Choice":
		for _, rule := range st.Choices {
			ok, err := rule.eval(in)
			if err != nil {
				return "", nil, err
			}
			if ok {
				o, err := applyPath(in, st.OutputPath)
				return rule.Next, o, err
			}
		}
		if st.Default == "" {
			return "", nil, &TaskError{Name: "States.NoChoiceMatched", Cause: "no Choice rule matched and there is no Default"}
		}
		o, err := applyPath(in, st.OutputPath)
		return st.Default, o, err
	case "Wait":
		if st.Timestamp != "" || st.TimestampPath != "" {
			ts, ok := st.Timestamp, true
			if st.TimestampPath != "" {
				var v any
				v, ok = get(in, nil, st.TimestampPath)
				ts, _ = v.(string)
			}
			t, err := time.Parse(time.RFC3339, ts)
			if !ok || err != nil {
				return "", nil, &TaskError{Name: "States.Runtime", Cause: "the Wait's timestamp is missing or not an ISO-8601 date-time"}
			}
			if err := r.sleepUntil(t); err != nil {
				return "", nil, err
			}
			out = in
			break
		}
		secs := 0.0
		if st.Seconds != nil {
			secs = float64(*st.Seconds)
		} else if v, ok := get(in, nil, st.SecondsPath); ok {
			f, isNum := v.(float64)
			if !isNum || f < 0 {
				return "", nil, &TaskError{Name: "States.Runtime", Cause: "SecondsPath must give a non-negative number"}
			}
			secs = f
		} else {
			return "", nil, &TaskError{Name: "States.Runtime", Cause: "SecondsPath matches nothing"}
		}
		if err := r.Sleep(r.ctx, time.Duration(secs*float64(time.Second))); err != nil {
			return "", nil, err
		}
		out = in
	case "Pass":
		result := in
		if st.Result != nil {
			if err := json.Unmarshal(st.Result, &result); err != nil {
				return "", nil, err
			}
		}
		if st.Parameters != nil {
			if result, err = fill(st.Parameters, in, ctxObj); err != nil {
				return "", nil, err
			}
		}
		if out, err = applyResult(in, result, st.ResultPath); err != nil {
			return "", nil, err
		}
	case "Task":
		return r.task(e, st, raw, in, ctxObj)
	}
	o, err := applyPath(out, st.OutputPath)
	if err != nil {
		return "", nil, err
	}
	if st.End || st.Type == "Succeed" {
		return "", o, nil
	}
	return st.Next, o, nil
}

// task runs a Task with its retries; a caught error moves to the catcher's
// Next with the error placed by its ResultPath on the state's raw input.
func (r *Runner) task(e *Execution, st *State, raw, in any, ctxObj map[string]any) (string, any, error) {
	attempts := make([]int, len(st.Retry))
	for retry := 0; ; retry++ {
		ctxObj["State"].(map[string]any)["RetryCount"] = float64(retry)
		result, err := r.invoke(st, in, ctxObj)
		if err == nil {
			if st.ResultSelector != nil {
				if result, err = fill(st.ResultSelector, result, ctxObj); err != nil {
					return "", nil, err
				}
			}
			out, err := applyResult(raw, result, st.ResultPath)
			if err != nil {
				return "", nil, err
			}
			o, err := applyPath(out, st.OutputPath)
			return st.Next, o, err // Next is "" on an End state
		}
		var te *TaskError
		if !errors.As(err, &te) {
			return "", nil, err // the runner is closing
		}
		if i := matchRetry(st.Retry, te.Name); i >= 0 {
			rt := st.Retry[i]
			max := 3
			if rt.MaxAttempts != nil {
				max = *rt.MaxAttempts
			}
			if attempts[i] < max {
				interval, rate := 1.0, 2.0
				if rt.IntervalSeconds != nil {
					interval = *rt.IntervalSeconds
				}
				if rt.BackoffRate != nil {
					rate = *rt.BackoffRate
				}
				d := interval * math.Pow(rate, float64(attempts[i]))
				if rt.MaxDelaySeconds > 0 {
					d = math.Min(d, float64(rt.MaxDelaySeconds))
				}
				attempts[i]++
				if err := r.Sleep(r.ctx, time.Duration(d*float64(time.Second))); err != nil {
					return "", nil, err
				}
				continue
			}
		}
		for _, c := range st.Catch {
			if matches(c.ErrorEquals, te.Name) {
				out, err := applyResult(raw, map[string]any{"Error": te.Name, "Cause": te.Cause}, c.ResultPath)
				return c.Next, out, err
			}
		}
		return "", nil, te
	}
}

func matchRetry(rs []Retrier, name string) int {
	for i, r := range rs {
		if matches(r.ErrorEquals, name) {
			return i
		}
	}
	return -1
}

// matches applies Step Functions' error matching: States.ALL matches any
// error but States.Runtime (a path that matches nothing, say: it always
// fails the execution), States.TaskFailed any but States.Timeout.
func matches(list []string, name string) bool {
	for _, want := range list {
		switch {
		case want == name:
			return true
		case want == "States.ALL" && !strings.HasPrefix(name, "States.Runtime"):
			return true
		case want == "States.TaskFailed" && name != "States.Timeout" && !strings.HasPrefix(name, "States.Runtime"):
			return true
		}
	}
	return false
}

// invoke calls the task, waiting for its token when the resource asks.
func (r *Runner) invoke(st *State, in any, ctxObj map[string]any) (any, error) {
	waitToken := strings.HasSuffix(st.Resource, ".waitForTaskToken")
	token := ""
	var w *waiter
	if waitToken {
		b := make([]byte, 16)
		_, _ = rand.Read(b)
		token = hex.EncodeToString(b)
		ctxObj["Task"] = map[string]any{"Token": token}
		w = &waiter{result: make(chan taskResult, 1), beat: make(chan struct{}, 1)}
		r.mu.Lock()
		r.waiting[token] = w
		r.mu.Unlock()
		defer func() {
			r.mu.Lock()
			delete(r.waiting, token)
			r.mu.Unlock()
		}()
	}
	params := in
	if st.Parameters != nil {
		var err error
		if params, err = fill(st.Parameters, in, ctxObj); err != nil {
			return nil, err
		}
	}
	ctx := r.ctx
	var timeout <-chan time.Time
	if st.TimeoutSeconds > 0 {
		t := time.NewTimer(time.Duration(st.TimeoutSeconds) * time.Second)
		defer t.Stop()
		timeout = t.C
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Duration(st.TimeoutSeconds)*time.Second)
		defer cancel()
	}
	out, err := r.tasks.Invoke(ctx, st.Resource, params, token)
	if err != nil {
		var te *TaskError
		if errors.As(err, &te) {
			return nil, te
		}
		if errors.Is(err, context.DeadlineExceeded) && r.ctx.Err() == nil {
			return nil, &TaskError{Name: "States.Timeout", Cause: "the task did not finish within TimeoutSeconds"}
		}
		if r.ctx.Err() != nil {
			return nil, r.ctx.Err()
		}
		return nil, &TaskError{Name: "States.TaskFailed", Cause: err.Error()}
	}
	if !waitToken {
		return normalize(out)
	}
	var heartbeat <-chan time.Time
	var hb *time.Timer
	if st.HeartbeatSeconds > 0 {
		hb = time.NewTimer(time.Duration(st.HeartbeatSeconds) * time.Second)
		defer hb.Stop()
		heartbeat = hb.C
	}
	for {
		select {
		case <-w.beat:
			if hb != nil {
				hb.Reset(time.Duration(st.HeartbeatSeconds) * time.Second)
			}
		case res := <-w.result:
			if res.err != nil {
				return nil, res.err
			}
			return res.output, nil
		case <-timeout:
			return nil, &TaskError{Name: "States.Timeout", Cause: "the task did not finish within TimeoutSeconds"}
		case <-heartbeat:
			return nil, &TaskError{Name: "States.HeartbeatTimeout", Cause: "no heartbeat within HeartbeatSeconds"}
		case <-r.ctx.Done():
			return nil, r.ctx.Err()
		}
	}
}

func (r *Runner) sleepUntil(t time.Time) error {
	if r.SleepUntil != nil {
		return r.SleepUntil(r.ctx, t)
	}
	if d := t.Sub(r.Now()); d > 0 {
		return r.Sleep(r.ctx, d)
	}
	return nil
}
