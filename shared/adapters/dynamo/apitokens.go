package dynamo

import (
	"context"
	"fmt"
	"time"

	"github.com/ezscale/platform/shared/domain/accounts"
	"github.com/ezscale/platform/shared/platform/apperr"
)

// API tokens: PK=APITOKEN#<sha256>  SK=APITOKEN  GSI1PK=USERTOKENS#<user>
// GSI1SK=<created>#<id>; ttl = expiry when the token expires.

type apiTokenRecord struct {
	Item
	ID         string           `dynamodbav:"id"`
	UserID     string           `dynamodbav:"user_id"`
	Hash       string           `dynamodbav:"hash"`
	Name       string           `dynamodbav:"name"`
	Hint       string           `dynamodbav:"hint"`
	Scopes     []accounts.Scope `dynamodbav:"scopes"`
	CreatedAt  time.Time        `dynamodbav:"created_at"`
	ExpiresAt  *time.Time       `dynamodbav:"expires_at,omitempty"`
	LastUsedAt *time.Time       `dynamodbav:"last_used_at,omitempty"`
}

func (r *apiTokenRecord) token() *accounts.APIToken {
	return &accounts.APIToken{ID: r.ID, UserID: r.UserID, Hash: r.Hash, Name: r.Name, Hint: r.Hint, Scopes: r.Scopes, CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt, LastUsedAt: r.LastUsedAt}
}

var _ accounts.TokenStore = (*Accounts)(nil)

// PutAPIToken implements accounts.TokenStore.
func (s *Accounts) PutAPIToken(ctx context.Context, t *accounts.APIToken) error {
	r := &apiTokenRecord{Item: Item{PK: "APITOKEN#" + t.Hash, SK: "APITOKEN", Type: "api_token", Version: 1,
		GSI1PK: "USERTOKENS#" + t.UserID, GSI1SK: t.CreatedAt.UTC().Format(time.RFC3339Nano) + "#" + t.ID},
		ID: t.ID, UserID: t.UserID, Hash: t.Hash, Name: t.Name, Hint: t.Hint, Scopes: t.Scopes, CreatedAt: t.CreatedAt, ExpiresAt: t.ExpiresAt}
	if t.ExpiresAt != nil {
		r.TTL = t.ExpiresAt.Unix()
	}
	return s.t.Write(ctx, Create(r))
}

// GetAPIToken implements accounts.TokenStore.
func (s *Accounts) GetAPIToken(ctx context.Context, hash string) (*accounts.APIToken, error) {
	var r apiTokenRecord
	if err := s.t.Get(ctx, Key{PK: "APITOKEN#" + hash, SK: "APITOKEN"}, &r); err != nil {
		return nil, err
	}
	return r.token(), nil
}

// ListAPITokens implements accounts.TokenStore.
func (s *Accounts) ListAPITokens(ctx context.Context, userID string) ([]accounts.APIToken, error) {
	recs, err := QueryAll[apiTokenRecord](ctx, s.t, Query{Index: GSI1, PK: "USERTOKENS#" + userID, Reverse: true}, 100)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	out := make([]accounts.APIToken, 0, len(recs))
	for i := range recs {
		out = append(out, *recs[i].token())
	}
	return out, nil
}

// DeleteAPIToken implements accounts.TokenStore; another user's token id
// answers NotFound.
func (s *Accounts) DeleteAPIToken(ctx context.Context, userID, id string) error {
	list, err := s.ListAPITokens(ctx, userID)
	if err != nil {
		return err
	}
	for _, t := range list {
		if t.ID == id {
			return s.t.Write(ctx, Delete(Key{PK: "APITOKEN#" + t.Hash, SK: "APITOKEN"}, "user_id", userID))
		}
	}
	return apperr.New(apperr.NotFound, "no such token")
}

// TouchAPIToken implements accounts.TokenStore.
func (s *Accounts) TouchAPIToken(ctx context.Context, hash string, at time.Time) error {
	_, err := Update(ctx, s.t, Key{PK: "APITOKEN#" + hash, SK: "APITOKEN"}, func(r *apiTokenRecord) ([]Op, error) {
		r.LastUsedAt = &at
		return nil, nil
	})
	return err
}
