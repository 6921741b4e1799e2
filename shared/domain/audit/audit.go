// Package audit records who did what to whom: logins, failed logins,
// logouts, second-factor and password changes, and every admin action,
// with IP, user agent and a before/after diff.
package audit

import (
	"context"
	"encoding/json"
	"time"
)

// Entry is one audited event.
type Entry struct {
	ID         string    `json:"id"`
	At         time.Time `json:"at"`
	ActorID    string    `json:"actor_id"`    // user id, or "" for anonymous
	ActorEmail string    `json:"actor_email"` // as known at the time
	Action     string    `json:"action"`      // e.g. "auth.login", "plan.replace"
	Outcome    string    `json:"outcome"`     // "ok" or "denied"
	TargetType string    `json:"target_type,omitempty"`
	TargetID   string    `json:"target_id,omitempty"`
	IP         string    `json:"ip,omitempty"`
	UserAgent  string    `json:"user_agent,omitempty"`
	Before     string    `json:"before,omitempty"` // JSON
	After      string    `json:"after,omitempty"`  // JSON
	Detail     string    `json:"detail,omitempty"`
}

// Recorder stores entries.
type Recorder interface {
	Record(ctx context.Context, e Entry) error
}

// Query selects entries for the viewer: by actor, by target, or by day.
type Query struct {
	ActorID  string
	TargetID string
	Day      time.Time // used when neither actor nor target is set
	Cursor   string
	Limit    int32
}

// Reader lists entries, newest first.
type Reader interface {
	List(ctx context.Context, q Query) ([]Entry, string, error)
}

// JSON renders v for Before/After; secrets must be removed by the caller.
func JSON(v any) string {
	if v == nil {
		return ""
	}
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}
