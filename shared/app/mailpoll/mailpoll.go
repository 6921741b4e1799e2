// Package mailpoll imports the support mailbox into the helpdesk: the
// mail-poll function's schedule and the local stack's timer. It is apart
// from package app so that only they link the IMAP client.
package mailpoll

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/ezscale/platform/shared/adapters/dynamo"
	"github.com/ezscale/platform/shared/adapters/imapmail"
	"github.com/ezscale/platform/shared/app"
	"github.com/ezscale/platform/shared/domain/helpdesk"
)

// Poll imports the support mailbox (IMAP_URL) once: the mail-poll
// function's schedule, and the local stack's timer. Without IMAP_URL it
// does nothing.
func Poll(ctx context.Context, p *app.Platform) (imapmail.Stats, error) {
	if p.Config.IMAPURL == "" {
		return imapmail.Stats{}, nil
	}
	addr, sec, err := imapmail.ParseURL(p.Config.IMAPURL)
	if err != nil {
		return imapmail.Stats{}, fmt.Errorf("IMAP_URL: %w", err)
	}
	cfg := imapmail.Config{Addr: addr, Security: sec, Username: p.Config.IMAPUsername, Password: p.Config.IMAPPassword,
		Mailboxes: p.Config.IMAPMailboxes, MaxBytes: p.Config.MailMaxBytes}
	return imapmail.Poll(ctx, cfg, cursors{dynamo.NewTickets(p.Table)}, func(ctx context.Context, mailbox string, raw []byte) error {
		out, err := p.Helpdesk.Import(ctx, raw, mailbox)
		if err != nil {
			return err
		}
		p.Log.InfoContext(ctx, "support mail imported", "mailbox", mailbox, "action", out.Action, "ticket", out.TicketID, "reason", out.Reason)
		return nil
	}, p.Log)
}

// cursors keeps the importer's mailbox cursors in the table.
type cursors struct{ t *dynamo.Tickets }

func (c cursors) Cursor(ctx context.Context, mailbox string) (imapmail.Cursor, error) {
	cur, err := c.t.MailCursor(ctx, mailbox)
	return imapmail.Cursor{UIDValidity: cur.UIDValidity, LastUID: cur.LastUID}, err
}

func (c cursors) SaveCursor(ctx context.Context, mailbox string, cur imapmail.Cursor) error {
	old, err := c.t.MailCursor(ctx, mailbox)
	if err != nil {
		return err
	}
	return c.t.SaveMailCursor(ctx, helpdesk.Cursor{Mailbox: mailbox, UIDValidity: cur.UIDValidity, LastUID: cur.LastUID, Version: old.Version})
}

// Handler is the mail-poll function's: one Poll per scheduled event.
func Handler(p *app.Platform) func(context.Context, json.RawMessage) (map[string]int, error) {
	return func(ctx context.Context, _ json.RawMessage) (map[string]int, error) {
		st, err := Poll(ctx, p)
		out := map[string]int{"mailboxes": st.Mailboxes, "imported": st.Imported, "reset": st.Reset}
		p.Log.InfoContext(ctx, "mail poll", "mailboxes", st.Mailboxes, "imported", st.Imported, "reset", st.Reset)
		if err != nil {
			return out, fmt.Errorf("mail poll: %w", err)
		}
		return out, nil
	}
}
