package dynamo

import (
	"context"
	"time"

	"github.com/ezscale/platform/shared/domain/dunning"
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
		RespectGatewayRetries: r.RespectGatewayRetries, LateFee: dunning.LateFee(r.LateFee), Version: r.Version, UpdatedAt: r.UpdatedAt, UpdatedBy: r.UpdatedBy}, nil
}

// PutPolicy implements dunning.Store: created at version 1, replaced only
// over the version expected.
func (s *Settings) PutPolicy(ctx context.Context, p *dunning.Policy, expected int64) error {
	r := &dunningRecord{Item: Item{PK: dunningKey.PK, SK: dunningKey.SK, Type: "dunning_policy", Version: p.Version}, ReminderDays: p.ReminderDays,
		SuspendEnabled: p.SuspendEnabled, SuspendAfterDays: p.SuspendAfterDays, FinalWarningDays: p.FinalWarningDays, TerminateEnabled: p.TerminateEnabled,
		TerminateAfterDays: p.TerminateAfterDays, RespectGatewayRetries: p.RespectGatewayRetries, LateFee: lateFeeRecord(p.LateFee),
		UpdatedAt: p.UpdatedAt, UpdatedBy: p.UpdatedBy}
	if expected == 0 {
		return s.t.Write(ctx, Create(r))
	}
	return s.t.Write(ctx, Replace(r, expected))
}
