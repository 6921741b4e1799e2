package stack

import (
	"context"
	"fmt"
	"mime"
	"net/http"
	"net/mail"
	"net/smtp"
	"path/filepath"
	"strings"
	"time"

	"github.com/ezscale/platform/infra/local/seed"
	"github.com/ezscale/platform/shared/adapters/devmail"
	"github.com/ezscale/platform/shared/app/mailpoll"
	"github.com/ezscale/platform/shared/platform/ids"
	"github.com/ezscale/platform/shared/testkit/supportmail"
)

// The local support mailbox's IMAP login (loopback only).
const (
	SupportMailUser     = "desk"
	SupportMailPassword = "local-support-mailbox"
)

// MailPollEvery is the local stack's poll of the support mailbox; the
// mail-poll function's schedule is every 2 minutes, and a move of the dev
// clock polls at once.
const MailPollEvery = 10 * time.Second

// openSupportMail starts the support mailbox, keeping its mail in the data
// directory. It takes mail for every address of the demo company's domain,
// so a department staff add gets its mailbox when mail first comes.
func openSupportMail(o Options) (*supportmail.Server, error) {
	opts := supportmail.Options{
		Addresses: []string{seed.SupportAddress, seed.BillingAddress, seed.SalesAddress},
		Username:  SupportMailUser, Password: SupportMailPassword,
		Dir:      filepath.Join(o.DataDir, "support-mail"),
		SMTPAddr: o.SupportSMTPAddr,
		Accept:   func(a string) bool { return strings.HasSuffix(a, "@ezscale.localhost") },
	}
	srv, err := supportmail.Start(opts)
	if err != nil && o.SupportSMTPAddr != "" {
		// The usual port is taken (another stack): any free one will do,
		// and the banner says which.
		opts.SMTPAddr = ""
		srv, err = supportmail.Start(opts)
	}
	return srv, err
}

// pollSupportMail imports the support mailbox every MailPollEvery and
// whenever the dev clock moves, until ctx ends.
func (s *Stack) pollSupportMail(ctx context.Context) {
	defer s.SupportMail.Close()
	t := time.NewTicker(MailPollEvery)
	defer t.Stop()
	for {
		if _, err := mailpoll.Poll(ctx, s.Platform); err != nil && ctx.Err() == nil {
			s.Platform.Log.WarnContext(ctx, "support mail poll failed", "err", err.Error())
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.mailKick:
		}
	}
}

// PollMailNow asks for a poll of the support mailbox at once.
func (s *Stack) PollMailNow() {
	select {
	case s.mailKick <- struct{}{}:
	default: // one is due already
	}
}

// supportMailPage serves GET /dev/support-mail.json: where to send mail
// (SMTP) and how to read the mailbox (IMAP), for scripts and tests.
func (s *Stack) supportMailPage(mux *http.ServeMux) {
	mux.HandleFunc("GET /dev/support-mail.json", func(w http.ResponseWriter, _ *http.Request) {
		clockJSON(w, http.StatusOK, map[string]any{"smtp": s.SupportMail.SMTPAddr, "imap": s.SupportMail.IMAPAddr, "username": SupportMailUser,
			"password": SupportMailPassword, "mailboxes": s.SupportMail.Mailboxes(), "poll_every": MailPollEvery.String()})
	})
	mux.HandleFunc("POST /dev/support-mail/poll", func(w http.ResponseWriter, r *http.Request) {
		st, err := mailpoll.Poll(r.Context(), s.Platform)
		if err != nil {
			clockJSON(w, http.StatusServiceUnavailable, map[string]any{"error": map[string]any{"code": "unavailable", "message": err.Error()}})
			return
		}
		clockJSON(w, http.StatusOK, map[string]int{"mailboxes": st.Mailboxes, "imported": st.Imported})
	})
}

// mailPage is a dev mailbox message, and whether it can be answered here:
// ticket mail whose Reply-To is a local support address.
type mailPage struct {
	*devmail.Message
	ReplyTo    string
	Answerable bool
	Replied    bool
}

func answerable(m *devmail.Message, replied bool) mailPage {
	p := mailPage{Message: m, Replied: replied}
	if a, err := mail.ParseAddress(m.Headers.Get("Reply-To")); err == nil && strings.HasSuffix(a.Address, "@ezscale.localhost") {
		p.ReplyTo, p.Answerable = a.Address, true
	}
	return p
}

// answerMail sends the recipient's answer to m through the support mail
// port, threaded and quoting m as a mail client does, and polls at once.
func (s *Stack) answerMail(m *devmail.Message, text string) error {
	to := answerable(m, false).ReplyTo
	from, err := mail.ParseAddress(m.To)
	if err != nil {
		return fmt.Errorf("the message's To: %w", err)
	}
	id := m.Headers.Get("Message-Id")
	refs := strings.TrimSpace(m.Headers.Get("References") + " " + id)
	var quoted strings.Builder
	for line := range strings.SplitSeq(strings.ReplaceAll(m.Text, "\r\n", "\n"), "\n") {
		quoted.WriteString("> " + line + "\r\n")
	}
	subject := m.Subject
	if !strings.HasPrefix(strings.ToLower(subject), "re:") {
		subject = "Re: " + subject
	}
	raw := "From: " + from.String() + "\r\nTo: <" + to + ">\r\nSubject: " + mime.QEncoding.Encode("utf-8", subject) + "\r\n" +
		"Date: " + time.Now().Format(time.RFC1123Z) + "\r\nMessage-ID: <" + ids.New("devreply") + "@dev-mail-client.localhost>\r\n" +
		"In-Reply-To: " + id + "\r\nReferences: " + refs + "\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
		strings.ReplaceAll(strings.TrimSpace(text), "\n", "\r\n") + "\r\n\r\nOn " + m.Date.Format("Mon, 2 Jan 2006 15:04") + ", EZSCALE wrote:\r\n" + quoted.String()
	if err := smtp.SendMail(s.SupportMail.SMTPAddr, nil, from.Address, []string{to}, []byte(raw)); err != nil {
		return fmt.Errorf("send to the support mail port: %w", err)
	}
	s.PollMailNow()
	return nil
}
