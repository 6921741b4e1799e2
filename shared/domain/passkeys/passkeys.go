// Package passkeys adds WebAuthn passkeys to accounts: registration of
// several named passkeys per user, and passwordless sign-in with a
// discoverable credential (user verification required, so a passkey
// sign-in counts as a passed second factor). go-webauthn does the
// protocol; ceremonies are single-use records that expire in 5 minutes.
package passkeys

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/ezscale/platform/shared/domain/accounts"
	"github.com/ezscale/platform/shared/domain/audit"
	"github.com/ezscale/platform/shared/platform/apperr"
	"github.com/ezscale/platform/shared/platform/clock"
	"github.com/ezscale/platform/shared/platform/ids"
	"github.com/ezscale/platform/shared/platform/text"
)

// Passkey is a registered credential.
type Passkey struct {
	ID         string     `json:"id"` // base64url credential id
	UserID     string     `json:"-"`
	Name       string     `json:"name"`
	Data       []byte     `json:"-"` // webauthn.Credential as JSON
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
}

// Store keeps passkeys and ceremonies.
type Store interface {
	PutPasskey(ctx context.Context, p *Passkey) error // apperr.Conflict if the credential id exists
	GetPasskey(ctx context.Context, id string) (*Passkey, error)
	ListPasskeys(ctx context.Context, userID string) ([]Passkey, error)
	SavePasskey(ctx context.Context, p *Passkey) error // after a sign-in (counter, last use)
	DeletePasskey(ctx context.Context, userID, id string) error
	PutCeremony(ctx context.Context, id string, data []byte, expires time.Time) error
	// TakeCeremony returns and deletes a live ceremony (apperr.NotFound otherwise).
	TakeCeremony(ctx context.Context, id string) ([]byte, error)
}

// Service runs the ceremonies.
type Service struct {
	wa       *webauthn.WebAuthn
	store    Store
	accounts *accounts.Service
	clock    clock.Clock
}

// New returns a Service for the relying party (rpID is the site's domain,
// "localhost" locally; origins are the web apps' origins).
func New(rpID, rpName string, origins []string, store Store, acc *accounts.Service, clk clock.Clock) (*Service, error) {
	wa, err := webauthn.New(&webauthn.Config{RPID: rpID, RPDisplayName: rpName, RPOrigins: origins})
	if err != nil {
		return nil, fmt.Errorf("webauthn config: %w", err)
	}
	return &Service{wa: wa, store: store, accounts: acc, clock: clk}, nil
}

type waUser struct {
	u     *accounts.User
	creds []webauthn.Credential
}

func (w waUser) WebAuthnID() []byte                         { return []byte(w.u.ID) }
func (w waUser) WebAuthnName() string                       { return w.u.Email }
func (w waUser) WebAuthnDisplayName() string                { return w.u.Profile.Name }
func (w waUser) WebAuthnCredentials() []webauthn.Credential { return w.creds }

func (s *Service) user(ctx context.Context, userID string) (*waUser, error) {
	u, err := s.accounts.Me(ctx, userID)
	if err != nil {
		return nil, err
	}
	list, err := s.store.ListPasskeys(ctx, userID)
	if err != nil {
		return nil, err
	}
	w := &waUser{u: u}
	for _, p := range list {
		var c webauthn.Credential
		if err := json.Unmarshal(p.Data, &c); err == nil {
			w.creds = append(w.creds, c)
		}
	}
	return w, nil
}

// Ceremony is what the browser needs to start one.
type Ceremony struct {
	ID      string `json:"ceremony_id"`
	Options any    `json:"options"` // {"publicKey": …} for navigator.credentials
}

func (s *Service) saveCeremony(ctx context.Context, sd *webauthn.SessionData) (string, error) {
	b, err := json.Marshal(sd)
	if err != nil {
		return "", err
	}
	id := ids.New("wan")
	return id, s.store.PutCeremony(ctx, id, b, s.clock.Now().Add(5*time.Minute))
}

func (s *Service) takeCeremony(ctx context.Context, id string) (*webauthn.SessionData, error) {
	b, err := s.store.TakeCeremony(ctx, id)
	if apperr.Is(err, apperr.NotFound) {
		return nil, apperr.Validation(map[string]string{"ceremony_id": "unknown, used or expired; start again"})
	}
	if err != nil {
		return nil, err
	}
	var sd webauthn.SessionData
	return &sd, json.Unmarshal(b, &sd)
}

// BeginRegistration starts adding a passkey for the user.
func (s *Service) BeginRegistration(ctx context.Context, userID string) (*Ceremony, error) {
	w, err := s.user(ctx, userID)
	if err != nil {
		return nil, err
	}
	var exclude []protocol.CredentialDescriptor
	for _, c := range w.creds {
		exclude = append(exclude, c.Descriptor())
	}
	creation, sd, err := s.wa.BeginRegistration(w,
		webauthn.WithResidentKeyRequirement(protocol.ResidentKeyRequirementRequired),
		webauthn.WithAuthenticatorSelection(protocol.AuthenticatorSelection{ResidentKey: protocol.ResidentKeyRequirementRequired, UserVerification: protocol.VerificationRequired}),
		webauthn.WithExclusions(exclude))
	if err != nil {
		return nil, fmt.Errorf("begin registration: %w", err)
	}
	id, err := s.saveCeremony(ctx, sd)
	if err != nil {
		return nil, err
	}
	return &Ceremony{ID: id, Options: creation}, nil
}

// FinishRegistration verifies the browser's attestation and stores the passkey.
func (s *Service) FinishRegistration(ctx context.Context, userID, ceremonyID, name string, credential json.RawMessage, m accounts.Meta) (*Passkey, error) {
	if why := text.Problem(name, 1, 60); why != "" {
		return nil, apperr.Validation(map[string]string{"name": why})
	}
	name = strings.TrimSpace(name)
	sd, err := s.takeCeremony(ctx, ceremonyID)
	if err != nil {
		return nil, err
	}
	w, err := s.user(ctx, userID)
	if err != nil {
		return nil, err
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes(credential)
	if err != nil {
		return nil, apperr.Validation(map[string]string{"credential": "is not a valid WebAuthn registration response"})
	}
	cred, err := s.wa.CreateCredential(w, *sd, parsed)
	if err != nil {
		return nil, apperr.Wrap(err, apperr.Invalid, "the passkey could not be verified")
	}
	data, err := json.Marshal(cred)
	if err != nil {
		return nil, err
	}
	p := &Passkey{ID: base64.RawURLEncoding.EncodeToString(cred.ID), UserID: userID, Name: name, Data: data, CreatedAt: s.clock.Now()}
	if err := s.store.PutPasskey(ctx, p); err != nil {
		return nil, err
	}
	s.accounts.Record(ctx, audit.Entry{ActorID: userID, Action: "auth.passkey.add", Outcome: "ok", TargetType: "passkey", TargetID: p.ID, Detail: name}, m)
	return p, nil
}

// BeginLogin starts a passwordless sign-in with any discoverable passkey.
func (s *Service) BeginLogin(ctx context.Context) (*Ceremony, error) {
	assertion, sd, err := s.wa.BeginDiscoverableLogin(webauthn.WithUserVerification(protocol.VerificationRequired))
	if err != nil {
		return nil, fmt.Errorf("begin login: %w", err)
	}
	id, err := s.saveCeremony(ctx, sd)
	if err != nil {
		return nil, err
	}
	return &Ceremony{ID: id, Options: assertion}, nil
}

var errAssertion = apperr.New(apperr.Unauthorized, "the passkey could not be verified")

// FinishLogin verifies an assertion and opens a session for its owner.
func (s *Service) FinishLogin(ctx context.Context, ceremonyID string, credential json.RawMessage, m accounts.Meta) (*accounts.LoginResult, error) {
	sd, err := s.takeCeremony(ctx, ceremonyID)
	if err != nil {
		return nil, err
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes(credential)
	if err != nil {
		return nil, apperr.Validation(map[string]string{"credential": "is not a valid WebAuthn assertion"})
	}
	var owner *waUser
	handler := func(rawID, userHandle []byte) (webauthn.User, error) {
		p, err := s.store.GetPasskey(ctx, base64.RawURLEncoding.EncodeToString(rawID))
		if err != nil {
			return nil, err
		}
		// The credential must belong to the account the authenticator names.
		if p.UserID != string(userHandle) {
			return nil, errors.New("passkey belongs to another account")
		}
		w, err := s.user(ctx, p.UserID)
		owner = w
		return w, err
	}
	_, cred, err := s.wa.ValidatePasskeyLogin(handler, *sd, parsed)
	if err != nil || owner == nil {
		return nil, errAssertion
	}
	id := base64.RawURLEncoding.EncodeToString(cred.ID)
	if p, err := s.store.GetPasskey(ctx, id); err == nil {
		now := s.clock.Now()
		p.LastUsedAt = &now
		if p.Data, err = json.Marshal(cred); err == nil {
			_ = s.store.SavePasskey(ctx, p)
		}
	}
	return s.accounts.SignInVerified(ctx, owner.u.ID, "a passkey", m)
}

// List returns a user's passkeys.
func (s *Service) List(ctx context.Context, userID string) ([]Passkey, error) {
	return s.store.ListPasskeys(ctx, userID)
}

// Delete removes one of the user's passkeys (another user's id is NotFound).
func (s *Service) Delete(ctx context.Context, userID, id string, m accounts.Meta) error {
	if err := s.store.DeletePasskey(ctx, userID, id); err != nil {
		return err
	}
	s.accounts.Record(ctx, audit.Entry{ActorID: userID, Action: "auth.passkey.remove", Outcome: "ok", TargetType: "passkey", TargetID: id}, m)
	return nil
}
