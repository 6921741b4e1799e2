package httpapi

import (
	"net/http"
	"time"

	"github.com/ezscale/platform/shared/api/httpx"
	"github.com/ezscale/platform/shared/domain/accounts"
	"github.com/ezscale/platform/shared/platform/apperr"
)

type accountHandlers struct{ Deps }

// UserView is what the API shows of a user.
type UserView struct {
	ID            string           `json:"id"`
	Email         string           `json:"email"`
	EmailVerified bool             `json:"email_verified"`
	Role          accounts.Role    `json:"role"`
	Profile       accounts.Profile `json:"profile"`
	TaxExempt     bool             `json:"tax_exempt"`
	TOTPEnabled   bool             `json:"totp_enabled"`
	CreatedAt     time.Time        `json:"created_at"`
}

func viewUser(u *accounts.User) UserView {
	return UserView{ID: u.ID, Email: u.Email, EmailVerified: u.EmailVerified, Role: u.Role, Profile: u.Profile, TaxExempt: u.TaxExempt, TOTPEnabled: u.TOTP.Enabled, CreatedAt: u.CreatedAt}
}

type sessionView struct {
	Status       string    `json:"status"` // signed_in | second_factor_required
	User         *UserView `json:"user,omitempty"`
	CSRFToken    string    `json:"csrf_token"`
	SecondFactor bool      `json:"second_factor_passed"`
}

func (h accountHandlers) signedIn(w http.ResponseWriter, res *accounts.LoginResult) {
	h.setSessionCookies(w, res.Token, res.Session)
	v := sessionView{Status: "signed_in", CSRFToken: res.Session.CSRF, SecondFactor: res.Session.MFA}
	if res.SecondFactor {
		v.Status = "second_factor_required"
	} else {
		uv := viewUser(res.User)
		v.User = &uv
	}
	httpx.JSON(w, http.StatusOK, v)
}

func (h accountHandlers) register(w http.ResponseWriter, r *http.Request) error {
	var in accounts.RegisterInput
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	if err := h.Sessions.Register(r.Context(), in, meta(r)); err != nil {
		return err
	}
	httpx.JSON(w, http.StatusAccepted, map[string]string{"status": "verification_sent", "message": "Check your inbox for a link to confirm your e-mail address."})
	return nil
}

func (h accountHandlers) verifyEmail(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Token string `json:"token"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	u, err := h.Sessions.VerifyEmail(r.Context(), in.Token, meta(r))
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, viewUser(u))
	return nil
}

type emailOnly struct {
	Email string `json:"email"`
}

func (h accountHandlers) resendVerification(w http.ResponseWriter, r *http.Request) error {
	var in emailOnly
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	if err := h.Sessions.ResendVerification(r.Context(), in.Email, meta(r)); err != nil {
		return err
	}
	httpx.JSON(w, http.StatusAccepted, map[string]string{"status": "sent_if_unverified"})
	return nil
}

func (h accountHandlers) login(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	res, err := h.Sessions.Login(r.Context(), in.Email, in.Password, meta(r))
	if err != nil {
		return err
	}
	h.signedIn(w, res)
	return nil
}

func (h accountHandlers) secondFactor(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Code string `json:"code"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	res, err := h.Sessions.SecondFactor(r.Context(), principal(r).Session, in.Code, meta(r))
	if err != nil {
		return err
	}
	h.signedIn(w, res)
	return nil
}

func (h accountHandlers) logout(w http.ResponseWriter, r *http.Request) error {
	if err := h.Sessions.Logout(r.Context(), principal(r).Session, meta(r)); err != nil {
		return err
	}
	h.clearSessionCookies(w)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h accountHandlers) logoutEverywhere(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	n, err := h.Sessions.LogoutEverywhere(r.Context(), p.User.ID, "", meta(r))
	if err != nil {
		return err
	}
	h.clearSessionCookies(w)
	httpx.JSON(w, http.StatusOK, map[string]int{"revoked": n})
	return nil
}

func (h accountHandlers) forgotPassword(w http.ResponseWriter, r *http.Request) error {
	var in emailOnly
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	if err := h.Sessions.ForgotPassword(r.Context(), in.Email, meta(r)); err != nil {
		return err
	}
	httpx.JSON(w, http.StatusAccepted, map[string]string{"status": "sent_if_registered"})
	return nil
}

func (h accountHandlers) resetPassword(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Token    string `json:"token"`
		Password string `json:"password"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	if err := h.Sessions.ResetPassword(r.Context(), in.Token, in.Password, meta(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type meView struct {
	UserView
	CSRFToken          string `json:"csrf_token"`
	SecondFactorPassed bool   `json:"second_factor_passed"`
	ImpersonatedBy     string `json:"impersonated_by,omitempty"`
}

func (h accountHandlers) me(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	v := meView{UserView: viewUser(p.User)}
	if p.Session != nil {
		v.CSRFToken, v.SecondFactorPassed, v.ImpersonatedBy = p.Session.CSRF, p.Session.MFA, p.Session.ImpersonatorEmail
	}
	httpx.JSON(w, http.StatusOK, v)
	return nil
}

func (h accountHandlers) listTokens(w http.ResponseWriter, r *http.Request) error {
	list, err := h.Profiles.APITokens(r.Context(), principal(r).User.ID)
	if err != nil {
		return err
	}
	if list == nil {
		list = []accounts.APIToken{}
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"tokens": list})
	return nil
}

func (h accountHandlers) createToken(w http.ResponseWriter, r *http.Request) error {
	var in accounts.CreateTokenInput
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	t, secret, err := h.Profiles.CreateAPIToken(r.Context(), principal(r).User.ID, in, meta(r))
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusCreated, map[string]any{"token": t, "secret": secret})
	return nil
}

func (h accountHandlers) revokeToken(w http.ResponseWriter, r *http.Request) error {
	if err := h.Profiles.RevokeAPIToken(r.Context(), principal(r).User.ID, r.PathValue("id"), meta(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h accountHandlers) updateProfile(w http.ResponseWriter, r *http.Request) error {
	var in accounts.Profile
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	u, err := h.Profiles.UpdateProfile(r.Context(), principal(r).User.ID, in, meta(r))
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, viewUser(u))
	return nil
}

func (h accountHandlers) changePassword(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Current string `json:"current_password"`
		New     string `json:"new_password"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	res, err := h.Profiles.ChangePassword(r.Context(), principal(r).Session, in.Current, in.New, meta(r))
	if err != nil {
		return err
	}
	h.signedIn(w, res)
	return nil
}

type sessionItem struct {
	ID         string    `json:"id"`
	IP         string    `json:"ip"`
	UserAgent  string    `json:"user_agent"`
	Place      string    `json:"place"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	Current    bool      `json:"current"`
}

func (h accountHandlers) sessions(w http.ResponseWriter, r *http.Request) error {
	p := principal(r)
	list, err := h.Profiles.Sessions(r.Context(), p.User.ID)
	if err != nil {
		return err
	}
	out := []sessionItem{}
	for _, s := range list {
		out = append(out, sessionItem{ID: s.IDHash, IP: s.IP, UserAgent: s.UserAgent, Place: s.Place, CreatedAt: s.CreatedAt, LastSeenAt: s.LastSeenAt, Current: s.IDHash == p.Session.IDHash})
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"sessions": out})
	return nil
}

func (h accountHandlers) revokeSession(w http.ResponseWriter, r *http.Request) error {
	if err := h.Profiles.RevokeSession(r.Context(), principal(r).User.ID, r.PathValue("id"), meta(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h accountHandlers) startTOTP(w http.ResponseWriter, r *http.Request) error {
	enr, err := h.Profiles.StartTOTP(r.Context(), principal(r).User.ID)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, enr)
	return nil
}

func (h accountHandlers) confirmTOTP(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Code string `json:"code"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	codes, res, err := h.Profiles.ConfirmTOTP(r.Context(), principal(r).Session, in.Code, meta(r))
	if err != nil {
		return err
	}
	h.setSessionCookies(w, res.Token, res.Session)
	httpx.JSON(w, http.StatusOK, map[string]any{"recovery_codes": codes, "csrf_token": res.Session.CSRF})
	return nil
}

func (h accountHandlers) disableTOTP(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Password string `json:"password"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	if principal(r).User.Role.Staff() {
		return apperr.New(apperr.Forbidden, "staff accounts must keep two-factor authentication on")
	}
	if err := h.Profiles.DisableTOTP(r.Context(), principal(r).Session, in.Password, meta(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// impersonate starts acting as a customer: the staff member's own session
// token moves to a separate HttpOnly cookie until the impersonation ends.
func (h accountHandlers) impersonate(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Reason string `json:"reason"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	res, err := h.Sessions.Impersonate(r.Context(), principal(r).User, r.PathValue("id"), in.Reason, meta(r))
	if err != nil {
		return err
	}
	if c, err := r.Cookie(SessionCookie); err == nil {
		http.SetCookie(w, &http.Cookie{Name: StaffCookie, Value: c.Value, Path: "/", MaxAge: 12 * 3600, HttpOnly: true, Secure: h.CookieSecure, SameSite: http.SameSiteLaxMode})
	}
	h.setSessionCookies(w, res.Token, res.Session)
	uv := viewUser(res.User)
	httpx.JSON(w, http.StatusOK, sessionView{Status: "impersonating", User: &uv, CSRFToken: res.Session.CSRF})
	return nil
}

// endImpersonation closes the impersonation and gives the staff member
// their own session back.
func (h accountHandlers) endImpersonation(w http.ResponseWriter, r *http.Request) error {
	if err := h.Sessions.EndImpersonation(r.Context(), principal(r).Session, meta(r)); err != nil {
		return err
	}
	h.clearSessionCookies(w)
	if c, err := r.Cookie(StaffCookie); err == nil && c.Value != "" {
		if staff, _, err := h.Sessions.Authenticate(r.Context(), c.Value); err == nil {
			h.setSessionCookies(w, c.Value, staff) // the staff session, with its own CSRF token
		}
	}
	http.SetCookie(w, &http.Cookie{Name: StaffCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: h.CookieSecure, SameSite: http.SameSiteLaxMode})
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h accountHandlers) changeEmail(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		NewEmail string `json:"new_email"`
		Password string `json:"password"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	if err := h.Profiles.RequestEmailChange(r.Context(), principal(r).User.ID, in.NewEmail, in.Password, meta(r)); err != nil {
		return err
	}
	httpx.JSON(w, http.StatusAccepted, map[string]string{"status": "verification_sent", "message": "Open the link we sent to the new address to finish the change."})
	return nil
}
