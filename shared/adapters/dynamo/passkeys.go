package dynamo

import (
	"context"
	"fmt"
	"time"

	"github.com/ezscale/platform/shared/domain/passkeys"
	"github.com/ezscale/platform/shared/platform/apperr"
)

// Passkeys stores WebAuthn credentials and ceremonies:
//
//	passkey    PK=PASSKEY#<credential id>  SK=PASSKEY  GSI1PK=USERPASSKEYS#<user>  GSI1SK=<created>#<id>
//	ceremony   PK=CEREMONY#<id>            SK=CEREMONY  ttl=expiry (taken once)
type Passkeys struct{ t *Table }

var _ passkeys.Store = (*Passkeys)(nil)

// NewPasskeys returns the passkey store on t.
func NewPasskeys(t *Table) *Passkeys { return &Passkeys{t: t} }

type passkeyRecord struct {
	Item
	ID         string     `dynamodbav:"id"`
	UserID     string     `dynamodbav:"user_id"`
	Name       string     `dynamodbav:"name"`
	Data       []byte     `dynamodbav:"data"`
	CreatedAt  time.Time  `dynamodbav:"created_at"`
	LastUsedAt *time.Time `dynamodbav:"last_used_at,omitempty"`
}

func passkeyKey(id string) Key { return Key{PK: "PASSKEY#" + id, SK: "PASSKEY"} }

func toPasskeyRecord(p *passkeys.Passkey, version int64) *passkeyRecord {
	return &passkeyRecord{Item: Item{PK: "PASSKEY#" + p.ID, SK: "PASSKEY", Type: "passkey", Version: version,
		GSI1PK: "USERPASSKEYS#" + p.UserID, GSI1SK: p.CreatedAt.UTC().Format(time.RFC3339Nano) + "#" + p.ID},
		ID: p.ID, UserID: p.UserID, Name: p.Name, Data: p.Data, CreatedAt: p.CreatedAt, LastUsedAt: p.LastUsedAt}
}

func (r *passkeyRecord) passkey() *passkeys.Passkey {
	return &passkeys.Passkey{ID: r.ID, UserID: r.UserID, Name: r.Name, Data: r.Data, CreatedAt: r.CreatedAt, LastUsedAt: r.LastUsedAt}
}

// PutPasskey implements passkeys.Store.
func (s *Passkeys) PutPasskey(ctx context.Context, p *passkeys.Passkey) error {
	return s.t.Write(ctx, Create(toPasskeyRecord(p, 1)))
}

// GetPasskey implements passkeys.Store.
func (s *Passkeys) GetPasskey(ctx context.Context, id string) (*passkeys.Passkey, error) {
	var r passkeyRecord
	if err := s.t.Get(ctx, passkeyKey(id), &r); err != nil {
		return nil, err
	}
	return r.passkey(), nil
}

// ListPasskeys implements passkeys.Store.
func (s *Passkeys) ListPasskeys(ctx context.Context, userID string) ([]passkeys.Passkey, error) {
	recs, err := QueryAll[passkeyRecord](ctx, s.t, Query{Index: GSI1, PK: "USERPASSKEYS#" + userID}, 100)
	if err != nil {
		return nil, fmt.Errorf("list passkeys: %w", err)
	}
	out := make([]passkeys.Passkey, 0, len(recs))
	for i := range recs {
		out = append(out, *recs[i].passkey())
	}
	return out, nil
}

// SavePasskey implements passkeys.Store.
func (s *Passkeys) SavePasskey(ctx context.Context, p *passkeys.Passkey) error {
	_, err := Update(ctx, s.t, passkeyKey(p.ID), func(r *passkeyRecord) ([]Op, error) {
		r.Data, r.LastUsedAt = p.Data, p.LastUsedAt
		return nil, nil
	})
	return err
}

// DeletePasskey implements passkeys.Store.
func (s *Passkeys) DeletePasskey(ctx context.Context, userID, id string) error {
	err := s.t.Write(ctx, Delete(passkeyKey(id), "user_id", userID))
	if apperr.Is(err, apperr.Conflict) {
		return apperr.New(apperr.NotFound, "no such passkey")
	}
	return err
}

type ceremonyRecord struct {
	Item
	Kind string `dynamodbav:"kind"`
	Data []byte `dynamodbav:"data"`
}

// PutCeremony implements passkeys.Store.
func (s *Passkeys) PutCeremony(ctx context.Context, id string, data []byte, expires time.Time) error {
	return s.t.Write(ctx, Create(&ceremonyRecord{Item: Item{PK: "CEREMONY#" + id, SK: "CEREMONY", Type: "ceremony", Version: 1, TTL: expires.Unix()}, Kind: "webauthn", Data: data}))
}

// TakeCeremony implements passkeys.Store.
func (s *Passkeys) TakeCeremony(ctx context.Context, id string) ([]byte, error) {
	var r ceremonyRecord
	if err := s.t.Take(ctx, Key{PK: "CEREMONY#" + id, SK: "CEREMONY"}, "kind", "webauthn", &r); err != nil {
		return nil, err
	}
	return r.Data, nil
}

// DeleteUserPasskeys implements accounts.CredentialStore.
func (s *Passkeys) DeleteUserPasskeys(ctx context.Context, userID string) (int, error) {
	list, err := s.ListPasskeys(ctx, userID)
	if err != nil {
		return 0, err
	}
	for _, p := range list {
		if err := s.DeletePasskey(ctx, userID, p.ID); err != nil && !apperr.Is(err, apperr.NotFound) {
			return 0, fmt.Errorf("delete passkey %s: %w", p.ID, err)
		}
	}
	return len(list), nil
}
