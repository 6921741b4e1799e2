// Package smtpmail sends notification e-mail over SMTP: implicit TLS (port
// 465), STARTTLS (587) or plain (local relays only), with AUTH PLAIN. It
// works with Mailgun, SendGrid and the SES SMTP interface. Failures are
// classified for the notify worker: nothing is "retry" once the data may
// have been accepted.
package smtpmail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"time"

	"github.com/ezscale/platform/shared/domain/notify"
	"github.com/ezscale/platform/shared/domain/notify/mailmsg"
	"github.com/ezscale/platform/shared/platform/clock"
)

// Security selects how the connection is protected.
type Security string

// Connection security modes.
const (
	ImplicitTLS Security = "tls"      // TLS from the first byte (port 465)
	StartTLS    Security = "starttls" // upgrade required (port 587)
	Plain       Security = "none"     // no TLS: only for a relay on localhost
)

// Config is an SMTP relay.
type Config struct {
	Host     string
	Port     int
	Security Security
	Username string
	Password string
	// TLS overrides the TLS configuration (tests use it to trust a local CA).
	TLS     *tls.Config
	Timeout time.Duration // whole-conversation timeout; default 30s
}

// Mailer implements notify.Mailer over SMTP.
type Mailer struct {
	cfg   Config
	clock clock.Clock
}

var _ notify.Mailer = (*Mailer)(nil)

// New returns an SMTP mailer.
func New(cfg Config, clk clock.Clock) *Mailer {
	if cfg.Timeout == 0 {
		cfg.Timeout = 30 * time.Second
	}
	return &Mailer{cfg: cfg, clock: clk}
}

// Send implements notify.Mailer.
func (s *Mailer) Send(ctx context.Context, m notify.Mail) error {
	msg, err := mailmsg.Build(m, s.clock.Now())
	if err != nil {
		return notify.PermanentError(fmt.Errorf("build message: %w", err))
	}
	from, err := mail.ParseAddress(m.From)
	if err != nil {
		return notify.PermanentError(fmt.Errorf("from: %w", err))
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	c, err := s.dial(ctx)
	if err != nil {
		return notify.Retryable(err, 0)
	}
	defer c.Close()
	sender := from.Address
	if m.Thread != nil && m.Thread.AutoReply {
		sender = "" // RFC 3834: auto-replies go with a null envelope sender
	}
	// Everything before DATA is safe to retry: the server has nothing yet.
	if err := c.Mail(sender); err != nil {
		return classify("MAIL FROM", err)
	}
	if err := c.Rcpt(m.To); err != nil {
		return classify("RCPT TO", err)
	}
	w, err := c.Data()
	if err != nil {
		return classify("DATA", err)
	}
	if _, err := w.Write(msg); err != nil {
		return notify.AmbiguousError(fmt.Errorf("write message: %w", err))
	}
	// The reply to the final "." decides: 2xx accepted, 4xx/5xx refused
	// (nothing queued), no reply at all is ambiguous.
	if err := w.Close(); err != nil {
		if _, ok := errors.AsType[*textproto.Error](err); ok {
			return classify("end of DATA", err)
		}
		return notify.AmbiguousError(fmt.Errorf("end of DATA: %w", err))
	}
	_ = c.Quit()
	return nil
}

func (s *Mailer) dial(ctx context.Context) (*smtp.Client, error) {
	addr := net.JoinHostPort(s.cfg.Host, fmt.Sprint(s.cfg.Port))
	tlsCfg := s.cfg.TLS
	if tlsCfg == nil {
		tlsCfg = &tls.Config{ServerName: s.cfg.Host, MinVersion: tls.VersionTLS12}
	}
	d := &net.Dialer{}
	var conn net.Conn
	var err error
	if s.cfg.Security == ImplicitTLS {
		conn, err = (&tls.Dialer{NetDialer: d, Config: tlsCfg}).DialContext(ctx, "tcp", addr)
	} else {
		conn, err = d.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return nil, fmt.Errorf("connect %s: %w", addr, err)
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	c, err := smtp.NewClient(conn, s.cfg.Host)
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("greeting from %s: %w", addr, err)
	}
	if s.cfg.Security == StartTLS {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			c.Close()
			return nil, fmt.Errorf("%s does not offer STARTTLS", addr)
		}
		if err := c.StartTLS(tlsCfg); err != nil {
			c.Close()
			return nil, fmt.Errorf("starttls: %w", err)
		}
	}
	if s.cfg.Username != "" {
		// smtp.PlainAuth refuses to send credentials without TLS except to localhost.
		if err := c.Auth(smtp.PlainAuth("", s.cfg.Username, s.cfg.Password, s.cfg.Host)); err != nil {
			c.Close()
			return nil, fmt.Errorf("auth: %w", err)
		}
	}
	return c, nil
}

// classify maps an SMTP reply: 5xx is permanent (for this recipient or
// message), anything else is safe to retry because no message was queued.
func classify(stage string, err error) error {
	if te, ok := errors.AsType[*textproto.Error](err); ok && te.Code >= 500 {
		return notify.PermanentError(fmt.Errorf("%s: %w", stage, err))
	}
	return notify.Retryable(fmt.Errorf("%s: %w", stage, err), 0)
}
