package dynamo

import (
	"context"
	"strings"

	"github.com/ezscale/platform/shared/domain/helpdesk"
	"github.com/ezscale/platform/shared/platform/apperr"
)

// How far each support mailbox has been imported:
//
//	mail cursor  PK=MAILCURSOR#<mailbox>  SK=CURSOR  uid_validity, last_uid
type mailCursorRecord struct {
	Item
	Mailbox     string `dynamodbav:"mailbox"`
	UIDValidity uint32 `dynamodbav:"uid_validity"`
	LastUID     uint32 `dynamodbav:"last_uid"`
}

func mailCursorKey(mailbox string) Key {
	return Key{PK: "MAILCURSOR#" + strings.ToLower(mailbox), SK: "CURSOR"}
}

// MailCursor is the cursor of a mailbox (zero before its first import).
func (s *Tickets) MailCursor(ctx context.Context, mailbox string) (helpdesk.Cursor, error) {
	var r mailCursorRecord
	err := s.t.Get(ctx, mailCursorKey(mailbox), &r)
	if apperr.Is(err, apperr.NotFound) {
		return helpdesk.Cursor{Mailbox: mailbox}, nil
	}
	if err != nil {
		return helpdesk.Cursor{}, err
	}
	return helpdesk.Cursor{Mailbox: mailbox, UIDValidity: r.UIDValidity, LastUID: r.LastUID, Version: r.Version}, nil
}

// SaveMailCursor stores a mailbox's cursor. The mail-poll function runs
// one at a time (reserved concurrency 1), so the last write is the truth;
// an overlap would only offer messages again, which their Message-IDs
// refuse.
func (s *Tickets) SaveMailCursor(ctx context.Context, c helpdesk.Cursor) error {
	k := mailCursorKey(c.Mailbox)
	return s.t.Write(ctx, Put(&mailCursorRecord{Item: Item{PK: k.PK, SK: k.SK, Type: "mail_cursor", Version: c.Version + 1}, Mailbox: c.Mailbox,
		UIDValidity: c.UIDValidity, LastUID: c.LastUID}))
}
