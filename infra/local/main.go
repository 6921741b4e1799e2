// Command local runs the whole EZSCALE platform in one process on
// 127.0.0.1 for development: API, web apps, an embedded durable store and
// seeded demo data. No Docker, no AWS account, no network. `make dev` runs it.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/ezscale/platform/infra/local/seed"
	"github.com/ezscale/platform/infra/local/stack"
	"github.com/ezscale/platform/shared/platform/config"
	"github.com/ezscale/platform/shared/platform/logging"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "local:", err)
		os.Exit(1)
	}
}

// wrapHandler is the identity here; a build with -tags contract checks
// every API exchange against the OpenAPI document (contract.go).
var wrapHandler = func(h http.Handler) (http.Handler, error) { return h, nil }

func getenv(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func run() error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	port := getenv("PORT", "8080")
	log := logging.New(os.Stderr, slog.LevelInfo).With("service", "local")
	env := config.FromOS(os.Environ())
	release, err := stack.Lock(getenv("DATA_DIR", ".data"))
	if err != nil {
		return err
	}
	defer release()
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", port))
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().String()
	st, err := stack.Open(ctx, stack.Options{
		BaseURL: base,
		DataDir: getenv("DATA_DIR", ".data"),
		WebDist: getenv("WEB_DIST", "web/dist"),
		Log:     log, Env: env, // the dev clock (POST /dev/clock moves it)
		// The demo customer's first VPS; DEMO_PURCHASE=off starts empty
		// (the browser tests count what they buy).
		DemoPurchase: getenv("DEMO_PURCHASE", "on") != "off",
		// Answer a ticket e-mail from any mail client through this port.
		SupportSMTPAddr: getenv("SUPPORT_SMTP_ADDR", "127.0.0.1:2525"),
	})
	if err != nil {
		return err
	}
	handler, err := wrapHandler(st.Handler())
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	workers := make(chan struct{})
	go func() { st.Run(ctx); close(workers) }() // stops with ctx; awaited below
	fmt.Printf(`
EZSCALE is running (data in %s; %d demo plans seeded this start)

  Public site (pricing)   %s/
  Customer account app    %s/account/
  Admin app               %s/admin/
  API                     %s/v1/   (health: %s/v1/healthz)
  OpenAPI document        %s/v1/openapi.json
  Passkeys need a host name: use %s for them
  Dev mailbox (no mail leaves this machine)   %s/dev/mail
  Discord alerts (simulated webhook)          %s/dev/discord
  Stripe simulator (renewals)                 %s/dev/stripe/
  PayPal simulator (the buyer's side)         %s/dev/paypal/
  Dev clock (POST {"advance":"5d"} moves it)  %s/dev/clock
  Flow records (simulated ElastiFlow)         %s/dev/elastiflow/
                  POST /dev/elastiflow/usage {"service_id":"svc_…","percent":95} sets a service's traffic
  Incoming support mail (SMTP): %s
                  to support@, billing@ or sales@ezscale.localhost; imported every %s
                  (IMAP %s, %s / %s)
  Test cards: 4242 4242 4242 4242 pays, 4000 0000 0000 0002 is declined

  Demo admin      %s / %s
                  TOTP secret %s (add it to an authenticator app)
  Demo customer   %s / %s
                  owns a VPS Starter, bought through the simulated checkout at the first start
  Demo coupon     %s (10 %% off, once per customer); tax rates DE, GB, US-TX (admin → Invoices)

Ctrl-C stops; data persists. make dev-reset wipes it.
`, getenv("DATA_DIR", ".data"), st.SeededPlans, base, base, base, base, base, base, strings.Replace(base, "127.0.0.1", "localhost", 1), base, base, base, base, base, base, st.SupportMail.SMTPAddr, stack.MailPollEvery, st.SupportMail.IMAPAddr, stack.SupportMailUser, stack.SupportMailPassword, st.DemoAdmin.Email, st.DemoAdmin.Password, st.DemoAdmin.TOTPSecret, st.DemoCustomer.Email, st.DemoCustomer.Password, seed.DemoCoupon)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		stop()
		<-workers
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err = srv.Shutdown(shutdown)
	<-workers
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
