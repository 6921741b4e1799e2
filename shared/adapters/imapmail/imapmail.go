// Package imapmail imports the support mailbox over IMAP, exactly once
// per message as far as the mailbox can tell: a stored (mailbox,
// UIDVALIDITY, last UID) cursor says where the last run stopped, messages
// are fetched with BODY.PEEK (a failed import leaves them unread), and a
// message is marked \Seen and the cursor moved only after the handler
// committed it. A crash between the two makes the next run hand the same
// message over again; the handler knows it by its Message-ID.
package imapmail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// Security is how the connection is protected.
type Security string

// Securities.
const (
	ImplicitTLS Security = "tls"      // imaps, port 993
	StartTLS    Security = "starttls" // port 143, upgraded
	// Plain is for the local stack's in-process server only: config
	// refuses it outside the local stage.
	Plain Security = "none"
)

// Config is one IMAP account.
type Config struct {
	Addr               string // host:port
	Security           Security
	Username, Password string
	// Mailboxes to import; "*" imports every selectable mailbox.
	Mailboxes []string
	// MaxBytes bounds what is read of one message: a larger one is handed
	// over cut at MaxBytes+1, for the handler to refuse.
	MaxBytes int
	Timeout  time.Duration
	TLS      *tls.Config
}

// Cursor is how far a mailbox has been imported.
type Cursor struct {
	UIDValidity uint32
	LastUID     uint32
}

// Cursors keeps the cursors (the table).
type Cursors interface {
	// Cursor answers the zero cursor for a mailbox never imported.
	Cursor(ctx context.Context, mailbox string) (Cursor, error)
	SaveCursor(ctx context.Context, mailbox string, c Cursor) error
}

// Handler imports one message; an error stops this mailbox's run and the
// message comes again at the next one.
type Handler func(ctx context.Context, mailbox string, raw []byte) error

// Stats is what one run did.
type Stats struct {
	Mailboxes int
	Imported  int
	// Reset counts mailboxes whose UIDVALIDITY changed: all their mail is
	// offered again (the handler drops what it has).
	Reset int
}

// Poll imports what arrived in each mailbox since its cursor.
func Poll(ctx context.Context, cfg Config, cursors Cursors, h Handler, log *slog.Logger) (Stats, error) {
	var st Stats
	if cfg.Timeout == 0 {
		cfg.Timeout = 30 * time.Second
	}
	c, err := dial(cfg)
	if err != nil {
		return st, fmt.Errorf("imap connect %s: %w", cfg.Addr, err)
	}
	defer c.Close()
	// The client has no context: closing the connection ends any command
	// waiting on a server that stopped answering.
	stop := context.AfterFunc(ctx, func() { _ = c.Close() })
	defer stop()
	if err := c.Login(cfg.Username, cfg.Password).Wait(); err != nil {
		return st, fmt.Errorf("imap login as %s: %w", cfg.Username, err)
	}
	boxes, err := mailboxes(c, cfg.Mailboxes)
	if err != nil {
		return st, err
	}
	for _, box := range boxes {
		st.Mailboxes++
		n, reset, err := pollBox(ctx, c, cfg, box, cursors, h, log)
		st.Imported += n
		if reset {
			st.Reset++
		}
		if err != nil {
			return st, fmt.Errorf("mailbox %s: %w", box, err)
		}
	}
	_ = c.Logout().Wait()
	return st, nil
}

func dial(cfg Config) (*imapclient.Client, error) {
	opts := &imapclient.Options{TLSConfig: cfg.TLS, Dialer: &net.Dialer{Timeout: cfg.Timeout}}
	switch cfg.Security {
	case ImplicitTLS:
		return imapclient.DialTLS(cfg.Addr, opts)
	case StartTLS:
		return imapclient.DialStartTLS(cfg.Addr, opts)
	case Plain:
		return imapclient.DialInsecure(cfg.Addr, opts)
	}
	return nil, fmt.Errorf("unknown security %q", cfg.Security)
}

func mailboxes(c *imapclient.Client, want []string) ([]string, error) {
	if !slices.Contains(want, "*") {
		return want, nil
	}
	list, err := c.List("", "*", nil).Collect()
	if err != nil {
		return nil, fmt.Errorf("imap list: %w", err)
	}
	var out []string
	for _, l := range list {
		if !slices.Contains(l.Attrs, imap.MailboxAttrNoSelect) {
			out = append(out, l.Mailbox)
		}
	}
	slices.Sort(out)
	return out, nil
}

func pollBox(ctx context.Context, c *imapclient.Client, cfg Config, box string, cursors Cursors, h Handler, log *slog.Logger) (n int, reset bool, err error) {
	sel, err := c.Select(box, nil).Wait()
	if err != nil {
		return 0, false, fmt.Errorf("select: %w", err)
	}
	cur, err := cursors.Cursor(ctx, box)
	if err != nil {
		return 0, false, err
	}
	if cur.UIDValidity != sel.UIDValidity {
		// RFC 9051 §2.3.1.1: the old UIDs mean nothing now. Everything is
		// offered again; the handler knows each message by its Message-ID.
		if cur.UIDValidity != 0 {
			log.WarnContext(ctx, "imap UIDVALIDITY changed; importing the mailbox again", "mailbox", box, "was", cur.UIDValidity, "now", sel.UIDValidity)
			reset = true
		}
		cur = Cursor{UIDValidity: sel.UIDValidity}
		if err := cursors.SaveCursor(ctx, box, cur); err != nil {
			return 0, reset, err
		}
	}
	if sel.NumMessages == 0 || sel.UIDNext != 0 && uint32(sel.UIDNext) <= cur.LastUID+1 {
		return 0, reset, nil
	}
	var set imap.UIDSet
	set.AddRange(imap.UID(cur.LastUID+1), 0) // n:* — which names the last message even when it is older
	msgs, err := c.Fetch(set, &imap.FetchOptions{UID: true}).Collect()
	if err != nil {
		return 0, reset, fmt.Errorf("list new messages: %w", err)
	}
	var uids []uint32
	for _, m := range msgs {
		if uint32(m.UID) > cur.LastUID {
			uids = append(uids, uint32(m.UID))
		}
	}
	slices.Sort(uids)
	section := &imap.FetchItemBodySection{Peek: true}
	if cfg.MaxBytes > 0 {
		section.Partial = &imap.SectionPartial{Offset: 0, Size: int64(cfg.MaxBytes) + 1}
	}
	for _, uid := range uids {
		if err := ctx.Err(); err != nil {
			return n, reset, err
		}
		got, err := c.Fetch(imap.UIDSetNum(imap.UID(uid)), &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{section}}).Collect()
		if err != nil {
			return n, reset, fmt.Errorf("fetch uid %d: %w", uid, err)
		}
		if len(got) != 1 || len(got[0].BodySection) == 0 {
			// Expunged between the two fetches: nothing to import.
			continue
		}
		if err := h(ctx, box, got[0].BodySection[0].Bytes); err != nil {
			return n, reset, fmt.Errorf("import uid %d: %w", uid, err)
		}
		n++
		// Committed: only now does the mailbox learn it was read, and the
		// cursor move past it. A failure here is harmless (the message
		// comes again and is known by its Message-ID), so it is logged.
		if err := c.Store(imap.UIDSetNum(imap.UID(uid)), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagSeen}}, nil).Close(); err != nil {
			log.WarnContext(ctx, "imap: could not mark a message read", "mailbox", box, "uid", uid, "err", err.Error())
		}
		cur.LastUID = uid
		if err := cursors.SaveCursor(ctx, box, cur); err != nil {
			return n, reset, err
		}
	}
	return n, reset, nil
}

// ParseURL reads IMAP_URL: imaps://host[:993], imap://host[:143]
// (STARTTLS), or imap+plain://host:port for the local stack.
func ParseURL(u string) (addr string, sec Security, err error) {
	scheme, rest, ok := strings.Cut(u, "://")
	rest = strings.TrimSuffix(rest, "/")
	if !ok || rest == "" || strings.ContainsAny(rest, "/@?#") {
		return "", "", errors.New("must be imaps://host[:port], imap://host[:port] or imap+plain://host:port")
	}
	port := map[string]string{"imaps": "993", "imap": "143"}[scheme]
	switch scheme {
	case "imaps":
		sec = ImplicitTLS
	case "imap":
		sec = StartTLS
	case "imap+plain":
		sec = Plain
	default:
		return "", "", fmt.Errorf("unknown scheme %q", scheme)
	}
	if _, _, err := net.SplitHostPort(rest); err != nil {
		if port == "" {
			return "", "", errors.New("imap+plain needs a port")
		}
		rest = net.JoinHostPort(rest, port)
	}
	return rest, sec, nil
}
