package app

import (
	"context"
	"strings"

	"github.com/ezscale/platform/shared/adapters/dynamo"
	"github.com/ezscale/platform/shared/domain/billing"
	"github.com/ezscale/platform/shared/domain/search"
)

// newSearch describes each kind of result from its own service, so a
// result always shows the item as it is now.
func (p *Platform) newSearch(tbl *dynamo.Table) *search.Finder {
	return &search.Finder{
		Index: dynamo.NewSearch(tbl),
		Resolve: map[search.Kind]search.Resolver{
			search.Customer: func(ctx context.Context, id string) (search.Result, error) {
				u, err := p.Accounts.Me(ctx, id)
				if err != nil {
					return search.Result{}, err
				}
				title, detail := u.Profile.Name, joined(u.Email, u.Profile.Company)
				if title == "" {
					title, detail = u.Email, u.Profile.Company
				}
				if u.Role.Staff() {
					detail = joined(detail, "staff: "+string(u.Role))
				}
				return search.Result{Kind: search.Customer, ID: u.ID, Title: title, Detail: detail, CustomerID: u.ID}, nil
			},
			search.Service: func(ctx context.Context, id string) (search.Result, error) {
				s, err := p.Services.GetService(ctx, id)
				if err != nil {
					return search.Result{}, err
				}
				title := s.Hostname
				if title == "" {
					title = s.PlanName
				}
				return search.Result{Kind: search.Service, ID: s.ID, Title: title, Detail: joined(s.PlanName, string(s.Status), strings.Join(s.IPs, ", ")), CustomerID: s.CustomerID}, nil
			},
			search.Invoice: func(ctx context.Context, id string) (search.Result, error) {
				in, err := p.Billing.Get(ctx, id)
				if err != nil {
					return search.Result{}, err
				}
				title := in.Number
				if title == "" {
					title = "Draft " + in.ID
				}
				return search.Result{Kind: search.Invoice, ID: in.ID, Title: title, Detail: joined(billing.Format(in.Total, in.Currency), string(in.Status)), CustomerID: in.CustomerID}, nil
			},
			search.Order: func(ctx context.Context, id string) (search.Result, error) {
				o, err := p.Orders.Get(ctx, id)
				if err != nil {
					return search.Result{}, err
				}
				return search.Result{Kind: search.Order, ID: o.ID, Title: "Order " + o.ID, Detail: joined(o.PlanName, string(o.Status), billing.Format(o.Total, o.Currency)), CustomerID: o.CustomerID}, nil
			},
		},
		IDPrefixes: map[string]search.Kind{"usr_": search.Customer, "svc_": search.Service, "inv_": search.Invoice, "ord_": search.Order},
	}
}

// joined is the non-empty parts, separated by a middle dot.
func joined(parts ...string) string {
	var out []string
	for _, s := range parts {
		if s != "" {
			out = append(out, s)
		}
	}
	return strings.Join(out, " · ")
}
