// Package stack is the whole platform in one process for make dev and the
// end-to-end tests: the embedded DynamoDB emulator made durable by a
// journal (append-only, compacted), every HTTP function's routes, and the three built web apps,
// all on one origin.
package stack

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/ezscale/platform/infra/discordsim"
	"github.com/ezscale/platform/infra/elastisim"
	"github.com/ezscale/platform/infra/local/persist"
	"github.com/ezscale/platform/infra/local/seed"
	"github.com/ezscale/platform/infra/local/workflows"
	"github.com/ezscale/platform/infra/paypalsim"
	"github.com/ezscale/platform/infra/simkit"
	"github.com/ezscale/platform/infra/stripesim"
	"github.com/ezscale/platform/shared/adapters/devmail"
	"github.com/ezscale/platform/shared/adapters/dynamo"
	"github.com/ezscale/platform/shared/adapters/invoicepdf"
	"github.com/ezscale/platform/shared/adapters/memqueue"
	"github.com/ezscale/platform/shared/adapters/webauthnrp"
	"github.com/ezscale/platform/shared/api/httpx"
	"github.com/ezscale/platform/shared/api/openapi"
	"github.com/ezscale/platform/shared/app"
	"github.com/ezscale/platform/shared/app/bwsync"
	"github.com/ezscale/platform/shared/app/gateways"
	"github.com/ezscale/platform/shared/domain/bandwidth"
	"github.com/ezscale/platform/shared/domain/provisioning"
	"github.com/ezscale/platform/shared/platform/clock"
	"github.com/ezscale/platform/shared/platform/config"
	"github.com/ezscale/platform/shared/testkit/supportmail"
)

// Options configures a stack.
type Options struct {
	// BaseURL is where the stack is served (http://127.0.0.1:8080); the
	// Discord simulator's webhook URL is built from it.
	BaseURL string
	DataDir string // journal, local key and generated secrets live here
	WebDist string // directory holding site/, account/ and admin/ builds; empty: no web apps
	Log     *slog.Logger
	// Clock is the platform's clock; nil is the dev clock, restored from
	// the data directory and moved forward by POST /dev/clock.
	Clock clock.Clock
	// Env overrides configuration variables (see shared/config).
	Env map[string]string
	// DemoPurchase makes the demo customer buy a VPS once, through the
	// real checkout (make dev does; tests that count purchases do not).
	DemoPurchase bool
	// SupportSMTPAddr is where the support mailbox takes mail (make dev:
	// 127.0.0.1:2525); empty, or taken, picks a free port.
	SupportSMTPAddr string
}

// Stack is a running local platform.
type Stack struct {
	Platform     *app.Platform
	DemoAdmin    seed.Demo
	DemoCustomer seed.Demo
	SeededPlans  int
	Queue        *memqueue.Queue
	Mailbox      *devmail.Box
	Discord      *discordsim.Sim
	Stripe       *stripesim.Sim
	PayPal       *paypalsim.Sim
	// SupportMail is the support mailbox: SMTP in, IMAP for the importer.
	SupportMail *supportmail.Server
	// FlowStore is the simulated Elasticsearch with ElastiFlow's records.
	FlowStore  *elastisim.Sim
	flowSource bandwidth.Source
	bwKick     chan struct{} // the dev clock moved: meter now
	// Clock is the dev clock (nil when Options gave another clock).
	Clock        *clock.Offset
	panels       *panels
	flows        *workflows.Local
	handler      http.Handler
	demoPurchase bool
	dailyKick    chan struct{} // the dev clock moved: look at the day now
	mailKick     chan struct{} // the dev clock moved: poll the support mailbox now
}

// Open restores or creates the local store, seeds it once and wires the
// platform.
func Open(ctx context.Context, o Options) (*Stack, error) {
	if err := os.MkdirAll(o.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	totpSecret, err := demoTOTPSecret(o.DataDir)
	if err != nil {
		return nil, err
	}
	var dev *clock.Offset
	var devSaved simkit.StateFile
	if o.Clock == nil {
		if dev, devSaved, err = openClock(o.DataDir); err != nil {
			return nil, err
		}
		o.Clock = dev
	}
	// The simulators keep their state in the data directory, as the real
	// services keep theirs: the platform remembers their ids.
	simState := func(name string) simkit.StateFile {
		return simkit.StateFile(filepath.Join(o.DataDir, "sim-"+name+".json"))
	}
	sim := discordsim.New()
	if err := sim.Keep(simState("discord")); err != nil {
		return nil, err
	}
	stripeKey, stripeHook := "sk_test_local_simulator", "whsec_local_simulator"
	stripe, err := stripesim.Open(stripesim.Config{SecretKey: stripeKey, WebhookSecret: stripeHook, WebhookURL: o.BaseURL + "/v1/webhooks/stripe",
		BaseURL: o.BaseURL + "/dev/stripe", Log: o.Log, Now: o.Clock.Now, State: simState("stripe")})
	if err != nil {
		return nil, err
	}
	paypal := paypalsim.New("local-paypal-client", "local-paypal-secret", "WH-LOCAL-SIMULATOR", o.BaseURL+"/dev/paypal", o.Clock.Now)
	if err := paypal.Keep(simState("paypal")); err != nil {
		return nil, err
	}
	paypal.SetWebhookURL(o.BaseURL + "/v1/webhooks/paypal")
	support, err := openSupportMail(o)
	if err != nil {
		return nil, err
	}
	env := map[string]string{
		"ELASTICSEARCH_URL": o.BaseURL + "/dev/elastiflow", "ELASTIFLOW_EXPORTERS": elastisim.Edge,
		"IMAP_URL": "imap+plain://" + support.IMAPAddr, "IMAP_USERNAME": SupportMailUser, "IMAP_PASSWORD": SupportMailPassword, "IMAP_MAILBOXES": "*",
		"PAYPAL_CLIENT_ID": paypal.ClientID, "PAYPAL_SECRET": paypal.Secret, "PAYPAL_WEBHOOK_ID": paypal.WebhookID, "PAYPAL_API_URL": o.BaseURL + "/dev/paypal",
		"STRIPE_SECRET_KEY": stripeKey, "STRIPE_WEBHOOK_SECRET": stripeHook, "STRIPE_API_URL": o.BaseURL + "/dev/stripe",
		"STAGE": "local", "LOCAL_KEY_FILE": filepath.Join(o.DataDir, "master.key"), "MAIL_TRANSPORT": "outbox", // app.Embedded's key file
		"DISCORD_WEBHOOK_URL": o.BaseURL + "/dev/discord" + sim.AddWebhook("1000", "local-dev-token"),
		"SITE_URL":            o.BaseURL, "ACCOUNT_URL": o.BaseURL + "/account", "ADMIN_URL": o.BaseURL + "/admin",
		// Browsers refuse WebAuthn on IP addresses: passkeys work on localhost.
		"WEBAUTHN_RP_ID": "localhost", "WEBAUTHN_ORIGINS": strings.Replace(o.BaseURL, "127.0.0.1", "localhost", 1),
	}
	for k, v := range o.Env {
		if v != "" {
			env[k] = v
		}
	}
	cfg, err := config.Load(env)
	if err != nil {
		return nil, err
	}
	// The simulators and dev pages live under /dev/, which no other stage
	// serves; the local stack is the local stage only.
	if cfg.Stage != "local" {
		return nil, fmt.Errorf("the local stack runs as STAGE=local only, not %q", cfg.Stage)
	}
	store, err := persist.OpenEmbedded(ctx, cfg.TableName, filepath.Join(o.DataDir, "table.jsonl"))
	if err != nil {
		return nil, err
	}
	// Data written by an older platform is rewritten in today's layout
	// before anything reads it.
	migrated, err := dynamo.New(store, cfg.TableName, o.Clock).Migrate(ctx, store)
	if err != nil {
		return nil, fmt.Errorf("migrate %s: %w", o.DataDir, err)
	}
	if migrated > 0 {
		o.Log.InfoContext(ctx, "store migrated", "items", migrated, "schema", dynamo.SchemaVersion)
	}
	indexed, err := dynamo.NewSearch(dynamo.New(store, cfg.TableName, o.Clock)).Backfill(ctx)
	if err != nil {
		return nil, fmt.Errorf("index %s for search: %w", o.DataDir, err)
	}
	if indexed > 0 {
		o.Log.InfoContext(ctx, "search index filled", "items", indexed)
	}
	adapters, queue, box, err := app.Embedded(store, o.DataDir, cfg.NotifyMaxAttempts, o.Clock)
	if err != nil {
		return nil, err
	}
	if adapters.Gateways, err = gateways.Configured(cfg, adapters.HTTP); err != nil {
		return nil, err
	}
	adapters.PDF = invoicepdf.Configured(cfg)
	adapters.Passkeys = webauthnrp.Offered(cfg, o.Log)
	pan, err := newPanels(o.BaseURL, adapters.HTTP)
	if err != nil {
		return nil, err
	}
	if err := pan.vf.Keep(simState("virtfusion")); err != nil {
		return nil, err
	}
	if err := pan.vfUK.Keep(simState("virtfusion-uk")); err != nil {
		return nil, err
	}
	if err := pan.scp.Keep(simState("synergycp")); err != nil {
		return nil, err
	}
	if err := pan.enh.Keep(simState("enhance")); err != nil {
		return nil, err
	}
	if err := pan.ptero.Keep(simState("pterodactyl")); err != nil {
		return nil, err
	}
	adapters.Panels = app.PanelsOf(pan.registry)
	p := app.New(cfg, adapters, o.Log, o.Clock)
	p.OpenAPI = openapi.JSON
	p.ReinstallCheckEvery = time.Second // the simulators install in a few reads
	flows, err := provisioningFlows(p, o.Log)
	if err != nil {
		return nil, err
	}
	n, err := seed.Run(ctx, p.Table, p.Catalog)
	if err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	if err := pan.mapPackages(ctx, p.Catalog); err != nil {
		return nil, fmt.Errorf("panel packages: %w", err)
	}
	if err := seed.Billing(ctx, p.Table, p.Billing, p.Coupons); err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	admin, customer, err := seed.Accounts(ctx, p.Accounts, totpSecret)
	if err != nil {
		return nil, err
	}
	adminUser, err := dynamo.NewAccounts(p.Table).GetUserByEmail(ctx, admin.Email)
	if err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	if err := seed.Helpdesk(ctx, p.Helpdesk, adminUser.ID); err != nil {
		return nil, err
	}
	s := &Stack{Platform: p, DemoAdmin: admin, DemoCustomer: customer, SeededPlans: n, Queue: queue, Mailbox: box, Discord: sim, Stripe: stripe, PayPal: paypal, panels: pan, flows: flows, dailyKick: make(chan struct{}, 1),
		SupportMail: support, mailKick: make(chan struct{}, 1), bwKick: make(chan struct{}, 1),
		demoPurchase: o.DemoPurchase, Clock: dev}
	s.FlowStore = elastisim.New(o.Clock, o.DataDir)
	p.Bandwidth.Settle = localSettle
	s.FlowStore.Addrs = func() []string { return liveAddresses(context.Background(), p.Services) }
	if s.flowSource, err = bwsync.Source(p, nil); err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/v1/", p.Handler(""))
	mux.Handle("/dev/discord/api/", http.StripPrefix("/dev/discord", sim.Handler()))
	mux.Handle("/dev/stripe/", http.StripPrefix("/dev/stripe", stripe.Handler()))
	mux.Handle("/dev/paypal/", http.StripPrefix("/dev/paypal", paypal.Handler()))
	pan.mount(mux)
	s.devPages(mux)
	s.supportMailPage(mux)
	s.bandwidthPages(mux)
	if dev != nil {
		s.devClock(mux)
		s.followClock(devSaved)
		// Workflow waits end when the clock passes them, moved or not.
		flows.Runner.Sleep = func(ctx context.Context, d time.Duration) error { return dev.Sleep(ctx, d/waitScale) }
		// Waits until a moment (dunning's) end when the clock reads it.
		flows.Runner.SleepUntil = dev.SleepUntil
	}
	if o.WebDist != "" {
		for _, a := range []struct{ prefix, dir string }{{"/account/", "account"}, {"/admin/", "admin"}, {"/", "site"}} {
			mux.Handle(a.prefix, http.StripPrefix(strings.TrimSuffix(a.prefix, "/"), spa(filepath.Join(o.WebDist, a.dir))))
		}
	}
	s.handler = mux
	return s, nil
}

// every runs fn each interval until ctx ends.
func every(ctx context.Context, interval time.Duration, fn func()) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			fn()
		}
	}
}

// Run delivers queued notifications (three workers) and re-queues stale
// pending ones every minute, publishes outbox items as they are written
// (and sweeps every 30 s), and runs the Stripe and PayPal simulators'
// webhook deliveries, renewals and session expiry, until ctx ends.
func (s *Stack) Run(ctx context.Context) {
	var wg sync.WaitGroup
	wg.Go(func() { s.Queue.Run(ctx, 3, s.Platform.NotifyWorker.Deliver) })
	wg.Go(func() { s.Platform.Outbox.Run(ctx, 30*time.Second) })
	wg.Go(func() { s.Stripe.Run(ctx) })
	wg.Go(func() { s.PayPal.Run(ctx) })
	// PayPal bills cycles that fell due as time passes (a move of the dev
	// clock bills at once, see followClock).
	wg.Go(func() { every(ctx, 10*time.Second, func() { s.PayPal.RenewDue() }) })
	wg.Go(func() { s.flows.Run(ctx) })
	wg.Go(func() { s.syncStock(ctx, 30*time.Second) })
	wg.Go(func() { s.pollSupportMail(ctx) })
	wg.Go(func() { s.syncBandwidth(ctx) })
	if s.demoPurchase {
		wg.Go(func() {
			if err := s.buyDemoService(ctx); err != nil && ctx.Err() == nil {
				s.Platform.Log.WarnContext(ctx, "demo purchase not made", "err", err.Error())
			}
		})
	}
	wg.Go(func() {
		redrive(ctx, s.Platform, s.flows)
		// Dunning executions lived in the last process: the daily job's
		// sweep, run at once, starts them again.
		s.runDaily(ctx)
		s.flows.Close() // the executions stop with the stack
	})
	wg.Go(func() {
		every(ctx, time.Minute, func() {
			s.Stripe.ExpireDue()
			s.Stripe.RenewDue() // periods end by the clock, as at Stripe
		})
	})
	wg.Go(func() {
		t := time.NewTicker(time.Minute)
		defer t.Stop()
		for {
			// Pending messages from before a restart are queued again at once.
			if _, err := s.Platform.Notify.Sweep(ctx, 30*time.Second); err != nil && ctx.Err() == nil {
				s.Platform.Log.WarnContext(ctx, "notification sweep failed", "err", err.Error())
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	})
	wg.Wait()
}

// Handler serves the API under /v1/ and the web apps elsewhere.
func (s *Stack) Handler() http.Handler { return s.handler }

// Tokens answer the local workflows' waiting tasks.
func (s *Stack) Tokens() provisioning.Tokens { return s.flows.Tokens() }

// Flows is the flow-record source the bandwidth meter reads.
func (s *Stack) Flows() bandwidth.Source { return s.flowSource }

// demoTOTPSecret is the demo admin's authenticator secret, generated once
// and kept in the data directory so the printed secret stays valid.
func demoTOTPSecret(dir string) (string, error) {
	path := filepath.Join(dir, "demo-admin-totp")
	b, err := os.ReadFile(path)
	if err == nil {
		return strings.TrimSpace(string(b)), nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	raw := make([]byte, 20)
	_, _ = rand.Read(raw)
	secret := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(raw)
	return secret, os.WriteFile(path, []byte(secret+"\n"), 0o600)
}

// spa serves a built single-page app: files as they are, and index.html
// for any other path so client-side routes survive a reload.
func spa(dir string) http.Handler {
	files := http.FileServer(http.Dir(dir))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		// Vuetify injects theme styles at run time, hence 'unsafe-inline' for styles only.
		httpx.SecurityHeaders(h, "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'")
		p := r.URL.Path
		if p == "" {
			p = "/"
		}
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(p))); p == "/" || err != nil {
			if _, err := os.Stat(filepath.Join(dir, "index.html")); err != nil {
				http.Error(w, "web app not built: run `make web`", http.StatusNotFound)
				return
			}
			if strings.HasPrefix(p, "/assets/") {
				http.NotFound(w, r) // a missing asset is a 404, not the app shell
				return
			}
			h.Set("Cache-Control", "no-cache")
			http.ServeFile(w, r, filepath.Join(dir, "index.html"))
			return
		}
		if strings.HasPrefix(p, "/assets/") {
			h.Set("Cache-Control", "public, max-age=31536000, immutable")
		}
		files.ServeHTTP(w, r)
	})
}
