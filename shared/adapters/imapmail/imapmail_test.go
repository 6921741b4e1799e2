package imapmail_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/ezscale/platform/shared/adapters/imapmail"
	"github.com/ezscale/platform/shared/testkit/supportmail"
)

type memCursors struct {
	mu   sync.Mutex
	m    map[string]imapmail.Cursor
	fail error // SaveCursor fails with it (a store outage after the commit)
}

func (c *memCursors) Cursor(_ context.Context, box string) (imapmail.Cursor, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[box], nil
}

func (c *memCursors) SaveCursor(_ context.Context, box string, cur imapmail.Cursor) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fail != nil {
		return c.fail
	}
	c.m[box] = cur
	return nil
}

func msg(n int, size int) []byte {
	return []byte(fmt.Sprintf("From: a@example.com\r\nTo: support@ezscale.test\r\nSubject: m%d\r\nMessage-ID: <m%d@example.com>\r\n\r\n%s\r\n", n, n, strings.Repeat("x", size)))
}

// unseen lists the UIDs of a mailbox not marked read.
func unseen(t *testing.T, srv *supportmail.Server, box string) []imap.UID {
	t.Helper()
	c, err := imapclient.DialInsecure(srv.IMAPAddr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login("desk", "pw").Wait(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Select(box, &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		t.Fatal(err)
	}
	d, err := c.UIDSearch(&imap.SearchCriteria{NotFlag: []imap.Flag{imap.FlagSeen}}, nil).Wait()
	if err != nil {
		t.Fatal(err)
	}
	return d.AllUIDs()
}

// Messages are handed over in UID order, marked read and passed by the
// cursor only once the handler has them; a failing handler stops the
// mailbox at that message (it comes again); a cursor that could not be
// saved offers the committed message again; a new UIDVALIDITY offers the
// whole mailbox again; oversized mail is read only up to the limit.
func TestPollIsExactlyOnceAsFarAsTheMailboxKnows(t *testing.T) {
	srv, err := supportmail.Start(supportmail.Options{Addresses: []string{"support@ezscale.test"}, Username: "desk", Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	box := "support@ezscale.test"
	for i := 1; i <= 3; i++ {
		if err := srv.Deliver(box, msg(i, 10)); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	cur := &memCursors{m: map[string]imapmail.Cursor{}}
	cfg := imapmail.Config{Addr: srv.IMAPAddr, Security: imapmail.Plain, Username: "desk", Password: "pw", Mailboxes: []string{"*"}, MaxBytes: 2000}
	var got []string
	failOn := "m2"
	h := func(_ context.Context, mb string, raw []byte) error {
		subject := strings.TrimSpace(strings.Split(strings.Split(string(raw), "Subject: ")[1], "\r\n")[0])
		if subject == failOn {
			return errors.New("store unavailable")
		}
		got = append(got, mb+":"+subject)
		return nil
	}
	log := slog.New(slog.DiscardHandler)
	if _, err := imapmail.Poll(ctx, cfg, cur, h, log); err == nil {
		t.Fatal("a failing import did not fail the run")
	}
	if len(got) != 1 || cur.m[box].LastUID != 1 || fmt.Sprint(unseen(t, srv, box)) != "[2 3]" {
		t.Fatalf("after a failure at m2: imported %v, cursor %+v, unread %v", got, cur.m[box], unseen(t, srv, box))
	}
	failOn = ""
	st, err := imapmail.Poll(ctx, cfg, cur, h, log)
	if err != nil || st.Imported != 2 || fmt.Sprint(got) != "[support@ezscale.test:m1 support@ezscale.test:m2 support@ezscale.test:m3]" || len(unseen(t, srv, box)) != 0 {
		t.Fatalf("second run: %+v %v; imported %v", st, err, got)
	}
	if st, _ := imapmail.Poll(ctx, cfg, cur, h, log); st.Imported != 0 {
		t.Fatalf("a run with nothing new imported %d", st.Imported)
	}

	// The handler committed m4 but the cursor could not be saved: m4 is
	// offered again (the desk answers it as a duplicate).
	if err := srv.Deliver(box, msg(4, 10)); err != nil {
		t.Fatal(err)
	}
	cur.fail = errors.New("table unavailable")
	if _, err := imapmail.Poll(ctx, cfg, cur, h, log); err == nil {
		t.Fatal("a cursor that could not be saved did not fail the run")
	}
	cur.fail = nil
	if st, err := imapmail.Poll(ctx, cfg, cur, h, log); err != nil || st.Imported != 1 || got[len(got)-1] != box+":m4" || got[len(got)-2] != box+":m4" {
		t.Fatalf("after the lost cursor: %+v %v %v", st, err, got)
	}

	// The server lost its index: a new UIDVALIDITY, UIDs from 1 again.
	if err := srv.Recreate(box); err != nil {
		t.Fatal(err)
	}
	for i := 5; i <= 6; i++ {
		if err := srv.Deliver(box, msg(i, 10)); err != nil {
			t.Fatal(err)
		}
	}
	st, err = imapmail.Poll(ctx, cfg, cur, h, log)
	if err != nil || st.Reset != 1 || st.Imported != 2 || got[len(got)-1] != box+":m6" {
		t.Fatalf("after UIDVALIDITY changed: %+v %v %v", st, err, got)
	}

	// A 30 MB message with the default 10 MB limit is read only up to
	// the limit + 1, for the desk to refuse politely.
	if err := srv.Deliver(box, msg(7, 30<<20)); err != nil {
		t.Fatal(err)
	}
	var size int
	cfg.MaxBytes = 10 << 20
	if _, err := imapmail.Poll(ctx, cfg, cur, func(_ context.Context, _ string, raw []byte) error { size = len(raw); return nil }, log); err != nil || size != 10<<20+1 {
		t.Fatalf("an oversized message was read as %d bytes (%v)", size, err)
	}
}

func TestParseURL(t *testing.T) {
	for _, tc := range []struct{ in, addr string }{
		{"imaps://mail.example.com", "mail.example.com:993"}, {"imap://mail.example.com", "mail.example.com:143"},
		{"imaps://mail.example.com:1993/", "mail.example.com:1993"}, {"imap+plain://127.0.0.1:1143", "127.0.0.1:1143"},
		{"imap+plain://127.0.0.1", ""}, {"pop3://x", ""}, {"imaps://user@host", ""}, {"host:993", ""},
	} {
		addr, _, err := imapmail.ParseURL(tc.in)
		if addr != tc.addr || (err == nil) != (tc.addr != "") {
			t.Errorf("%s: %q %v", tc.in, addr, err)
		}
	}
}
