package accounts

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ezscale/platform/shared/domain/audit"
	"github.com/ezscale/platform/shared/domain/notify"
	"github.com/ezscale/platform/shared/platform/apperr"
	"github.com/ezscale/platform/shared/platform/passwords"
	"github.com/ezscale/platform/shared/platform/text"
)

// LoginResult is a new session. Token goes into the session cookie and is
// never stored; SecondFactor says the session is pending until a code is
// given.
type LoginResult struct {
	Token        string
	Session      *Session
	User         *User
	SecondFactor bool
}

var errBadLogin = apperr.New(apperr.Unauthorized, "the e-mail address or password is wrong")

// errUnverified answers the right password for an address nobody has
// confirmed: the account cannot be used until the link is opened, so that
// whoever registered someone else's address first gains nothing.
var errUnverified = &apperr.Error{Code: apperr.Forbidden, Fields: map[string]string{"email": "is not confirmed yet"},
	Message: "confirm your e-mail address first: open the link we e-mailed you, or ask for a new one"}

// failureDelay is how long one address waits for one account after n
// failed logins in a row: free for the first three, then doubling from
// 2 seconds to a 15-minute cap.
func failureDelay(n int) time.Duration {
	if n < 3 {
		return 0
	}
	return min(time.Duration(1<<min(n-3+1, 20))*time.Second, 15*time.Minute)
}

// loginKey is the throttle of one account from one address. Failures are
// counted per pair, never per account alone: an attacker guessing from
// their own addresses slows only themselves, and the owner signing in from
// anywhere else is not held up. Unknown addresses are throttled the same
// way, so statuses never tell which e-mails are registered.
func loginKey(email, ip string) string { return "login:" + email + "|" + ip }

// Login checks a password and opens a session (pending when the user has a
// second factor). Wrong e-mail and wrong password answer alike, with the
// same statuses in the same sequence.
func (s *Service) Login(ctx context.Context, email, password string, m Meta) (*LoginResult, error) {
	email = NormalizeEmail(email)
	if err := s.limit(ctx, "login:ip:"+m.IP, 30, 10*time.Minute); err != nil {
		return nil, err
	}
	key := loginKey(email, m.IP)
	n, last, err := s.throttle.Failures(ctx, key)
	if err != nil {
		return nil, err
	}
	if wait := last.Add(failureDelay(n)).Sub(s.clock.Now()); wait > 0 {
		return nil, tooMany(wait)
	}
	u, err := s.store.GetUserByEmail(ctx, email)
	if apperr.Is(err, apperr.NotFound) {
		s.dummyOnce.Do(func() { s.dummyHash, _ = passwords.Hash("dummy-password-for-timing", s.params) })
		_, _ = passwords.Verify(s.dummyHash, password, s.params) // same work as a real check
		n := s.countFailure(ctx, key)
		s.record(ctx, audit.Entry{ActorEmail: email, Action: "auth.login", Outcome: "denied", Detail: fmt.Sprintf("unknown e-mail (%d in a row)", n)}, m)
		return nil, errBadLogin
	}
	if err != nil {
		return nil, err
	}
	rehash, verr := passwords.Verify(u.PasswordHash, password, s.params)
	if verr != nil {
		s.failedLogin(ctx, u, key, m, verr)
		return nil, errBadLogin
	}
	if !u.EmailVerified {
		s.record(ctx, audit.Entry{ActorID: u.ID, ActorEmail: u.Email, Action: "auth.login", Outcome: "denied", TargetType: "user", TargetID: u.ID, Detail: "e-mail not confirmed"}, m)
		return nil, errUnverified
	}
	if n > 0 {
		if err := s.throttle.Clear(ctx, key); err != nil {
			s.log.WarnContext(ctx, "failed logins not cleared", "user", u.ID, "err", err.Error())
		}
	}
	if rehash {
		newHash, err := passwords.Hash(password, s.params)
		if err != nil {
			return nil, err
		}
		if u, err = s.store.UpdateUser(ctx, u.ID, func(u *User) error { u.PasswordHash = newHash; return nil }); err != nil {
			return nil, err
		}
	}
	res, err := s.openSession(ctx, u, u.TOTP.Enabled, false, m)
	if err != nil {
		return nil, err
	}
	s.record(ctx, audit.Entry{ActorID: u.ID, ActorEmail: u.Email, Action: "auth.login", Outcome: "ok", TargetType: "user", TargetID: u.ID,
		Detail: map[bool]string{true: "password accepted; second factor required", false: "signed in"}[res.SecondFactor]}, m)
	return res, nil
}

// countFailure records a failed login for key; a store error is logged
// (the caller is refused either way).
func (s *Service) countFailure(ctx context.Context, key string) int {
	n, err := s.throttle.Fail(ctx, key)
	if err != nil {
		s.log.ErrorContext(ctx, "failed login not counted", "err", err.Error())
	}
	return n
}

func (s *Service) failedLogin(ctx context.Context, u *User, key string, m Meta, cause error) {
	if !errors.Is(cause, passwords.ErrMismatch) {
		s.log.ErrorContext(ctx, "stored password hash unusable", "user", u.ID, "err", cause.Error())
	}
	n := s.countFailure(ctx, key)
	s.record(ctx, audit.Entry{ActorID: u.ID, ActorEmail: u.Email, Action: "auth.login", Outcome: "denied", TargetType: "user", TargetID: u.ID,
		Detail: fmt.Sprintf("wrong password (%d in a row from this address)", n)}, m)
	if u.Role.Staff() {
		// One alert per account per 10 minutes, however many attempts.
		window := s.clock.Now().Truncate(10 * time.Minute).Unix()
		s.alert(ctx, notify.Request{Kind: notify.AlertSecurity, Key: fmt.Sprintf("admin-login-failed:%s:%d", u.ID, window),
			Data: map[string]any{"event": fmt.Sprintf("failed admin login for %s (%d in a row from this address)", u.Email, n), "ip_address": orDash(m.IP)}})
	}
}

func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// openSession stores a new session for u and returns its token.
func (s *Service) openSession(ctx context.Context, u *User, pending, mfa bool, m Meta) (*LoginResult, error) {
	now := s.clock.Now()
	t := CustomerTimeouts
	if u.Role.Staff() {
		t = StaffTimeouts
	}
	if pending {
		t = PendingTimeouts
	}
	token, hash := NewToken()
	sess := &Session{IDHash: hash, UserID: u.ID, Role: u.Role, Pending: pending, MFA: mfa, CSRF: randomString(24),
		IP: m.IP, UserAgent: truncate(m.UserAgent, 300), Place: truncate(m.Place, 100), CreatedAt: now, LastSeenAt: now, IdleUntil: now.Add(t.Idle), ExpiresAt: now.Add(t.Absolute)}
	if err := s.store.PutSession(ctx, sess); err != nil {
		return nil, fmt.Errorf("open session: %w", err)
	}
	return &LoginResult{Token: token, Session: sess, User: u, SecondFactor: pending}, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

var errNoSession = apperr.New(apperr.Unauthorized, "sign in first")

// Authenticate returns the live session and user of a token, extending its
// idle timeout (written at most once a minute).
func (s *Service) Authenticate(ctx context.Context, token string) (*Session, *User, error) {
	if token == "" || len(token) > 100 {
		return nil, nil, errNoSession
	}
	sess, err := s.store.GetSession(ctx, HashToken(token))
	if apperr.Is(err, apperr.NotFound) {
		return nil, nil, errNoSession
	}
	if err != nil {
		return nil, nil, err
	}
	now := s.clock.Now()
	if !sess.Live(now) {
		_ = s.store.DeleteSession(ctx, sess.IDHash)
		return nil, nil, apperr.New(apperr.Unauthorized, "your session has expired; sign in again")
	}
	u, err := s.store.GetUser(ctx, sess.UserID)
	if err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return nil, nil, errNoSession
		}
		return nil, nil, err
	}
	if !u.EmailVerified && sess.ImpersonatorID == "" {
		// Sessions opened before confirmation was required end here.
		return nil, nil, errUnverified
	}
	if now.Sub(sess.LastSeenAt) > time.Minute && !sess.Pending {
		t := CustomerTimeouts
		if sess.Role.Staff() {
			t = StaffTimeouts
		}
		sess.LastSeenAt, sess.IdleUntil = now, now.Add(t.Idle)
		if err := s.store.TouchSession(ctx, sess.IDHash, sess.LastSeenAt, sess.IdleUntil); err != nil {
			s.log.WarnContext(ctx, "session not touched", "err", err.Error())
		}
	}
	return sess, u, nil
}

// SecondFactor completes a pending login with a TOTP or recovery code and
// returns a new, full session (the token rotates).
func (s *Service) SecondFactor(ctx context.Context, sess *Session, code string, m Meta) (*LoginResult, error) {
	if !sess.Pending {
		return nil, apperr.New(apperr.Conflict, "this session needs no second factor")
	}
	// Per address, so a flood from elsewhere does not refuse the owner's
	// right code; per account too, bounding guesses from many addresses.
	if err := s.limit(ctx, "2fa:user:"+sess.UserID+"|"+sess.IP, 5, 5*time.Minute); err != nil {
		return nil, err
	}
	if err := s.limit(ctx, "2fa:user:"+sess.UserID, 30, 15*time.Minute); err != nil {
		return nil, err
	}
	u, err := s.checkSecondFactor(ctx, sess.UserID, code)
	if err != nil {
		s.record(ctx, audit.Entry{ActorID: sess.UserID, Action: "auth.second_factor", Outcome: "denied", TargetType: "user", TargetID: sess.UserID}, m)
		return nil, err
	}
	if err := s.store.DeleteSession(ctx, sess.IDHash); err != nil {
		return nil, err
	}
	res, err := s.openSession(ctx, u, false, true, m)
	if err != nil {
		return nil, err
	}
	s.record(ctx, audit.Entry{ActorID: u.ID, ActorEmail: u.Email, Action: "auth.second_factor", Outcome: "ok", TargetType: "user", TargetID: u.ID}, m)
	return res, nil
}

// Logout revokes one session.
func (s *Service) Logout(ctx context.Context, sess *Session, m Meta) error {
	if err := s.store.DeleteSession(ctx, sess.IDHash); err != nil && !apperr.Is(err, apperr.Conflict) {
		return err
	}
	s.record(ctx, audit.Entry{ActorID: sess.UserID, Action: "auth.logout", Outcome: "ok", TargetType: "user", TargetID: sess.UserID}, m)
	return nil
}

// LogoutEverywhere revokes every session of the user except keep (which may be "").
func (s *Service) LogoutEverywhere(ctx context.Context, userID, keep string, m Meta) (int, error) {
	list, err := s.store.ListSessions(ctx, userID)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, sess := range list {
		if sess.IDHash == keep {
			continue
		}
		if err := s.store.DeleteSession(ctx, sess.IDHash); err != nil && !apperr.Is(err, apperr.Conflict) {
			return n, err
		}
		n++
	}
	s.record(ctx, audit.Entry{ActorID: userID, Action: "auth.logout_everywhere", Outcome: "ok", TargetType: "user", TargetID: userID, Detail: fmt.Sprintf("%d sessions revoked", n)}, m)
	return n, nil
}

// Sessions lists a user's live sessions, newest first.
func (s *Service) Sessions(ctx context.Context, userID string) ([]Session, error) {
	all, err := s.store.ListSessions(ctx, userID)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	live := all[:0]
	for _, x := range all {
		if x.Live(now) && !x.Pending {
			live = append(live, x)
		}
	}
	return live, nil
}

// RevokeSession ends one of the user's own sessions; another user's
// session id answers NotFound.
func (s *Service) RevokeSession(ctx context.Context, userID, idHash string, m Meta) error {
	sess, err := s.store.GetSession(ctx, idHash)
	if err != nil || sess.UserID != userID {
		return apperr.New(apperr.NotFound, "no such session")
	}
	if err := s.store.DeleteSession(ctx, idHash); err != nil {
		return err
	}
	s.record(ctx, audit.Entry{ActorID: userID, Action: "auth.session_revoke", Outcome: "ok", TargetType: "session", TargetID: idHash[:16]}, m)
	return nil
}

// SignInVerified opens a full session for a user whom another mechanism
// (a passkey with user verification) authenticated: it counts as a
// passed second factor.
func (s *Service) SignInVerified(ctx context.Context, userID, method string, m Meta) (*LoginResult, error) {
	u, err := s.store.GetUser(ctx, userID)
	if err != nil {
		return nil, err
	}
	if !u.EmailVerified {
		return nil, errUnverified
	}
	res, err := s.openSession(ctx, u, false, true, m)
	if err != nil {
		return nil, err
	}
	s.record(ctx, audit.Entry{ActorID: u.ID, ActorEmail: u.Email, Action: "auth.login", Outcome: "ok", TargetType: "user", TargetID: u.ID, Detail: "signed in with " + method}, m)
	return res, nil
}

// Record lets other account mechanisms (passkeys) write audit entries.
func (s *Service) Record(ctx context.Context, e audit.Entry, m Meta) { s.record(ctx, e, m) }

// Impersonate opens a 30-minute session in which staff act as a customer.
// Staff accounts cannot be impersonated. The staff member says why (3-300
// characters); start (with the reason) and end are audited, and everything
// done meanwhile is attributed to the staff member.
func (s *Service) Impersonate(ctx context.Context, actor *User, customerID, reason string, m Meta) (*LoginResult, error) {
	reason = strings.TrimSpace(reason)
	if why := text.Problem(reason, 3, 300); why != "" {
		if why != "is required" {
			why = "must be 3-300 characters on one line"
		}
		return nil, apperr.Validation(map[string]string{"reason": why})
	}
	u, err := s.store.GetUser(ctx, customerID)
	if err != nil {
		return nil, err
	}
	if u.Role.Staff() {
		return nil, apperr.New(apperr.Forbidden, "staff accounts cannot be impersonated")
	}
	now := s.clock.Now()
	token, hash := NewToken()
	t := ImpersonationTimeouts
	sess := &Session{IDHash: hash, UserID: u.ID, Role: u.Role, CSRF: randomString(24), ImpersonatorID: actor.ID, ImpersonatorEmail: actor.Email,
		IP: m.IP, UserAgent: truncate(m.UserAgent, 300), Place: truncate(m.Place, 100), CreatedAt: now, LastSeenAt: now, IdleUntil: now.Add(t.Idle), ExpiresAt: now.Add(t.Absolute)}
	if err := s.store.PutSession(ctx, sess); err != nil {
		return nil, err
	}
	s.record(ctx, audit.Entry{ActorID: actor.ID, ActorEmail: actor.Email, Action: "impersonation.start", Outcome: "ok", TargetType: "user", TargetID: u.ID, Detail: "as " + u.Email + ": " + reason}, m)
	return &LoginResult{Token: token, Session: sess, User: u}, nil
}

// EndImpersonation closes an impersonation session.
func (s *Service) EndImpersonation(ctx context.Context, sess *Session, m Meta) error {
	if sess.ImpersonatorID == "" {
		return apperr.New(apperr.Conflict, "this session is not an impersonation")
	}
	if err := s.store.DeleteSession(ctx, sess.IDHash); err != nil {
		return err
	}
	s.record(ctx, audit.Entry{ActorID: sess.ImpersonatorID, ActorEmail: sess.ImpersonatorEmail, Action: "impersonation.end", Outcome: "ok", TargetType: "user", TargetID: sess.UserID}, Meta{IP: m.IP, UserAgent: m.UserAgent})
	return nil
}
