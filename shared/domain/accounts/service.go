package accounts

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ezscale/platform/shared/domain/audit"
	"github.com/ezscale/platform/shared/domain/notify"
	"github.com/ezscale/platform/shared/platform/apperr"
	"github.com/ezscale/platform/shared/platform/clock"
	"github.com/ezscale/platform/shared/platform/ids"
	"github.com/ezscale/platform/shared/platform/passwords"
	"github.com/ezscale/platform/shared/platform/text"
)

// Service is the accounts use cases.
type Service struct {
	store      Store
	tokens     TokenStore
	limiter    Limiter
	throttle   Throttle
	passkeys   CredentialStore
	notes      NoteStore
	audit      audit.Recorder
	notify     Notifier
	sealer     Sealer
	clock      clock.Clock
	log        *slog.Logger
	params     passwords.Params
	accountURL string
	issuer     string
	// dummyHash equalises the work of sign-ins for unknown e-mails; made on
	// first use, because an argon2id hash at start-up costs every cold start.
	dummyOnce sync.Once
	dummyHash string
}

// Config wires a Service.
type Config struct {
	Store      Store
	Tokens     TokenStore
	Limiter    Limiter
	Throttle   Throttle
	Passkeys   CredentialStore // nil: no passkeys to remove
	Notes      NoteStore
	Audit      audit.Recorder
	Notify     Notifier
	Sealer     Sealer
	Clock      clock.Clock
	Log        *slog.Logger
	Params     passwords.Params // argon2id cost; passwords.Default in production
	AccountURL string           // links in e-mails, e.g. https://example.com/account
	Issuer     string           // shown in authenticator apps
}

// NewService returns a Service.
func NewService(c Config) *Service {
	s := &Service{store: c.Store, tokens: c.Tokens, limiter: c.Limiter, throttle: c.Throttle, passkeys: c.Passkeys, notes: c.Notes, audit: c.Audit, notify: c.Notify, sealer: c.Sealer, clock: c.Clock, log: c.Log,
		params: c.Params, accountURL: strings.TrimRight(c.AccountURL, "/"), issuer: c.Issuer}
	return s
}

// RegisterInput is a sign-up form.
type RegisterInput struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	Name     string `json:"name"`
	Company  string `json:"company"`
	Phone    string `json:"phone"`
	Country  string `json:"country"`
	// Next is where the confirmation link leads after signing in (an order
	// started on the pricing page): a path in the account app.
	Next string `json:"next,omitempty"`
}

// validPhone: 5-32 digits, spaces and ()-. after an optional "+". The
// length is checked apart from the pattern: counted repetitions compile
// to long programs at every cold start.
func validPhone(p string) bool {
	n := len(strings.TrimPrefix(p, "+"))
	return n >= 5 && n <= 32 && phoneRE.MatchString(p)
}

var (
	phoneRE   = regexp.MustCompile(`^\+?[0-9 ()\-.]+$`) // 5-32 after the "+": see validPhone
	countryRE = regexp.MustCompile(`^[A-Z]{2}$`)
)

// ValidEmail normalises and checks an address; it returns the field error.
func ValidEmail(s string) (string, string) {
	e := NormalizeEmail(s)
	a, err := mail.ParseAddress(e)
	if err != nil || a.Address != e || a.Name != "" || len(e) > 254 || !strings.Contains(e[strings.LastIndexByte(e, '@')+1:], ".") {
		return "", "must be a valid e-mail address"
	}
	for _, r := range e {
		if r > 127 {
			// Internationalised addresses are rare among customers and a common
			// vehicle for look-alike spoofing; refuse them plainly.
			return "", "must use only ASCII characters"
		}
	}
	return e, ""
}

func validateProfile(f apperr.FieldErrors, p Profile) {
	text := func(field, v string, min, max int) {
		if why := text.Problem(v, min, max); why != "" {
			if why == "is required" {
				f.Add(field, why)
			} else {
				f.Add(field, fmt.Sprintf("must be %d-%d characters on one line", min, max))
			}
		}
	}
	text("name", p.Name, 1, 100)
	text("company", p.Company, 0, 100)
	if p.Phone != "" && !validPhone(p.Phone) {
		f.Add("phone", "must be a phone number like +44 20 7946 0000")
	}
	if p.Country != "" && !countryRE.MatchString(p.Country) {
		f.Add("country", "must be an ISO 3166 two-letter code like GB")
	}
	text("vat_id", p.VATID, 0, 20)
	a := p.Address
	for field, v := range map[string]string{"line1": a.Line1, "line2": a.Line2, "city": a.City, "region": a.Region, "postal_code": a.PostalCode} {
		text("billing_address."+field, v, 0, 100)
	}
	if a.Country != "" && !countryRE.MatchString(a.Country) {
		f.Add("billing_address.country", "must be an ISO 3166 two-letter code like GB")
	}
}

// Register creates a customer and e-mails a verification link. A taken
// e-mail looks exactly like success to the caller (nothing reveals whether
// an address is registered); the owner of the address gets nothing new.
func (s *Service) Register(ctx context.Context, in RegisterInput, m Meta) error {
	if err := s.limit(ctx, "register:ip:"+m.IP, 10, time.Hour); err != nil {
		return err
	}
	f := apperr.FieldErrors{}
	email, msg := ValidEmail(in.Email)
	if msg != "" {
		f.Add("email", msg)
	}
	p := Profile{Name: strings.TrimSpace(in.Name), Company: strings.TrimSpace(in.Company), Phone: strings.TrimSpace(in.Phone), Country: in.Country}
	validateProfile(f, p)
	if why := passwords.Check(in.Password, email, p.Name); why != "" {
		f.Add("password", why)
	}
	if err := f.Err(); err != nil {
		return err
	}
	hash, err := passwords.Hash(in.Password, s.params)
	if err != nil {
		return err
	}
	now := s.clock.Now()
	u := &User{ID: ids.New("usr"), Email: email, Role: Customer, Profile: p, PasswordHash: hash, CreatedAt: now, UpdatedAt: now, Version: 1}
	u.Profile.Address.Country = p.Country
	next, ok := safeNext(in.Next)
	if !ok {
		return apperr.Validation(map[string]string{"next": "must be a path in the account app"})
	}
	if err := s.store.CreateUser(ctx, u); err != nil {
		if !apperr.Is(err, apperr.Conflict) {
			return fmt.Errorf("register %s: %w", email, err)
		}
		return s.registerAgain(ctx, email, hash, p, next, m)
	}
	s.record(ctx, audit.Entry{ActorID: u.ID, ActorEmail: email, Action: "auth.register", Outcome: "ok", TargetType: "user", TargetID: u.ID}, m)
	return s.sendVerification(ctx, u, next)
}

// registerAgain handles an address that already has an account. A
// confirmed one is left alone and nothing tells the caller. One that was
// never confirmed starts over with this sign-up's password and profile:
// whoever registered it before (perhaps not its owner) loses every way in,
// and links e-mailed for the earlier sign-up stop working.
func (s *Service) registerAgain(ctx context.Context, email, hash string, p Profile, next string, m Meta) error {
	existing, err := s.store.GetUserByEmail(ctx, email)
	if err != nil {
		return fmt.Errorf("register %s again: %w", email, err)
	}
	if existing.EmailVerified {
		s.record(ctx, audit.Entry{Action: "auth.register", Outcome: "denied", Detail: "e-mail already registered"}, m)
		return nil
	}
	u, err := s.store.UpdateUser(ctx, existing.ID, func(u *User) error {
		if u.EmailVerified {
			return apperr.New(apperr.Conflict, "confirmed meanwhile")
		}
		u.PasswordHash, u.Profile, u.TOTP, u.UpdatedAt = hash, p, TOTP{}, s.clock.Now()
		u.Profile.Address.Country = p.Country
		return nil
	})
	if apperr.Is(err, apperr.Conflict) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := s.removeOtherCredentials(ctx, u.ID, "", m); err != nil {
		return err
	}
	s.record(ctx, audit.Entry{ActorID: u.ID, ActorEmail: email, Action: "auth.register", Outcome: "ok", TargetType: "user", TargetID: u.ID,
		Detail: "unconfirmed account started over"}, m)
	return s.sendVerification(ctx, u, next)
}

// safeNext accepts where the verification link should lead afterwards: a
// path in the account app (never another site).
func safeNext(next string) (string, bool) {
	if next == "" {
		return "", true
	}
	if len(next) > 300 || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\x00\r\n\t") {
		return "", false
	}
	return next, true
}

// sendVerification e-mails a confirmation link bound to the account's
// current password, so a link from an earlier sign-up of the same address
// cannot confirm a later one.
func (s *Service) sendVerification(ctx context.Context, u *User, next string) error {
	token, hash := NewToken()
	t := &Token{Hash: hash, Purpose: VerifyEmail, UserID: u.ID, Email: u.Email, Stamp: passwordStamp(u), ExpiresAt: s.clock.Now().Add(24 * time.Hour)}
	if err := s.store.PutToken(ctx, t); err != nil {
		return fmt.Errorf("store verification token: %w", err)
	}
	link := s.accountURL + "/verify?token=" + token
	if next != "" {
		link += "&next=" + url.QueryEscape(next)
	}
	_, err := s.notify.Send(ctx, notify.Request{Kind: notify.EmailVerification, To: u.Email, Key: "verify:" + hash[:32],
		Data: map[string]any{"customer_name": u.Profile.Name, "verify_url": link, "expires_in": "24 hours"}})
	return err
}

// passwordStamp identifies the password a verification link was sent for
// without storing anything that helps guess it.
func passwordStamp(u *User) string {
	sum := sha256.Sum256([]byte(u.ID + "\x00" + u.PasswordHash))
	return hex.EncodeToString(sum[:8])
}

// ResendVerification sends a new link if the address belongs to an
// unverified account; the answer is the same either way.
func (s *Service) ResendVerification(ctx context.Context, email string, m Meta) error {
	u, err := s.mailableUser(ctx, "resend", email, m)
	if u == nil || err != nil {
		return err
	}
	if u.EmailVerified {
		return nil
	}
	return s.sendVerification(ctx, u, "")
}

// VerifyEmail consumes a verification token and marks the address verified.
func (s *Service) VerifyEmail(ctx context.Context, token string, m Meta) (*User, error) {
	t, err := s.store.ConsumeToken(ctx, HashToken(token), VerifyEmail)
	if apperr.Is(err, apperr.NotFound) {
		// The same link page confirms a change of address.
		if ct, cerr := s.store.ConsumeToken(ctx, HashToken(token), ChangeEmail); cerr == nil {
			return s.finishEmailChange(ctx, ct, m)
		}
	}
	if err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return nil, apperr.Validation(map[string]string{"token": "this link is invalid, used or expired; ask for a new one"})
		}
		return nil, err
	}
	first := false
	u, err := s.store.UpdateUser(ctx, t.UserID, func(u *User) error {
		if u.Email != t.Email {
			return apperr.Validation(map[string]string{"token": "this link was for another e-mail address"})
		}
		if !u.EmailVerified && t.Stamp != "" && t.Stamp != passwordStamp(u) {
			return apperr.Validation(map[string]string{"token": "this link is from an earlier sign-up of this address; use the newest e-mail"})
		}
		first = !u.EmailVerified
		u.EmailVerified, u.UpdatedAt = true, s.clock.Now()
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.record(ctx, audit.Entry{ActorID: u.ID, ActorEmail: u.Email, Action: "auth.verify_email", Outcome: "ok", TargetType: "user", TargetID: u.ID}, m)
	if first {
		if _, err := s.notify.Send(ctx, notify.Request{Kind: notify.Welcome, To: u.Email, Key: "welcome:" + u.ID, Data: map[string]any{"customer_name": u.Profile.Name}}); err != nil {
			s.log.WarnContext(ctx, "welcome e-mail not queued", "user", u.ID, "err", err.Error())
		}
		s.alert(ctx, notify.Request{Kind: notify.AlertNewSignup, Key: "signup:" + u.ID,
			Data: map[string]any{"customer_name": u.Profile.Name, "email": u.Email, "country": orDash(u.Profile.Country)}})
	}
	return u, nil
}

// Me returns a user.
func (s *Service) Me(ctx context.Context, userID string) (*User, error) {
	return s.store.GetUser(ctx, userID)
}

// UpdateProfile replaces a user's profile (not e-mail, role or tax status).
func (s *Service) UpdateProfile(ctx context.Context, userID string, p Profile, m Meta) (*User, error) {
	f := apperr.FieldErrors{}
	validateProfile(f, p)
	if err := f.Err(); err != nil {
		return nil, err
	}
	var before Profile
	u, err := s.store.UpdateUser(ctx, userID, func(u *User) error {
		before, u.Profile, u.UpdatedAt = u.Profile, p, s.clock.Now()
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.record(ctx, audit.Entry{ActorID: u.ID, ActorEmail: u.Email, Action: "profile.update", Outcome: "ok", TargetType: "user", TargetID: u.ID,
		Before: audit.JSON(before), After: audit.JSON(p)}, m)
	return u, nil
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// limit applies a rate limit, turning exhaustion into apperr.RateLimited.
func (s *Service) limit(ctx context.Context, key string, n int, window time.Duration) error {
	ok, wait, err := s.limiter.Allow(ctx, key, n, window)
	if err != nil {
		return err
	}
	if !ok {
		return tooMany(wait)
	}
	return nil
}

func tooMany(wait time.Duration) error {
	return &apperr.Error{Code: apperr.RateLimited, RetryAfter: wait,
		Message: fmt.Sprintf("too many attempts; try again in %d seconds", int(wait.Seconds())+1)}
}

// record writes an audit entry; a failure is logged, never fatal to the user.
func (s *Service) record(ctx context.Context, e audit.Entry, m Meta) {
	e.ID, e.At, e.IP, e.UserAgent = ids.New("aud"), s.clock.Now(), m.IP, m.UserAgent
	if m.ImpersonatorID != "" {
		e.Detail = strings.TrimSpace(fmt.Sprintf("as %s (impersonation) %s", e.ActorEmail, e.Detail))
		e.ActorID, e.ActorEmail = m.ImpersonatorID, m.ImpersonatorEmail
	}
	if err := s.audit.Record(ctx, e); err != nil {
		s.log.ErrorContext(ctx, "audit entry not recorded", "action", e.Action, "err", err.Error())
	}
}

func (s *Service) alert(ctx context.Context, r notify.Request) {
	if _, err := s.notify.Send(ctx, r); err != nil {
		s.log.WarnContext(ctx, "admin alert not queued", "kind", r.Kind, "err", err.Error())
	}
}

// NewUser describes an account created by the platform itself (seed data,
// imports, staff onboarding) rather than by sign-up.
type NewUser struct {
	Email    string
	Name     string
	Password string
	Role     Role
	Verified bool
	// TOTPSecret, when set, enrols that base32 secret as an enabled factor.
	TOTPSecret string
}

// CreateUser creates an account directly. apperr.Conflict when the e-mail
// is taken.
func (s *Service) CreateUser(ctx context.Context, in NewUser) (*User, error) {
	email, msg := ValidEmail(in.Email)
	if msg != "" {
		return nil, apperr.Validation(map[string]string{"email": msg})
	}
	if why := passwords.Check(in.Password, email, in.Name); why != "" {
		return nil, apperr.Validation(map[string]string{"password": why})
	}
	hash, err := passwords.Hash(in.Password, s.params)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	u := &User{ID: ids.New("usr"), Email: email, EmailVerified: in.Verified, Role: in.Role, Profile: Profile{Name: in.Name},
		PasswordHash: hash, CreatedAt: now, UpdatedAt: now, Version: 1}
	if in.TOTPSecret != "" {
		sealed, err := s.sealer.Seal(ctx, []byte(in.TOTPSecret), totpAAD(u.ID))
		if err != nil {
			return nil, err
		}
		u.TOTP = TOTP{Enabled: true, Secret: sealed}
	}
	if err := s.store.CreateUser(ctx, u); err != nil {
		return nil, err
	}
	return u, nil
}

// UserPage is a page of users for staff.
type UserPage struct {
	Users []User
	Next  string
}

// Lister pages through users, newest first.
type Lister interface {
	ListUsers(ctx context.Context, cursor string, limit int32) ([]User, string, error)
}

// ListUsers pages through all accounts for staff, newest first.
func (s *Service) ListUsers(ctx context.Context, cursor string) (*UserPage, error) {
	l, ok := s.store.(Lister)
	if !ok {
		return nil, apperr.New(apperr.Unavailable, "listing users is not supported by this store")
	}
	users, next, err := l.ListUsers(ctx, cursor, 50)
	if err != nil {
		return nil, err
	}
	return &UserPage{Users: users, Next: next}, nil
}

// SetTaxExempt records whether a customer is exempt from tax; only staff
// may call it (the HTTP layer enforces the permission).
func (s *Service) SetTaxExempt(ctx context.Context, actor *User, userID string, exempt bool, m Meta) (*User, error) {
	var before bool
	u, err := s.store.UpdateUser(ctx, userID, func(u *User) error {
		before, u.TaxExempt, u.UpdatedAt = u.TaxExempt, exempt, s.clock.Now()
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.record(ctx, audit.Entry{ActorID: actor.ID, ActorEmail: actor.Email, Action: "customer.tax_exempt", Outcome: "ok", TargetType: "user", TargetID: userID,
		Before: audit.JSON(map[string]bool{"tax_exempt": before}), After: audit.JSON(map[string]bool{"tax_exempt": exempt})}, m)
	return u, nil
}

// SetRole gives an account a role: staff roles carry permissions (grants)
// and must sign in with a second factor. Nobody changes their own role, so
// an admin always remains. The account's sessions end, so the new role
// (and its second-factor rule) applies from its next sign-in; before and
// after are audited.
func (s *Service) SetRole(ctx context.Context, actor *User, userID string, role Role, m Meta) (*User, error) {
	if !slices.Contains([]Role{Customer, Support, Billing, Admin}, role) {
		return nil, apperr.Validation(map[string]string{"role": "must be customer, support, billing or admin"})
	}
	if userID == actor.ID {
		return nil, apperr.New(apperr.Conflict, "you cannot change your own role; another admin can")
	}
	var before Role
	u, err := s.store.UpdateUser(ctx, userID, func(u *User) error {
		before, u.Role, u.UpdatedAt = u.Role, role, s.clock.Now()
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Sessions end even when the role was already this one: a retry after a
	// failure below finishes the job. Permissions follow at once anyway (each
	// request reads the account); ending sessions makes a new staff member
	// sign in with a second factor.
	sessions, err := s.store.ListSessions(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("sessions of %s after a role change: %w", userID, err)
	}
	for _, sess := range sessions {
		if err := s.store.DeleteSession(ctx, sess.IDHash); err != nil && !apperr.Is(err, apperr.Conflict) {
			return nil, fmt.Errorf("end a session after a role change: %w", err)
		}
	}
	if before == role {
		return u, nil
	}
	s.record(ctx, audit.Entry{ActorID: actor.ID, ActorEmail: actor.Email, Action: "user.role", Outcome: "ok", TargetType: "user", TargetID: userID,
		Detail: u.Email, Before: audit.JSON(map[string]Role{"role": before}), After: audit.JSON(map[string]Role{"role": role})}, m)
	return u, nil
}

// RequestEmailChange e-mails a confirmation link to a new address after
// re-authentication. A taken address answers exactly like a free one.
func (s *Service) RequestEmailChange(ctx context.Context, userID, newEmail, password string, m Meta) error {
	email, msg := ValidEmail(newEmail)
	if msg != "" {
		return apperr.Validation(map[string]string{"new_email": msg})
	}
	u, err := s.reauthenticate(ctx, userID, password, "password")
	if err != nil {
		return err
	}
	if email == u.Email {
		return apperr.Validation(map[string]string{"new_email": "is your current address"})
	}
	if _, err := s.store.GetUserByEmail(ctx, email); err == nil {
		s.record(ctx, audit.Entry{ActorID: u.ID, ActorEmail: u.Email, Action: "auth.email_change_requested", Outcome: "denied", TargetType: "user", TargetID: u.ID, Detail: "address taken"}, m)
		return nil
	}
	token, hash := NewToken()
	if err := s.store.PutToken(ctx, &Token{Hash: hash, Purpose: ChangeEmail, UserID: u.ID, Email: email, ExpiresAt: s.clock.Now().Add(24 * time.Hour)}); err != nil {
		return err
	}
	s.record(ctx, audit.Entry{ActorID: u.ID, ActorEmail: u.Email, Action: "auth.email_change_requested", Outcome: "ok", TargetType: "user", TargetID: u.ID, After: audit.JSON(map[string]string{"email": email})}, m)
	_, err = s.notify.Send(ctx, notify.Request{Kind: notify.EmailVerification, To: email, Key: "verify:" + hash[:32],
		Data: map[string]any{"customer_name": u.Profile.Name, "verify_url": s.accountURL + "/verify?token=" + token, "expires_in": "24 hours"}})
	return err
}

func (s *Service) finishEmailChange(ctx context.Context, t *Token, m Meta) (*User, error) {
	u, err := s.store.GetUser(ctx, t.UserID)
	if err != nil {
		return nil, err
	}
	old := u.Email
	u, err = s.store.ChangeEmail(ctx, u.ID, old, t.Email)
	if apperr.Is(err, apperr.Conflict) {
		return nil, apperr.Validation(map[string]string{"token": "that address was taken meanwhile; choose another"})
	}
	if err != nil {
		return nil, err
	}
	s.record(ctx, audit.Entry{ActorID: u.ID, ActorEmail: u.Email, Action: "auth.email_change", Outcome: "ok", TargetType: "user", TargetID: u.ID,
		Before: audit.JSON(map[string]string{"email": old}), After: audit.JSON(map[string]string{"email": u.Email})}, m)
	return u, nil
}

// mailableUser applies the per-address and per-recipient limits of an
// e-mail-sending endpoint and returns the account of the address, or nil
// (no error) when there is none, so callers answer alike either way.
func (s *Service) mailableUser(ctx context.Context, scope, email string, m Meta) (*User, error) {
	email = NormalizeEmail(email)
	if err := s.limit(ctx, scope+":ip:"+m.IP, 10, time.Hour); err != nil {
		return nil, err
	}
	// Per address and e-mail, so requests from elsewhere never use up the
	// owner's own (the reset must always reach them); the looser cap per
	// e-mail bounds how much mail many addresses can send one inbox.
	if err := s.limit(ctx, scope+":email:"+email+"|"+m.IP, 3, time.Hour); err != nil {
		return nil, err
	}
	if err := s.limit(ctx, scope+":email:"+email, 20, time.Hour); err != nil {
		return nil, err
	}
	u, err := s.store.GetUserByEmail(ctx, email)
	if apperr.Is(err, apperr.NotFound) {
		return nil, nil
	}
	return u, err
}
