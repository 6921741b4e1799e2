package dynamo

import (
	"time"

	"github.com/ezscale/platform/shared/domain/billing"
	"github.com/ezscale/platform/shared/domain/coupons"
)

// invoiceData is how a billing.Invoice is stored.
type invoiceData struct {
	ID               string         `dynamodbav:"id" v1:"ID"`
	Number           string         `dynamodbav:"number" v1:"Number"`
	CustomerID       string         `dynamodbav:"customer_id" v1:"CustomerID"`
	Currency         string         `dynamodbav:"currency" v1:"Currency"`
	Status           billing.Status `dynamodbav:"status" v1:"Status"`
	BillTo           billToData     `dynamodbav:"bill_to" v1:"BillTo"`
	Lines            []lineData     `dynamodbav:"lines" v1:"Lines"`
	Subtotal         int64          `dynamodbav:"subtotal" v1:"Subtotal"`
	Taxes            []taxLineData  `dynamodbav:"taxes" v1:"Taxes"`
	Total            int64          `dynamodbav:"total" v1:"Total"`
	Notes            string         `dynamodbav:"notes" v1:"Notes"`
	DueInDays        int            `dynamodbav:"due_in_days" v1:"DueInDays"`
	IssuedAt         *time.Time     `dynamodbav:"issued_at" v1:"IssuedAt"`
	DueAt            *time.Time     `dynamodbav:"due_at" v1:"DueAt"`
	PaidAt           *time.Time     `dynamodbav:"paid_at" v1:"PaidAt"`
	PaymentMethod    string         `dynamodbav:"payment_method" v1:"PaymentMethod"`
	PaymentReference string         `dynamodbav:"payment_reference" v1:"PaymentReference"`
	CreditApplied    int64          `dynamodbav:"credit_applied" v1:"CreditApplied"`
	CreatedAt        time.Time      `dynamodbav:"created_at" v1:"CreatedAt"`
	UpdatedAt        time.Time      `dynamodbav:"updated_at" v1:"UpdatedAt"`
}

func invoiceDataOf(x billing.Invoice) invoiceData {
	return invoiceData{
		ID:               x.ID,
		Number:           x.Number,
		CustomerID:       x.CustomerID,
		Currency:         x.Currency,
		Status:           x.Status,
		BillTo:           billToDataOf(x.BillTo),
		Lines:            mapSlice(x.Lines, lineDataOf),
		Subtotal:         x.Subtotal,
		Taxes:            mapSlice(x.Taxes, taxLineDataOf),
		Total:            x.Total,
		Notes:            x.Notes,
		DueInDays:        x.DueInDays,
		IssuedAt:         x.IssuedAt,
		DueAt:            x.DueAt,
		PaidAt:           x.PaidAt,
		PaymentMethod:    x.PaymentMethod,
		PaymentReference: x.PaymentReference,
		CreditApplied:    x.CreditApplied,
		CreatedAt:        x.CreatedAt,
		UpdatedAt:        x.UpdatedAt,
	}
}

func (d invoiceData) value() billing.Invoice {
	return billing.Invoice{
		ID:               d.ID,
		Number:           d.Number,
		CustomerID:       d.CustomerID,
		Currency:         d.Currency,
		Status:           d.Status,
		BillTo:           d.BillTo.value(),
		Lines:            mapSlice(d.Lines, (lineData).value),
		Subtotal:         d.Subtotal,
		Taxes:            mapSlice(d.Taxes, (taxLineData).value),
		Total:            d.Total,
		Notes:            d.Notes,
		DueInDays:        d.DueInDays,
		IssuedAt:         d.IssuedAt,
		DueAt:            d.DueAt,
		PaidAt:           d.PaidAt,
		PaymentMethod:    d.PaymentMethod,
		PaymentReference: d.PaymentReference,
		CreditApplied:    d.CreditApplied,
		CreatedAt:        d.CreatedAt,
		UpdatedAt:        d.UpdatedAt,
	}
}

// billToData is how a billing.BillTo is stored.
type billToData struct {
	Name       string `dynamodbav:"name" v1:"Name"`
	Company    string `dynamodbav:"company" v1:"Company"`
	Email      string `dynamodbav:"email" v1:"Email"`
	VATID      string `dynamodbav:"vat_id" v1:"VATID"`
	Line1      string `dynamodbav:"line1" v1:"Line1"`
	Line2      string `dynamodbav:"line2" v1:"Line2"`
	City       string `dynamodbav:"city" v1:"City"`
	Region     string `dynamodbav:"region" v1:"Region"`
	PostalCode string `dynamodbav:"postal_code" v1:"PostalCode"`
	Country    string `dynamodbav:"country" v1:"Country"`
	TaxExempt  bool   `dynamodbav:"tax_exempt" v1:"TaxExempt"`
}

func billToDataOf(x billing.BillTo) billToData {
	return billToData{
		Name:       x.Name,
		Company:    x.Company,
		Email:      x.Email,
		VATID:      x.VATID,
		Line1:      x.Line1,
		Line2:      x.Line2,
		City:       x.City,
		Region:     x.Region,
		PostalCode: x.PostalCode,
		Country:    x.Country,
		TaxExempt:  x.TaxExempt,
	}
}

func (d billToData) value() billing.BillTo {
	return billing.BillTo{
		Name:       d.Name,
		Company:    d.Company,
		Email:      d.Email,
		VATID:      d.VATID,
		Line1:      d.Line1,
		Line2:      d.Line2,
		City:       d.City,
		Region:     d.Region,
		PostalCode: d.PostalCode,
		Country:    d.Country,
		TaxExempt:  d.TaxExempt,
	}
}

// lineData is how a billing.Line is stored.
type lineData struct {
	Description string `dynamodbav:"description" v1:"Description"`
	Quantity    int64  `dynamodbav:"quantity" v1:"Quantity"`
	UnitAmount  int64  `dynamodbav:"unit_amount" v1:"UnitAmount"`
	Amount      int64  `dynamodbav:"amount" v1:"Amount"`
}

func lineDataOf(x billing.Line) lineData {
	return lineData{
		Description: x.Description,
		Quantity:    x.Quantity,
		UnitAmount:  x.UnitAmount,
		Amount:      x.Amount,
	}
}

func (d lineData) value() billing.Line {
	return billing.Line{
		Description: d.Description,
		Quantity:    d.Quantity,
		UnitAmount:  d.UnitAmount,
		Amount:      d.Amount,
	}
}

// taxLineData is how a billing.TaxLine is stored.
type taxLineData struct {
	Name   string `dynamodbav:"name" v1:"Name"`
	RateBP int64  `dynamodbav:"rate_bp" v1:"RateBP"`
	Amount int64  `dynamodbav:"amount" v1:"Amount"`
}

func taxLineDataOf(x billing.TaxLine) taxLineData {
	return taxLineData{Name: x.Name, RateBP: x.RateBP, Amount: x.Amount}
}

func (d taxLineData) value() billing.TaxLine {
	return billing.TaxLine{Name: d.Name, RateBP: d.RateBP, Amount: d.Amount}
}

// taxRateData is how a billing.TaxRate is stored.
type taxRateData struct {
	Country string `dynamodbav:"country" v1:"Country"`
	Region  string `dynamodbav:"region" v1:"Region"`
	Name    string `dynamodbav:"name" v1:"Name"`
	RateBP  int64  `dynamodbav:"rate_bp" v1:"RateBP"`
}

func taxRateDataOf(x billing.TaxRate) taxRateData {
	return taxRateData{Country: x.Country, Region: x.Region, Name: x.Name, RateBP: x.RateBP}
}

func (d taxRateData) value() billing.TaxRate {
	return billing.TaxRate{Country: d.Country, Region: d.Region, Name: d.Name, RateBP: d.RateBP}
}

// couponData is how a coupons.Coupon is stored.
type couponData struct {
	Code        string           `dynamodbav:"code" v1:"Code"`
	Description string           `dynamodbav:"description" v1:"Description"`
	Kind        coupons.Kind     `dynamodbav:"kind" v1:"Kind"`
	PercentBP   int64            `dynamodbav:"percent_bp" v1:"PercentBP"`
	AmountsOff  map[string]int64 `dynamodbav:"amounts_off,omitempty" v1:"AmountsOff"`
	PlanIDs     []string         `dynamodbav:"plan_ids,omitempty" v1:"PlanIDs"`
	MaxUses     int64            `dynamodbav:"max_uses" v1:"MaxUses"`
	PerCustomer int64            `dynamodbav:"per_customer" v1:"PerCustomer"`
	ExpiresAt   *time.Time       `dynamodbav:"expires_at,omitempty" v1:"ExpiresAt"`
	TrialDays   int64            `dynamodbav:"trial_days" v1:"TrialDays"`
	Active      bool             `dynamodbav:"active" v1:"Active"`
	CreatedAt   time.Time        `dynamodbav:"created_at" v1:"CreatedAt"`
}

func couponDataOf(x coupons.Coupon) couponData {
	return couponData{
		Code:        x.Code,
		Description: x.Description,
		Kind:        x.Kind,
		PercentBP:   x.PercentBP,
		AmountsOff:  x.AmountsOff,
		PlanIDs:     x.PlanIDs,
		MaxUses:     x.MaxUses,
		PerCustomer: x.PerCustomer,
		ExpiresAt:   x.ExpiresAt,
		TrialDays:   x.TrialDays,
		Active:      x.Active,
		CreatedAt:   x.CreatedAt,
	}
}

func (d couponData) value() coupons.Coupon {
	return coupons.Coupon{
		Code:        d.Code,
		Description: d.Description,
		Kind:        d.Kind,
		PercentBP:   d.PercentBP,
		AmountsOff:  d.AmountsOff,
		PlanIDs:     d.PlanIDs,
		MaxUses:     d.MaxUses,
		PerCustomer: d.PerCustomer,
		ExpiresAt:   d.ExpiresAt,
		TrialDays:   d.TrialDays,
		Active:      d.Active,
		CreatedAt:   d.CreatedAt,
	}
}

// redemptionData is how a coupons.Redemption is stored.
type redemptionData struct {
	Code       string    `dynamodbav:"code" v1:"Code"`
	CustomerID string    `dynamodbav:"customer_id" v1:"CustomerID"`
	OrderID    string    `dynamodbav:"order_id" v1:"OrderID"`
	Discount   int64     `dynamodbav:"discount" v1:"Discount"`
	Currency   string    `dynamodbav:"currency" v1:"Currency"`
	At         time.Time `dynamodbav:"at" v1:"At"`
}

func redemptionDataOf(x coupons.Redemption) redemptionData {
	return redemptionData{
		Code:       x.Code,
		CustomerID: x.CustomerID,
		OrderID:    x.OrderID,
		Discount:   x.Discount,
		Currency:   x.Currency,
		At:         x.At,
	}
}

func (d redemptionData) value() coupons.Redemption {
	return coupons.Redemption{
		Code:       d.Code,
		CustomerID: d.CustomerID,
		OrderID:    d.OrderID,
		Discount:   d.Discount,
		Currency:   d.Currency,
		At:         d.At,
	}
}
