package accounts_test

import (
	"context"
	"errors"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
	minidyn "github.com/truora/minidyn/aws-v2/client"
	"golang.org/x/crypto/bcrypt"

	"github.com/ezscale/platform/shared/adapters/dynamo"
	"github.com/ezscale/platform/shared/domain/accounts"
	"github.com/ezscale/platform/shared/domain/notify"
	"github.com/ezscale/platform/shared/platform/apperr"
	"github.com/ezscale/platform/shared/platform/clock"
	"github.com/ezscale/platform/shared/platform/envelope"
	"github.com/ezscale/platform/shared/platform/passwords"
)

var fast = passwords.Params{Memory: 1024, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}

type outbox struct {
	mu   sync.Mutex
	sent []notify.Request
}

func (o *outbox) Send(_ context.Context, r notify.Request) (*notify.Message, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.sent = append(o.sent, r)
	return &notify.Message{ID: r.Key}, nil
}

func (o *outbox) last(kind notify.Kind) *notify.Request {
	o.mu.Lock()
	defer o.mu.Unlock()
	for i := len(o.sent) - 1; i >= 0; i-- {
		if o.sent[i].Kind == kind {
			return &o.sent[i]
		}
	}
	return nil
}

func (o *outbox) count(kind notify.Kind) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	n := 0
	for _, r := range o.sent {
		if r.Kind == kind {
			n++
		}
	}
	return n
}

type env struct {
	svc   *accounts.Service
	store *dynamo.Accounts
	audit *dynamo.Audit
	// passkeys is the store only: ceremonies are tested in shared/passkeys.
	passkeys *dynamo.Passkeys
	out      *outbox
	clock    *clock.Fake
}

var meta = accounts.Meta{IP: "203.0.113.7", UserAgent: "test"}

func newEnv(t testing.TB) *env {
	t.Helper()
	api := minidyn.NewClient()
	if err := dynamo.EnsureTable(context.Background(), api, "t"); err != nil {
		t.Fatal(err)
	}
	clk := clock.NewFake(time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC))
	tbl := dynamo.New(api, "t", clk)
	keys, _ := envelope.LoadOrCreateLocalKeys(t.TempDir() + "/k")
	e := &env{store: dynamo.NewAccounts(tbl), audit: dynamo.NewAudit(tbl), passkeys: dynamo.NewPasskeys(tbl), out: &outbox{}, clock: clk}
	e.svc = accounts.NewService(accounts.Config{Store: e.store, Tokens: e.store, Limiter: dynamo.NewLimiter(tbl), Throttle: dynamo.NewLimiter(tbl), Passkeys: e.passkeys, Audit: e.audit, Notify: e.out,
		Sealer: envelope.New(keys), Clock: clk, Log: slog.New(slog.DiscardHandler), Params: fast, AccountURL: "https://example.com/account", Issuer: "EZSCALE"})
	return e
}

const goodPassword = "correct horse battery staple"

func tokenFrom(t testing.TB, r *notify.Request, key string) string {
	t.Helper()
	if r == nil {
		t.Fatal("no e-mail was sent")
	}
	u, err := url.Parse(r.Data[key].(string))
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get("token")
}

func register(t testing.TB, e *env, email string) *accounts.User {
	t.Helper()
	if err := e.svc.Register(context.Background(), accounts.RegisterInput{Email: email, Password: goodPassword, Name: "Ada Lovelace", Country: "GB"}, meta); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.VerifyEmail(context.Background(), tokenFrom(t, e.out.last(notify.EmailVerification), "verify_url"), meta); err != nil {
		t.Fatal(err)
	}
	u, err := e.store.GetUserByEmail(context.Background(), accounts.NormalizeEmail(email))
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func fields(err error) map[string]string {
	if ae, ok := errors.AsType[*apperr.Error](err); ok {
		return ae.Fields
	}
	return nil
}

func TestRegisterAndVerify(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	u := register(t, e, "  Ada@Example.COM ")
	if u.Email != "ada@example.com" || !u.EmailVerified || u.Role != accounts.Customer || !strings.HasPrefix(u.PasswordHash, "$argon2id$") {
		t.Fatalf("user = %+v", u)
	}
	if e.out.count(notify.Welcome) != 1 || e.out.count(notify.AlertNewSignup) != 1 {
		t.Fatal("welcome e-mail or signup alert missing")
	}
	t.Run("DuplicateLooksLikeSuccess", func(t *testing.T) {
		before := len(e.out.sent)
		if err := e.svc.Register(ctx, accounts.RegisterInput{Email: "ada@example.com", Password: goodPassword, Name: "Someone Else"}, meta); err != nil {
			t.Fatalf("duplicate registration revealed: %v", err)
		}
		if len(e.out.sent) != before {
			t.Fatal("a duplicate registration sent mail")
		}
	})
	t.Run("TokenIsSingleUse", func(t *testing.T) {
		_ = e.svc.Register(ctx, accounts.RegisterInput{Email: "bob@example.com", Password: goodPassword, Name: "Bob"}, meta)
		tok := tokenFrom(t, e.out.last(notify.EmailVerification), "verify_url")
		if _, err := e.svc.VerifyEmail(ctx, tok, meta); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.VerifyEmail(ctx, tok, meta); fields(err)["token"] == "" {
			t.Fatalf("reused token: %v", err)
		}
	})
	t.Run("ExpiredToken", func(t *testing.T) {
		_ = e.svc.Register(ctx, accounts.RegisterInput{Email: "eve@example.com", Password: goodPassword, Name: "Eve"}, meta)
		tok := tokenFrom(t, e.out.last(notify.EmailVerification), "verify_url")
		e.clock.Advance(25 * time.Hour)
		if _, err := e.svc.VerifyEmail(ctx, tok, meta); fields(err)["token"] == "" {
			t.Fatalf("expired token: %v", err)
		}
	})
	t.Run("BadInput", func(t *testing.T) {
		cases := []struct {
			in    accounts.RegisterInput
			field string
		}{
			{accounts.RegisterInput{Email: "nope", Password: goodPassword, Name: "A"}, "email"},
			{accounts.RegisterInput{Email: "ａｄａ2@example.com", Password: goodPassword, Name: "A"}, ""},     // full-width look-alikes fold to ASCII
			{accounts.RegisterInput{Email: "аda@example.com", Password: goodPassword, Name: "A"}, "email"}, // Cyrillic а
			{accounts.RegisterInput{Email: "c@example.com", Password: "password1234", Name: "A"}, "password"},
			{accounts.RegisterInput{Email: "d@example.com", Password: goodPassword, Name: ""}, "name"},
			{accounts.RegisterInput{Email: "e@example.com", Password: goodPassword, Name: "E", Country: "gbr"}, "country"},
			{accounts.RegisterInput{Email: "f@example.com", Password: goodPassword, Name: strings.Repeat("x", 101)}, "name"},
		}
		for _, c := range cases {
			err := e.svc.Register(ctx, c.in, accounts.Meta{IP: "198.51.100.1"})
			if c.field == "" {
				if err != nil {
					t.Errorf("%q: %v", c.in.Email, err)
				}
				continue
			}
			if fields(err)[c.field] == "" {
				t.Errorf("%q: err = %v, want a field error on %s", c.in.Email, err, c.field)
			}
		}
	})
}

func TestLogin(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	register(t, e, "ada@example.com")
	res, err := e.svc.Login(ctx, "ADA@example.com", goodPassword, meta)
	if err != nil || res.SecondFactor || res.Token == "" {
		t.Fatalf("login = %+v, %v", res, err)
	}
	sess, u, err := e.svc.Authenticate(ctx, res.Token)
	if err != nil || u.Email != "ada@example.com" || sess.CSRF == "" {
		t.Fatalf("authenticate = %v %v", u, err)
	}
	t.Run("WrongPasswordAndUnknownEmailLookAlike", func(t *testing.T) {
		_, err1 := e.svc.Login(ctx, "ada@example.com", "wrong password here", meta)
		_, err2 := e.svc.Login(ctx, "nobody@example.com", "wrong password here", meta)
		if !apperr.Is(err1, apperr.Unauthorized) || err1.Error() != err2.Error() {
			t.Fatalf("errors differ: %v / %v", err1, err2)
		}
	})
	t.Run("GrowingDelay", func(t *testing.T) {
		for range 3 {
			_, _ = e.svc.Login(ctx, "ada@example.com", "wrong password here", meta)
		}
		_, err := e.svc.Login(ctx, "ada@example.com", goodPassword, meta)
		ae, ok := errors.AsType[*apperr.Error](err)
		if !ok || ae.Code != apperr.RateLimited || ae.RetryAfter <= 0 {
			t.Fatalf("after 4 failures: %v", err)
		}
		e.clock.Advance(ae.RetryAfter + time.Second)
		if _, err := e.svc.Login(ctx, "ada@example.com", goodPassword, meta); err != nil {
			t.Fatalf("after waiting: %v", err)
		}
	})
	t.Run("Timeouts", func(t *testing.T) {
		res, _ := e.svc.Login(ctx, "ada@example.com", goodPassword, meta)
		e.clock.Advance(6 * 24 * time.Hour)
		if _, _, err := e.svc.Authenticate(ctx, res.Token); err != nil {
			t.Fatalf("within idle timeout: %v", err)
		}
		e.clock.Advance(6 * 24 * time.Hour) // used 6 days ago: idle window moved
		if _, _, err := e.svc.Authenticate(ctx, res.Token); err != nil {
			t.Fatalf("idle window should have moved: %v", err)
		}
		e.clock.Advance(8 * 24 * time.Hour)
		if _, _, err := e.svc.Authenticate(ctx, res.Token); !apperr.Is(err, apperr.Unauthorized) {
			t.Fatalf("after 8 idle days: %v", err)
		}
	})
	t.Run("LogoutRevokesAtOnce", func(t *testing.T) {
		res, _ := e.svc.Login(ctx, "ada@example.com", goodPassword, meta)
		sess, _, _ := e.svc.Authenticate(ctx, res.Token)
		if err := e.svc.Logout(ctx, sess, meta); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.svc.Authenticate(ctx, res.Token); !apperr.Is(err, apperr.Unauthorized) {
			t.Fatalf("revoked token still works: %v", err)
		}
	})
	t.Run("ThrottledPerAddress", func(t *testing.T) {
		var last error
		for range 12 {
			_, last = e.svc.Login(ctx, "limited@example.com", "whatever password", accounts.Meta{IP: "192.0.2.99"})
		}
		if !apperr.Is(last, apperr.RateLimited) {
			t.Fatalf("12th attempt: %v", last)
		}
	})
}

func TestStaffFailedLoginAlerts(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	u := register(t, e, "grace@ezscale.example")
	if _, err := e.store.UpdateUser(ctx, u.ID, func(u *accounts.User) error { u.Role = accounts.Admin; return nil }); err != nil {
		t.Fatal(err)
	}
	_, _ = e.svc.Login(ctx, u.Email, "wrong password here", meta)
	_, _ = e.svc.Login(ctx, u.Email, "wrong password again", meta)
	if n := e.out.count(notify.AlertSecurity); n != 2 { // two sends, one idempotency key: delivered once
		t.Fatalf("security alerts = %d", n)
	}
	if a, b := e.out.sent[len(e.out.sent)-1].Key, e.out.sent[len(e.out.sent)-2].Key; a != b {
		t.Fatalf("alert keys differ (%s, %s): admins would get one alert per attempt", a, b)
	}
}

func TestTOTP(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	register(t, e, "ada@example.com")
	res, _ := e.svc.Login(ctx, "ada@example.com", goodPassword, meta)
	sess, u, _ := e.svc.Authenticate(ctx, res.Token)
	enr, err := e.svc.StartTOTP(ctx, u.ID)
	if err != nil || !strings.HasPrefix(enr.URI, "otpauth://totp/EZSCALE:ada@example.com?") || !strings.HasPrefix(enr.QRPNG, "data:image/png;base64,") {
		t.Fatalf("enrolment = %+v, %v", enr, err)
	}
	code := func() string {
		c, _ := totp.GenerateCodeCustom(enr.Secret, e.clock.Now(), totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		return c
	}
	if _, _, err := e.svc.ConfirmTOTP(ctx, sess, "000000", meta); fields(err)["code"] == "" {
		t.Fatalf("wrong code accepted: %v", err)
	}
	recovery, rotated, err := e.svc.ConfirmTOTP(ctx, sess, code(), meta)
	if err != nil || len(recovery) != 10 || rotated.Token == res.Token {
		t.Fatalf("confirm = %d codes, %v", len(recovery), err)
	}
	if _, _, err := e.svc.Authenticate(ctx, res.Token); err == nil {
		t.Fatal("the pre-enrolment session token still works after the privilege change")
	}
	stored, _ := e.store.GetUser(ctx, u.ID)
	if strings.Contains(string(stored.TOTP.Secret), enr.Secret) {
		t.Fatal("TOTP secret stored in clear")
	}

	e.clock.Advance(time.Minute)
	login, err := e.svc.Login(ctx, "ada@example.com", goodPassword, meta)
	if err != nil || !login.SecondFactor {
		t.Fatalf("login with TOTP = %+v, %v", login, err)
	}
	pending, _, _ := e.svc.Authenticate(ctx, login.Token)
	c := code()
	full, err := e.svc.SecondFactor(ctx, pending, c, meta)
	if err != nil || !full.Session.MFA || full.Session.Pending {
		t.Fatalf("second factor = %+v, %v", full, err)
	}
	t.Run("ReplayRefused", func(t *testing.T) {
		again, _ := e.svc.Login(ctx, "ada@example.com", goodPassword, meta)
		p, _, _ := e.svc.Authenticate(ctx, again.Token)
		if _, err := e.svc.SecondFactor(ctx, p, c, meta); fields(err)["code"] == "" {
			t.Fatalf("a used code was accepted again: %v", err)
		}
		if _, err := e.svc.SecondFactor(ctx, p, recovery[0], meta); err != nil {
			t.Fatalf("recovery code: %v", err)
		}
		e.clock.Advance(5 * time.Minute) // past the 2FA rate-limit window (5 tries per 5 minutes)
		third, _ := e.svc.Login(ctx, "ada@example.com", goodPassword, meta)
		p3, _, _ := e.svc.Authenticate(ctx, third.Token)
		if _, err := e.svc.SecondFactor(ctx, p3, recovery[0], meta); fields(err)["code"] == "" {
			t.Fatalf("a used recovery code was accepted again: %v", err)
		}
	})
	t.Run("DisableNeedsPassword", func(t *testing.T) {
		if err := e.svc.DisableTOTP(ctx, full.Session, "wrong password here", meta); fields(err)["password"] == "" {
			t.Fatalf("disabled without the password: %v", err)
		}
		if err := e.svc.DisableTOTP(ctx, full.Session, goodPassword, meta); err != nil {
			t.Fatal(err)
		}
	})
}

func TestPasswordResetAndChange(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	register(t, e, "ada@example.com")
	old, _ := e.svc.Login(ctx, "ada@example.com", goodPassword, meta)
	if err := e.svc.ForgotPassword(ctx, "nobody@example.com", meta); err != nil || e.out.count(notify.PasswordReset) != 0 {
		t.Fatalf("unknown address: %v", err)
	}
	if err := e.svc.ForgotPassword(ctx, "ada@example.com", meta); err != nil {
		t.Fatal(err)
	}
	tok := tokenFrom(t, e.out.last(notify.PasswordReset), "reset_url")
	if err := e.svc.ResetPassword(ctx, tok, "password1234", meta); fields(err)["password"] == "" {
		t.Fatalf("weak password accepted: %v", err)
	}
	// The failed attempt used the token: single use means single use.
	if err := e.svc.ForgotPassword(ctx, "ada@example.com", meta); err != nil {
		t.Fatal(err)
	}
	tok = tokenFrom(t, e.out.last(notify.PasswordReset), "reset_url")
	if err := e.svc.ResetPassword(ctx, tok, "a brand new passphrase", meta); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.svc.Authenticate(ctx, old.Token); err == nil {
		t.Fatal("sessions survived a password reset")
	}
	if err := e.svc.ResetPassword(ctx, tok, "another new passphrase", meta); fields(err)["token"] == "" {
		t.Fatalf("reset token reused: %v", err)
	}
	res, err := e.svc.Login(ctx, "ada@example.com", "a brand new passphrase", meta)
	if err != nil {
		t.Fatal(err)
	}
	sess, _, _ := e.svc.Authenticate(ctx, res.Token)
	if _, err := e.svc.ChangePassword(ctx, sess, "wrong current one", "yet another passphrase", meta); fields(err)["current_password"] == "" {
		t.Fatalf("changed without the current password: %v", err)
	}
	rot, err := e.svc.ChangePassword(ctx, sess, "a brand new passphrase", "yet another passphrase", meta)
	if err != nil || rot.Token == res.Token {
		t.Fatalf("change = %v", err)
	}
	if _, _, err := e.svc.Authenticate(ctx, rot.Token); err != nil {
		t.Fatalf("rotated session: %v", err)
	}
	t.Run("ResetLinkExpiresIn60Minutes", func(t *testing.T) {
		_ = e.svc.ForgotPassword(ctx, "ada@example.com", accounts.Meta{IP: "192.0.2.1"})
		tok := tokenFrom(t, e.out.last(notify.PasswordReset), "reset_url")
		e.clock.Advance(61 * time.Minute)
		if err := e.svc.ResetPassword(ctx, tok, "a fine new passphrase", meta); fields(err)["token"] == "" {
			t.Fatalf("expired reset link worked: %v", err)
		}
	})
}

func TestImportedBcryptRehashesAtLogin(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	u := register(t, e, "whmcs@example.com")
	b, _ := bcrypt.GenerateFromPassword([]byte("old whmcs password"), bcrypt.MinCost)
	if _, err := e.store.UpdateUser(ctx, u.ID, func(u *accounts.User) error { u.PasswordHash = "$2y$" + string(b[4:]); return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Login(ctx, u.Email, "old whmcs password", meta); err != nil {
		t.Fatal(err)
	}
	after, _ := e.store.GetUser(ctx, u.ID)
	if !strings.HasPrefix(after.PasswordHash, "$argon2id$") {
		t.Fatalf("hash not upgraded: %s", after.PasswordHash[:10])
	}
}

// Session and API-token parsing face hostile input on every request: it
// must never panic, and anything not issued by us is Unauthorized.
func FuzzAuthenticate(f *testing.F) {
	e := newEnv(f)
	f.Add("")
	f.Add("ezs_pat_AAAA")
	f.Add(strings.Repeat("A", 43))
	f.Add("\x00\xff/../..")
	f.Fuzz(func(t *testing.T, token string) {
		ctx := context.Background()
		if _, _, err := e.svc.Authenticate(ctx, token); !apperr.Is(err, apperr.Unauthorized) {
			t.Fatalf("Authenticate(%q) = %v, want unauthorized", token, err)
		}
		if _, _, err := e.svc.AuthenticateToken(ctx, token); !apperr.Is(err, apperr.Unauthorized) {
			t.Fatalf("AuthenticateToken(%q) = %v, want unauthorized", token, err)
		}
	})
}

func TestChangeEmail(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	u := register(t, e, "ada@example.com")
	register(t, e, "taken@example.com")
	if err := e.svc.RequestEmailChange(ctx, u.ID, "new@example.com", "wrong password here", meta); fields(err)["password"] == "" {
		t.Fatalf("changed without the password: %v", err)
	}
	before := e.out.count(notify.EmailVerification)
	if err := e.svc.RequestEmailChange(ctx, u.ID, "taken@example.com", goodPassword, meta); err != nil {
		t.Fatalf("a taken address must look like a free one: %v", err)
	}
	if e.out.count(notify.EmailVerification) != before {
		t.Fatal("a link was sent for a taken address")
	}
	if err := e.svc.RequestEmailChange(ctx, u.ID, "New@Example.com", goodPassword, meta); err != nil {
		t.Fatal(err)
	}
	req := e.out.last(notify.EmailVerification)
	if req.To != "new@example.com" {
		t.Fatalf("link sent to %s, want the new address", req.To)
	}
	tok := tokenFrom(t, req, "verify_url")
	if got, _ := e.store.GetUser(ctx, u.ID); got.Email != "ada@example.com" {
		t.Fatal("the address changed before it was confirmed")
	}
	changed, err := e.svc.VerifyEmail(ctx, tok, meta)
	if err != nil || changed.Email != "new@example.com" || !changed.EmailVerified {
		t.Fatalf("confirm = %+v, %v", changed, err)
	}
	if _, err := e.svc.Login(ctx, "new@example.com", goodPassword, meta); err != nil {
		t.Fatalf("login with the new address: %v", err)
	}
	if _, err := e.svc.Login(ctx, "ada@example.com", goodPassword, meta); !apperr.Is(err, apperr.Unauthorized) {
		t.Fatalf("the old address still signs in: %v", err)
	}
	// The old address is free again; the confirmation link was single use.
	if err := e.svc.Register(ctx, accounts.RegisterInput{Email: "ada@example.com", Password: goodPassword, Name: "Another Ada"}, accounts.Meta{IP: "198.51.100.2"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.GetUserByEmail(ctx, "ada@example.com"); err != nil {
		t.Fatalf("old address not released: %v", err)
	}
	if _, err := e.svc.VerifyEmail(ctx, tok, meta); fields(err)["token"] == "" {
		t.Fatalf("confirmation reused: %v", err)
	}
}

// A session token planted in a victim's browser before sign-in (session
// fixation) is never promoted: every sign-in issues a fresh token.
func TestSignInNeverReusesATokenFromBefore(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	register(t, e, "victim@example.com")
	planted, _ := e.svc.Login(ctx, "victim@example.com", goodPassword, meta) // the attacker's own earlier session
	again, err := e.svc.Login(ctx, "victim@example.com", goodPassword, meta)
	if err != nil || again.Token == planted.Token || again.Session.IDHash == planted.Session.IDHash {
		t.Fatal("sign-in reused an existing session token")
	}
	e.clock.Advance(time.Second)
	seen := map[string]bool{}
	for range 20 {
		tok, hash := accounts.NewToken()
		if seen[tok] || len(tok) < 43 || hash == accounts.HashToken(tok+"x") {
			t.Fatal("tokens are not fresh 256-bit values")
		}
		seen[tok] = true
	}
}
