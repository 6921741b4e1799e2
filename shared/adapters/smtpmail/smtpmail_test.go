package smtpmail_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/ezscale/platform/shared/adapters/smtpmail"
	"github.com/ezscale/platform/shared/domain/notify"
	"github.com/ezscale/platform/shared/platform/clock"
	"github.com/ezscale/platform/shared/testkit/smtpserver"
)

var pdf = append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte{0, 1, 2, 0xfe, 0xff, '\r', '\n'}, 5000)...)

func sample() notify.Mail {
	return notify.Mail{
		ID: "invoice_issued:inv_1", From: "EZSCALE <billing@ezscale.example>", To: "ada@example.com", ReplyTo: "support@ezscale.example",
		Subject: "Invoice EZS-2026-000123 für Łódź — €12.00", Text: "Hello Ada,\nyour invoice.\n", HTML: "<p>Hello Ada, <b>your invoice</b>.</p>",
		Attachments: []notify.Attachment{{Filename: "EZS-2026-000123.pdf", ContentType: "application/pdf", Content: pdf}},
	}
}

func mailer(t *testing.T, srv *smtpserver.Server, sec smtpmail.Security, user, pass string) *smtpmail.Mailer {
	t.Helper()
	host, port, _ := net.SplitHostPort(srv.Addr)
	p, _ := strconv.Atoi(port)
	return smtpmail.New(smtpmail.Config{Host: host, Port: p, Security: sec, Username: user, Password: pass, TLS: srv.ClientTLS, Timeout: 5 * time.Second},
		clock.NewFake(time.Date(2026, 11, 26, 9, 30, 0, 0, time.UTC)))
}

func TestDeliversCorrectMIME(t *testing.T) {
	for _, tc := range []struct {
		name     string
		implicit bool
		sec      smtpmail.Security
	}{
		{"STARTTLS", false, smtpmail.StartTLS},
		{"ImplicitTLS", true, smtpmail.ImplicitTLS},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, err := smtpserver.Start(smtpserver.Options{ImplicitTLS: tc.implicit, Username: "apikey", Password: "s3cret"})
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			if err := mailer(t, srv, tc.sec, "apikey", "s3cret").Send(context.Background(), sample()); err != nil {
				t.Fatal(err)
			}
			msgs := srv.Messages()
			if len(msgs) != 1 || msgs[0].From != "billing@ezscale.example" || msgs[0].To[0] != "ada@example.com" {
				t.Fatalf("envelope = %+v", msgs)
			}
			checkMIME(t, msgs[0].Data)
		})
	}
}

func checkMIME(t *testing.T, raw []byte) {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	dec := new(mime.WordDecoder)
	subject, err := dec.DecodeHeader(m.Header.Get("Subject"))
	if err != nil || subject != sample().Subject {
		t.Errorf("Subject = %q, %v", subject, err)
	}
	for h, want := range map[string]string{
		"From": `"EZSCALE" <billing@ezscale.example>`, "To": "<ada@example.com>", "Reply-To": "<support@ezscale.example>",
		"Date": "Thu, 26 Nov 2026 09:30:00 +0000", "Mime-Version": "1.0", "Auto-Submitted": "auto-generated",
	} {
		if got := m.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	if id := m.Header.Get("Message-Id"); !strings.HasSuffix(id, "@ezscale.example>") || !strings.HasPrefix(id, "<") {
		t.Errorf("Message-ID = %q, want one on our domain", id)
	}
	mt, params, _ := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if mt != "multipart/mixed" {
		t.Fatalf("Content-Type = %s", mt)
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	alt, err := mr.NextPart()
	if err != nil {
		t.Fatal(err)
	}
	amt, aparams, _ := mime.ParseMediaType(alt.Header.Get("Content-Type"))
	if amt != "multipart/alternative" {
		t.Fatalf("first part = %s", amt)
	}
	ar := multipart.NewReader(alt, aparams["boundary"])
	var types, bodies []string
	for {
		p, err := ar.NextPart() // multipart decodes quoted-printable itself
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p)
		types = append(types, p.Header.Get("Content-Type"))
		bodies = append(bodies, string(b))
	}
	if len(types) != 2 || !strings.HasPrefix(types[0], "text/plain") || !strings.HasPrefix(types[1], "text/html") {
		t.Fatalf("alternative parts = %v", types)
	}
	if bodies[0] != "Hello Ada,\r\nyour invoice.\r\n" || bodies[1] != sample().HTML {
		t.Errorf("bodies = %q", bodies)
	}
	att, err := mr.NextPart()
	if err != nil {
		t.Fatal(err)
	}
	if att.FileName() != "EZS-2026-000123.pdf" || !strings.HasPrefix(att.Header.Get("Content-Type"), "application/pdf") {
		t.Fatalf("attachment header = %v", att.Header)
	}
	got, _ := io.ReadAll(att) // multipart leaves base64 parts encoded
	if att.Header.Get("Content-Transfer-Encoding") != "base64" {
		t.Fatal("attachment not base64")
	}
	decoded, err := decodeBase64(got)
	if err != nil || !bytes.Equal(decoded, pdf) {
		t.Fatalf("attachment bytes differ (%d vs %d): %v", len(decoded), len(pdf), err)
	}
	for _, line := range bytes.Split(got, []byte("\r\n")) {
		if len(line) > 76 {
			t.Fatalf("base64 line of %d characters", len(line))
		}
	}
}

func TestFailuresAreClassified(t *testing.T) {
	srv, err := smtpserver.Start(smtpserver.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	m := mailer(t, srv, smtpmail.StartTLS, "", "")
	tests := []struct {
		name   string
		faults smtpserver.Faults
		want   notify.Outcome
	}{
		{"RecipientUnknown", smtpserver.Faults{RcptErr: &smtp.SMTPError{Code: 550, Message: "no such user"}}, notify.Permanent},
		{"Greylisted", smtpserver.Faults{RcptErr: &smtp.SMTPError{Code: 451, Message: "try again later"}}, notify.Retry},
		{"DataRejected", smtpserver.Faults{DataErr: &smtp.SMTPError{Code: 554, Message: "spam"}}, notify.Permanent},
		{"DataTempFail", smtpserver.Faults{DataErr: &smtp.SMTPError{Code: 452, Message: "mailbox full"}}, notify.Retry},
		{"DroppedAfterData", smtpserver.Faults{DropAfterData: true}, notify.Ambiguous},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv.SetFaults(tt.faults)
			err := m.Send(context.Background(), sample())
			de, ok := errors.AsType[*notify.DeliveryError](err)
			if !ok || de.Outcome != tt.want {
				t.Fatalf("err = %v, want outcome %d", err, tt.want)
			}
		})
	}
	t.Run("ServerDown", func(t *testing.T) {
		l, _ := net.Listen("tcp", "127.0.0.1:0")
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		down := smtpmail.New(smtpmail.Config{Host: "127.0.0.1", Port: port, Security: smtpmail.StartTLS, Timeout: 2 * time.Second}, clock.System{})
		err := down.Send(context.Background(), sample())
		if de, ok := errors.AsType[*notify.DeliveryError](err); !ok || de.Outcome != notify.Retry {
			t.Fatalf("err = %v, want retryable", err)
		}
	})
	t.Run("WrongPassword", func(t *testing.T) {
		authSrv, err := smtpserver.Start(smtpserver.Options{Username: "u", Password: "right"})
		if err != nil {
			t.Fatal(err)
		}
		defer authSrv.Close()
		if err := mailer(t, authSrv, smtpmail.StartTLS, "u", "wrong").Send(context.Background(), sample()); err == nil || len(authSrv.Messages()) != 0 {
			t.Fatalf("sent with a wrong password: %v", err)
		}
	})
}

// Ticket mail threads: our own Message-ID, In-Reply-To and References;
// a person's answer carries no Auto-Submitted, an automatic answer says
// auto-replied and goes with a null envelope sender (RFC 3834), so no
// responder answers it back.
func TestThreadedMail(t *testing.T) {
	srv, err := smtpserver.Start(smtpserver.Options{Username: "apikey", Password: "s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	for _, tc := range []struct {
		name       string
		thread     notify.Thread
		auto, from string
	}{
		{"a staff answer", notify.Thread{MessageID: "ticket-42.r2.abc@ezscale.example", InReplyTo: "ticket-42.r1.xyz@ezscale.example",
			References: []string{"CAF=first@mail.example", "ticket-42.r1.xyz@ezscale.example"}, Human: true}, "", "billing@ezscale.example"},
		{"an acknowledgement", notify.Thread{MessageID: "ticket-43.r1.def@ezscale.example", InReplyTo: "CAF=new@mail.example",
			References: []string{"CAF=new@mail.example"}, AutoReply: true}, "auto-replied", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := sample()
			m.Attachments, m.Thread = nil, &tc.thread
			before := len(srv.Messages())
			if err := mailer(t, srv, smtpmail.StartTLS, "apikey", "s3cret").Send(context.Background(), m); err != nil {
				t.Fatal(err)
			}
			got := srv.Messages()[before]
			if got.From != tc.from {
				t.Errorf("envelope sender %q, want %q", got.From, tc.from)
			}
			msg, err := mail.ReadMessage(bytes.NewReader(got.Data))
			if err != nil {
				t.Fatal(err)
			}
			refs := "<" + strings.Join(tc.thread.References, "> <") + ">"
			for h, want := range map[string]string{"Message-Id": "<" + tc.thread.MessageID + ">", "In-Reply-To": "<" + tc.thread.InReplyTo + ">",
				"References": refs, "Auto-Submitted": tc.auto} {
				if g := strings.Join(strings.Fields(msg.Header.Get(h)), " "); g != want {
					t.Errorf("%s = %q, want %q", h, g, want)
				}
			}
		})
	}
}
