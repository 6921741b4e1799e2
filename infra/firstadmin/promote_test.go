package main

import (
	"context"
	"testing"
	"time"

	minidyn "github.com/truora/minidyn/aws-v2/client"

	"github.com/ezscale/platform/shared/adapters/dynamo"
	"github.com/ezscale/platform/shared/domain/accounts"
	"github.com/ezscale/platform/shared/domain/audit"
	"github.com/ezscale/platform/shared/platform/apperr"
	"github.com/ezscale/platform/shared/platform/clock"
)

// Only a confirmed account with a second factor becomes the first admin,
// once; the change is audited.
func TestFirstAdmin(t *testing.T) {
	ctx := context.Background()
	emu := minidyn.NewClient()
	if err := dynamo.EnsureTable(ctx, emu, "ezscale"); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	tbl := dynamo.New(emu, "ezscale", clock.NewFake(now))
	store, log := dynamo.NewAccounts(tbl), dynamo.NewAudit(tbl)
	add := func(id, email string, verified, totp bool) {
		u := &accounts.User{ID: id, Email: email, Role: accounts.Customer, EmailVerified: verified, CreatedAt: now, UpdatedAt: now}
		u.TOTP.Enabled = totp
		if err := store.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	add("usr_new", "new@example.com", false, false)
	add("usr_nototp", "nototp@example.com", true, false)
	add("usr_ok", "ok@example.com", true, true)
	add("usr_second", "second@example.com", true, true)
	for email, code := range map[string]apperr.Code{"nobody@example.com": apperr.NotFound, "new@example.com": apperr.Conflict, "nototp@example.com": apperr.Conflict} {
		if _, err := promote(ctx, store, log, email, now); !apperr.Is(err, code) {
			t.Fatalf("%s: %v, want %s", email, err, code)
		}
	}
	u, err := promote(ctx, store, log, " OK@example.com ", now)
	if err != nil || u.Role != accounts.Admin {
		t.Fatalf("promote: %+v %v", u, err)
	}
	if _, err := promote(ctx, store, log, "second@example.com", now); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("a second first admin: %v", err)
	}
	entries, _, err := log.List(ctx, audit.Query{TargetID: "usr_ok", Limit: 10})
	if err != nil || len(entries) != 1 || entries[0].Action != "user.role" || entries[0].TargetID != "usr_ok" {
		t.Fatalf("audit %+v %v", entries, err)
	}
}
