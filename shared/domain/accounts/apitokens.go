package accounts

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ezscale/platform/shared/domain/audit"
	"github.com/ezscale/platform/shared/platform/apperr"
	"github.com/ezscale/platform/shared/platform/ids"
	"github.com/ezscale/platform/shared/platform/text"
)

// Scope limits what an API token may do.
type Scope string

// Token scopes.
const (
	ScopeRead            Scope = "read"
	ScopeServicesControl Scope = "services:control"
	ScopeBilling         Scope = "billing"
	ScopeTickets         Scope = "tickets"
)

// Scopes lists every scope.
var Scopes = []Scope{ScopeRead, ScopeServicesControl, ScopeBilling, ScopeTickets}

// TokenPrefix starts every personal access token, so secret scanners and
// humans recognise one.
const TokenPrefix = "ezs_pat_"

// APIToken is a personal access token (its secret is never stored).
type APIToken struct {
	ID         string     `json:"id"`
	UserID     string     `json:"-"`
	Hash       string     `json:"-"`
	Name       string     `json:"name"`
	Hint       string     `json:"hint"` // the first characters, to tell tokens apart
	Scopes     []Scope    `json:"scopes"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
}

// Has reports whether the token grants s.
func (t *APIToken) Has(s Scope) bool { return slices.Contains(t.Scopes, s) }

// TokenStore keeps API tokens.
type TokenStore interface {
	PutAPIToken(ctx context.Context, t *APIToken) error
	// GetAPIToken finds a live token by hash (apperr.NotFound otherwise).
	GetAPIToken(ctx context.Context, hash string) (*APIToken, error)
	ListAPITokens(ctx context.Context, userID string) ([]APIToken, error)
	DeleteAPIToken(ctx context.Context, userID, id string) error
	TouchAPIToken(ctx context.Context, hash string, at time.Time) error
}

// CreateTokenInput asks for a token.
type CreateTokenInput struct {
	Name          string  `json:"name"`
	Scopes        []Scope `json:"scopes"`
	ExpiresInDays int     `json:"expires_in_days"` // 0: never
}

// CreateAPIToken makes a token for the user and returns its secret, which
// is shown once.
func (s *Service) CreateAPIToken(ctx context.Context, userID string, in CreateTokenInput, m Meta) (*APIToken, string, error) {
	f := apperr.FieldErrors{}
	if why := text.Problem(in.Name, 1, 60); why != "" {
		f.Add("name", why)
	}
	if len(in.Scopes) == 0 {
		f.Add("scopes", "choose at least one of read, services:control, billing, tickets")
	}
	for i, sc := range in.Scopes {
		if !slices.Contains(Scopes, sc) {
			f.Add(fmt.Sprintf("scopes[%d]", i), "must be read, services:control, billing or tickets")
		}
	}
	if in.ExpiresInDays < 0 || in.ExpiresInDays > 366 {
		f.Add("expires_in_days", "must be 0 (never) to 366")
	}
	if err := f.Err(); err != nil {
		return nil, "", err
	}
	existing, err := s.tokens.ListAPITokens(ctx, userID)
	if err != nil {
		return nil, "", err
	}
	if len(existing) >= 25 {
		return nil, "", apperr.New(apperr.Conflict, "an account may hold 25 tokens; revoke one first")
	}
	secret, hash := NewToken()
	secret = TokenPrefix + secret
	hash = HashToken(secret)
	now := s.clock.Now()
	t := &APIToken{ID: ids.New("tok"), UserID: userID, Hash: hash, Name: strings.TrimSpace(in.Name), Hint: secret[:len(TokenPrefix)+4],
		Scopes: slices.Compact(slices.Sorted(slices.Values(in.Scopes))), CreatedAt: now}
	if in.ExpiresInDays > 0 {
		exp := now.AddDate(0, 0, in.ExpiresInDays)
		t.ExpiresAt = &exp
	}
	if err := s.tokens.PutAPIToken(ctx, t); err != nil {
		return nil, "", err
	}
	s.record(ctx, audit.Entry{ActorID: userID, Action: "api_token.create", Outcome: "ok", TargetType: "api_token", TargetID: t.ID, After: audit.JSON(t)}, m)
	return t, secret, nil
}

// APITokens lists a user's tokens.
func (s *Service) APITokens(ctx context.Context, userID string) ([]APIToken, error) {
	return s.tokens.ListAPITokens(ctx, userID)
}

// RevokeAPIToken deletes one of the user's tokens; it stops working at once.
func (s *Service) RevokeAPIToken(ctx context.Context, userID, id string, m Meta) error {
	if err := s.tokens.DeleteAPIToken(ctx, userID, id); err != nil {
		return err
	}
	s.record(ctx, audit.Entry{ActorID: userID, Action: "api_token.revoke", Outcome: "ok", TargetType: "api_token", TargetID: id}, m)
	return nil
}

var errBadToken = apperr.New(apperr.Unauthorized, "the API token is invalid, expired or revoked")

// AuthenticateToken returns the token and its user for a bearer secret,
// recording its use (at most once a minute).
func (s *Service) AuthenticateToken(ctx context.Context, secret string) (*APIToken, *User, error) {
	if !strings.HasPrefix(secret, TokenPrefix) || len(secret) > 100 {
		return nil, nil, errBadToken
	}
	t, err := s.tokens.GetAPIToken(ctx, HashToken(secret))
	if apperr.Is(err, apperr.NotFound) {
		return nil, nil, errBadToken
	}
	if err != nil {
		return nil, nil, err
	}
	now := s.clock.Now()
	if t.ExpiresAt != nil && !now.Before(*t.ExpiresAt) {
		return nil, nil, errBadToken
	}
	u, err := s.store.GetUser(ctx, t.UserID)
	if err != nil || !u.EmailVerified {
		return nil, nil, errBadToken
	}
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) > time.Minute {
		if err := s.tokens.TouchAPIToken(ctx, t.Hash, now); err != nil {
			s.log.WarnContext(ctx, "token use not recorded", "token", t.ID, "err", err.Error())
		}
	}
	return t, u, nil
}
