package orders

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ezscale/platform/shared/domain/gateway"
	"github.com/ezscale/platform/shared/domain/outbox"
	"github.com/ezscale/platform/shared/platform/apperr"
	"github.com/ezscale/platform/shared/platform/text"
)

// KindCancelled: tell the admins a customer is leaving.
const KindCancelled = "subscription.cancelled"

// KindEnded: a subscription ended; its service must follow. The payload
// says how (Ended), so the service is terminated when the customer asked
// for it, and only suspended (terminated after a grace period staff can
// use to undo a mistake) when the end was decided at the gateway.
const KindEnded = "subscription.ended"

// Ended is the payload of KindEnded.
type Ended struct {
	OrderID        string `json:"order_id"`
	SubscriptionID string `json:"subscription_id"`
	// How: "now" (cancelled at the customer's request), "period_end" (the
	// period the customer asked to be the last ran out) or "gateway".
	How string `json:"how"`
}

// endedItem is the KindEnded item of sub's end, once per subscription (a
// cancelled subscription never comes back).
func endedItem(sub *Subscription, at time.Time) outbox.Item {
	how := sub.EndRequested
	if how == "" {
		how = "gateway"
	}
	return outbox.New("ended-"+sub.ID, KindEnded, sub.OrderID, Ended{OrderID: sub.OrderID, SubscriptionID: sub.ID, How: how}, at)
}

// KindEndDue: the end of a subscription's period, at a gateway that
// cancels at once only (PayPal), is near: cancel it there now, unless
// the customer took the request back. The service ends at the period's
// end (KindEnded, scheduled then).
const KindEndDue = "subscription.end_due"

// endLead is how long before the period's end the gateway is told: ahead
// of its renewal, which falls on the same moment.
const endLead = time.Hour

// EndDue is the payload of KindEndDue.
type EndDue struct {
	SubscriptionID string `json:"subscription_id"`
	Comment        string `json:"comment,omitempty"`
}

// EndAtPeriodEnd carries out a cancellation at period end the gateway
// could not schedule: it checks the gateway's subscription is the one this
// order made, cancels it there (unless it has ended already), and records
// the end, with the service's end at the period's end.
func (s *Service) EndAtPeriodEnd(ctx context.Context, in EndDue) error {
	sub, err := s.store.GetSubscription(ctx, in.SubscriptionID)
	if err != nil {
		return err
	}
	if sub.Status == gateway.SubCancelled || !sub.CancelAtPeriodEnd {
		return nil // ended already, or the customer kept it
	}
	g, err := s.gw(sub.Gateway)
	if err != nil {
		return err
	}
	there, err := g.Subscription(ctx, sub.GatewayID)
	if err != nil {
		return fmt.Errorf("read %s subscription %s: %w", sub.Gateway, sub.GatewayID, err)
	}
	if there.OrderID != "" && there.OrderID != sub.OrderID {
		return apperr.New(apperr.Conflict, "%s subscription %s belongs to order %s, not %s; not cancelled", sub.Gateway, sub.GatewayID, there.OrderID, sub.OrderID)
	}
	if there.Status != gateway.SubCancelled {
		if err := g.CancelSubscription(ctx, gateway.CancelInput{SubscriptionID: sub.GatewayID, Comment: in.Comment,
			Key: fmt.Sprintf("%s-end", sub.ID)}); err != nil {
			return err
		}
	}
	now := s.clock.Now()
	_, err = s.changeSubscription(ctx, sub.ID, func(sub *Subscription) ([]outbox.Item, *Survey) {
		if sub.Status == gateway.SubCancelled {
			return nil, nil
		}
		_ = sub.moveTo(gateway.SubCancelled)
		sub.CancelledAt = &now
		return []outbox.Item{notBefore(endedItem(sub, now), sub.CurrentPeriodEnd)}, nil
	})
	return err
}

// notBefore delays it until t (when t is set).
func notBefore(it outbox.Item, t time.Time) outbox.Item {
	if !t.IsZero() {
		it.NotBefore = &t
	}
	return it
}

// CancelRequest is a cancellation with its optional survey.
type CancelRequest struct {
	When    string `json:"when"`    // "period_end" (default) or "now"
	Reason  string `json:"reason"`  // one of gateway.Feedbacks, or empty
	Comment string `json:"comment"` // free text, at most 1000 characters
}

// Survey is why a customer cancelled, kept for analytics.
type Survey struct {
	ID             string    `json:"id"` // one per cancellation request
	SubscriptionID string    `json:"subscription_id"`
	CustomerID     string    `json:"customer_id"`
	PlanID         string    `json:"plan_id"`
	PlanName       string    `json:"plan_name"`
	When           string    `json:"when"`
	Reason         string    `json:"reason"`
	Comment        string    `json:"comment"`
	By             string    `json:"by"` // who asked: the customer or a staff id
	At             time.Time `json:"at"`
}

func (r *CancelRequest) validate() error {
	f := apperr.FieldErrors{}
	if r.When == "" {
		r.When = "period_end"
	}
	if r.When != "period_end" && r.When != "now" {
		f.Add("when", "must be period_end or now")
	}
	if r.Reason != "" && !slices.Contains(gateway.Feedbacks, r.Reason) {
		f.Add("reason", "must be one of "+strings.Join(gateway.Feedbacks, ", "))
	}
	r.Comment = strings.TrimSpace(r.Comment)
	if why := text.MultilineProblem(r.Comment, 0, 1000); why != "" {
		f.Add("comment", why)
	}
	return f.Err()
}

// Subscription returns customerID's subscription (someone else's is "not found").
func (s *Service) Subscription(ctx context.Context, customerID, id string) (*Subscription, error) {
	return s.subscriptionOf(ctx, customerID, id)
}

// subscriptionOf returns customerID's subscription id (any customer's when
// customerID is empty: staff); someone else's is "not found".
func (s *Service) subscriptionOf(ctx context.Context, customerID, id string) (*Subscription, error) {
	sub, err := s.store.GetSubscription(ctx, id)
	if err == nil && customerID != "" && sub.CustomerID != customerID {
		err = apperr.New(apperr.NotFound, "subscription %s not found", id)
	}
	if apperr.Is(err, apperr.NotFound) {
		return nil, apperr.New(apperr.NotFound, "subscription %s not found", id)
	}
	return sub, err
}

// CancelSubscription ends a subscription at its period end (undoable until
// then) or at once, recording the survey. by is "customer" or a staff id.
func (s *Service) CancelSubscription(ctx context.Context, customerID, id string, req CancelRequest, by string) (*Subscription, error) {
	if err := req.validate(); err != nil {
		return nil, err
	}
	sub, err := s.subscriptionOf(ctx, customerID, id)
	if err != nil {
		return nil, err
	}
	switch {
	case sub.Status == gateway.SubCancelled:
		return nil, apperr.New(apperr.Conflict, "this subscription is already cancelled")
	case req.When == "period_end" && sub.CancelAtPeriodEnd:
		return nil, apperr.New(apperr.Conflict, "this subscription already ends on %s", sub.CurrentPeriodEnd.Format("2 January 2006"))
	}
	key := fmt.Sprintf("%s-v%d-cancel", sub.ID, sub.Version)
	// The request is recorded before the gateway hears of it: its webhook
	// may arrive before this call returns, and must know the end was asked
	// for here (terminate) rather than decided at the gateway (suspend).
	if _, err := s.changeSubscription(ctx, id, func(sub *Subscription) ([]outbox.Item, *Survey) {
		sub.EndRequested = req.When
		return nil, nil
	}); err != nil {
		return nil, err
	}
	g, err := s.gw(sub.Gateway)
	if err != nil {
		return nil, err
	}
	// A gateway that cannot end a subscription at its period end is told
	// just before the end (KindEndDue); until then the request is ours.
	ours := req.When == "period_end" && !g.Capabilities().PeriodEndCancel
	if ours && sub.CurrentPeriodEnd.IsZero() {
		return nil, apperr.New(apperr.Conflict, "this subscription's period end is not known yet; try again in a minute or cancel now")
	}
	if !ours {
		if err := g.CancelSubscription(ctx, gateway.CancelInput{SubscriptionID: sub.GatewayID, AtPeriodEnd: req.When == "period_end",
			Feedback: req.Reason, Comment: req.Comment, Key: key}); err != nil {
			if _, cerr := s.changeSubscription(ctx, id, func(sub *Subscription) ([]outbox.Item, *Survey) {
				if sub.Status != gateway.SubCancelled {
					sub.EndRequested = sub.previousEnd()
				}
				return nil, nil
			}); cerr != nil {
				s.log.ErrorContext(ctx, "cancellation request left recorded after a gateway failure", "subscription", id, "err", cerr.Error())
			}
			return nil, err
		}
	}
	// The gateway's webhook confirms the state; mirror it now so the
	// customer sees it at once (the webhook finds nothing left to change).
	now := s.clock.Now()
	return s.changeSubscription(ctx, id, func(sub *Subscription) ([]outbox.Item, *Survey) {
		var items []outbox.Item
		if req.When == "now" {
			if sub.Status != gateway.SubCancelled {
				items = append(items, endedItem(sub, now))
				_ = sub.moveTo(gateway.SubCancelled) // any live status may be cancelled
				sub.CancelledAt = &now
			}
		} else {
			sub.CancelAtPeriodEnd = true
			if ours {
				items = append(items, notBefore(outbox.New(key+"-end", KindEndDue, sub.OrderID, EndDue{SubscriptionID: sub.ID, Comment: req.Comment}, now),
					sub.CurrentPeriodEnd.Add(-endLead)))
			}
		}
		survey := Survey{ID: key, SubscriptionID: sub.ID, CustomerID: sub.CustomerID, PlanID: sub.PlanID, PlanName: sub.PlanName, When: req.When,
			Reason: req.Reason, Comment: req.Comment, By: by, At: now}
		return append(items, outbox.New(key, KindCancelled, sub.OrderID, survey, now)), &survey
	})
}

// previousEnd is what EndRequested was before a request that failed at the
// gateway: a period end still stands if the gateway says so.
func (sub *Subscription) previousEnd() string {
	if sub.CancelAtPeriodEnd {
		return "period_end"
	}
	return ""
}

// ResumeSubscription withdraws a cancellation at period end.
func (s *Service) ResumeSubscription(ctx context.Context, customerID, id string) (*Subscription, error) {
	sub, err := s.subscriptionOf(ctx, customerID, id)
	if err != nil {
		return nil, err
	}
	if sub.Status == gateway.SubCancelled || !sub.CancelAtPeriodEnd {
		return nil, apperr.New(apperr.Conflict, "only a subscription set to end at its period end can be kept")
	}
	g, err := s.gw(sub.Gateway)
	if err != nil {
		return nil, err
	}
	// Where the end is ours to make (KindEndDue), taking the request back
	// is ours too: the item finds nothing to end.
	if g.Capabilities().PeriodEndCancel {
		if err := g.ResumeSubscription(ctx, sub.GatewayID, fmt.Sprintf("%s-v%d-resume", sub.ID, sub.Version)); err != nil {
			return nil, err
		}
	}
	return s.changeSubscription(ctx, id, func(sub *Subscription) ([]outbox.Item, *Survey) {
		sub.CancelAtPeriodEnd, sub.EndRequested = false, ""
		return nil, nil
	})
}

// changeSubscription applies fn to the stored subscription with its
// outbox items, retrying on concurrent webhook updates.
func (s *Service) changeSubscription(ctx context.Context, id string, fn func(*Subscription) ([]outbox.Item, *Survey)) (*Subscription, error) {
	for attempt := 1; ; attempt++ {
		sub, err := s.store.GetSubscription(ctx, id)
		if err != nil {
			return nil, err
		}
		items, survey := fn(sub)
		sub.Version++
		sub.UpdatedAt = s.clock.Now()
		err = s.store.Apply(ctx, Change{Subscription: sub, Outbox: items, Survey: survey})
		if apperr.Is(err, apperr.Conflict) && attempt < 5 {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("update subscription %s: %w", id, err)
		}
		if len(items) > 0 {
			s.kick()
		}
		return sub, nil
	}
}

// Cancellations lists the cancellation surveys, newest first.
func (s *Service) Cancellations(ctx context.Context) ([]Survey, error) {
	return s.store.ListSurveys(ctx)
}
