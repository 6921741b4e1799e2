package dynamo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ezscale/platform/shared/domain/accounts"
	"github.com/ezscale/platform/shared/domain/search"
	"github.com/ezscale/platform/shared/platform/apperr"
)

// Accounts stores users, sessions and one-time tokens. Keys (see
// docs/access-patterns.md):
//
//	user     PK=USER#<id>           SK=USER      GSI2PK=USERS  GSI2SK=<created>#<id>
//	e-mail   PK=EMAIL#<email>       SK=UNIQUE    owner=<id>
//	session  PK=SESSION#<sha256>    SK=SESSION   GSI1PK=USERSESSIONS#<user>  GSI1SK=<created>#<hash>  ttl=absolute expiry
//	token    PK=TOKEN#<sha256>      SK=TOKEN     purpose  ttl=expiry
type Accounts struct{ t *Table }

var _ accounts.Store = (*Accounts)(nil)

// NewAccounts returns the accounts store on t.
func NewAccounts(t *Table) *Accounts { return &Accounts{t: t} }

type userRecord struct {
	Item
	ID            string      `dynamodbav:"id"`
	Email         string      `dynamodbav:"email"`
	EmailVerified bool        `dynamodbav:"email_verified"`
	Role          string      `dynamodbav:"role"`
	Profile       profileData `dynamodbav:"profile"`
	TaxExempt     bool        `dynamodbav:"tax_exempt"`
	PasswordHash  string      `dynamodbav:"password_hash"`
	TOTP          totpData    `dynamodbav:"totp"`
	CreatedAt     time.Time   `dynamodbav:"created_at"`
	UpdatedAt     time.Time   `dynamodbav:"updated_at"`
}

func userKey(id string) Key { return Key{PK: "USER#" + id, SK: "USER"} }

func toUserRecord(u *accounts.User) *userRecord {
	return &userRecord{
		Item: Item{PK: "USER#" + u.ID, SK: "USER", Type: "user", Version: u.Version,
			GSI2PK: "USERS", GSI2SK: u.CreatedAt.UTC().Format(time.RFC3339Nano) + "#" + u.ID},
		ID: u.ID, Email: u.Email, EmailVerified: u.EmailVerified, Role: string(u.Role), Profile: profileDataOf(u.Profile), TaxExempt: u.TaxExempt,
		PasswordHash: u.PasswordHash, TOTP: totpDataOf(u.TOTP), CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt,
	}
}

func (r *userRecord) user() *accounts.User {
	return &accounts.User{ID: r.ID, Email: r.Email, EmailVerified: r.EmailVerified, Role: accounts.Role(r.Role), Profile: r.Profile.value(), TaxExempt: r.TaxExempt,
		PasswordHash: r.PasswordHash, TOTP: r.TOTP.value(), CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Version: r.Version}
}

// customerTerms are what staff find an account by.
func customerTerms(u *accounts.User) []string {
	return search.Terms(u.Email, u.Profile.Name, u.Profile.Company)
}

func emailOwner(email, id string) *uniqueRecord {
	return &uniqueRecord{Item: Item{PK: "EMAIL#" + email, SK: "UNIQUE", Type: "unique", Version: 1}, Owner: id}
}

// CreateUser implements accounts.Store.
func (s *Accounts) CreateUser(ctx context.Context, u *accounts.User) error {
	err := s.t.Transact(ctx, append([]Op{Create(toUserRecord(u)), Create(emailOwner(u.Email, u.ID))}, termOps(search.Customer, u.ID, nil, customerTerms(u))...)...)
	if c, ok := errors.AsType[*TxConflict](err); ok && c.FailedAt(1) {
		return &apperr.Error{Code: apperr.Conflict, Message: "an account with this e-mail exists", Fields: map[string]string{"email": "is already registered"}, Err: err}
	}
	return err
}

// GetUser implements accounts.Store.
func (s *Accounts) GetUser(ctx context.Context, id string) (*accounts.User, error) {
	var r userRecord
	if err := s.t.Get(ctx, userKey(id), &r); err != nil {
		return nil, err
	}
	return r.user(), nil
}

// GetUserByEmail implements accounts.Store (two reads: owner, then user).
func (s *Accounts) GetUserByEmail(ctx context.Context, email string) (*accounts.User, error) {
	var owner uniqueRecord
	if err := s.t.Get(ctx, Key{PK: "EMAIL#" + email, SK: "UNIQUE"}, &owner); err != nil {
		return nil, err
	}
	return s.GetUser(ctx, owner.Owner)
}

// UpdateUser implements accounts.Store. E-mail changes are not made here.
func (s *Accounts) UpdateUser(ctx context.Context, id string, fn func(*accounts.User) error) (*accounts.User, error) {
	var out *accounts.User
	_, err := Update(ctx, s.t, userKey(id), func(r *userRecord) ([]Op, error) {
		u := r.user()
		email, had := u.Email, customerTerms(u)
		if err := fn(u); err != nil {
			return nil, err
		}
		if u.Email != email {
			return nil, errors.New("accounts store: e-mail changes need the uniqueness swap")
		}
		version := r.Version
		*r = *toUserRecord(u)
		r.Version = version
		out = u
		return termOps(search.Customer, u.ID, had, customerTerms(u)), nil
	})
	if err != nil {
		return nil, err
	}
	out.Version++
	return out, nil
}

type sessionRecord struct {
	Item
	UserID     string    `dynamodbav:"user_id"`
	Role       string    `dynamodbav:"role"`
	Pending    bool      `dynamodbav:"pending"`
	MFA        bool      `dynamodbav:"mfa"`
	CSRF       string    `dynamodbav:"csrf"`
	ImpID      string    `dynamodbav:"impersonator_id,omitempty"`
	ImpEmail   string    `dynamodbav:"impersonator_email,omitempty"`
	IP         string    `dynamodbav:"ip"`
	UserAgent  string    `dynamodbav:"user_agent"`
	Place      string    `dynamodbav:"place,omitempty"`
	CreatedAt  time.Time `dynamodbav:"created_at"`
	LastSeenAt time.Time `dynamodbav:"last_seen_at"`
	IdleUntil  time.Time `dynamodbav:"idle_until"`
	ExpiresAt  time.Time `dynamodbav:"expires_at"`
}

func sessionKey(hash string) Key { return Key{PK: "SESSION#" + hash, SK: "SESSION"} }

// PutSession implements accounts.Store.
func (s *Accounts) PutSession(ctx context.Context, x *accounts.Session) error {
	return s.t.Write(ctx, Create(&sessionRecord{
		Item: Item{PK: "SESSION#" + x.IDHash, SK: "SESSION", Type: "session", Version: 1, TTL: x.ExpiresAt.Unix(),
			GSI1PK: "USERSESSIONS#" + x.UserID, GSI1SK: x.CreatedAt.UTC().Format(time.RFC3339Nano) + "#" + x.IDHash},
		UserID: x.UserID, Role: string(x.Role), Pending: x.Pending, MFA: x.MFA, CSRF: x.CSRF, ImpID: x.ImpersonatorID, ImpEmail: x.ImpersonatorEmail, IP: x.IP, UserAgent: x.UserAgent, Place: x.Place,
		CreatedAt: x.CreatedAt, LastSeenAt: x.LastSeenAt, IdleUntil: x.IdleUntil, ExpiresAt: x.ExpiresAt,
	}))
}

func (r *sessionRecord) session() *accounts.Session {
	return &accounts.Session{IDHash: r.PK[len("SESSION#"):], UserID: r.UserID, Role: accounts.Role(r.Role), Pending: r.Pending, MFA: r.MFA, CSRF: r.CSRF,
		ImpersonatorID: r.ImpID, ImpersonatorEmail: r.ImpEmail,
		IP: r.IP, UserAgent: r.UserAgent, Place: r.Place, CreatedAt: r.CreatedAt, LastSeenAt: r.LastSeenAt, IdleUntil: r.IdleUntil, ExpiresAt: r.ExpiresAt}
}

// GetSession implements accounts.Store.
func (s *Accounts) GetSession(ctx context.Context, hash string) (*accounts.Session, error) {
	var r sessionRecord
	if err := s.t.Get(ctx, sessionKey(hash), &r); err != nil {
		return nil, err
	}
	return r.session(), nil
}

// TouchSession implements accounts.Store.
func (s *Accounts) TouchSession(ctx context.Context, hash string, lastSeen, idleUntil time.Time) error {
	_, err := Update(ctx, s.t, sessionKey(hash), func(r *sessionRecord) ([]Op, error) {
		r.LastSeenAt, r.IdleUntil = lastSeen, idleUntil
		return nil, nil
	})
	return err
}

// DeleteSession implements accounts.Store; deleting a gone session is fine.
func (s *Accounts) DeleteSession(ctx context.Context, hash string) error {
	err := s.t.Write(ctx, Delete(sessionKey(hash), "", ""))
	if apperr.Is(err, apperr.Conflict) {
		return nil
	}
	return err
}

// ListSessions implements accounts.Store.
func (s *Accounts) ListSessions(ctx context.Context, userID string) ([]accounts.Session, error) {
	recs, err := QueryAll[sessionRecord](ctx, s.t, Query{Index: GSI1, PK: "USERSESSIONS#" + userID, Reverse: true}, 500)
	if err != nil {
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	out := make([]accounts.Session, 0, len(recs))
	for i := range recs {
		out = append(out, *recs[i].session())
	}
	return out, nil
}

type tokenRecord struct {
	Item
	Purpose   string    `dynamodbav:"purpose"`
	UserID    string    `dynamodbav:"user_id"`
	Email     string    `dynamodbav:"email"`
	Stamp     string    `dynamodbav:"stamp,omitempty"`
	ExpiresAt time.Time `dynamodbav:"expires_at"`
}

// PutToken implements accounts.Store.
func (s *Accounts) PutToken(ctx context.Context, tk *accounts.Token) error {
	return s.t.Write(ctx, Create(&tokenRecord{
		Item:    Item{PK: "TOKEN#" + tk.Hash, SK: "TOKEN", Type: "token", Version: 1, TTL: tk.ExpiresAt.Unix()},
		Purpose: string(tk.Purpose), UserID: tk.UserID, Email: tk.Email, Stamp: tk.Stamp, ExpiresAt: tk.ExpiresAt,
	}))
}

// ConsumeToken implements accounts.Store.
func (s *Accounts) ConsumeToken(ctx context.Context, hash string, purpose accounts.Purpose) (*accounts.Token, error) {
	var r tokenRecord
	if err := s.t.Take(ctx, Key{PK: "TOKEN#" + hash, SK: "TOKEN"}, "purpose", string(purpose), &r); err != nil {
		return nil, err
	}
	return &accounts.Token{Hash: hash, Purpose: purpose, UserID: r.UserID, Email: r.Email, Stamp: r.Stamp, ExpiresAt: r.ExpiresAt}, nil
}

// ListUsers pages through users, newest first (GSI2 USERS).
func (s *Accounts) ListUsers(ctx context.Context, cursor string, limit int32) ([]accounts.User, string, error) {
	page, err := QueryPage[userRecord](ctx, s.t, Query{Index: GSI2, PK: "USERS", Reverse: true, Cursor: cursor, Limit: limit})
	if err != nil {
		return nil, "", fmt.Errorf("list users: %w", err)
	}
	out := make([]accounts.User, 0, len(page.Items))
	for i := range page.Items {
		out = append(out, *page.Items[i].user())
	}
	return out, page.Next, nil
}

// ChangeEmail implements accounts.Store: the user, the old address's
// uniqueness item and the new one change in one transaction.
func (s *Accounts) ChangeEmail(ctx context.Context, userID, from, to string) (*accounts.User, error) {
	var out *accounts.User
	_, err := Update(ctx, s.t, userKey(userID), func(r *userRecord) ([]Op, error) {
		if r.Email != from {
			return nil, apperr.New(apperr.Conflict, "the address changed meanwhile")
		}
		u := r.user()
		had := customerTerms(u)
		u.Email, u.EmailVerified, u.UpdatedAt = to, true, s.t.clock.Now()
		version := r.Version
		*r = *toUserRecord(u)
		r.Version = version
		out = u
		return append([]Op{Delete(Key{PK: "EMAIL#" + from, SK: "UNIQUE"}, "owner", userID), Create(emailOwner(to, userID))}, termOps(search.Customer, userID, had, customerTerms(u))...), nil
	})
	if err != nil {
		if c, ok := errors.AsType[*TxConflict](err); ok && c.FailedAt(2) {
			return nil, apperr.New(apperr.Conflict, "the address is taken")
		}
		return nil, err
	}
	out.Version++
	return out, nil
}
