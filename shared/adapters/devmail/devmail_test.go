package devmail_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/ezscale/platform/shared/adapters/devmail"
	"github.com/ezscale/platform/shared/domain/notify"
	"github.com/ezscale/platform/shared/platform/clock"
)

func TestRoundTrip(t *testing.T) {
	clk := clock.NewFake(time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC))
	box := devmail.New(t.TempDir(), clk)
	pdf := []byte{0x25, 0x50, 0x44, 0x46, 0, 0xff, '\r', '\n'}
	for i, subj := range []string{"First — ünïcode", "Second"} {
		clk.Advance(time.Second)
		err := box.Send(context.Background(), notify.Mail{ID: "k" + string(rune('a'+i)), From: "EZSCALE <no-reply@ezscale.example>", To: "ada@example.com",
			Subject: subj, Text: "plain", HTML: "<p>html</p>", Attachments: []notify.Attachment{{Filename: "a.pdf", ContentType: "application/pdf", Content: pdf}}})
		if err != nil {
			t.Fatal(err)
		}
	}
	list, err := box.List(10)
	if err != nil || len(list) != 2 || list[0].Subject != "Second" || list[1].Subject != "First — ünïcode" {
		t.Fatalf("list = %+v, %v", list, err)
	}
	m, err := box.Get(list[1].ID)
	if err != nil {
		t.Fatal(err)
	}
	if m.Text != "plain" || m.HTML != "<p>html</p>" || len(m.Parts) != 1 || !bytes.Equal(m.Parts[0].Body, pdf) || m.Parts[0].Filename != "a.pdf" {
		t.Fatalf("message = %+v", m)
	}
	for _, bad := range []string{"", "../x", "a.b", list[0].ID + "x"} {
		if _, err := box.Get(bad); err == nil {
			t.Errorf("Get(%q) succeeded", bad)
		}
	}
}
