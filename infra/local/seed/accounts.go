package seed

import (
	"context"
	"fmt"

	"github.com/ezscale/platform/shared/domain/accounts"
	"github.com/ezscale/platform/shared/platform/apperr"
)

// Demo is a seeded login, printed by make dev.
type Demo struct {
	Email, Password string
	// TOTPSecret is the admin's authenticator secret (base32).
	TOTPSecret string
}

// Demo logins. The passwords are for the local stack only.
const (
	AdminEmail       = "admin@ezscale.localhost"
	AdminPassword    = "tulip garden keyboard 42"
	CustomerEmail    = "customer@ezscale.localhost"
	CustomerPassword = "blue harbour lantern 7"
)

// Accounts creates the demo admin (with TOTP on, using totpSecret) and the
// demo customer unless they exist.
func Accounts(ctx context.Context, svc *accounts.Service, totpSecret string) (admin, customer Demo, err error) {
	admin = Demo{Email: AdminEmail, Password: AdminPassword, TOTPSecret: totpSecret}
	customer = Demo{Email: CustomerEmail, Password: CustomerPassword}
	for _, u := range []accounts.NewUser{
		{Email: AdminEmail, Name: "Demo Admin", Password: AdminPassword, Role: accounts.Admin, Verified: true, TOTPSecret: totpSecret},
		{Email: CustomerEmail, Name: "Demo Customer", Password: CustomerPassword, Role: accounts.Customer, Verified: true},
	} {
		if _, err := svc.CreateUser(ctx, u); err != nil && !apperr.Is(err, apperr.Conflict) {
			return Demo{}, Demo{}, fmt.Errorf("seed %s: %w", u.Email, err)
		}
	}
	return admin, customer, nil
}
