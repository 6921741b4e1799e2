// Package awsbilling wires the functions that take payments and issue
// invoices (accounts, admin, outbox): the table, KMS for sealed secrets,
// the payment gateways, the invoice PDF renderer, and the notification queue and blob
// bucket. Functions that bill nobody do not import it, and so do not link
// stripe-go, fpdf or those clients.
package awsbilling

import (
	"github.com/ezscale/platform/shared/adapters/invoicepdf"
	"github.com/ezscale/platform/shared/app"
	"github.com/ezscale/platform/shared/app/awsnotify"
	"github.com/ezscale/platform/shared/app/gateways"
	"github.com/ezscale/platform/shared/app/lambdaenv"
)

// Adapters returns everything a billing function uses.
func Adapters(env lambdaenv.Env) (app.Adapters, error) {
	ad, err := awsnotify.Adapters(env)
	if err != nil {
		return app.Adapters{}, err
	}
	if ad.Gateways, err = gateways.Configured(env.Config, ad.HTTP); err != nil {
		return app.Adapters{}, err
	}
	ad.PDF = invoicepdf.Configured(env.Config)
	return ad, nil
}
