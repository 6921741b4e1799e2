package accounts

import (
	"context"
	"time"

	"github.com/ezscale/platform/shared/domain/notify"
)

// Store keeps users, sessions and one-time tokens. Errors are apperr codes:
// NotFound for unknown ids, Conflict for a taken e-mail (field "email").
type Store interface {
	CreateUser(ctx context.Context, u *User) error
	GetUser(ctx context.Context, id string) (*User, error)
	GetUserByEmail(ctx context.Context, email string) (*User, error)
	// UpdateUser applies fn and writes if nobody wrote in between; fn may run
	// more than once.
	UpdateUser(ctx context.Context, id string, fn func(*User) error) (*User, error)

	PutSession(ctx context.Context, s *Session) error
	GetSession(ctx context.Context, idHash string) (*Session, error)
	TouchSession(ctx context.Context, idHash string, lastSeen, idleUntil time.Time) error
	DeleteSession(ctx context.Context, idHash string) error
	// ListSessions returns a user's live sessions, newest first.
	ListSessions(ctx context.Context, userID string) ([]Session, error)

	// ChangeEmail moves the user and the e-mail uniqueness item to a new,
	// verified address in one transaction (apperr.Conflict when it is taken).
	ChangeEmail(ctx context.Context, userID, from, to string) (*User, error)

	PutToken(ctx context.Context, t *Token) error
	// ConsumeToken deletes and returns the live token with this hash and
	// purpose; apperr.NotFound when it is unknown, used or expired.
	ConsumeToken(ctx context.Context, hash string, purpose Purpose) (*Token, error)
}

// Limiter counts attempts in fixed windows. Allow returns ok=false and how
// long to wait when key has used up limit in the current window.
type Limiter interface {
	Allow(ctx context.Context, key string, limit int, window time.Duration) (ok bool, retryAfter time.Duration, err error)
}

// Throttle counts failures in a row per key (they are forgotten a day
// after the last one). Fail is atomic: concurrent failures all count.
type Throttle interface {
	Failures(ctx context.Context, key string) (n int, last time.Time, err error)
	Fail(ctx context.Context, key string) (n int, err error)
	Clear(ctx context.Context, key string) error
}

// CredentialStore removes a user's passkeys (kept by the passkeys
// package) when a password reset proves who owns the address.
type CredentialStore interface {
	DeleteUserPasskeys(ctx context.Context, userID string) (int, error)
}

// Notifier sends e-mail and alerts (notify.Service).
type Notifier interface {
	Send(ctx context.Context, r notify.Request) (*notify.Message, error)
}

// Sealer encrypts TOTP secrets at rest.
type Sealer interface {
	Seal(ctx context.Context, plaintext, aad []byte) ([]byte, error)
	Open(ctx context.Context, sealed, aad []byte) ([]byte, error)
}

// Meta is what a request tells about its origin, for sessions and audit.
type Meta struct {
	IP        string
	UserAgent string
	// Place is where the request came from as people say it ("Berlin,
	// DE"), when known.
	Place string
	// Impersonator, when set, is the staff member acting as the user: audit
	// entries name them as the actor.
	ImpersonatorID, ImpersonatorEmail string
}

// Purpose says what a one-time token is for.
type Purpose string

// Token purposes.
const (
	VerifyEmail   Purpose = "verify_email"
	ResetPassword Purpose = "reset_password"
	ChangeEmail   Purpose = "change_email"
)

// Token is a stored one-time token (only its hash is stored).
type Token struct {
	Hash    string
	Purpose Purpose
	UserID  string
	Email   string // the address being verified
	// Stamp, on verification links, names the password the link was sent
	// for (see passwordStamp); empty on links issued before stamps existed.
	Stamp     string
	ExpiresAt time.Time
}
