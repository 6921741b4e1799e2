package mailin_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/ezscale/platform/shared/domain/helpdesk/mailin"
)

func crlf(s string) []byte { return []byte(strings.ReplaceAll(s, "\n", "\r\n")) }

var opts = mailin.Options{MaxBytes: 1 << 20, OwnDomain: "mail.ezscale.localhost"}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		name  string
		raw   string
		check func(t *testing.T, m *mailin.Message)
	}{
		{"a reply in Latin-1 quoted-printable, with an encoded subject and threading", `From: =?ISO-8859-1?Q?Ren=E9e_M=FCller?= <Renee@Example.COM>
To: support@ezscale.localhost
Subject: =?UTF-8?B?UmU6IFtFWlNDQUxFLTQyXSBTZXJ2ZXIgZG93biDinJM=?=
Message-ID: <abc.123@example.com>
In-Reply-To: <ticket-42.7.x9@mail.ezscale.localhost>
References: <ticket-42.1.a@mail.ezscale.localhost> <ticket-42.7.x9@mail.ezscale.localhost>
Date: Tue, 01 Dec 2026 10:00:00 +0100
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="b1"

--b1
Content-Type: text/plain; charset=iso-8859-1
Content-Transfer-Encoding: quoted-printable

Gr=FC=DFe, it works again.

On Tue, 1 Dec 2026 at 09:00, EZSCALE Support <support@ezscale.localhost> wrote:
> Please try again.
--b1
Content-Type: text/html; charset=utf-8

<p>Grüße, it works again.</p>
--b1--
`, func(t *testing.T, m *mailin.Message) {
			if m.From.Address != "renee@example.com" || m.From.Name != "Renée Müller" {
				t.Errorf("from %+v", m.From)
			}
			if m.Subject != "Re: [EZSCALE-42] Server down ✓" || m.MessageID != "abc.123@example.com" {
				t.Errorf("subject %q id %q", m.Subject, m.MessageID)
			}
			if len(m.InReplyTo) != 1 || m.InReplyTo[0] != "ticket-42.7.x9@mail.ezscale.localhost" || len(m.References) != 2 {
				t.Errorf("threading %v %v", m.InReplyTo, m.References)
			}
			if n, ok := mailin.TicketTag(m.Subject, "EZSCALE"); !ok || n != 42 {
				t.Errorf("tag %d %v", n, ok)
			}
			if got := mailin.ReplyText(m.Text); got != "Grüße, it works again." {
				t.Errorf("reply %q", got)
			}
			if m.Auto != "" || m.Date.Hour() != 9 {
				t.Errorf("auto %q date %v", m.Auto, m.Date)
			}
		}},
		{"HTML only, with script", `From: a@example.com
Subject: help
Content-Type: text/html; charset=utf-8

<html><head><title>x</title><script>alert(1)</script></head><body><div>Line one</div><p>Line&nbsp;two &amp; more</p></body></html>
`, func(t *testing.T, m *mailin.Message) {
			if m.Text != "Line one\n\nLine two & more" && m.Text != "Line one\nLine two & more" {
				t.Errorf("text %q", m.Text)
			}
			if strings.Contains(m.Text, "alert") {
				t.Error("script text kept")
			}
		}},
		{"a multipart without its boundary, and an attachment with a path", `From: b@example.com
Subject: logs
Content-Type: multipart/mixed

hello
`, func(t *testing.T, m *mailin.Message) {
			if m.Text != "hello" || len(m.Problems) == 0 {
				t.Errorf("text %q problems %v", m.Text, m.Problems)
			}
		}},
		{"a base64 attachment named with a path, folded oddly", `From: c@example.com
Subject: =?utf-8?q?log_files?=
Content-Type: multipart/mixed; boundary=XYZ

--XYZ
Content-Type: text/plain

see attached
--XYZ
Content-Type: application/octet-stream; name="x.bin"
Content-Disposition: attachment; filename="..\..\windows\system32\evil.exe"
Content-Transfer-Encoding: base64

aGVs
 bG8g d29y
bGQ=
--XYZ--
`, func(t *testing.T, m *mailin.Message) {
			if len(m.Attachments) != 1 || m.Attachments[0].Name != "evil.exe" || string(m.Attachments[0].Data) != "hello world" {
				t.Errorf("attachments %+v", m.Attachments)
			}
			if m.Subject != "log files" || m.Text != "see attached" {
				t.Errorf("subject %q text %q", m.Subject, m.Text)
			}
		}},
		{"a bounce of our mail", `From: MAILER-DAEMON@mx.example.com
Return-Path: <>
Subject: Undelivered Mail Returned to Sender
Content-Type: multipart/report; report-type=delivery-status; boundary="R"

--R
Content-Type: text/plain

This is the mail system.
--R
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.com

Final-Recipient: rfc822; Gone@Example.com
Action: failed
Status: 5.1.1
--R
Content-Type: text/rfc822-headers

From: support@ezscale.localhost
Message-ID: <ticket-9.2.q@mail.ezscale.localhost>
Subject: [EZSCALE-9] Your ticket
--R--
`, func(t *testing.T, m *mailin.Message) {
			b := m.Bounce
			if b == nil || b.Recipient != "gone@example.com" || b.Status != "5.1.1" || !b.Permanent || b.OriginalMessageID != "ticket-9.2.q@mail.ezscale.localhost" {
				t.Fatalf("bounce %+v", b)
			}
			if m.Auto != "a delivery report" {
				t.Errorf("auto %q", m.Auto)
			}
		}},
		{"an out-of-office reply", `From: d@example.com
Subject: Automatic reply: [EZSCALE-3] hi
Auto-Submitted: auto-replied

I am away.
`, func(t *testing.T, m *mailin.Message) {
			if m.Auto != "Auto-Submitted: auto-replied" {
				t.Errorf("auto %q", m.Auto)
			}
		}},
		{"our own mail come back", `From: support@ezscale.localhost
Subject: [EZSCALE-3] hi
Message-ID: <ticket-3.1.z@mail.ezscale.localhost>

hi
`, func(t *testing.T, m *mailin.Message) {
			if m.Auto != "our own mail" {
				t.Errorf("auto %q", m.Auto)
			}
		}},
		{"unlabelled 8-bit text and a broken sender", "From: Ren\xe9e <renee at example>\nSubject: caf\xe9\n\ncaf\xe9 au lait\n", func(t *testing.T, m *mailin.Message) {
			if m.Text != "café au lait" || len(m.Problems) == 0 {
				t.Errorf("text %q problems %v", m.Text, m.Problems)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := mailin.Parse(crlf(tc.raw), opts)
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, m)
		})
	}
}

// A message over the limit answers its headers (to reply to) and
// ErrTooLarge; one without a header is an error, never a panic.
func TestTooLargeAndUnreadable(t *testing.T) {
	raw := crlf("From: big@example.com\nSubject: video\n\n" + strings.Repeat("x", 5000))
	m, err := mailin.Parse(raw, mailin.Options{MaxBytes: 1000})
	if !errors.Is(err, mailin.ErrTooLarge) || m == nil || m.From.Address != "big@example.com" || m.Subject != "video" {
		t.Fatalf("too large: %+v %v", m, err)
	}
	if _, err := mailin.Parse([]byte("not a mail at all"), opts); err == nil {
		t.Fatal("a message without a header parsed")
	}
}

func TestReplyTextAndNames(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Thanks!\n\n-----Original Message-----\nFrom: x", "Thanks!"},
		{"Yes.\n-- Please reply above this line --\nold", "Yes."},
		{"ok\n> quoted\n> more", "ok"},
		{"> all quoted", "> all quoted"},
		{"Danke\n\nAm 1. Dez. 2026 um 10:00 schrieb Support <s@x>:\n> alt", "Danke"},
	} {
		if got := mailin.ReplyText(tc.in); got != tc.want {
			t.Errorf("ReplyText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	for _, tc := range []struct{ in, want string }{
		{"../../etc/passwd", "passwd"},
		{`C:\Users\a\report.pdf`, "report.pdf"},
		{"...", "attachment"},
		{"a\x00b\nc.txt", "abc.txt"},
		{strings.Repeat("é", 100) + ".log", strings.Repeat("é", 58) + ".log"},
	} {
		if got := mailin.SafeName(tc.in); got != tc.want {
			t.Errorf("SafeName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if _, ok := mailin.TicketTag("Re: [EZSCALE-0] x", "EZSCALE"); ok {
		t.Error("ticket 0 tagged")
	}
	if n, ok := mailin.TicketTag("Fwd: re: [ezscale-77]", "EZSCALE"); !ok || n != 77 {
		t.Errorf("lower-case tag: %d %v", n, ok)
	}
}

// Whatever arrives, Parse answers a message or an error: no panic, names
// safe, text valid.
func FuzzParse(f *testing.F) {
	f.Add(crlf("From: a@b.c\nSubject: x\nContent-Type: multipart/mixed; boundary=Q\n\n--Q\nContent-Type: text/plain\n\nhi\n--Q--\n"))
	f.Add(crlf("From: a@b.c\nContent-Type: multipart/report; report-type=delivery-status; boundary=R\n\n--R\nContent-Type: message/delivery-status\n\nFinal-Recipient: rfc822; x@y\nAction: failed\nStatus: 5.1.1\n--R--\n"))
	f.Add(crlf("Subject: =?utf-8?b?////?=\nContent-Transfer-Encoding: base64\n\n!!!!"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := mailin.Parse(raw, mailin.Options{MaxBytes: 1 << 16})
		if err != nil && !errors.Is(err, mailin.ErrTooLarge) {
			return
		}
		for _, a := range m.Attachments {
			if a.Name == "" || strings.ContainsAny(a.Name, "/\\\x00") {
				t.Fatalf("unsafe attachment name %q", a.Name)
			}
		}
		_ = mailin.ReplyText(m.Text)
	})
}
