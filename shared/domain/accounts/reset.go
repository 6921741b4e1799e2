package accounts

import (
	"context"
	"fmt"
	"time"

	"github.com/ezscale/platform/shared/domain/audit"
	"github.com/ezscale/platform/shared/domain/notify"
	"github.com/ezscale/platform/shared/platform/apperr"
	"github.com/ezscale/platform/shared/platform/passwords"
)

// ForgotPassword e-mails a reset link valid for 60 minutes if the address
// has an account; the answer is the same either way.
func (s *Service) ForgotPassword(ctx context.Context, email string, m Meta) error {
	u, err := s.mailableUser(ctx, "reset", email, m)
	if u == nil || err != nil {
		return err
	}
	token, hash := NewToken()
	if err := s.store.PutToken(ctx, &Token{Hash: hash, Purpose: ResetPassword, UserID: u.ID, Email: u.Email, ExpiresAt: s.clock.Now().Add(60 * time.Minute)}); err != nil {
		return err
	}
	s.record(ctx, audit.Entry{ActorID: u.ID, ActorEmail: u.Email, Action: "auth.password_reset_requested", Outcome: "ok", TargetType: "user", TargetID: u.ID}, m)
	_, err = s.notify.Send(ctx, notify.Request{Kind: notify.PasswordReset, To: u.Email, Key: "reset:" + hash[:32],
		Data: map[string]any{"customer_name": u.Profile.Name, "reset_url": s.accountURL + "/reset?token=" + token, "expires_in": "60 minutes", "ip_address": orDash(m.IP)}})
	return err
}

// ResetPassword sets a new password with a reset token. The link proves
// the address, so the address counts as confirmed and every other way in
// the account had is removed: sessions, API tokens, passkeys and the
// authenticator app (someone who registered the address before its owner
// may have added them).
func (s *Service) ResetPassword(ctx context.Context, token, password string, m Meta) error {
	t, err := s.store.ConsumeToken(ctx, HashToken(token), ResetPassword)
	if apperr.Is(err, apperr.NotFound) {
		return apperr.Validation(map[string]string{"token": "this link is invalid, used or expired; ask for a new one"})
	}
	if err != nil {
		return err
	}
	if err := s.setPassword(ctx, t.UserID, password, "auth.password_reset", m); err != nil {
		return err
	}
	return s.removeOtherCredentials(ctx, t.UserID, t.Email, m)
}

// removeOtherCredentials leaves the account with only its password, and
// marks the address confirmed when it is still the one that was proven.
// Staff accounts keep their second factors: staff are created confirmed
// (nobody can have registered their address first), and a staff mailbox
// alone must never be enough to reach the admin API.
func (s *Service) removeOtherCredentials(ctx context.Context, userID, provenEmail string, m Meta) error {
	staff := false
	if _, err := s.store.UpdateUser(ctx, userID, func(u *User) error {
		staff = u.Role.Staff()
		if !staff {
			u.TOTP = TOTP{}
		}
		if u.Email == provenEmail {
			u.EmailVerified = true
		}
		return nil
	}); err != nil {
		return err
	}
	tokens, err := s.tokens.ListAPITokens(ctx, userID)
	if err != nil {
		return err
	}
	for _, t := range tokens {
		if err := s.tokens.DeleteAPIToken(ctx, userID, t.ID); err != nil && !apperr.Is(err, apperr.NotFound) {
			return err
		}
	}
	keys := 0
	if s.passkeys != nil && !staff {
		if keys, err = s.passkeys.DeleteUserPasskeys(ctx, userID); err != nil {
			return err
		}
	}
	sessions, err := s.LogoutEverywhere(ctx, userID, "", m)
	if err != nil {
		return err
	}
	s.record(ctx, audit.Entry{ActorID: userID, Action: "auth.credentials_reset", Outcome: "ok", TargetType: "user", TargetID: userID,
		Detail: fmt.Sprintf("removed %d API tokens, %d passkeys and %d sessions (authenticator app removed: %v)", len(tokens), keys, sessions, !staff)}, m)
	return nil
}

// ChangePassword sets a new password after re-authentication with the
// current one; other sessions end and this one's token rotates.
func (s *Service) ChangePassword(ctx context.Context, sess *Session, current, next string, m Meta) (*LoginResult, error) {
	u, err := s.reauthenticate(ctx, sess.UserID, current, "current_password")
	if err != nil {
		return nil, err
	}
	if err := s.setPassword(ctx, u.ID, next, "auth.password_change", m); err != nil {
		return nil, err
	}
	if _, err := s.LogoutEverywhere(ctx, u.ID, "", m); err != nil {
		return nil, err
	}
	return s.openSession(ctx, u, false, sess.MFA, m)
}

func (s *Service) setPassword(ctx context.Context, userID, password, action string, m Meta) error {
	u, err := s.store.GetUser(ctx, userID)
	if err != nil {
		return err
	}
	if why := passwords.Check(password, u.Email, u.Profile.Name); why != "" {
		field := "password"
		if action == "auth.password_change" {
			field = "new_password"
		}
		return apperr.Validation(map[string]string{field: why})
	}
	hash, err := passwords.Hash(password, s.params)
	if err != nil {
		return err
	}
	if _, err := s.store.UpdateUser(ctx, userID, func(u *User) error {
		u.PasswordHash, u.UpdatedAt = hash, s.clock.Now()
		return nil
	}); err != nil {
		return err
	}
	s.record(ctx, audit.Entry{ActorID: u.ID, ActorEmail: u.Email, Action: action, Outcome: "ok", TargetType: "user", TargetID: u.ID}, m)
	return nil
}

// reauthenticate checks the user's password again before a sensitive
// action (five tries per ten minutes); a wrong one is a field error on
// field.
func (s *Service) reauthenticate(ctx context.Context, userID, password, field string) (*User, error) {
	if err := s.limit(ctx, "reauth:user:"+userID, 5, 10*time.Minute); err != nil {
		return nil, err
	}
	u, err := s.store.GetUser(ctx, userID)
	if err != nil {
		return nil, err
	}
	if _, err := passwords.Verify(u.PasswordHash, password, s.params); err != nil {
		return nil, apperr.Validation(map[string]string{field: "is wrong"})
	}
	return u, nil
}

// Reauthenticate checks the signed-in user's password before showing
// secrets (service credentials); each attempt is audited.
func (s *Service) Reauthenticate(ctx context.Context, userID, password, purpose string, m Meta) error {
	u, err := s.reauthenticate(ctx, userID, password, "password")
	outcome := "ok"
	if err != nil {
		outcome = "denied"
	}
	if u != nil || apperr.Is(err, apperr.Invalid) {
		s.record(ctx, audit.Entry{ActorID: userID, Action: "auth.reauth", Outcome: outcome, TargetType: "user", TargetID: userID, Detail: purpose}, m)
	}
	return err
}
