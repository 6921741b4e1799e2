package dynamo_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/ezscale/platform/shared/adapters/dynamo"
	"github.com/ezscale/platform/shared/domain/helpdesk"
	"github.com/ezscale/platform/shared/platform/clock"
	"github.com/ezscale/platform/shared/testkit/dynamotest"
)

func newTicket(i int) (*helpdesk.Ticket, *helpdesk.Reply) {
	id := fmt.Sprintf("tkt_%02d", i)
	t := &helpdesk.Ticket{ID: id, Subject: "Help", DepartmentID: "dep_support", CustomerID: "usr_a", Email: "a@example.com", Priority: helpdesk.Medium,
		Status: helpdesk.Open, CreatedAt: t0, UpdatedAt: t0, Version: 1}
	return t, &helpdesk.Reply{ID: "rpl_" + id, TicketID: id, Author: helpdesk.Customer, AuthorName: "A", Body: "hi", Via: "web", CreatedAt: t0}
}

// Ticket numbers come from a series that moves only with the ticket it
// numbers: concurrent openings get consecutive numbers, and an opening
// that fails (a message imported twice) uses none.
func TestTicketNumbersHaveNoGaps(t *testing.T) {
	dynamotest.Run(t, clock.NewFake(t0), func(t *testing.T, tbl *dynamo.Table, api dynamotest.Client) {
		ctx := context.Background()
		s := dynamo.NewTickets(tbl)
		n := 4
		if dynamotest.Embedded(api) {
			n = 12
		}
		var wg sync.WaitGroup
		errs := make([]error, n)
		tickets := make([]*helpdesk.Ticket, n)
		for i := range n {
			wg.Go(func() {
				tk, r := newTicket(i)
				tickets[i], errs[i] = tk, s.CreateTicket(ctx, tk, r, nil, nil)
			})
		}
		wg.Wait()
		var numbers []int64
		for i := range n {
			if errs[i] != nil {
				t.Fatal(errs[i])
			}
			numbers = append(numbers, tickets[i].Number)
		}
		slices.Sort(numbers)
		for i, got := range numbers {
			if got != int64(i+1) {
				t.Fatalf("numbers %v: want 1..%d", numbers, n)
			}
		}
		// A reply carrying a Message-ID already recorded fails as a
		// duplicate, on a new ticket and on an existing one alike.
		tk, r := newTicket(90)
		r.MessageID = "CAF=Abc@mail.example"
		if err := s.CreateTicket(ctx, tk, r, nil, nil); err != nil {
			t.Fatal(err)
		}
		dup, dr := newTicket(91)
		dr.MessageID = "caf=abc@MAIL.example"
		if err := s.CreateTicket(ctx, dup, dr, nil, nil); !errors.Is(err, helpdesk.ErrDuplicate) {
			t.Fatalf("a second import as a new ticket: %v", err)
		}
		_, err := s.UpdateTicket(ctx, tickets[0].ID, func(t *helpdesk.Ticket) (helpdesk.Change, error) {
			return helpdesk.Change{Replies: []helpdesk.Reply{{ID: "rpl_x", TicketID: t.ID, Author: helpdesk.Customer, Body: "again", Via: "email", MessageID: "CAF=Abc@mail.example", CreatedAt: t0}}}, nil
		})
		if !errors.Is(err, helpdesk.ErrDuplicate) {
			t.Fatalf("a second import as a reply: %v", err)
		}
		next, nr := newTicket(92)
		if err := s.CreateTicket(ctx, next, nr, nil, nil); err != nil || next.Number != int64(n+2) {
			t.Fatalf("after a failed opening the next number is %d (%v), want %d", next.Number, err, n+2)
		}
		if id, err := s.TicketByMessageID(ctx, "caf=abc@mail.example"); err != nil || id != tk.ID {
			t.Fatalf("thread of the message: %q %v", id, err)
		}
		replies, _, err := s.Thread(ctx, tickets[0].ID)
		if err != nil || len(replies) != 1 {
			t.Fatalf("the failed reply left %d replies (%v)", len(replies), err)
		}
	})
}
