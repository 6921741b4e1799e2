package httpapi

import (
	"context"
	"crypto/subtle"
	"mime"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/ezscale/platform/shared/adapters/cfaccess"
	"github.com/ezscale/platform/shared/api/httpx"
	"github.com/ezscale/platform/shared/domain/accounts"
	"github.com/ezscale/platform/shared/domain/audit"
	"github.com/ezscale/platform/shared/platform/apperr"
	"github.com/ezscale/platform/shared/platform/ids"
)

// Cookie names. The session cookie is HttpOnly; the CSRF cookie is readable
// by the web apps, which echo it in X-CSRF-Token on every write.
const (
	SessionCookie = "ezs_session"
	// StaffCookie keeps a staff member's own session while they impersonate.
	StaffCookie = "ezs_staff_session"
	CSRFCookie  = "ezs_csrf"
	CSRFHeader  = "X-CSRF-Token"
)

type principalKey struct{}

// Principal is the signed-in caller.
type Principal struct {
	Session *accounts.Session // nil when a personal API token was used
	Token   *accounts.APIToken
	User    *accounts.User
}

func principal(r *http.Request) *Principal {
	p, _ := r.Context().Value(principalKey{}).(*Principal)
	return p
}

func meta(r *http.Request) accounts.Meta {
	ip := r.RemoteAddr
	if host, _, err := net.SplitHostPort(ip); err == nil {
		ip = host
	}
	place, _ := r.Context().Value(placeKey{}).(string)
	m := accounts.Meta{IP: ip, UserAgent: r.UserAgent(), Place: place}
	if p := principal(r); p != nil && p.Session != nil && p.Session.ImpersonatorID != "" {
		m.ImpersonatorID, m.ImpersonatorEmail = p.Session.ImpersonatorID, p.Session.ImpersonatorEmail
	}
	return m
}

func (d Deps) setSessionCookies(w http.ResponseWriter, token string, s *accounts.Session) {
	maxAge := int(time.Until(s.ExpiresAt).Seconds())
	if maxAge <= 0 {
		maxAge = int(s.ExpiresAt.Sub(s.CreatedAt).Seconds())
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: token, Path: "/", MaxAge: maxAge, HttpOnly: true, Secure: d.CookieSecure, SameSite: http.SameSiteLaxMode})
	http.SetCookie(w, &http.Cookie{Name: CSRFCookie, Value: s.CSRF, Path: "/", MaxAge: maxAge, Secure: d.CookieSecure, SameSite: http.SameSiteLaxMode})
}

func (d Deps) clearSessionCookies(w http.ResponseWriter) {
	for _, n := range []string{SessionCookie, CSRFCookie} {
		http.SetCookie(w, &http.Cookie{Name: n, Value: "", Path: "/", MaxAge: -1, HttpOnly: n == SessionCookie, Secure: d.CookieSecure, SameSite: http.SameSiteLaxMode})
	}
}

var (
	errSecondFactorFirst = apperr.New(apperr.Forbidden, "finish signing in with your second factor first")
	errNeedsMFA          = apperr.New(apperr.Forbidden, "staff must sign in with two-factor authentication; set it up under Security")
	errForbidden         = apperr.New(apperr.Forbidden, "your role does not allow this")
	errCSRF              = apperr.New(apperr.Forbidden, "missing or wrong "+CSRFHeader+" header")
	errCFAccess          = apperr.New(apperr.Forbidden, "the admin API is only reachable through Cloudflare Access")
)

// guard wraps a handler with the route's auth rule: the session cookie is
// checked, pending sessions reach only the second-factor step, staff routes
// need the permission and a passed second factor, and every write made with
// a cookie must echo the session's CSRF token.
func (d Deps) guard(rt httpx.Route) httpx.HandlerFunc {
	h := rt.Handler
	return func(w http.ResponseWriter, r *http.Request) error {
		r = r.WithContext(context.WithValue(r.Context(), placeKey{}, d.placeOf(r)))
		if r.Method != http.MethodGet && r.Method != http.MethodHead && rt.Function != FnWebhooks {
			// Writes from one address are bounded whatever the route
			// (gateway webhooks prove themselves by signature instead).
			if err := d.limit(r, "api-write:ip:"+meta(r).IP, 120, time.Minute); err != nil {
				return err
			}
		}
		if rt.Auth == httpx.Public {
			if r.Method != http.MethodGet && r.Method != http.MethodHead && rt.Function != FnWebhooks {
				if err := d.checkPublicWrite(r); err != nil {
					return err
				}
			}
			return h(w, r)
		}
		if bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
			return d.withToken(rt, bearer, w, r)
		}
		c, err := r.Cookie(SessionCookie)
		if err != nil {
			return apperr.New(apperr.Unauthorized, "sign in first")
		}
		sess, u, err := d.Sessions.Authenticate(r.Context(), c.Value)
		if err != nil {
			if apperr.Is(err, apperr.Unauthorized) {
				d.clearSessionCookies(w)
			}
			return err
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if subtle.ConstantTimeCompare([]byte(r.Header.Get(CSRFHeader)), []byte(sess.CSRF)) != 1 {
				return errCSRF
			}
		}
		switch {
		case rt.Auth == httpx.Pending && !sess.Pending:
			return apperr.New(apperr.Conflict, "this session needs no second factor")
		case rt.Auth != httpx.Pending && sess.Pending:
			return errSecondFactorFirst
		case rt.Auth == httpx.Staff && !u.Role.Can(accounts.Permission(rt.Permission)):
			return errForbidden
		case rt.Auth == httpx.Staff && !sess.MFA:
			return errNeedsMFA
		case rt.Sensitive && sess.ImpersonatorID != "":
			return apperr.New(apperr.Forbidden, "not while impersonating: the customer must do this themselves")
		}
		if rt.Auth == httpx.Staff && d.CFAccess != nil {
			id, err := d.CFAccess.Verify(r.Context(), r.Header.Get(cfaccess.Header))
			if err != nil {
				d.Log.WarnContext(r.Context(), "Cloudflare Access check failed", "err", err.Error())
				return errCFAccess
			}
			if id.Email != "" && !strings.EqualFold(id.Email, u.Email) {
				return apperr.New(apperr.Forbidden, "the Cloudflare Access identity is not this staff account")
			}
		}
		ctx := context.WithValue(r.Context(), principalKey{}, &Principal{Session: sess, User: u})
		return h(w, r.WithContext(ctx))
	}
}

var errCrossSite = apperr.New(apperr.Forbidden, "this request must come from the EZSCALE web apps")

// checkPublicWrite refuses public writes (sign-in, sign-up, resets) that a
// page of another origin could make a browser send without asking: a body
// that is not declared JSON (the only kinds a no-cors POST can send are
// text/plain, form and multipart), or an Origin that is neither the API's
// own nor one of the web apps'. Non-browser clients send no Origin.
func (d Deps) checkPublicWrite(r *http.Request) error {
	hasBody := r.ContentLength != 0 // -1: chunked, length unknown
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); hasBody && (err != nil || mt != "application/json") {
		return apperr.New(apperr.Invalid, "Content-Type must be application/json")
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return nil
	}
	if slices.Contains(d.Origins, origin) {
		return nil
	}
	if u, err := url.Parse(origin); err == nil && u.Host == r.Host {
		return nil
	}
	return errCrossSite
}

// record audits an action by the caller (admin actions, mainly).
func (d Deps) record(r *http.Request, action, targetType, targetID string, before, after any) {
	e := audit.Entry{ID: ids.New("aud"), At: d.Clock.Now(), Action: action, Outcome: "ok", TargetType: targetType, TargetID: targetID,
		Before: audit.JSON(before), After: audit.JSON(after)}
	m := meta(r)
	e.IP, e.UserAgent = m.IP, m.UserAgent
	if p := principal(r); p != nil {
		e.ActorID, e.ActorEmail = p.User.ID, p.User.Email
		if p.Session != nil && p.Session.ImpersonatorID != "" {
			e.ActorID, e.ActorEmail, e.Detail = p.Session.ImpersonatorID, p.Session.ImpersonatorEmail, "as "+p.User.Email+" (impersonation)"
		}
	}
	if err := d.Audit.Record(r.Context(), e); err != nil {
		d.Log.ErrorContext(r.Context(), "audit entry not recorded", "action", action, "err", err.Error())
	}
}

// withToken serves a request authenticated by a personal API token: only
// routes that declare a scope accept tokens, and only tokens holding it.
func (d Deps) withToken(rt httpx.Route, bearer string, w http.ResponseWriter, r *http.Request) error {
	if rt.Auth != httpx.User || rt.Scope == "" {
		return apperr.New(apperr.Forbidden, "API tokens cannot call this endpoint; sign in instead")
	}
	tok, u, err := d.Sessions.AuthenticateToken(r.Context(), bearer)
	if err != nil {
		return err
	}
	if !tok.Has(accounts.Scope(rt.Scope)) {
		return apperr.New(apperr.Forbidden, "this token lacks the %q scope", rt.Scope)
	}
	if err := d.limit(r, "api:token:"+tok.ID, 600, time.Minute); err != nil {
		return err
	}
	ctx := context.WithValue(r.Context(), principalKey{}, &Principal{User: u, Token: tok})
	return rt.Handler(w, r.WithContext(ctx))
}

func (d Deps) limit(r *http.Request, key string, n int, window time.Duration) error {
	if d.Limiter == nil {
		return nil
	}
	ok, wait, err := d.Limiter.Allow(r.Context(), key, n, window)
	if err != nil {
		return err
	}
	if !ok {
		return &apperr.Error{Code: apperr.RateLimited, RetryAfter: wait, Message: "too many requests; slow down"}
	}
	return nil
}
