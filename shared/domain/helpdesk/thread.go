package helpdesk

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"slices"
	"strings"

	"github.com/ezscale/platform/shared/domain/helpdesk/mailin"
)

// MessageID is the Message-ID (without brackets) of our mail about a
// ticket's reply: it names the ticket and reply, so a reply to it threads
// back even when the subject was changed, and a random part keeps it
// unique.
func MessageID(ticketID, replyID, domain string) string {
	b := make([]byte, 10)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s.%s.%s@%s", ticketID, replyID, strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b)), domain)
}

// ThreadOf is the In-Reply-To and References of our next mail on a
// ticket whose earlier mail has the Message-IDs sent (oldest first):
// In-Reply-To the latest, References them all (RFC 5322 §3.6.4), capped
// so the header stays short.
func ThreadOf(sent []string) (inReplyTo string, references []string) {
	if len(sent) == 0 {
		return "", nil
	}
	refs := sent
	if len(refs) > 10 { // the first and the latest: clients need no more
		refs = append([]string{refs[0]}, refs[len(refs)-9:]...)
	}
	return sent[len(sent)-1], slices.Clone(refs)
}

// Finder is what matching inbound mail needs from storage.
type Finder interface {
	// TicketByMessageID is the ticket whose thread holds the message id
	// (one of our mails or an imported one); "" when none does.
	TicketByMessageID(ctx context.Context, id string) (string, error)
	// TicketByNumber is the ticket numbered n and its customer's address;
	// nil when there is none.
	TicketByNumber(ctx context.Context, n int64) (*Ticket, string, error)
}

// Match is where an inbound message goes.
type Match struct {
	TicketID string // empty: a new ticket
	// How it matched: "message id", "subject tag", or why it is new.
	How string
}

// MatchInbound finds the ticket m continues: a Message-ID of its thread in
// In-Reply-To or References (the most recent first), then the subject's
// tag, then the tag in the body — a tag accepted only from the ticket's
// customer or a participant — else it opens a new ticket. A tag naming a
// merged ticket leads to the one it was merged into.
func MatchInbound(ctx context.Context, m *mailin.Message, prefix string, f Finder) (Match, error) {
	ids := append(slices.Clone(m.InReplyTo), reversed(m.References)...)
	for _, id := range ids {
		t, err := f.TicketByMessageID(ctx, id)
		if err != nil {
			return Match{}, err
		}
		if t != "" {
			return Match{TicketID: t, How: "message id"}, nil
		}
	}
	how := "subject tag"
	n, ok := mailin.TicketTag(m.Subject, prefix)
	if !ok {
		// Some providers rewrite Message-IDs and people edit subjects: our
		// mail carries the tag in its body too, quoted in most replies.
		if n, ok = mailin.TicketTag(m.Text, prefix); !ok {
			return Match{How: "new: nothing names a ticket"}, nil
		}
		how = "body marker"
	}
	t, customer, err := f.TicketByNumber(ctx, n)
	switch {
	case err != nil:
		return Match{}, err
	case t == nil:
		return Match{How: fmt.Sprintf("new: no ticket %s", Reference(prefix, n))}, nil
	case !t.MaySend(m.From.Address, customer):
		return Match{How: fmt.Sprintf("new: %s is not on %s", m.From.Address, Reference(prefix, n))}, nil
	case t.MergedInto != "":
		return Match{TicketID: t.MergedInto, How: how + " (merged)"}, nil
	}
	return Match{TicketID: t.ID, How: how}, nil
}

func reversed(l []string) []string {
	out := slices.Clone(l)
	slices.Reverse(out)
	return out
}
