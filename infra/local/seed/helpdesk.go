package seed

import (
	"context"
	"fmt"

	"github.com/ezscale/platform/shared/domain/helpdesk"
)

// Support addresses of the demo desk: mail to them lands in the local
// support mailbox and opens tickets in their departments.
const (
	SupportAddress = "support@ezscale.localhost"
	BillingAddress = "billing@ezscale.localhost"
	SalesAddress   = "sales@ezscale.localhost"
)

// Helpdesk gives the desk its demo departments (the demo admin on each, so
// staff notices have someone to go to), canned replies and a week's
// auto-close — once: settings staff saved are left alone.
func Helpdesk(ctx context.Context, desk *helpdesk.Service, adminID string) error {
	set, err := desk.Settings(ctx)
	if err != nil {
		return err
	}
	if set.Version > 0 {
		return nil
	}
	staff := []string{adminID}
	_, err = desk.SaveSettings(ctx, helpdesk.Settings{
		Departments: []helpdesk.Department{
			{ID: "dep_support", Name: "Technical support", Email: SupportAddress, Staff: staff},
			{ID: "dep_billing", Name: "Billing", Email: BillingAddress, Staff: staff},
			{ID: "dep_sales", Name: "Sales", Email: SalesAddress, Staff: staff},
		},
		Canned: []helpdesk.Canned{
			{Title: "Restarted the server", Body: "We restarted your server and it answers again. If anything still looks wrong, reply here and we will look again."},
			{Title: "Need more details", Body: "Could you tell us the server's IP address, what you ran and the exact error you saw? A screenshot helps."},
		},
		AutoCloseDays: 7,
	})
	if err != nil {
		return fmt.Errorf("seed helpdesk: %w", err)
	}
	return nil
}
