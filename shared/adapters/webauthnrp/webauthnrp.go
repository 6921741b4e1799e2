// Package webauthnrp is the WebAuthn relying party for passkeys, on
// go-webauthn: the options a browser needs to create or use a passkey, and
// the verification of what it answers. Only the function that serves the
// passkey routes (passkeys) links it.
package webauthnrp

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/ezscale/platform/shared/domain/passkeys"
	"github.com/ezscale/platform/shared/platform/config"
)

// RP implements passkeys.Protocol.
type RP struct{ wa *webauthn.WebAuthn }

var _ passkeys.Protocol = (*RP)(nil)

// New returns the relying party rpID (the site's domain, "localhost"
// locally) for the web apps' origins.
func New(rpID, rpName string, origins []string) (*RP, error) {
	wa, err := webauthn.New(&webauthn.Config{RPID: rpID, RPDisplayName: rpName, RPOrigins: origins})
	if err != nil {
		return nil, fmt.Errorf("webauthn config: %w", err)
	}
	return &RP{wa: wa}, nil
}

// Configured is the relying party for the configured site: WEBAUTHN_RP_ID
// (else the site's host name) and WEBAUTHN_ORIGINS plus the web apps'
// origins.
func Configured(cfg config.Config) (*RP, error) {
	rpID := cfg.WebAuthnRPID
	if u, err := url.Parse(cfg.SiteURL); err == nil && rpID == "" {
		rpID = u.Hostname()
	}
	origins := slices.Clone(cfg.WebAuthnOrigins)
	for _, raw := range []string{cfg.SiteURL, cfg.AccountURL, cfg.AdminURL} {
		if u, err := url.Parse(raw); err == nil && u.Host != "" {
			if o := u.Scheme + "://" + u.Host; !slices.Contains(origins, o) {
				origins = append(origins, o)
			}
		}
	}
	return New(rpID, cfg.CompanyName, origins)
}

// Offered is Configured for wiring: the relying party, or a nil Protocol
// (passkeys not offered, logged) when the site cannot have one — WebAuthn
// refuses IP addresses, so a site served on 127.0.0.1 has no passkeys.
func Offered(cfg config.Config, log *slog.Logger) passkeys.Protocol {
	rp, err := Configured(cfg)
	if err != nil {
		log.Warn("passkeys disabled", "err", err.Error())
		return nil
	}
	return rp
}

type user struct {
	h     passkeys.Holder
	creds []webauthn.Credential
}

func (u user) WebAuthnID() []byte                         { return []byte(u.h.ID) }
func (u user) WebAuthnName() string                       { return u.h.Email }
func (u user) WebAuthnDisplayName() string                { return u.h.Name }
func (u user) WebAuthnCredentials() []webauthn.Credential { return u.creds }

// userOf decodes the holder's stored credentials (ones that no longer
// decode are left out, as if removed).
func userOf(h passkeys.Holder, stored [][]byte) user {
	u := user{h: h}
	for _, b := range stored {
		var c webauthn.Credential
		if err := json.Unmarshal(b, &c); err == nil {
			u.creds = append(u.creds, c)
		}
	}
	return u
}

// BeginRegistration implements passkeys.Protocol: a discoverable passkey
// with user verification, none of the holder's existing ones again.
func (rp *RP) BeginRegistration(h passkeys.Holder, stored [][]byte) (any, []byte, error) {
	u := userOf(h, stored)
	var exclude []protocol.CredentialDescriptor
	for _, c := range u.creds {
		exclude = append(exclude, c.Descriptor())
	}
	creation, sd, err := rp.wa.BeginRegistration(u,
		webauthn.WithResidentKeyRequirement(protocol.ResidentKeyRequirementRequired),
		webauthn.WithAuthenticatorSelection(protocol.AuthenticatorSelection{ResidentKey: protocol.ResidentKeyRequirementRequired, UserVerification: protocol.VerificationRequired}),
		webauthn.WithExclusions(exclude))
	if err != nil {
		return nil, nil, fmt.Errorf("begin registration: %w", err)
	}
	state, err := json.Marshal(sd)
	return creation, state, err
}

// FinishRegistration implements passkeys.Protocol.
func (rp *RP) FinishRegistration(h passkeys.Holder, stored [][]byte, state []byte, response json.RawMessage) ([]byte, []byte, error) {
	var sd webauthn.SessionData
	if err := json.Unmarshal(state, &sd); err != nil {
		return nil, nil, fmt.Errorf("ceremony state: %w", err)
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes(response)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", passkeys.ErrMalformed, err)
	}
	cred, err := rp.wa.CreateCredential(userOf(h, stored), sd, parsed)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", passkeys.ErrNotVerified, err)
	}
	data, err := json.Marshal(cred)
	return cred.ID, data, err
}

// BeginLogin implements passkeys.Protocol: any discoverable passkey, with
// user verification (so it counts as a second factor).
func (rp *RP) BeginLogin() (any, []byte, error) {
	assertion, sd, err := rp.wa.BeginDiscoverableLogin(webauthn.WithUserVerification(protocol.VerificationRequired))
	if err != nil {
		return nil, nil, fmt.Errorf("begin login: %w", err)
	}
	state, err := json.Marshal(sd)
	return assertion, state, err
}

// FinishLogin implements passkeys.Protocol.
func (rp *RP) FinishLogin(state []byte, response json.RawMessage, owner passkeys.Owner) ([]byte, []byte, error) {
	var sd webauthn.SessionData
	if err := json.Unmarshal(state, &sd); err != nil {
		return nil, nil, fmt.Errorf("ceremony state: %w", err)
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes(response)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", passkeys.ErrMalformed, err)
	}
	handler := func(rawID, userHandle []byte) (webauthn.User, error) {
		h, stored, err := owner(rawID, userHandle)
		if err != nil {
			return nil, err
		}
		return userOf(h, stored), nil
	}
	_, cred, err := rp.wa.ValidatePasskeyLogin(handler, sd, parsed)
	if err != nil {
		return nil, nil, errors.Join(passkeys.ErrNotVerified, err)
	}
	data, err := json.Marshal(cred)
	return cred.ID, data, err
}
