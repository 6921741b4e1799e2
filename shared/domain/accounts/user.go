// Package accounts is customers and staff: registration, e-mail
// verification, passwords, sessions, second factors, roles and the
// permissions they grant. Storage, HTTP and e-mail are adapters.
package accounts

import (
	"slices"
	"strings"
	"time"

	"golang.org/x/text/unicode/norm"
)

// Role is what a user is to the company.
type Role string

// Roles. Staff roles (support, billing, admin) must pass a second factor
// before any admin endpoint answers.
const (
	Customer Role = "customer"
	Support  Role = "support"
	Billing  Role = "billing"
	Admin    Role = "admin"
)

// Staff reports whether r is a staff role.
func (r Role) Staff() bool { return r == Support || r == Billing || r == Admin }

// Permission is what an admin endpoint requires.
type Permission string

// Permissions.
const (
	CatalogRead          Permission = "catalog:read"
	CatalogWrite         Permission = "catalog:write"
	NotificationsRead    Permission = "notifications:read"
	NotificationsManage  Permission = "notifications:manage"
	AuditRead            Permission = "audit:read"
	CustomersRead        Permission = "customers:read"
	CustomersManage      Permission = "customers:manage"
	CustomersImpersonate Permission = "customers:impersonate"
	BillingRead          Permission = "billing:read"
	BillingManage        Permission = "billing:manage"
	ServicesRead         Permission = "services:read"
	ServicesManage       Permission = "services:manage"
	StaffManage          Permission = "staff:manage" // give accounts their roles
	TicketsRead          Permission = "tickets:read"
	TicketsManage        Permission = "tickets:manage"  // answer, move, assign, merge tickets
	HelpdeskManage       Permission = "helpdesk:manage" // departments, canned replies, auto-close
)

var grants = map[Role][]Permission{
	Support: {CatalogRead, NotificationsRead, CustomersRead, BillingRead, ServicesRead, ServicesManage, TicketsRead, TicketsManage},
	Billing: {CatalogRead, NotificationsRead, CustomersRead, CustomersManage, BillingRead, BillingManage, ServicesRead, TicketsRead, TicketsManage},
	Admin: {CatalogRead, CatalogWrite, NotificationsRead, NotificationsManage, AuditRead, CustomersRead, CustomersManage, CustomersImpersonate, BillingRead, BillingManage,
		ServicesRead, ServicesManage, StaffManage, TicketsRead, TicketsManage, HelpdeskManage},
}

// Can reports whether the role grants p.
func (r Role) Can(p Permission) bool { return slices.Contains(grants[r], p) }

// Address is a billing address.
type Address struct {
	Line1      string `json:"line1"`
	Line2      string `json:"line2"`
	City       string `json:"city"`
	Region     string `json:"region"`
	PostalCode string `json:"postal_code"`
	Country    string `json:"country"` // ISO 3166-1 alpha-2
}

// Profile is what a user may edit about themselves.
type Profile struct {
	Name    string  `json:"name"`
	Company string  `json:"company"`
	Phone   string  `json:"phone"`
	Country string  `json:"country"`
	VATID   string  `json:"vat_id"`
	Address Address `json:"billing_address"`
}

// User is an account.
type User struct {
	ID            string
	Email         string // normalised
	EmailVerified bool
	Role          Role
	Profile       Profile
	TaxExempt     bool // settable by admins only
	PasswordHash  string
	TOTP          TOTP
	CreatedAt     time.Time
	UpdatedAt     time.Time
	Version       int64
}

// TOTP is a user's authenticator-app second factor.
type TOTP struct {
	Enabled bool
	// Secret is sealed (envelope encryption) while enrolling and after.
	Secret []byte
	// LastStep is the last accepted time step: a code is never accepted twice.
	LastStep int64
	// RecoveryHashes are SHA-256 hashes of unused recovery codes.
	RecoveryHashes []string
}

// NormalizeEmail returns the canonical form of an address: NFKC (folds
// look-alike compatibility characters), trimmed, lower-cased. It does not
// validate.
func NormalizeEmail(s string) string {
	return strings.ToLower(strings.TrimSpace(norm.NFKC.String(s)))
}
