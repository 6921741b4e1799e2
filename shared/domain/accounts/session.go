package accounts

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"time"
)

// Session is a signed-in browser or client. Only the SHA-256 of its token
// is stored, so a leaked table does not leak sessions.
type Session struct {
	IDHash  string
	UserID  string
	Role    Role
	Pending bool // password accepted; waiting for the second factor
	MFA     bool // a second factor was passed in this session
	CSRF    string
	// ImpersonatorID is set when a staff member acts as this user.
	ImpersonatorID    string
	ImpersonatorEmail string
	IP                string
	UserAgent         string
	Place             string // where it signed in, when known
	CreatedAt         time.Time
	LastSeenAt        time.Time
	IdleUntil         time.Time
	ExpiresAt         time.Time
}

// Timeouts per kind of session.
type Timeouts struct {
	Idle, Absolute time.Duration
}

// Session timeouts: staff sessions are short; pending ones shorter still.
var (
	CustomerTimeouts = Timeouts{Idle: 7 * 24 * time.Hour, Absolute: 30 * 24 * time.Hour}
	StaffTimeouts    = Timeouts{Idle: 30 * time.Minute, Absolute: 12 * time.Hour}
	PendingTimeouts  = Timeouts{Idle: 5 * time.Minute, Absolute: 5 * time.Minute}
	// ImpersonationTimeouts bound how long staff act as a customer.
	ImpersonationTimeouts = Timeouts{Idle: 30 * time.Minute, Absolute: 30 * time.Minute}
)

// NewToken returns a 256-bit random token (base64url) and its hash.
func NewToken() (token, hash string) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token)
}

// HashToken is the stored form of a token.
func HashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// Live reports whether the session may be used at now.
func (s *Session) Live(now time.Time) bool {
	return now.Before(s.ExpiresAt) && now.Before(s.IdleUntil)
}
