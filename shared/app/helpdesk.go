package app

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/ezscale/platform/shared/adapters/dynamo"
	"github.com/ezscale/platform/shared/domain/accounts"
	"github.com/ezscale/platform/shared/domain/helpdesk"
	"github.com/ezscale/platform/shared/domain/notify"
	"github.com/ezscale/platform/shared/domain/notify/mailmsg"
	"github.com/ezscale/platform/shared/platform/apperr"
)

// newHelpdesk wires the support desk; its mail goes out through the
// outbox, after each change commits.
func (p *Platform) newHelpdesk(tbl *dynamo.Table, blobs notify.Blobs, acctStore accounts.Store) *helpdesk.Service {
	domain, err := mailmsg.Domain(p.Config.MailFrom)
	if err != nil {
		domain = "ezscale.localhost" // config validation refuses a bad MAIL_FROM before this
	}
	h := helpdesk.NewService(helpdesk.Config{
		Store: dynamo.NewTickets(tbl), Blobs: blobs, People: people{p.Accounts, acctStore, p.Services}, Notify: p.Notify,
		Clock: p.Clock, Log: p.Log, MailDomain: domain, AccountURL: p.Config.AccountURL, AdminURL: p.Config.AdminURL,
		SupportEmail: p.Config.SupportEmail, MaxMailBytes: p.Config.MailMaxBytes, Kick: p.Outbox.Kick,
		RateLimit: func(ctx context.Context, key string, limit int, window time.Duration) (bool, error) {
			start := p.Clock.Now().Truncate(window)
			return tbl.Count(ctx, dynamo.Key{PK: "RATE#" + key + "#" + strconv.FormatInt(start.Unix(), 10), SK: "RATE"}, limit, start.Add(2*window))
		},
	})
	h.Register(p.Outbox)
	return h
}

// people tells the desk who users are and what customers own.
type people struct {
	accounts *accounts.Service
	store    accounts.Store
	services *dynamo.Services
}

func person(u *accounts.User) helpdesk.Person {
	name := u.Profile.Name
	if name == "" {
		name = u.Email
	}
	return helpdesk.Person{ID: u.ID, Name: name, Email: u.Email, Staff: u.Role.Staff()}
}

func (p people) Person(ctx context.Context, id string) (helpdesk.Person, error) {
	if id == "" {
		return helpdesk.Person{}, apperr.New(apperr.NotFound, "no user")
	}
	u, err := p.accounts.Me(ctx, id)
	if err != nil {
		return helpdesk.Person{}, err
	}
	return person(u), nil
}

func (p people) PersonByEmail(ctx context.Context, email string) (helpdesk.Person, error) {
	u, err := p.store.GetUserByEmail(ctx, accounts.NormalizeEmail(email))
	if apperr.Is(err, apperr.NotFound) {
		return helpdesk.Person{}, nil
	}
	if err != nil {
		return helpdesk.Person{}, err
	}
	return person(u), nil
}

func (p people) ServiceName(ctx context.Context, customerID, serviceID string) (string, error) {
	svc, err := p.services.GetService(ctx, serviceID)
	if err == nil && svc.CustomerID != customerID {
		err = apperr.New(apperr.NotFound, "service %s not found", serviceID)
	}
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(svc.PlanName + " " + svc.Hostname), nil
}
