package dynamo

import (
	"time"

	"github.com/ezscale/platform/shared/domain/catalog"
	"github.com/ezscale/platform/shared/domain/gateway"
	"github.com/ezscale/platform/shared/domain/orders"
)

// orderData is how an orders.Order is stored.
type orderData struct {
	ID               string              `dynamodbav:"id" v1:"ID"`
	CustomerID       string              `dynamodbav:"customer_id" v1:"CustomerID"`
	PlanID           string              `dynamodbav:"plan_id" v1:"PlanID"`
	PlanName         string              `dynamodbav:"plan_name" v1:"PlanName"`
	ServiceType      catalog.ServiceType `dynamodbav:"service_type" v1:"ServiceType"`
	Cycle            catalog.Cycle       `dynamodbav:"cycle" v1:"Cycle"`
	Currency         string              `dynamodbav:"currency" v1:"Currency"`
	Options          optionsData         `dynamodbav:"options" v1:"Options"`
	Status           orders.Status       `dynamodbav:"status" v1:"Status"`
	Price            int64               `dynamodbav:"price" v1:"Price"`
	CouponCode       string              `dynamodbav:"coupon_code" v1:"CouponCode"`
	Discount         int64               `dynamodbav:"discount" v1:"Discount"`
	TaxName          string              `dynamodbav:"tax_name" v1:"TaxName"`
	TaxRateBP        int64               `dynamodbav:"tax_rate_bp" v1:"TaxRateBP"`
	TaxNote          string              `dynamodbav:"tax_note" v1:"TaxNote"`
	Tax              int64               `dynamodbav:"tax" v1:"Tax"`
	Total            int64               `dynamodbav:"total" v1:"Total"`
	Renewal          int64               `dynamodbav:"renewal" v1:"Renewal"`
	TrialDays        int64               `dynamodbav:"trial_days" v1:"TrialDays"`
	RequiresApproval bool                `dynamodbav:"requires_approval" v1:"RequiresApproval"`
	StockReserved    bool                `dynamodbav:"stock_reserved" v1:"StockReserved"`
	Gateway          string              `dynamodbav:"gateway" v1:"Gateway"`
	CheckoutID       string              `dynamodbav:"checkout_id" v1:"CheckoutID"`
	CheckoutURL      string              `dynamodbav:"checkout_url" v1:"CheckoutURL"`
	SubscriptionID   string              `dynamodbav:"subscription_id" v1:"SubscriptionID"`
	CreatedAt        time.Time           `dynamodbav:"created_at" v1:"CreatedAt"`
	ExpiresAt        time.Time           `dynamodbav:"expires_at" v1:"ExpiresAt"`
	PaidAt           *time.Time          `dynamodbav:"paid_at" v1:"PaidAt"`
	ApprovedBy       string              `dynamodbav:"approved_by" v1:"ApprovedBy"`
	ClosedAt         *time.Time          `dynamodbav:"closed_at" v1:"ClosedAt"`
	Note             string              `dynamodbav:"note" v1:"Note"`
	UpdatedAt        time.Time           `dynamodbav:"updated_at" v1:"UpdatedAt"`
}

func orderDataOf(x orders.Order) orderData {
	return orderData{
		ID:               x.ID,
		CustomerID:       x.CustomerID,
		PlanID:           x.PlanID,
		PlanName:         x.PlanName,
		ServiceType:      x.ServiceType,
		Cycle:            x.Cycle,
		Currency:         x.Currency,
		Options:          optionsDataOf(x.Options),
		Status:           x.Status,
		Price:            x.Price,
		CouponCode:       x.CouponCode,
		Discount:         x.Discount,
		TaxName:          x.TaxName,
		TaxRateBP:        x.TaxRateBP,
		TaxNote:          x.TaxNote,
		Tax:              x.Tax,
		Total:            x.Total,
		Renewal:          x.Renewal,
		TrialDays:        x.TrialDays,
		RequiresApproval: x.RequiresApproval,
		StockReserved:    x.StockReserved,
		Gateway:          x.Gateway,
		CheckoutID:       x.CheckoutID,
		CheckoutURL:      x.CheckoutURL,
		SubscriptionID:   x.SubscriptionID,
		CreatedAt:        x.CreatedAt,
		ExpiresAt:        x.ExpiresAt,
		PaidAt:           x.PaidAt,
		ApprovedBy:       x.ApprovedBy,
		ClosedAt:         x.ClosedAt,
		Note:             x.Note,
		UpdatedAt:        x.UpdatedAt,
	}
}

func (d orderData) value() orders.Order {
	return orders.Order{
		ID:               d.ID,
		CustomerID:       d.CustomerID,
		PlanID:           d.PlanID,
		PlanName:         d.PlanName,
		ServiceType:      d.ServiceType,
		Cycle:            d.Cycle,
		Currency:         d.Currency,
		Options:          d.Options.value(),
		Status:           d.Status,
		Price:            d.Price,
		CouponCode:       d.CouponCode,
		Discount:         d.Discount,
		TaxName:          d.TaxName,
		TaxRateBP:        d.TaxRateBP,
		TaxNote:          d.TaxNote,
		Tax:              d.Tax,
		Total:            d.Total,
		Renewal:          d.Renewal,
		TrialDays:        d.TrialDays,
		RequiresApproval: d.RequiresApproval,
		StockReserved:    d.StockReserved,
		Gateway:          d.Gateway,
		CheckoutID:       d.CheckoutID,
		CheckoutURL:      d.CheckoutURL,
		SubscriptionID:   d.SubscriptionID,
		CreatedAt:        d.CreatedAt,
		ExpiresAt:        d.ExpiresAt,
		PaidAt:           d.PaidAt,
		ApprovedBy:       d.ApprovedBy,
		ClosedAt:         d.ClosedAt,
		Note:             d.Note,
		UpdatedAt:        d.UpdatedAt,
	}
}

// optionsData is how an orders.Options is stored.
type optionsData struct {
	Hostname string `dynamodbav:"hostname" v1:"Hostname"`
	Location string `dynamodbav:"location" v1:"Location"`
	OS       string `dynamodbav:"os" v1:"OS"`
	Game     string `dynamodbav:"game" v1:"Game"`
	Domain   string `dynamodbav:"domain" v1:"Domain"`
}

func optionsDataOf(x orders.Options) optionsData {
	return optionsData{
		Hostname: x.Hostname,
		Location: x.Location,
		OS:       x.OS,
		Game:     x.Game,
		Domain:   x.Domain,
	}
}

func (d optionsData) value() orders.Options {
	return orders.Options{
		Hostname: d.Hostname,
		Location: d.Location,
		OS:       d.OS,
		Game:     d.Game,
		Domain:   d.Domain,
	}
}

// subscriptionData is how an orders.Subscription is stored.
type subscriptionData struct {
	ID                 string                     `dynamodbav:"id" v1:"ID"`
	OrderID            string                     `dynamodbav:"order_id" v1:"OrderID"`
	CustomerID         string                     `dynamodbav:"customer_id" v1:"CustomerID"`
	PlanID             string                     `dynamodbav:"plan_id" v1:"PlanID"`
	PlanName           string                     `dynamodbav:"plan_name" v1:"PlanName"`
	Cycle              catalog.Cycle              `dynamodbav:"cycle" v1:"Cycle"`
	Currency           string                     `dynamodbav:"currency" v1:"Currency"`
	Price              int64                      `dynamodbav:"price" v1:"Price"`
	Amount             int64                      `dynamodbav:"amount" v1:"Amount"`
	Gateway            string                     `dynamodbav:"gateway" v1:"Gateway"`
	GatewayID          string                     `dynamodbav:"gateway_id" v1:"GatewayID"`
	Status             gateway.SubscriptionStatus `dynamodbav:"status" v1:"Status"`
	CurrentPeriodStart time.Time                  `dynamodbav:"current_period_start" v1:"CurrentPeriodStart"`
	CurrentPeriodEnd   time.Time                  `dynamodbav:"current_period_end" v1:"CurrentPeriodEnd"`
	CancelAtPeriodEnd  bool                       `dynamodbav:"cancel_at_period_end" v1:"CancelAtPeriodEnd"`
	TrialEnd           *time.Time                 `dynamodbav:"trial_end" v1:"TrialEnd"`
	CancelledAt        *time.Time                 `dynamodbav:"cancelled_at" v1:"CancelledAt"`
	EndRequested       string                     `dynamodbav:"end_requested" v1:"EndRequested"`
	ChangeInFlight     string                     `dynamodbav:"change_in_flight,omitempty" v1:"ChangeInFlight"`
	StateAt            time.Time                  `dynamodbav:"state_at" v1:"StateAt"`
	CreatedAt          time.Time                  `dynamodbav:"created_at" v1:"CreatedAt"`
	UpdatedAt          time.Time                  `dynamodbav:"updated_at" v1:"UpdatedAt"`
}

func subscriptionDataOf(x orders.Subscription) subscriptionData {
	return subscriptionData{
		ID:                 x.ID,
		OrderID:            x.OrderID,
		CustomerID:         x.CustomerID,
		PlanID:             x.PlanID,
		PlanName:           x.PlanName,
		Cycle:              x.Cycle,
		Currency:           x.Currency,
		Price:              x.Price,
		Amount:             x.Amount,
		Gateway:            x.Gateway,
		GatewayID:          x.GatewayID,
		Status:             x.Status,
		CurrentPeriodStart: x.CurrentPeriodStart,
		CurrentPeriodEnd:   x.CurrentPeriodEnd,
		CancelAtPeriodEnd:  x.CancelAtPeriodEnd,
		TrialEnd:           x.TrialEnd,
		CancelledAt:        x.CancelledAt,
		EndRequested:       x.EndRequested,
		ChangeInFlight:     x.ChangeInFlight,
		StateAt:            x.StateAt,
		CreatedAt:          x.CreatedAt,
		UpdatedAt:          x.UpdatedAt,
	}
}

func (d subscriptionData) value() orders.Subscription {
	return orders.Subscription{
		ID:                 d.ID,
		OrderID:            d.OrderID,
		CustomerID:         d.CustomerID,
		PlanID:             d.PlanID,
		PlanName:           d.PlanName,
		Cycle:              d.Cycle,
		Currency:           d.Currency,
		Price:              d.Price,
		Amount:             d.Amount,
		Gateway:            d.Gateway,
		GatewayID:          d.GatewayID,
		Status:             d.Status,
		CurrentPeriodStart: d.CurrentPeriodStart,
		CurrentPeriodEnd:   d.CurrentPeriodEnd,
		CancelAtPeriodEnd:  d.CancelAtPeriodEnd,
		TrialEnd:           d.TrialEnd,
		CancelledAt:        d.CancelledAt,
		EndRequested:       d.EndRequested,
		ChangeInFlight:     d.ChangeInFlight,
		StateAt:            d.StateAt,
		CreatedAt:          d.CreatedAt,
		UpdatedAt:          d.UpdatedAt,
	}
}

// paymentData is how an orders.Payment is stored.
type paymentData struct {
	ID               string               `dynamodbav:"id" v1:"ID"`
	CustomerID       string               `dynamodbav:"customer_id" v1:"CustomerID"`
	OrderID          string               `dynamodbav:"order_id" v1:"OrderID"`
	Gateway          string               `dynamodbav:"gateway" v1:"Gateway"`
	GatewayChargeID  string               `dynamodbav:"gateway_charge_id" v1:"GatewayChargeID"`
	GatewayInvoiceID string               `dynamodbav:"gateway_invoice_id" v1:"GatewayInvoiceID"`
	Status           orders.PaymentStatus `dynamodbav:"status" v1:"Status"`
	Currency         string               `dynamodbav:"currency" v1:"Currency"`
	Amount           int64                `dynamodbav:"amount" v1:"Amount"`
	Refunded         int64                `dynamodbav:"refunded" v1:"Refunded"`
	FailureMessage   string               `dynamodbav:"failure_message" v1:"FailureMessage"`
	NextAttempt      *time.Time           `dynamodbav:"next_attempt,omitempty"`
	LateFeeFor       string               `dynamodbav:"late_fee_for,omitempty"`
	RefundOf         string               `dynamodbav:"refund_of" v1:"RefundOf"`
	By               string               `dynamodbav:"by" v1:"By"`
	At               time.Time            `dynamodbav:"at" v1:"At"`
}

func paymentDataOf(x orders.Payment) paymentData {
	return paymentData{
		ID:               x.ID,
		CustomerID:       x.CustomerID,
		OrderID:          x.OrderID,
		Gateway:          x.Gateway,
		GatewayChargeID:  x.GatewayChargeID,
		GatewayInvoiceID: x.GatewayInvoiceID,
		Status:           x.Status,
		Currency:         x.Currency,
		Amount:           x.Amount,
		Refunded:         x.Refunded,
		FailureMessage:   x.FailureMessage,
		NextAttempt:      x.NextAttempt,
		LateFeeFor:       x.LateFeeFor,
		RefundOf:         x.RefundOf,
		By:               x.By,
		At:               x.At,
	}
}

func (d paymentData) value() orders.Payment {
	return orders.Payment{
		ID:               d.ID,
		CustomerID:       d.CustomerID,
		OrderID:          d.OrderID,
		Gateway:          d.Gateway,
		GatewayChargeID:  d.GatewayChargeID,
		GatewayInvoiceID: d.GatewayInvoiceID,
		Status:           d.Status,
		Currency:         d.Currency,
		Amount:           d.Amount,
		Refunded:         d.Refunded,
		FailureMessage:   d.FailureMessage,
		NextAttempt:      d.NextAttempt,
		LateFeeFor:       d.LateFeeFor,
		RefundOf:         d.RefundOf,
		By:               d.By,
		At:               d.At,
	}
}

// surveyData is how an orders.Survey is stored.
type surveyData struct {
	ID             string    `dynamodbav:"id" v1:"ID"`
	SubscriptionID string    `dynamodbav:"subscription_id" v1:"SubscriptionID"`
	CustomerID     string    `dynamodbav:"customer_id" v1:"CustomerID"`
	PlanID         string    `dynamodbav:"plan_id" v1:"PlanID"`
	PlanName       string    `dynamodbav:"plan_name" v1:"PlanName"`
	When           string    `dynamodbav:"when" v1:"When"`
	Reason         string    `dynamodbav:"reason" v1:"Reason"`
	Comment        string    `dynamodbav:"comment" v1:"Comment"`
	By             string    `dynamodbav:"by" v1:"By"`
	At             time.Time `dynamodbav:"at" v1:"At"`
}

func surveyDataOf(x orders.Survey) surveyData {
	return surveyData{
		ID:             x.ID,
		SubscriptionID: x.SubscriptionID,
		CustomerID:     x.CustomerID,
		PlanID:         x.PlanID,
		PlanName:       x.PlanName,
		When:           x.When,
		Reason:         x.Reason,
		Comment:        x.Comment,
		By:             x.By,
		At:             x.At,
	}
}

func (d surveyData) value() orders.Survey {
	return orders.Survey{
		ID:             d.ID,
		SubscriptionID: d.SubscriptionID,
		CustomerID:     d.CustomerID,
		PlanID:         d.PlanID,
		PlanName:       d.PlanName,
		When:           d.When,
		Reason:         d.Reason,
		Comment:        d.Comment,
		By:             d.By,
		At:             d.At,
	}
}

// planChangeData is how an orders.PlanChange is stored.
type planChangeData struct {
	ID               string        `dynamodbav:"id" v1:"ID"`
	SubscriptionID   string        `dynamodbav:"subscription_id" v1:"SubscriptionID"`
	OrderID          string        `dynamodbav:"order_id" v1:"OrderID"`
	CustomerID       string        `dynamodbav:"customer_id" v1:"CustomerID"`
	FromPlanID       string        `dynamodbav:"from_plan_id" v1:"FromPlanID"`
	FromPlanName     string        `dynamodbav:"from_plan_name" v1:"FromPlanName"`
	ToPlanID         string        `dynamodbav:"to_plan_id" v1:"ToPlanID"`
	ToPlanName       string        `dynamodbav:"to_plan_name" v1:"ToPlanName"`
	Cycle            catalog.Cycle `dynamodbav:"cycle" v1:"Cycle"`
	Currency         string        `dynamodbav:"currency" v1:"Currency"`
	TaxName          string        `dynamodbav:"tax_name" v1:"TaxName"`
	Proration        prorationData `dynamodbav:"proration" v1:"Proration"`
	NewRenewal       int64         `dynamodbav:"new_renewal" v1:"NewRenewal"`
	RefundAmount     int64         `dynamodbav:"refund_amount" v1:"RefundAmount"`
	CreditAmount     int64         `dynamodbav:"credit_amount" v1:"CreditAmount"`
	CreditID         string        `dynamodbav:"credit_id" v1:"CreditID"`
	Status           string        `dynamodbav:"status" v1:"Status"`
	GatewayInvoiceID string        `dynamodbav:"gateway_invoice_id" v1:"GatewayInvoiceID"`
	RefundID         string        `dynamodbav:"refund_id" v1:"RefundID"`
	ApproveURL       string        `dynamodbav:"approve_url,omitempty" v1:"ApproveURL"`
	GatewayPlanRef   string        `dynamodbav:"gateway_plan_ref,omitempty" v1:"GatewayPlanRef"`
	Consented        bool          `dynamodbav:"consented,omitempty" v1:"Consented"`
	StockReserved    bool          `dynamodbav:"stock_reserved" v1:"StockReserved"`
	StockReleased    bool          `dynamodbav:"stock_released" v1:"StockReleased"`
	CreatedAt        time.Time     `dynamodbav:"created_at" v1:"CreatedAt"`
	UpdatedAt        time.Time     `dynamodbav:"updated_at" v1:"UpdatedAt"`
}

func planChangeDataOf(x orders.PlanChange) planChangeData {
	return planChangeData{
		ID:               x.ID,
		SubscriptionID:   x.SubscriptionID,
		OrderID:          x.OrderID,
		CustomerID:       x.CustomerID,
		FromPlanID:       x.FromPlanID,
		FromPlanName:     x.FromPlanName,
		ToPlanID:         x.ToPlanID,
		ToPlanName:       x.ToPlanName,
		Cycle:            x.Cycle,
		Currency:         x.Currency,
		TaxName:          x.TaxName,
		Proration:        prorationDataOf(x.Proration),
		NewRenewal:       x.NewRenewal,
		RefundAmount:     x.RefundAmount,
		CreditAmount:     x.CreditAmount,
		CreditID:         x.CreditID,
		Status:           x.Status,
		GatewayInvoiceID: x.GatewayInvoiceID,
		RefundID:         x.RefundID,
		ApproveURL:       x.ApproveURL,
		GatewayPlanRef:   x.GatewayPlanRef,
		Consented:        x.Consented,
		StockReserved:    x.StockReserved,
		StockReleased:    x.StockReleased,
		CreatedAt:        x.CreatedAt,
		UpdatedAt:        x.UpdatedAt,
	}
}

func (d planChangeData) value() orders.PlanChange {
	return orders.PlanChange{
		ID:               d.ID,
		SubscriptionID:   d.SubscriptionID,
		OrderID:          d.OrderID,
		CustomerID:       d.CustomerID,
		FromPlanID:       d.FromPlanID,
		FromPlanName:     d.FromPlanName,
		ToPlanID:         d.ToPlanID,
		ToPlanName:       d.ToPlanName,
		Cycle:            d.Cycle,
		Currency:         d.Currency,
		TaxName:          d.TaxName,
		Proration:        d.Proration.value(),
		NewRenewal:       d.NewRenewal,
		RefundAmount:     d.RefundAmount,
		CreditAmount:     d.CreditAmount,
		CreditID:         d.CreditID,
		Status:           d.Status,
		GatewayInvoiceID: d.GatewayInvoiceID,
		RefundID:         d.RefundID,
		ApproveURL:       d.ApproveURL,
		GatewayPlanRef:   d.GatewayPlanRef,
		Consented:        d.Consented,
		StockReserved:    d.StockReserved,
		StockReleased:    d.StockReleased,
		CreatedAt:        d.CreatedAt,
		UpdatedAt:        d.UpdatedAt,
	}
}

// prorationData is how an orders.Proration is stored.
type prorationData struct {
	At          time.Time `dynamodbav:"at" v1:"At"`
	PeriodStart time.Time `dynamodbav:"period_start" v1:"PeriodStart"`
	PeriodEnd   time.Time `dynamodbav:"period_end" v1:"PeriodEnd"`
	Remaining   int64     `dynamodbav:"remaining" v1:"Remaining"`
	Period      int64     `dynamodbav:"period" v1:"Period"`
	OldPrice    int64     `dynamodbav:"old_price" v1:"OldPrice"`
	NewPrice    int64     `dynamodbav:"new_price" v1:"NewPrice"`
	Credit      int64     `dynamodbav:"credit" v1:"Credit"`
	Charge      int64     `dynamodbav:"charge" v1:"Charge"`
	Net         int64     `dynamodbav:"net" v1:"Net"`
	TaxRateBP   int64     `dynamodbav:"tax_rate_bp" v1:"TaxRateBP"`
	Tax         int64     `dynamodbav:"tax" v1:"Tax"`
	Total       int64     `dynamodbav:"total" v1:"Total"`
}

func prorationDataOf(x orders.Proration) prorationData {
	return prorationData{
		At:          x.At,
		PeriodStart: x.PeriodStart,
		PeriodEnd:   x.PeriodEnd,
		Remaining:   x.Remaining,
		Period:      x.Period,
		OldPrice:    x.OldPrice,
		NewPrice:    x.NewPrice,
		Credit:      x.Credit,
		Charge:      x.Charge,
		Net:         x.Net,
		TaxRateBP:   x.TaxRateBP,
		Tax:         x.Tax,
		Total:       x.Total,
	}
}

func (d prorationData) value() orders.Proration {
	return orders.Proration{
		At:          d.At,
		PeriodStart: d.PeriodStart,
		PeriodEnd:   d.PeriodEnd,
		Remaining:   d.Remaining,
		Period:      d.Period,
		OldPrice:    d.OldPrice,
		NewPrice:    d.NewPrice,
		Credit:      d.Credit,
		Charge:      d.Charge,
		Net:         d.Net,
		TaxRateBP:   d.TaxRateBP,
		Tax:         d.Tax,
		Total:       d.Total,
	}
}

// paymentMethodData is how an orders.PaymentMethod is stored.
type paymentMethodData struct {
	ID         string    `dynamodbav:"id" v1:"ID"`
	Gateway    string    `dynamodbav:"gateway" v1:"Gateway"`
	CustomerID string    `dynamodbav:"customer_id" v1:"CustomerID"`
	Brand      string    `dynamodbav:"brand" v1:"Brand"`
	Last4      string    `dynamodbav:"last4" v1:"Last4"`
	ExpMonth   int64     `dynamodbav:"exp_month" v1:"ExpMonth"`
	ExpYear    int64     `dynamodbav:"exp_year" v1:"ExpYear"`
	Attached   bool      `dynamodbav:"attached" v1:"Attached"`
	StateAt    time.Time `dynamodbav:"state_at" v1:"StateAt"`
}

func paymentMethodDataOf(x orders.PaymentMethod) paymentMethodData {
	return paymentMethodData{
		ID:         x.ID,
		Gateway:    x.Gateway,
		CustomerID: x.CustomerID,
		Brand:      x.Brand,
		Last4:      x.Last4,
		ExpMonth:   x.ExpMonth,
		ExpYear:    x.ExpYear,
		Attached:   x.Attached,
		StateAt:    x.StateAt,
	}
}

func (d paymentMethodData) value() orders.PaymentMethod {
	return orders.PaymentMethod{
		ID:         d.ID,
		Gateway:    d.Gateway,
		CustomerID: d.CustomerID,
		Brand:      d.Brand,
		Last4:      d.Last4,
		ExpMonth:   d.ExpMonth,
		ExpYear:    d.ExpYear,
		Attached:   d.Attached,
		StateAt:    d.StateAt,
	}
}
