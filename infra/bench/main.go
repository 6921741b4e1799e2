// Command bench prints the figures `make bench` reports:
//
//   - GET /v1/plans with 200 plans, in process on the embedded store:
//     p50/p99 latency, allocations and DynamoDB calls per request;
//   - invoice PDF render time and invoices finalised per second;
//   - Stripe webhook handling p50/p99 (first deliveries and duplicates) and
//     outbox effects per second;
//   - PayPal webhook handling p50/p99 (first deliveries and duplicates),
//     verified by postback against the simulator;
//   - paid webhook to active service through the provisioning workflow,
//     and panel calls per provisioning;
//   - e-mail render time per template (p50/p99) and notifications rendered
//     and delivered per second to an in-process SMTP server;
//   - sign-in p50/p99 with the production argon2id parameters, and the
//     per-request cost of session authentication;
//   - a day's bandwidth close for 10,000 services against the flow-store
//     simulator: searches, seconds, DynamoDB writes;
//   - each Lambda function: deploy binary size (linux/arm64, stripped) and
//     cold start — exec until the process asks the Lambda Runtime API for
//     its first event, i.e. ready to serve — median of 20 runs.
//
// Figures are printed, not asserted: this is not a test. CPUPROFILE=<file>
// writes a CPU profile of the GET /v1/plans loop.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	minidyn "github.com/truora/minidyn/aws-v2/client"

	"github.com/ezscale/platform/shared/adapters/dynamo"
	"github.com/ezscale/platform/shared/adapters/invoicepdf"
	"github.com/ezscale/platform/shared/adapters/stripegw"
	"github.com/ezscale/platform/shared/app"
	"github.com/ezscale/platform/shared/domain/gateway"
	"github.com/ezscale/platform/shared/platform/clock"
	"github.com/ezscale/platform/shared/platform/config"
	"github.com/ezscale/platform/shared/testkit/catalogtest"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// BENCH=functions (or plans, auth, journal, billing, webhooks, paypal,
// provisioning, notify, bandwidth) runs only the sections named, comma-separated;
// BENCH_CPUPROFILE=file writes a CPU profile of the run.
func run() error {
	if path := os.Getenv("BENCH_CPUPROFILE"); path != "" { // where the time goes: go tool pprof
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	only := os.Getenv("BENCH")
	want := func(name string) bool { return only == "" || slices.Contains(strings.Split(only, ","), name) }
	for _, s := range []struct {
		name string
		run  func() error
	}{
		{"plans", benchPlans}, {"auth", benchAuth}, {"journal", benchJournal}, {"billing", benchBilling},
		{"webhooks", benchWebhooks}, {"paypal", benchPayPal}, {"provisioning", benchProvisioning},
		{"notify", func() error { benchRender(); return benchDelivery(500, 4) }},
		{"bandwidth", benchBandwidth},
		{"cost", benchCost},
		{"functions", benchFunctions},
	} {
		if !want(s.name) {
			continue
		}
		if err := s.run(); err != nil {
			return err
		}
	}
	return nil
}

// counting counts every DynamoDB call the platform makes.
type counting struct {
	*minidyn.Client
	calls atomic.Int64
}

func (c *counting) GetItem(ctx context.Context, in *dynamodb.GetItemInput, o ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	c.calls.Add(1)
	return c.Client.GetItem(ctx, in, o...)
}

func (c *counting) Query(ctx context.Context, in *dynamodb.QueryInput, o ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	c.calls.Add(1)
	return c.Client.Query(ctx, in, o...)
}

func benchPlans() error {
	ctx := context.Background()
	api := &counting{Client: minidyn.NewClient()}
	if err := dynamo.EnsureTable(ctx, api, "ezscale"); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "ezscale-bench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	cfg, err := config.Load(map[string]string{"LOCAL_KEY_FILE": filepath.Join(dir, "k")})
	if err != nil {
		return err
	}
	adapters, _, _, err := app.Embedded(api, dir, 3, clock.System{})
	if err != nil {
		return err
	}
	adapters.Gateways = []gateway.Gateway{stripegw.Configured(cfg, adapters.HTTP)}
	adapters.PDF = invoicepdf.Configured(cfg)
	p := app.New(cfg, adapters, slog.New(slog.DiscardHandler), clock.System{})
	for i := range 200 {
		in := catalogtest.Input(fmt.Sprintf("plan-%03d", i))
		in.SortOrder = int64(i)
		if _, err := p.Catalog.Create(ctx, in); err != nil {
			return err
		}
	}
	h := p.Handler("")
	req := func() *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/v1/plans?currency=USD&cycle=annual", nil))
		return rec
	}
	if rec := req(); rec.Code != 200 {
		return fmt.Errorf("GET /v1/plans = %d: %s", rec.Code, rec.Body)
	}
	for range 50 { // warm up
		req()
	}
	const n = 1000
	if path := os.Getenv("CPUPROFILE"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	lat := make([]time.Duration, n)
	var before, after runtime.MemStats
	api.calls.Store(0)
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := range n {
		t := time.Now()
		req()
		lat[i] = time.Since(t)
	}
	runtime.ReadMemStats(&after)
	slices.Sort(lat)
	fmt.Printf("GET /v1/plans (200 plans, USD annual, in process, embedded store, %d requests)\n", n)
	fmt.Printf("  p50 %v   p99 %v   allocs/req %d   bytes/req %d   DynamoDB calls/req %.2f\n\n",
		lat[n/2].Round(time.Microsecond), lat[n*99/100].Round(time.Microsecond),
		(after.Mallocs-before.Mallocs)/n, (after.TotalAlloc-before.TotalAlloc)/n, float64(api.calls.Load())/n)
	return nil
}

// functionDirs are the Lambda functions under functions/.
func functionDirs() ([]string, error) {
	entries, err := os.ReadDir("functions")
	if err != nil {
		return nil, err
	}
	var fns []string
	for _, e := range entries {
		if e.IsDir() {
			fns = append(fns, e.Name())
		}
	}
	return fns, nil
}

// rounds of cold starts per function.
const rounds = 41

func benchFunctions() error {
	dir, err := os.MkdirTemp("", "ezscale-fn")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	fns, err := functionDirs()
	if err != nil {
		return err
	}
	type built struct {
		name, pkg, host string
		size            int64
		runs            []time.Duration
	}
	all := []*built{{name: "hello", pkg: "./infra/bench/hello"}}
	for _, fn := range fns {
		all = append(all, &built{name: fn, pkg: "./functions/" + fn})
	}
	for _, b := range all {
		build := func(out string, env ...string) error {
			cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w", "-o", out, b.pkg)
			cmd.Env = append(append(os.Environ(), "CGO_ENABLED=0"), env...)
			if out, err := cmd.CombinedOutput(); err != nil {
				return fmt.Errorf("build %s: %v\n%s", b.name, err, out)
			}
			return nil
		}
		arm := filepath.Join(dir, b.name+"-arm64")
		b.host = filepath.Join(dir, b.name+"-host")
		if err := build(arm, "GOOS=linux", "GOARCH=arm64"); err != nil {
			return err
		}
		if err := build(b.host); err != nil {
			return err
		}
		st, err := os.Stat(arm)
		if err != nil {
			return err
		}
		b.size = st.Size()
	}
	api, err := newRuntimeAPI()
	if err != nil {
		return err
	}
	defer api.close()
	// Rounds take every binary in turn, so a busy moment of the machine
	// falls on all of them alike; each ratio is the median of the rounds'
	// own ratios to hello-world, which cancels the machine's slower drifts
	// (medians of the whole run moved a function by ±0.15× between runs).
	for range rounds {
		for _, b := range all {
			d, err := api.coldStart(b.host, dir)
			if err != nil {
				return fmt.Errorf("%s cold start: %w", b.name, err)
			}
			b.runs = append(b.runs, d)
		}
	}
	median := func(b *built) time.Duration {
		r := slices.Clone(b.runs)
		slices.Sort(r)
		return r[len(r)/2]
	}
	hello := all[0]
	baseSize := float64(hello.size)
	ratio := func(b *built) float64 {
		r := make([]float64, len(b.runs))
		for i := range r {
			r[i] = float64(b.runs[i]) / float64(hello.runs[i])
		}
		slices.Sort(r)
		return r[len(r)/2]
	}
	fmt.Println("Lambda functions (size: linux/arm64 stripped deploy binary; cold start: host build, exec → first")
	fmt.Printf("/runtime/invocation/next, median of %d interleaved rounds; ratios to a hello-world aws-lambda-go\n", rounds)
	fmt.Println("function: the median of each round's own ratio)")
	for _, b := range all {
		fmt.Printf("  %-15s size %5.1f MB (%4.1f×)   cold start median %8v (%4.2f×)\n", b.name,
			float64(b.size)/(1<<20), float64(b.size)/baseSize, median(b).Round(10*time.Microsecond), ratio(b))
	}
	return nil
}

// runtimeAPI is a fake Lambda Runtime API that reports each first poll
// for an invocation and holds it open until the process is killed.
type runtimeAPI struct {
	addr  string
	ready chan struct{}
	close func() error
}

func newRuntimeAPI() (*runtimeAPI, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	ready := make(chan struct{}, 1)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case ready <- struct{}{}:
		default:
		}
		<-r.Context().Done()
	})}
	go srv.Serve(ln)
	return &runtimeAPI{addr: ln.Addr().String(), ready: ready, close: srv.Close}, nil
}

// coldStart runs bin once and returns the time until it polls for its
// first invocation: ready to serve.
func (api *runtimeAPI) coldStart(bin, dir string) (time.Duration, error) {
	cmd := exec.Command(bin)
	cmd.Env = []string{
		"AWS_LAMBDA_RUNTIME_API=" + api.addr, "AWS_REGION=us-east-1",
		"AWS_ACCESS_KEY_ID=x", "AWS_SECRET_ACCESS_KEY=x", "STAGE=test", "TABLE_NAME=ezscale",
		"LOCAL_KEY_FILE=" + filepath.Join(dir, "cold.key"),
		// panel-worker refuses to start without its workflow.
		"PROVISIONING_STATE_MACHINE_ARN=arn:aws:states:us-east-1:000000000000:stateMachine:bench",
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	select {
	case <-api.ready:
		return time.Since(start), nil
	case <-time.After(10 * time.Second):
		return 0, fmt.Errorf("not ready within 10s")
	}
}
