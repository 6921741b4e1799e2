package accounts_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/ezscale/platform/shared/domain/accounts"
	"github.com/ezscale/platform/shared/domain/notify"
	"github.com/ezscale/platform/shared/domain/passkeys"
	"github.com/ezscale/platform/shared/platform/apperr"
)

var (
	attacker = accounts.Meta{IP: "198.51.100.66", UserAgent: "attacker"}
	owner    = accounts.Meta{IP: "203.0.113.20", UserAgent: "owner"}
)

// An address nobody confirmed gives no way in, even with its password.
func TestUnconfirmedAccountCannotBeUsed(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if err := e.svc.Register(ctx, accounts.RegisterInput{Email: "victim@example.com", Password: "attacker chose this one", Name: "Mallory"}, attacker); err != nil {
		t.Fatal(err)
	}
	_, err := e.svc.Login(ctx, "victim@example.com", "attacker chose this one", attacker)
	if !apperr.Is(err, apperr.Forbidden) || fields(err)["email"] == "" {
		t.Fatalf("sign-in to an unconfirmed account = %v, want forbidden with an e-mail field error", err)
	}
	// A wrong password still answers like any wrong password.
	if _, err := e.svc.Login(ctx, "victim@example.com", "some other guess", owner); !apperr.Is(err, apperr.Unauthorized) {
		t.Fatalf("wrong password on an unconfirmed account = %v", err)
	}
	// Sessions and tokens made before confirmation was required stop working.
	u, _ := e.store.GetUserByEmail(ctx, "victim@example.com")
	tok, hash := accounts.NewToken()
	now := e.clock.Now()
	if err := e.store.PutSession(ctx, &accounts.Session{IDHash: hash, UserID: u.ID, Role: u.Role, CSRF: "x", CreatedAt: now, LastSeenAt: now,
		IdleUntil: now.Add(time.Hour), ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.svc.Authenticate(ctx, tok); err == nil {
		t.Fatal("a session of an unconfirmed account was accepted")
	}
	if err := e.store.PutAPIToken(ctx, &accounts.APIToken{ID: "tok_1", Hash: accounts.HashToken(accounts.TokenPrefix + "abc"), UserID: u.ID, Name: "t",
		Scopes: []accounts.Scope{accounts.ScopeBilling}, CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.svc.AuthenticateToken(ctx, accounts.TokenPrefix+"abc"); !apperr.Is(err, apperr.Unauthorized) {
		t.Fatalf("an API token of an unconfirmed account = %v", err)
	}
	if _, err := e.svc.SignInVerified(ctx, u.ID, "passkey", attacker); !apperr.Is(err, apperr.Forbidden) {
		t.Fatalf("passkey sign-in to an unconfirmed account = %v", err)
	}
}

// Registering an address that was never confirmed starts over: the first
// registrant's password and links stop working.
func TestRegisteringAnUnconfirmedAddressStartsOver(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if err := e.svc.Register(ctx, accounts.RegisterInput{Email: "victim@example.com", Password: "attacker chose this one", Name: "Mallory"}, attacker); err != nil {
		t.Fatal(err)
	}
	first := tokenFrom(t, e.out.last(notify.EmailVerification), "verify_url")
	if err := e.svc.Register(ctx, accounts.RegisterInput{Email: "victim@example.com", Password: goodPassword, Name: "Victoria", Next: "/order?plan=vps"}, owner); err != nil {
		t.Fatal(err)
	}
	second := e.out.last(notify.EmailVerification)
	if got := second.Data["verify_url"].(string); got != "https://example.com/account/verify?token="+tokenFrom(t, second, "verify_url")+"&next=%2Forder%3Fplan%3Dvps" {
		t.Fatalf("verify link %q does not carry the return path", got)
	}
	// The owner opening the attacker's (older) link must not confirm the
	// account with the attacker's password, nor with their own.
	if _, err := e.svc.VerifyEmail(ctx, first, owner); fields(err)["token"] == "" {
		t.Fatalf("the first registrant's link confirmed the restarted account: %v", err)
	}
	if _, err := e.svc.VerifyEmail(ctx, tokenFrom(t, second, "verify_url"), owner); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Login(ctx, "victim@example.com", "attacker chose this one", attacker); !apperr.Is(err, apperr.Unauthorized) {
		t.Fatalf("the first registrant's password = %v, want unauthorized", err)
	}
	res, err := e.svc.Login(ctx, "victim@example.com", goodPassword, owner)
	if err != nil {
		t.Fatal(err)
	}
	if res.User.Profile.Name != "Victoria" {
		t.Fatalf("profile = %+v, want the second registration's", res.User.Profile)
	}
	t.Run("ConfirmedAddressIsLeftAlone", func(t *testing.T) {
		before := len(e.out.sent)
		if err := e.svc.Register(ctx, accounts.RegisterInput{Email: "victim@example.com", Password: "attacker again here", Name: "Mallory"}, attacker); err != nil {
			t.Fatal(err)
		}
		if len(e.out.sent) != before {
			t.Fatal("registering a confirmed address sent mail")
		}
		if _, err := e.svc.Login(ctx, "victim@example.com", goodPassword, owner); err != nil {
			t.Fatalf("the owner's password stopped working: %v", err)
		}
	})
	t.Run("BadNext", func(t *testing.T) {
		for _, next := range []string{"https://evil.example/", "//evil.example", "/\\evil", "order"} {
			err := e.svc.Register(ctx, accounts.RegisterInput{Email: "n@example.com", Password: goodPassword, Name: "N", Next: next}, owner)
			if fields(err)["next"] == "" {
				t.Errorf("next %q: err = %v, want a field error", next, err)
			}
		}
	})
}

// A reset link proves the address: every other way into the account ends.
func TestResetRemovesEveryOtherCredential(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	u := register(t, e, "ada@example.com")
	res, _ := e.svc.Login(ctx, "ada@example.com", goodPassword, meta)
	sess, _, _ := e.svc.Authenticate(ctx, res.Token)
	_, secret, err := e.svc.CreateAPIToken(ctx, u.ID, accounts.CreateTokenInput{Name: "ci", Scopes: []accounts.Scope{accounts.ScopeBilling}}, meta)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.passkeys.PutPasskey(ctx, &passkeys.Passkey{ID: "cred1", UserID: u.ID, Name: "key", Data: []byte("{}"), CreatedAt: e.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	enableTOTP(t, e, sess)

	if err := e.svc.ForgotPassword(ctx, "ada@example.com", meta); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.ResetPassword(ctx, tokenFrom(t, e.out.last(notify.PasswordReset), "reset_url"), "a brand new passphrase", meta); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.svc.AuthenticateToken(ctx, secret); err == nil {
		t.Error("an API token survived the reset")
	}
	if _, _, err := e.svc.Authenticate(ctx, res.Token); err == nil {
		t.Error("a session survived the reset")
	}
	if list, _ := e.passkeys.ListPasskeys(ctx, u.ID); len(list) != 0 {
		t.Errorf("%d passkeys survived the reset", len(list))
	}
	again, err := e.svc.Login(ctx, "ada@example.com", "a brand new passphrase", meta)
	if err != nil || again.SecondFactor {
		t.Errorf("after the reset: %+v %v; want a full session with no second factor (the authenticator app is removed)", again, err)
	}
}

// The reset link also confirms an address nobody had confirmed yet.
func TestResetConfirmsTheAddress(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_ = e.svc.Register(ctx, accounts.RegisterInput{Email: "late@example.com", Password: goodPassword, Name: "Late"}, meta)
	_ = e.svc.ForgotPassword(ctx, "late@example.com", meta)
	if err := e.svc.ResetPassword(ctx, tokenFrom(t, e.out.last(notify.PasswordReset), "reset_url"), "a brand new passphrase", meta); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Login(ctx, "late@example.com", "a brand new passphrase", meta); err != nil {
		t.Fatalf("after a reset: %v", err)
	}
}

// Failures from one address never hold up the owner at another, and
// unknown e-mails answer with the same statuses in the same order.
func TestLoginFloodCannotLockTheOwnerOut(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	register(t, e, "ada@example.com")
	statuses := func(email string, ip string) []apperr.Code {
		var out []apperr.Code
		for range 8 {
			_, err := e.svc.Login(ctx, email, "not the password", accounts.Meta{IP: ip})
			out = append(out, apperr.CodeOf(err))
		}
		return out
	}
	known, unknown := statuses("ada@example.com", "198.51.100.1"), statuses("nobody@example.com", "198.51.100.2")
	if fmt.Sprint(known) != fmt.Sprint(unknown) {
		t.Fatalf("known e-mail answered %v, unknown %v", known, unknown)
	}
	if known[len(known)-1] != apperr.RateLimited {
		t.Fatalf("eight failures from one address were never slowed: %v", known)
	}
	for i := range 10 { // ten more addresses, as in the report
		statuses("ada@example.com", fmt.Sprintf("198.51.100.%d", 10+i))
	}
	if _, err := e.svc.Login(ctx, "ada@example.com", goodPassword, owner); err != nil {
		t.Fatalf("the owner from another address: %v", err)
	}
	// The right password from a throttled address waits like any other try.
	if _, err := e.svc.Login(ctx, "ada@example.com", goodPassword, accounts.Meta{IP: "198.51.100.1"}); !apperr.Is(err, apperr.RateLimited) {
		t.Fatalf("a throttled address = %v", err)
	}
	t.Run("LongEmailKeepsKeysBounded", func(t *testing.T) {
		long := string(make([]byte, 200_000)) + "@example.com"
		if _, err := e.svc.Login(ctx, long, "x", owner); !apperr.Is(err, apperr.Unauthorized) {
			t.Fatalf("a 200 KB e-mail = %v, want the usual 401", err)
		}
	})
}

// enableTOTP turns on the authenticator app for the session's user and
// returns its secret.
func enableTOTP(t *testing.T, e *env, sess *accounts.Session) string {
	t.Helper()
	ctx := context.Background()
	enr, err := e.svc.StartTOTP(ctx, sess.UserID)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := totp.GenerateCodeCustom(enr.Secret, e.clock.Now(), totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if _, _, err := e.svc.ConfirmTOTP(ctx, sess, c, meta); err != nil {
		t.Fatal(err)
	}
	return enr.Secret
}

// Staff keep their second factor through a reset: their mailbox alone must
// not open the admin API.
func TestResetKeepsStaffSecondFactor(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	u := register(t, e, "grace@ezscale.example")
	if _, err := e.store.UpdateUser(ctx, u.ID, func(u *accounts.User) error { u.Role = accounts.Admin; return nil }); err != nil {
		t.Fatal(err)
	}
	res, _ := e.svc.Login(ctx, u.Email, goodPassword, meta)
	sess, _, _ := e.svc.Authenticate(ctx, res.Token)
	enableTOTP(t, e, sess)
	_ = e.svc.ForgotPassword(ctx, u.Email, meta)
	if err := e.svc.ResetPassword(ctx, tokenFrom(t, e.out.last(notify.PasswordReset), "reset_url"), "a brand new passphrase", meta); err != nil {
		t.Fatal(err)
	}
	again, err := e.svc.Login(ctx, u.Email, "a brand new passphrase", meta)
	if err != nil || !again.SecondFactor {
		t.Fatalf("staff sign-in after a reset = %+v %v, want the second factor still required", again, err)
	}
}

// Wrong codes flooded from one address do not refuse the owner's right
// code from another (the limit was per account).
func TestSecondFactorFloodElsewhereDoesNotBlockTheOwner(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	register(t, e, "ada@example.com")
	res, _ := e.svc.Login(ctx, "ada@example.com", goodPassword, owner)
	sess, _, _ := e.svc.Authenticate(ctx, res.Token)
	secret := enableTOTP(t, e, sess)
	e.clock.Advance(time.Minute) // a fresh time step for the owner's code later
	flood, err := e.svc.Login(ctx, "ada@example.com", goodPassword, attacker)
	if err != nil || !flood.SecondFactor {
		t.Fatalf("pending sign-in: %+v %v", flood, err)
	}
	var last error
	for range 8 {
		_, last = e.svc.SecondFactor(ctx, flood.Session, "000000", attacker)
	}
	if !apperr.Is(last, apperr.RateLimited) {
		t.Fatalf("eight wrong codes from one address = %v, want throttled", last)
	}
	mine, err := e.svc.Login(ctx, "ada@example.com", goodPassword, owner)
	if err != nil {
		t.Fatal(err)
	}
	code, _ := totp.GenerateCodeCustom(secret, e.clock.Now(), totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if _, err := e.svc.SecondFactor(ctx, mine.Session, code, owner); err != nil {
		t.Fatalf("the owner's right code from another address = %v", err)
	}
}

// Reset requests from other addresses never use up the owner's own.
func TestResetRequestsFromElsewhereDoNotBlockTheOwner(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	register(t, e, "ada@example.com")
	for i := range 6 {
		_ = e.svc.ForgotPassword(ctx, "ada@example.com", accounts.Meta{IP: fmt.Sprintf("198.51.100.%d", i%2)})
	}
	before := e.out.count(notify.PasswordReset)
	if err := e.svc.ForgotPassword(ctx, "ada@example.com", owner); err != nil || e.out.count(notify.PasswordReset) != before+1 {
		t.Fatalf("the owner's reset request after others' = %v (mails %d → %d)", err, before, e.out.count(notify.PasswordReset))
	}
}
