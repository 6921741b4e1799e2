package dynamo

import (
	"context"
	"time"

	"github.com/ezscale/platform/shared/domain/dunning"
	"github.com/ezscale/platform/shared/platform/apperr"
)

// Platform settings staff edit, one item each:
//
//	dunning_policy  PK=SETTINGS#dunning  SK=POLICY
var _ dunning.Store = (*Settings)(nil)

// Settings stores the platform's settings.
type Settings struct{ t *Table }

// NewSettings returns the settings store on t.
func NewSettings(t *Table) *Settings { return &Settings{t: t} }

var dunningKey = Key{PK: "SETTINGS#dunning", SK: "POLICY"}

type lateFeeRecord struct {
	Enabled   bool             `dynamodbav:"enabled"`
	PercentBP int64            `dynamodbav:"percent_bp"`
	Minimum   map[string]int64 `dynamodbav:"minimum"`
	AfterDays int              `dynamodbav:"after_days"`
}

type dunningRecord struct {
	Item
	ReminderDays          []int         `dynamodbav:"reminder_days"`
	SuspendEnabled        bool          `dynamodbav:"suspend_enabled"`
	SuspendAfterDays      int           `dynamodbav:"suspend_after_days"`
	FinalWarningDays      int           `dynamodbav:"final_warning_days"`
	TerminateEnabled      bool          `dynamodbav:"terminate_enabled"`
	TerminateAfterDays    int           `dynamodbav:"terminate_after_days"`
	RespectGatewayRetries bool          `dynamodbav:"respect_gateway_retries"`
	LateFee               lateFeeRecord `dynamodbav:"late_fee"`
	RenewalReminderDays   int           `dynamodbav:"renewal_reminder_days"`
	CardExpiryNotices     bool          `dynamodbav:"card_expiry_notices"`
	UpdatedAt             time.Time     `dynamodbav:"updated_at"`
	UpdatedBy             string        `dynamodbav:"updated_by"`
}

// GetPolicy implements dunning.Store.
func (s *Settings) GetPolicy(ctx context.Context) (*dunning.Policy, error) {
	var r dunningRecord
	if err := s.t.Get(ctx, dunningKey, &r); err != nil {
		return nil, err
	}
	if r.LateFee.Minimum == nil {
		r.LateFee.Minimum = map[string]int64{}
	}
	if r.ReminderDays == nil {
		r.ReminderDays = []int{}
	}
	return &dunning.Policy{ReminderDays: r.ReminderDays, SuspendEnabled: r.SuspendEnabled, SuspendAfterDays: r.SuspendAfterDays,
		FinalWarningDays: r.FinalWarningDays, TerminateEnabled: r.TerminateEnabled, TerminateAfterDays: r.TerminateAfterDays,
		RespectGatewayRetries: r.RespectGatewayRetries, LateFee: dunning.LateFee(r.LateFee),
		RenewalReminderDays: r.RenewalReminderDays, CardExpiryNotices: r.CardExpiryNotices, Version: r.Version, UpdatedAt: r.UpdatedAt, UpdatedBy: r.UpdatedBy}, nil
}

// PutPolicy implements dunning.Store: created at version 1, replaced only
// over the version expected.
func (s *Settings) PutPolicy(ctx context.Context, p *dunning.Policy, expected int64) error {
	r := &dunningRecord{Item: Item{PK: dunningKey.PK, SK: dunningKey.SK, Type: "dunning_policy", Version: p.Version}, ReminderDays: p.ReminderDays,
		SuspendEnabled: p.SuspendEnabled, SuspendAfterDays: p.SuspendAfterDays, FinalWarningDays: p.FinalWarningDays, TerminateEnabled: p.TerminateEnabled,
		TerminateAfterDays: p.TerminateAfterDays, RespectGatewayRetries: p.RespectGatewayRetries, LateFee: lateFeeRecord(p.LateFee),
		RenewalReminderDays: p.RenewalReminderDays, CardExpiryNotices: p.CardExpiryNotices, UpdatedAt: p.UpdatedAt, UpdatedBy: p.UpdatedBy}
	if expected == 0 {
		return s.t.Write(ctx, Create(r))
	}
	return s.t.Write(ctx, Replace(r, expected))
}

// The steps dunning took for an unpaid invoice, one item each:
//
//	dunning_claim  PK=DUNNING#<gateway invoice>  SK=<claim>
var _ dunning.Claims = (*Settings)(nil)

type claimRecord struct {
	Item
	InvoiceID string    `dynamodbav:"invoice_id"`
	Claim     string    `dynamodbav:"claim"`
	At        time.Time `dynamodbav:"at"`
}

// maxClaims bounds a case's claims: a policy has at most 14 steps, and
// skipped ones count twice.
const maxClaims = 100

// Claimed implements dunning.Claims.
func (s *Settings) Claimed(ctx context.Context, invoiceID string) (map[string]bool, error) {
	recs, err := QueryAll[claimRecord](ctx, s.t, Query{PK: "DUNNING#" + invoiceID}, maxClaims)
	if err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(recs))
	for _, r := range recs {
		out[r.Claim] = true
	}
	return out, nil
}

// Claim implements dunning.Claims: written once; a repeat is done already.
func (s *Settings) Claim(ctx context.Context, invoiceID, claim string, at time.Time) error {
	err := s.t.Write(ctx, Create(&claimRecord{Item: Item{PK: "DUNNING#" + invoiceID, SK: claim, Type: "dunning_claim", Version: 1},
		InvoiceID: invoiceID, Claim: claim, At: at}))
	if apperr.Is(err, apperr.Conflict) {
		return nil
	}
	return err
}

// Unclaim implements dunning.Claims; a claim already gone is done.
func (s *Settings) Unclaim(ctx context.Context, invoiceID, claim string) error {
	err := s.t.Write(ctx, Delete(Key{PK: "DUNNING#" + invoiceID, SK: claim}, "", ""))
	if apperr.Is(err, apperr.Conflict) {
		return nil
	}
	return err
}

// Per-customer dunning holds:
//
//	dunning_hold  PK=DUNNINGHOLD#<customer>  SK=HOLD
var _ dunning.Holds = (*Settings)(nil)

type holdRecord struct {
	Item
	CustomerID string    `dynamodbav:"customer_id"`
	Until      time.Time `dynamodbav:"until"`
	Reason     string    `dynamodbav:"reason"`
	By         string    `dynamodbav:"by"`
	At         time.Time `dynamodbav:"at"`
}

func holdKey(customerID string) Key { return Key{PK: "DUNNINGHOLD#" + customerID, SK: "HOLD"} }

// GetHold implements dunning.Holds.
func (s *Settings) GetHold(ctx context.Context, customerID string) (*dunning.Hold, error) {
	var r holdRecord
	if err := s.t.Get(ctx, holdKey(customerID), &r); err != nil {
		return nil, err
	}
	return &dunning.Hold{CustomerID: r.CustomerID, Until: r.Until, Reason: r.Reason, By: r.By, At: r.At}, nil
}

// PutHold implements dunning.Holds: the newest hold replaces any other.
func (s *Settings) PutHold(ctx context.Context, h *dunning.Hold) error {
	k := holdKey(h.CustomerID)
	return s.t.Write(ctx, Put(&holdRecord{Item: Item{PK: k.PK, SK: k.SK, Type: "dunning_hold", Version: 1}, CustomerID: h.CustomerID, Until: h.Until,
		Reason: h.Reason, By: h.By, At: h.At}))
}

// DeleteHold implements dunning.Holds; none is done.
func (s *Settings) DeleteHold(ctx context.Context, customerID string) error {
	err := s.t.Write(ctx, Delete(holdKey(customerID), "", ""))
	if apperr.Is(err, apperr.Conflict) {
		return nil
	}
	return err
}
