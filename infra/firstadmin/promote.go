// Command firstadmin makes the first admin of a fresh deployment: an
// account signed up in the account app, its e-mail confirmed and its
// second factor set up, becomes admin. It refuses once any admin exists
// (admins make the others in the console) and records the change in the
// audit log. It talks to the deployed table with the operator's AWS
// credentials (AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_SESSION_TOKEN, e.g. from `aws configure export-credentials --format env`).
//
//	go run ./infra/firstadmin -table <the stack's TableName output> -email you@example.com
package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ezscale/platform/shared/domain/accounts"
	"github.com/ezscale/platform/shared/domain/audit"
	"github.com/ezscale/platform/shared/platform/apperr"
	"github.com/ezscale/platform/shared/platform/ids"
)

// users is what promotion needs of the account store.
type users interface {
	GetUserByEmail(ctx context.Context, email string) (*accounts.User, error)
	UpdateUser(ctx context.Context, id string, fn func(*accounts.User) error) (*accounts.User, error)
	ListUsers(ctx context.Context, cursor string, limit int32) ([]accounts.User, string, error)
}

type recorder interface {
	Record(ctx context.Context, e audit.Entry) error
}

// promote makes email's account the first admin.
func promote(ctx context.Context, store users, log recorder, email string, now time.Time) (*accounts.User, error) {
	for cursor := ""; ; {
		list, next, err := store.ListUsers(ctx, cursor, 500)
		if err != nil {
			return nil, err
		}
		for _, u := range list {
			if u.Role == accounts.Admin {
				return nil, apperr.New(apperr.Conflict, "%s is already an admin: further admins are made in the console (Customers → the account → Role)", u.Email)
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	u, err := store.GetUserByEmail(ctx, strings.ToLower(strings.TrimSpace(email)))
	if apperr.Is(err, apperr.NotFound) {
		return nil, apperr.New(apperr.NotFound, "no account for %s: sign up in the account app first", email)
	}
	if err != nil {
		return nil, err
	}
	switch {
	case !u.EmailVerified:
		return nil, apperr.New(apperr.Conflict, "%s has not confirmed its e-mail address yet", u.Email)
	case !u.TOTP.Enabled:
		return nil, apperr.New(apperr.Conflict, "%s has no second factor: staff sign in with one (account app → Security → two-factor authentication)", u.Email)
	}
	before := u.Role
	u, err = store.UpdateUser(ctx, u.ID, func(x *accounts.User) error {
		x.Role, x.UpdatedAt = accounts.Admin, now
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := log.Record(ctx, audit.Entry{ID: ids.New("aud"), At: now, ActorID: "bootstrap", ActorEmail: "firstadmin", Action: "user.role", Outcome: "ok",
		TargetType: "user", TargetID: u.ID, Detail: u.Email + " (first admin)",
		Before: audit.JSON(map[string]accounts.Role{"role": before}), After: audit.JSON(map[string]accounts.Role{"role": accounts.Admin})}); err != nil {
		return u, fmt.Errorf("promoted, but the audit entry was not written: %w", err)
	}
	return u, nil
}
