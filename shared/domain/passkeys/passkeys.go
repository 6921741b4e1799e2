// Package passkeys adds WebAuthn passkeys to accounts: registration of
// several named passkeys per user, and passwordless sign-in with a
// discoverable credential (user verification required, so a passkey
// sign-in counts as a passed second factor). The protocol is a port
// (Protocol; adapters/webauthnrp on go-webauthn); ceremonies are
// single-use records that expire in 5 minutes.
package passkeys

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

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
	Data       []byte     `json:"-"` // the credential as the Protocol stores it
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

// Holder is the account a passkey belongs to, as the authenticator shows it.
type Holder struct{ ID, Email, Name string }

// Owner finds the holder of a credential and their stored credentials,
// for a sign-in: the authenticator names both the credential and the user.
type Owner func(credentialID, userHandle []byte) (Holder, [][]byte, error)

// Protocol is the WebAuthn relying party. Options go to the browser as
// they are; ceremony state and stored credentials are opaque bytes here.
type Protocol interface {
	BeginRegistration(h Holder, stored [][]byte) (options any, state []byte, err error)
	// FinishRegistration returns the new credential's id and what to store.
	FinishRegistration(h Holder, stored [][]byte, state []byte, response json.RawMessage) (id, credential []byte, err error)
	BeginLogin() (options any, state []byte, err error)
	// FinishLogin returns the credential used, updated (its counter).
	FinishLogin(state []byte, response json.RawMessage, owner Owner) (id, credential []byte, err error)
}

var (
	// ErrMalformed is a browser response that is not WebAuthn at all.
	ErrMalformed = errors.New("not a WebAuthn response")
	// ErrNotVerified is a well-formed response that does not verify.
	ErrNotVerified = errors.New("the passkey could not be verified")
)

// Service runs the ceremonies.
type Service struct {
	rp       Protocol
	store    Store
	accounts *accounts.Service
	clock    clock.Clock
}

// New returns a Service speaking WebAuthn through rp.
func New(rp Protocol, store Store, acc *accounts.Service, clk clock.Clock) *Service {
	return &Service{rp: rp, store: store, accounts: acc, clock: clk}
}

// holder is the user and the credentials they have stored.
func (s *Service) holder(ctx context.Context, userID string) (Holder, [][]byte, error) {
	u, err := s.accounts.Me(ctx, userID)
	if err != nil {
		return Holder{}, nil, err
	}
	list, err := s.store.ListPasskeys(ctx, userID)
	if err != nil {
		return Holder{}, nil, err
	}
	stored := make([][]byte, 0, len(list))
	for _, p := range list {
		stored = append(stored, p.Data)
	}
	return Holder{ID: u.ID, Email: u.Email, Name: u.Profile.Name}, stored, nil
}

// Ceremony is what the browser needs to start one.
type Ceremony struct {
	ID      string `json:"ceremony_id"`
	Options any    `json:"options"` // {"publicKey": …} for navigator.credentials
}

func (s *Service) saveCeremony(ctx context.Context, state []byte) (string, error) {
	id := ids.New("wan")
	return id, s.store.PutCeremony(ctx, id, state, s.clock.Now().Add(5*time.Minute))
}

func (s *Service) takeCeremony(ctx context.Context, id string) ([]byte, error) {
	b, err := s.store.TakeCeremony(ctx, id)
	if apperr.Is(err, apperr.NotFound) {
		return nil, apperr.Validation(map[string]string{"ceremony_id": "unknown, used or expired; start again"})
	}
	return b, err
}

// BeginRegistration starts adding a passkey for the user.
func (s *Service) BeginRegistration(ctx context.Context, userID string) (*Ceremony, error) {
	h, stored, err := s.holder(ctx, userID)
	if err != nil {
		return nil, err
	}
	options, state, err := s.rp.BeginRegistration(h, stored)
	if err != nil {
		return nil, err
	}
	id, err := s.saveCeremony(ctx, state)
	if err != nil {
		return nil, err
	}
	return &Ceremony{ID: id, Options: options}, nil
}

// FinishRegistration verifies the browser's attestation and stores the passkey.
func (s *Service) FinishRegistration(ctx context.Context, userID, ceremonyID, name string, credential json.RawMessage, m accounts.Meta) (*Passkey, error) {
	if why := text.Problem(name, 1, 60); why != "" {
		return nil, apperr.Validation(map[string]string{"name": why})
	}
	name = strings.TrimSpace(name)
	state, err := s.takeCeremony(ctx, ceremonyID)
	if err != nil {
		return nil, err
	}
	h, stored, err := s.holder(ctx, userID)
	if err != nil {
		return nil, err
	}
	credID, data, err := s.rp.FinishRegistration(h, stored, state, credential)
	switch {
	case errors.Is(err, ErrMalformed):
		return nil, apperr.Validation(map[string]string{"credential": "is not a valid WebAuthn registration response"})
	case errors.Is(err, ErrNotVerified):
		return nil, apperr.Wrap(err, apperr.Invalid, "the passkey could not be verified")
	case err != nil:
		return nil, fmt.Errorf("finish registration: %w", err)
	}
	p := &Passkey{ID: base64.RawURLEncoding.EncodeToString(credID), UserID: userID, Name: name, Data: data, CreatedAt: s.clock.Now()}
	if err := s.store.PutPasskey(ctx, p); err != nil {
		return nil, err
	}
	s.accounts.Record(ctx, audit.Entry{ActorID: userID, Action: "auth.passkey.add", Outcome: "ok", TargetType: "passkey", TargetID: p.ID, Detail: name}, m)
	return p, nil
}

// BeginLogin starts a passwordless sign-in with any discoverable passkey.
func (s *Service) BeginLogin(ctx context.Context) (*Ceremony, error) {
	options, state, err := s.rp.BeginLogin()
	if err != nil {
		return nil, err
	}
	id, err := s.saveCeremony(ctx, state)
	if err != nil {
		return nil, err
	}
	return &Ceremony{ID: id, Options: options}, nil
}

var errAssertion = apperr.New(apperr.Unauthorized, "the passkey could not be verified")

// FinishLogin verifies an assertion and opens a session for its owner.
func (s *Service) FinishLogin(ctx context.Context, ceremonyID string, credential json.RawMessage, m accounts.Meta) (*accounts.LoginResult, error) {
	state, err := s.takeCeremony(ctx, ceremonyID)
	if err != nil {
		return nil, err
	}
	ownerID := ""
	owner := func(rawID, userHandle []byte) (Holder, [][]byte, error) {
		p, err := s.store.GetPasskey(ctx, base64.RawURLEncoding.EncodeToString(rawID))
		if err != nil {
			return Holder{}, nil, err
		}
		// The credential must belong to the account the authenticator names.
		if p.UserID != string(userHandle) {
			return Holder{}, nil, errors.New("passkey belongs to another account")
		}
		h, stored, err := s.holder(ctx, p.UserID)
		ownerID = h.ID
		return h, stored, err
	}
	credID, data, err := s.rp.FinishLogin(state, credential, owner)
	if errors.Is(err, ErrMalformed) {
		return nil, apperr.Validation(map[string]string{"credential": "is not a valid WebAuthn assertion"})
	}
	if err != nil || ownerID == "" {
		return nil, errAssertion
	}
	if p, err := s.store.GetPasskey(ctx, base64.RawURLEncoding.EncodeToString(credID)); err == nil {
		now := s.clock.Now()
		p.LastUsedAt, p.Data = &now, data
		_ = s.store.SavePasskey(ctx, p)
	}
	return s.accounts.SignInVerified(ctx, ownerID, "a passkey", m)
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
