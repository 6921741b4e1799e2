package stripegw

import (
	"github.com/stripe/stripe-go/v79"
	checkoutsession "github.com/stripe/stripe-go/v79/checkout/session"
	"github.com/stripe/stripe-go/v79/coupon"
	"github.com/stripe/stripe-go/v79/customer"
	"github.com/stripe/stripe-go/v79/customerbalancetransaction"
	stripeinvoice "github.com/stripe/stripe-go/v79/invoice"
	"github.com/stripe/stripe-go/v79/invoiceitem"
	"github.com/stripe/stripe-go/v79/paymentmethod"
	"github.com/stripe/stripe-go/v79/product"
	"github.com/stripe/stripe-go/v79/refund"
	"github.com/stripe/stripe-go/v79/subscription"
)

// clients are the Stripe resources the gateway calls, named as in
// client.API. client.New would link and build every resource client
// Stripe has (treasury, issuing, terminal, climate…), none of which we use.
type clients struct {
	CheckoutSessions            *checkoutsession.Client
	Coupons                     *coupon.Client
	CustomerBalanceTransactions *customerbalancetransaction.Client
	Customers                   *customer.Client
	InvoiceItems                *invoiceitem.Client
	Invoices                    *stripeinvoice.Client
	PaymentMethods              *paymentmethod.Client
	Products                    *product.Client
	Refunds                     *refund.Client
	Subscriptions               *subscription.Client
}

func newClients(key string, b stripe.Backend) *clients {
	return &clients{
		CheckoutSessions:            &checkoutsession.Client{B: b, Key: key},
		Coupons:                     &coupon.Client{B: b, Key: key},
		CustomerBalanceTransactions: &customerbalancetransaction.Client{B: b, Key: key},
		Customers:                   &customer.Client{B: b, Key: key},
		InvoiceItems:                &invoiceitem.Client{B: b, Key: key},
		Invoices:                    &stripeinvoice.Client{B: b, Key: key},
		PaymentMethods:              &paymentmethod.Client{B: b, Key: key},
		Products:                    &product.Client{B: b, Key: key},
		Refunds:                     &refund.Client{B: b, Key: key},
		Subscriptions:               &subscription.Client{B: b, Key: key},
	}
}
