package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"slices"
	"strconv"
	"time"

	"github.com/ezscale/platform/shared/adapters/smtpmail"
	"github.com/ezscale/platform/shared/app"
	"github.com/ezscale/platform/shared/domain/notify"
	"github.com/ezscale/platform/shared/platform/clock"
	"github.com/ezscale/platform/shared/testkit/smtpserver"
)

// benchRender prints p50/p99 render time per e-mail template (sample data).
func benchRender() {
	r := notify.NewRenderer(notify.Brand{Company: "EZSCALE", SiteURL: "https://ezscale.example", AccountURL: "https://account.ezscale.example", SupportEmail: "support@ezscale.example"})
	fmt.Println("E-mail render time per template (sample data, 500 renders each)")
	for _, k := range notify.Kinds(notify.Email) {
		spec, _ := notify.Lookup(k)
		t := notify.Template{Subject: spec.Subject, Text: spec.Text, HTML: spec.HTML}
		lat := make([]time.Duration, 500)
		for i := range lat {
			start := time.Now()
			if _, err := r.Render(t, spec.Sample); err != nil {
				panic(err)
			}
			lat[i] = time.Since(start)
		}
		slices.Sort(lat)
		fmt.Printf("  %-24s p50 %7v   p99 %7v\n", k, lat[len(lat)/2].Round(time.Microsecond), lat[len(lat)*99/100].Round(time.Microsecond))
	}
	fmt.Println()
}

// benchDelivery sends n notifications through the whole pipeline (render,
// seal, store, queue, worker, SMTP with STARTTLS and AUTH to an in-process
// server) and prints the rate.
func benchDelivery(n, workers int) error {
	ctx := context.Background()
	srv, err := smtpserver.Start(smtpserver.Options{Username: "bench", Password: "bench"})
	if err != nil {
		return err
	}
	defer srv.Close()
	host, portS, _ := net.SplitHostPort(srv.Addr)
	port, _ := strconv.Atoi(portS)
	dir, err := os.MkdirTemp("", "ezscale-bench-notify")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	p, adapters, q, err := platform(ctx, dir, clock.System{}, nil)
	if err != nil {
		return err
	}
	// Rebuild with the SMTP transport in place of the dev mailbox.
	adapters.Mailer = smtpmail.New(smtpmail.Config{Host: host, Port: port, Security: smtpmail.StartTLS, Username: "bench", Password: "bench", TLS: srv.ClientTLS}, clock.System{})
	p = app.New(p.Config, adapters, slog.New(slog.DiscardHandler), clock.System{})
	spec, _ := notify.Lookup(notify.InvoiceIssued)
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	start := time.Now()
	go func() { q.Run(runCtx, workers, p.NotifyWorker.Deliver); close(done) }()
	for i := range n {
		if _, err := p.Notify.Send(ctx, notify.Request{Kind: notify.InvoiceIssued, To: "ada@example.com", Key: fmt.Sprintf("bench:%d", i), Data: spec.Sample}); err != nil {
			cancel()
			return err
		}
	}
	for len(srv.Messages()) < n && time.Since(start) < 5*time.Minute {
		time.Sleep(5 * time.Millisecond)
	}
	elapsed := time.Since(start)
	cancel()
	<-done
	fmt.Printf("Notifications rendered and delivered to a local SMTP server (STARTTLS + AUTH, one connection per message, %d workers)\n", workers)
	fmt.Printf("  %d e-mails in %v = %.0f per second\n\n", len(srv.Messages()), elapsed.Round(time.Millisecond), float64(len(srv.Messages()))/elapsed.Seconds())
	return nil
}
