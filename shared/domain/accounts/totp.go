package accounts

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"image/png"
	"slices"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/ezscale/platform/shared/domain/audit"
	"github.com/ezscale/platform/shared/platform/apperr"
)

var totpOpts = totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

func totpAAD(userID string) []byte { return []byte("totp:" + userID) }

// Enrolment is what an authenticator app needs.
type Enrolment struct {
	URI    string `json:"otpauth_uri"`
	Secret string `json:"secret"`
	QRPNG  string `json:"qr_png"` // data: URL
}

// StartTOTP creates a new (not yet enabled) secret for the user. An
// enabled factor must be disabled first.
func (s *Service) StartTOTP(ctx context.Context, userID string) (*Enrolment, error) {
	u, err := s.store.GetUser(ctx, userID)
	if err != nil {
		return nil, err
	}
	if u.TOTP.Enabled {
		return nil, apperr.New(apperr.Conflict, "two-factor authentication is already on; turn it off first to enrol a new device")
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: s.issuer, AccountName: u.Email, Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return nil, err
	}
	sealed, err := s.sealer.Seal(ctx, []byte(key.Secret()), totpAAD(u.ID))
	if err != nil {
		return nil, err
	}
	if _, err := s.store.UpdateUser(ctx, u.ID, func(u *User) error {
		u.TOTP = TOTP{Secret: sealed}
		return nil
	}); err != nil {
		return nil, err
	}
	img, err := key.Image(240, 240)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return &Enrolment{URI: key.URL(), Secret: key.Secret(), QRPNG: "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes())}, nil
}

// ConfirmTOTP turns the factor on once the user proves the app works, and
// returns 10 single-use recovery codes (shown once) and a rotated session.
func (s *Service) ConfirmTOTP(ctx context.Context, sess *Session, code string, m Meta) ([]string, *LoginResult, error) {
	if err := s.limit(ctx, "2fa:user:"+sess.UserID, 5, 5*time.Minute); err != nil {
		return nil, nil, err
	}
	codes := make([]string, 10)
	hashes := make([]string, 10)
	for i := range codes {
		codes[i] = recoveryCode()
		hashes[i] = hashRecovery(codes[i])
	}
	now := s.clock.Now()
	var step int64
	u, err := s.store.GetUser(ctx, sess.UserID)
	if err != nil {
		return nil, nil, err
	}
	if u.TOTP.Enabled || len(u.TOTP.Secret) == 0 {
		return nil, nil, apperr.New(apperr.Conflict, "start enrolment first")
	}
	if step, err = s.matchTOTP(ctx, u, code, now); err != nil {
		return nil, nil, err
	}
	u, err = s.store.UpdateUser(ctx, u.ID, func(u *User) error {
		u.TOTP.Enabled, u.TOTP.LastStep, u.TOTP.RecoveryHashes, u.UpdatedAt = true, step, hashes, now
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	// A privilege change: the session token rotates, and the new session has
	// passed the factor just set up.
	_ = s.store.DeleteSession(ctx, sess.IDHash)
	res, err := s.openSession(ctx, u, false, true, m)
	if err != nil {
		return nil, nil, err
	}
	s.record(ctx, audit.Entry{ActorID: u.ID, ActorEmail: u.Email, Action: "auth.totp.enable", Outcome: "ok", TargetType: "user", TargetID: u.ID}, m)
	return codes, res, nil
}

// DisableTOTP turns the factor off after re-authentication with the password.
func (s *Service) DisableTOTP(ctx context.Context, sess *Session, password string, m Meta) error {
	u, err := s.reauthenticate(ctx, sess.UserID, password, "password")
	if err != nil {
		return err
	}
	if _, err := s.store.UpdateUser(ctx, u.ID, func(u *User) error {
		u.TOTP, u.UpdatedAt = TOTP{}, s.clock.Now()
		return nil
	}); err != nil {
		return err
	}
	s.record(ctx, audit.Entry{ActorID: u.ID, ActorEmail: u.Email, Action: "auth.totp.disable", Outcome: "ok", TargetType: "user", TargetID: u.ID}, m)
	return nil
}

// matchTOTP returns the time step a code belongs to (one step of clock
// skew either way) if it is newer than the last accepted one.
func (s *Service) matchTOTP(ctx context.Context, u *User, code string, now time.Time) (int64, error) {
	bad := apperr.Validation(map[string]string{"code": "is wrong or already used"})
	code = strings.TrimSpace(code)
	if len(code) != 6 {
		return 0, bad
	}
	secret, err := s.sealer.Open(ctx, u.TOTP.Secret, totpAAD(u.ID))
	if err != nil {
		return 0, fmt.Errorf("open TOTP secret of %s: %w", u.ID, err)
	}
	current := now.Unix() / 30
	for _, step := range []int64{current, current - 1, current + 1} {
		want, err := totp.GenerateCodeCustom(string(secret), time.Unix(step*30, 0), totpOpts)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			if step <= u.TOTP.LastStep {
				return 0, bad // replayed
			}
			return step, nil
		}
	}
	return 0, bad
}

// checkSecondFactor accepts a TOTP code (recording its step so it cannot be
// replayed) or consumes a recovery code.
func (s *Service) checkSecondFactor(ctx context.Context, userID, code string) (*User, error) {
	u, err := s.store.GetUser(ctx, userID)
	if err != nil {
		return nil, err
	}
	if !u.TOTP.Enabled {
		return nil, apperr.New(apperr.Conflict, "two-factor authentication is off")
	}
	now := s.clock.Now()
	code = strings.TrimSpace(code)
	if len(code) == 6 {
		step, err := s.matchTOTP(ctx, u, code, now)
		if err != nil {
			return nil, err
		}
		return s.store.UpdateUser(ctx, u.ID, func(u *User) error {
			if step <= u.TOTP.LastStep { // a concurrent login used it first
				return apperr.Validation(map[string]string{"code": "is wrong or already used"})
			}
			u.TOTP.LastStep = step
			return nil
		})
	}
	h := hashRecovery(code)
	return s.store.UpdateUser(ctx, u.ID, func(u *User) error {
		i := slices.Index(u.TOTP.RecoveryHashes, h)
		if i < 0 {
			return apperr.Validation(map[string]string{"code": "is wrong or already used"})
		}
		u.TOTP.RecoveryHashes = slices.Delete(slices.Clone(u.TOTP.RecoveryHashes), i, i+1)
		return nil
	})
}

func recoveryCode() string {
	b := make([]byte, 7)
	_, _ = rand.Read(b)
	s := strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))[:10]
	return s[:5] + "-" + s[5:]
}

func hashRecovery(code string) string {
	c := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(code), " ", ""))
	h := sha256.Sum256([]byte(c))
	return hex.EncodeToString(h[:])
}
