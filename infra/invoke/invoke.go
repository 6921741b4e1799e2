// Package invoke runs one Lambda function's real handler with one event
// file, in process, against a local data directory: `make invoke`. The
// handler is the one functions/<name>/main.go starts in Lambda; only its
// outside parts are the local stack's (the embedded store, the simulators
// served on a loopback port while it runs), so no Docker and no AWS.
package invoke

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"reflect"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/ezscale/platform/infra/local/stack"
	"github.com/ezscale/platform/shared/api/httpapi"
	"github.com/ezscale/platform/shared/app/bwsync"
	"github.com/ezscale/platform/shared/app/entries"
	"github.com/ezscale/platform/shared/app/mailpoll"
	"github.com/ezscale/platform/shared/platform/ids"
	"github.com/ezscale/platform/shared/platform/logging"
)

// HTTP are the functions behind API Gateway; Functions is every function.
var (
	HTTP      = []string{httpapi.FnCatalog, httpapi.FnAccounts, httpapi.FnPasskeys, httpapi.FnAdmin, httpapi.FnWebhooks}
	Functions = append(slices.Clone(HTTP), "notifier", "outbox", "provision-task", "panel-worker", "dunning-task", "mail-poll", "bandwidth-sync")
)

// Options is one invocation.
type Options struct {
	DataDir  string
	Function string
	Event    []byte
	// Log receives the function's logs (and its embedded metrics).
	Log io.Writer
	// Timeout is the function's; the handler's context ends then.
	Timeout time.Duration
	// ResolveOnly fills the placeholders and returns the event, unrun
	// (for `sam local invoke -e -`).
	ResolveOnly bool
}

// Result is what Lambda would report.
type Result struct {
	// Event is the event as run, placeholders filled.
	Event json.RawMessage
	// Response is the handler's answer (nil when it failed).
	Response json.RawMessage
	// Error is the handler's error as Lambda reports it.
	Error *messages.InvokeResponse_Error
	// Answers are the task tokens the handler answered: no workflow waits
	// on them in a one-off run, so they are shown instead of sent.
	Answers []Answer
}

// Answer is one task token's answer.
type Answer struct {
	Token  string `json:"token"`
	Output any    `json:"output,omitempty"`
	Error  string `json:"error,omitempty"`
	Cause  string `json:"cause,omitempty"`
}

// Run opens the data directory (refusing one a running make dev holds),
// fills the event's placeholders and invokes the function's handler.
func Run(ctx context.Context, o Options) (*Result, error) {
	if !slices.Contains(Functions, o.Function) {
		return nil, fmt.Errorf("no function named %q (one of %v)", o.Function, Functions)
	}
	var doc any
	if err := json.Unmarshal(o.Event, &doc); err != nil {
		return nil, fmt.Errorf("the event is not JSON: %w", err)
	}
	if o.Timeout <= 0 {
		o.Timeout = time.Minute
	}
	release, err := stack.Lock(o.DataDir)
	if err != nil {
		return nil, err
	}
	defer release()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	log := logging.New(o.Log, slog.LevelInfo).With("function", o.Function)
	st, err := stack.Open(ctx, stack.Options{BaseURL: "http://" + ln.Addr().String(), DataDir: o.DataDir, Log: log})
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("open %s: %w", o.DataDir, err)
	}
	// The simulators the function calls (Stripe, PayPal, the panels,
	// ElastiFlow) answer on this port while it runs.
	srv := &http.Server{Handler: st.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln) //nolint:errcheck // ends with Close below
	defer srv.Close()

	vals := &values{ctx: ctx, st: st}
	event, err := vals.fill(doc)
	if err != nil {
		return nil, err
	}
	res := &Result{Event: event}
	if o.ResolveOnly {
		return res, nil
	}
	answers := &recorder{}
	handler, err := handlerFor(o.Function, st, answers, o.Log)
	if err != nil {
		return nil, err
	}
	ictx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	ictx = lambdacontext.NewContext(ictx, &lambdacontext.LambdaContext{AwsRequestID: ids.New("inv"),
		InvokedFunctionArn: "arn:aws:lambda:local:000000000000:function:" + o.Function})
	out, err := lambda.NewHandler(handler).Invoke(ictx, event)
	res.Answers = answers.list()
	if err != nil {
		res.Error = asLambdaError(err)
		return res, nil
	}
	res.Response = out
	return res, nil
}

// handlerFor is what functions/<name>/main.go passes to lambda.Start, with
// the local stack's parts.
func handlerFor(name string, st *stack.Stack, answers *recorder, metrics io.Writer) (any, error) {
	p := st.Platform
	if slices.Contains(HTTP, name) {
		return p.LambdaHandler(name), nil
	}
	switch name {
	case "notifier":
		return p.NotifierEntry(nil), nil // retries fall to the queue's visibility timeout
	case "outbox":
		return entries.Outbox(p), nil
	case "provision-task":
		return entries.ProvisionTask(p), nil
	case "dunning-task":
		return entries.DunningTask(p), nil
	case "panel-worker":
		return entries.PanelWorker(p, answers), nil
	case "mail-poll":
		return mailpoll.Handler(p), nil
	case "bandwidth-sync":
		return bwsync.Handler(p, st.Flows(), metrics), nil
	}
	return nil, fmt.Errorf("no function named %q", name)
}

// asLambdaError is the error as the Lambda runtime reports it: a typed
// InvokeResponse_Error as it is, any other error named by its Go type.
func asLambdaError(err error) *messages.InvokeResponse_Error {
	var ive messages.InvokeResponse_Error
	if errors.As(err, &ive) {
		return &ive
	}
	t := reflect.TypeOf(err)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return &messages.InvokeResponse_Error{Type: t.Name(), Message: err.Error()}
}

// recorder answers task tokens by keeping the answers.
type recorder struct {
	mu  sync.Mutex
	got []Answer
}

func (r *recorder) Succeed(_ context.Context, token string, output any) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, Answer{Token: token, Output: output})
	return nil
}

func (r *recorder) Fail(_ context.Context, token, name, cause string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, Answer{Token: token, Error: name, Cause: cause})
	return nil
}

func (r *recorder) list() []Answer {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.got)
}
