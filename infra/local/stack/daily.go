package stack

import (
	"context"
	"time"
)

// runDaily is `make dev`'s lifecycle schedule: the daily job runs at the
// start (executions of the last process are started again by its sweep)
// and again whenever the dev clock's day has changed — looked at every
// minute and at once when the clock is moved — so a day skipped forward
// reminds, notices and sweeps as a night at AWS would.
func (s *Stack) runDaily(ctx context.Context) {
	last := ""
	for {
		if day := s.Platform.Clock.Now().UTC().Format(time.DateOnly); day != last {
			d, err := s.Platform.RunDaily(ctx)
			if ctx.Err() != nil {
				return
			}
			if err != nil {
				s.Platform.Log.WarnContext(ctx, "daily lifecycle run failed", "err", err.Error())
			} else {
				last = day
				s.Platform.Log.InfoContext(ctx, "daily lifecycle run", "day", day, "unpaid_renewals", d.UnpaidRenewals,
					"renewal_reminders", d.RenewalReminders, "card_notices", d.CardNotices, "fee_reminders", d.FeeReminders)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-s.dailyKick:
		case <-time.After(time.Minute):
		}
	}
}
