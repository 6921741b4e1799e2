package dynamo_test

import (
	"context"
	"fmt"
	"github.com/ezscale/platform/shared/domain/bandwidth"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	minidyn "github.com/truora/minidyn/aws-v2/client"

	"github.com/ezscale/platform/shared/adapters/dynamo"
	"github.com/ezscale/platform/shared/domain/accounts"
	"github.com/ezscale/platform/shared/domain/audit"
	"github.com/ezscale/platform/shared/domain/billing"
	"github.com/ezscale/platform/shared/domain/catalog"
	"github.com/ezscale/platform/shared/domain/coupons"
	"github.com/ezscale/platform/shared/domain/dunning"
	"github.com/ezscale/platform/shared/domain/helpdesk"
	"github.com/ezscale/platform/shared/domain/notify"
	"github.com/ezscale/platform/shared/domain/orders"
	"github.com/ezscale/platform/shared/domain/outbox"
	"github.com/ezscale/platform/shared/domain/passkeys"
	"github.com/ezscale/platform/shared/domain/provisioning"
	"github.com/ezscale/platform/shared/platform/clock"
	"github.com/ezscale/platform/shared/testkit/fill"
)

// Every entity is written through its store with every field set, read
// back equal, and stored under exactly the attribute names pinned in
// storedNames: renaming a domain field must not change what is stored
// (the importer and analytics read these items for years).
func TestEveryEntityRoundTripsUnderItsPinnedNames(t *testing.T) {
	ctx := context.Background()
	emu := minidyn.NewClient()
	if err := dynamo.EnsureTable(ctx, emu, "ezscale"); err != nil {
		t.Fatal(err)
	}
	tbl := dynamo.New(emu, "ezscale", clock.NewFake(time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)))
	acc, ord, cps, inv, svc, pls := dynamo.NewAccounts(tbl), dynamo.NewOrders(tbl), dynamo.NewCoupons(tbl), dynamo.NewInvoices(tbl), dynamo.NewServices(tbl), dynamo.NewPlans(tbl)
	ntf, pks, aud, txr := dynamo.NewNotifications(tbl), dynamo.NewPasskeys(tbl), dynamo.NewAudit(tbl), dynamo.NewTaxRates(tbl)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	same := func(what string, got, want any) {
		t.Helper()
		if g, w := fill.Plain(got), fill.Plain(want); !reflect.DeepEqual(g, w) {
			t.Errorf("%s read back differs:\n got  %v\n want %v", what, g, w)
		}
	}
	value := func(v any, err error) any {
		t.Helper()
		must(err)
		return v
	}

	var u accounts.User
	fill.Fill(&u, 1)
	u.Version = 1
	must(acc.CreateUser(ctx, &u))
	same("user", value(acc.GetUser(ctx, u.ID)), &u)
	var note accounts.Note
	fill.Fill(&note, 30)
	must(acc.AddNote(ctx, &note))
	same("note", value(acc.GetNote(ctx, note.CustomerID, note.ID)), &note)
	var ses accounts.Session
	fill.Fill(&ses, 2)
	must(acc.PutSession(ctx, &ses))
	same("session", value(acc.GetSession(ctx, ses.IDHash)), &ses)
	var tok accounts.Token
	fill.Fill(&tok, 3)
	tok.Purpose = accounts.VerifyEmail
	must(acc.PutToken(ctx, &tok))
	var apt accounts.APIToken
	fill.Fill(&apt, 4)
	apt.LastUsedAt = nil // set by TouchAPIToken only
	must(acc.PutAPIToken(ctx, &apt))
	same("api token", value(acc.GetAPIToken(ctx, apt.Hash)), &apt)
	var pk passkeys.Passkey
	fill.Fill(&pk, 5)
	must(pks.PutPasskey(ctx, &pk))
	same("passkey", value(pks.GetPasskey(ctx, pk.ID)), &pk)
	must(pks.PutCeremony(ctx, "cer_1", []byte("ceremony"), time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)))
	var msg notify.Message
	fill.Fill(&msg, 6)
	msg.Version = 1
	_, _, err := ntf.CreateMessage(ctx, &msg)
	must(err)
	same("notification", value(ntf.GetMessage(ctx, msg.ID)), &msg)
	var tpl notify.StoredTemplate
	fill.Fill(&tpl, 7)
	must(ntf.PutTemplate(ctx, "order_paid", tpl))
	same("template", value(ntf.GetTemplate(ctx, "order_paid")), &tpl)
	var ae audit.Entry
	fill.Fill(&ae, 8)
	must(aud.Record(ctx, ae))
	entries, _, err := aud.List(ctx, audit.Query{Day: ae.At})
	must(err)
	same("audit entry", entries, []audit.Entry{ae})
	var tr billing.TaxRate
	fill.Fill(&tr, 9)
	must(txr.PutTaxRate(ctx, tr))
	same("tax rate", value(txr.ListTaxRates(ctx)), []billing.TaxRate{tr})
	_, err = dynamo.NewLimiter(tbl).Fail(ctx, "login:a@example.com")
	must(err)
	var pol dunning.Policy
	fill.Fill(&pol, 31)
	pol.Version = 1
	sets := dynamo.NewSettings(tbl)
	must(sets.PutPolicy(ctx, &pol, 0))
	same("dunning policy", value(sets.GetPolicy(ctx)), &pol)
	must(sets.Claim(ctx, "in_1", "suspend@7", time.Date(2026, 12, 8, 0, 0, 0, 0, time.UTC)))
	must(sets.Claim(ctx, "in_1", "suspend@7", time.Date(2026, 12, 9, 0, 0, 0, 0, time.UTC))) // a repeat is done already
	same("dunning claims", value(sets.Claimed(ctx, "in_1")), map[string]bool{"suspend@7": true})
	must(sets.Claim(ctx, "in_1", dunning.ClaimPaused, time.Date(2026, 12, 9, 0, 0, 0, 0, time.UTC)))
	must(sets.Unclaim(ctx, "in_1", dunning.ClaimPaused))
	must(sets.Unclaim(ctx, "in_1", dunning.ClaimPaused)) // gone already
	same("dunning claims after a resume", value(sets.Claimed(ctx, "in_1")), map[string]bool{"suspend@7": true})
	var hold dunning.Hold
	fill.Fill(&hold, 33)
	must(sets.PutHold(ctx, &hold))
	same("dunning hold", value(sets.GetHold(ctx, hold.CustomerID)), &hold)
	must(sets.DeleteHold(ctx, hold.CustomerID))
	must(sets.PutHold(ctx, &hold)) // stored again for the pinned names

	var p catalog.Plan
	fill.Fill(&p, 10)
	p.Version, p.Stock = 1, aws.Int64(50)
	must(pls.CreatePlan(ctx, &p))
	same("plan", value(pls.GetPlan(ctx, p.ID)), &p)
	var c coupons.Coupon
	fill.Fill(&c, 11)
	c.MaxUses, c.PerCustomer, c.Uses, c.Version = 0, 0, 0, 1
	must(cps.CreateCoupon(ctx, &c))
	same("coupon", value(cps.GetCoupon(ctx, c.Code)), &c)
	var o orders.Order
	fill.Fill(&o, 12)
	o.Version, o.PlanID, o.CouponCode, o.StockReserved = 1, p.ID, c.Code, true
	claim := &orders.DomainClaim{Domain: "claimed.example.com", OrderID: o.ID, CustomerID: o.CustomerID, Version: 1}
	o.Claim = claim
	must(ord.CreateOrder(ctx, &o, &c))
	o.Claim = nil // written beside the order, not in it
	same("order", value(ord.GetOrder(ctx, o.ID)), &o)
	same("domain claim", value(ord.DomainClaim(ctx, claim.Domain)), claim)
	same("redemption", value(cps.GetRedemption(ctx, c.Code, o.ID)), &coupons.Redemption{Code: c.Code, CustomerID: o.CustomerID, OrderID: o.ID, Discount: o.Discount, Currency: o.Currency, At: o.CreatedAt})

	var ev orders.EventRecord
	fill.Fill(&ev, 13)
	var sub orders.Subscription
	fill.Fill(&sub, 14)
	sub.Version, sub.PaidThrough, sub.FeesDue, sub.Capabilities = 1, nil, 0, nil // read from the paid_through item, the ledger and the gateway, not stored
	var pays [2]orders.Payment
	fill.Fill(&pays, 15)
	pays[0].Version, pays[1].Version = 1, 1
	var sv orders.Survey
	fill.Fill(&sv, 17)
	var ob outbox.Item
	fill.Fill(&ob, 18)
	ob.PublishedAt, ob.CreatedAt = nil, time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	var pt orders.PaidThrough
	fill.Fill(&pt, 32)
	pt.Version = 1
	must(ord.Apply(ctx, orders.Change{Event: &ev, Subscription: &sub, Payments: pays[:], Survey: &sv, PaidThrough: &pt, Outbox: []outbox.Item{ob}}))
	same("subscription", value(ord.GetSubscription(ctx, sub.ID)), &sub)
	same("paid through", value(ord.GetPaidThrough(ctx, pt.OrderID)), &pt)
	same("payment", value(ord.GetPayment(ctx, pays[0].ID)), &pays[0])
	same("survey", value(ord.ListSurveys(ctx)), []orders.Survey{sv})
	same("outbox item", value(ord.ListOutbox(ctx, ob.Subject)), []outbox.Item{ob})
	var pm orders.PaymentMethod
	fill.Fill(&pm, 16)
	pm.Version, pm.Default = 1, false
	must(ord.Apply(ctx, orders.Change{PaymentMethod: &pm}))
	same("payment method", value(ord.GetPaymentMethod(ctx, pm.Gateway, pm.ID)), &pm)
	must(ord.Apply(ctx, orders.Change{Currency: "EUR", CustomerID: pm.CustomerID}))
	_, err = ord.SetGatewayCustomer(ctx, pm.CustomerID, "stripe", "cus_1")
	must(err)
	must(ord.SetDefaultPaymentMethod(ctx, pm.CustomerID, pm.ID))
	same("billing account", value(ord.Account(ctx, pm.CustomerID)),
		orders.Account{Currency: "EUR", GatewayCustomers: map[string]string{"stripe": "cus_1"}, DefaultPaymentMethod: pm.ID})

	var p2 catalog.Plan
	fill.Fill(&p2, 24)
	p2.Version, p2.Stock = 1, aws.Int64(5)
	must(pls.CreatePlan(ctx, &p2))
	var ch orders.PlanChange
	fill.Fill(&ch, 19)
	ch.Version, ch.ToPlanID, ch.FromPlanID = 1, p.ID, p2.ID
	var later outbox.Item
	fill.Fill(&later, 20)
	later.PublishedAt = nil
	must(ord.CreateChange(ctx, &ch, later))
	same("plan change", value(ord.GetChange(ctx, ch.ID)), &ch)

	var s provisioning.Service
	fill.Fill(&s, 21)
	s.Capabilities = nil // the panel's, filled in for the API; never stored
	_, err = svc.CreateService(ctx, &s)
	must(err)
	same("service", value(svc.GetService(ctx, s.ID)), &s)
	var le provisioning.LogEntry
	fill.Fill(&le, 22)
	le.ServiceID = s.ID
	must(svc.AppendLog(ctx, le))
	same("service log", value(svc.ListLog(ctx, s.ID)), []provisioning.LogEntry{le})
	var in billing.Invoice
	fill.Fill(&in, 23)
	in.Version = 1
	must(inv.CreateInvoice(ctx, &in))
	same("invoice", value(inv.GetInvoice(ctx, in.ID)), &in)
	_, err = inv.Finalize(ctx, in.ID, "2025", func(*billing.Invoice, int64) error { return nil })
	must(err)
	tks := dynamo.NewTickets(tbl)
	var tk helpdesk.Ticket
	fill.Fill(&tk, 40)
	tk.Version = 1
	var rp helpdesk.Reply
	fill.Fill(&rp, 41)
	rp.TicketID, rp.Author = tk.ID, helpdesk.Staff
	var tev helpdesk.Event
	fill.Fill(&tev, 42)
	tev.TicketID = tk.ID
	must(tks.CreateTicket(ctx, &tk, &rp, []helpdesk.Event{tev}, nil))
	same("ticket", value(tks.GetTicket(ctx, tk.ID)), &tk)
	replies, events, err := tks.Thread(ctx, tk.ID)
	must(err)
	same("ticket thread", []any{replies, events}, []any{[]helpdesk.Reply{rp}, []helpdesk.Event{tev}})
	var hs helpdesk.Settings
	fill.Fill(&hs, 43)
	hs.Version = 0
	must(tks.SaveSettings(ctx, &hs))
	hs.Version = 1
	same("helpdesk settings", value(tks.Settings(ctx)), &hs)
	must(tks.MarkUndeliverable(ctx, "gone@example.com", "5.1.1"))
	mc := helpdesk.Cursor{Mailbox: "support@ezscale.example", UIDValidity: 7, LastUID: 42}
	must(tks.SaveMailCursor(ctx, mc))
	mc.Version = 1
	same("mail cursor", value(tks.MailCursor(ctx, mc.Mailbox)), mc)
	bw := dynamo.NewBandwidth(tbl)
	var day bandwidth.Day
	fill.Fill(&day, 44)
	day.Date = "2026-11-03"
	must(bw.PutDays(ctx, []bandwidth.Day{day}))
	same("bandwidth day", value(bw.Days(ctx, day.ServiceID, day.Date, day.Date)), []bandwidth.Day{day})
	var bst bandwidth.DayStatus
	fill.Fill(&bst, 45)
	must(bw.PutStatus(ctx, bst))
	same("bandwidth status", value(bw.GetStatus(ctx, bst.Date)), &bst)
	_, err = bw.ClaimAlert(ctx, "svc_1", time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), 75)
	must(err)
	var cyc bandwidth.Cycle
	fill.Fill(&cyc, 46)
	cyc.State, cyc.Version = bandwidth.CycleHeld, 0
	must(bw.PutCycle(ctx, cyc))
	cyc.Version = 1
	same("bandwidth cycle", value(bw.Held(ctx)), []bandwidth.Cycle{cyc})
	var sum bandwidth.Summary
	fill.Fill(&sum, 47)
	must(bw.PutSummary(ctx, sum))
	same("bandwidth summary", value(bw.GetSummary(ctx)), &sum)
	_, err = tbl.Count(ctx, dynamo.Key{PK: "RATE#1", SK: "RATE"}, 5, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	must(err)
	_, err = dynamo.NewSearch(tbl).Backfill(ctx)
	must(err)

	got := storedNamesIn(t, emu)
	for typ, want := range storedNames {
		if !slices.Equal(got[typ], want) {
			t.Errorf("%s is stored as\n%s\nbut is pinned as\n%s", typ, strings.Join(got[typ], " "), strings.Join(want, " "))
		}
	}
	for typ := range got {
		if _, ok := storedNames[typ]; !ok {
			t.Errorf("%s is stored as\n%q\nwhich is not pinned", typ, got[typ])
		}
	}
}

// dataMaps hold keys that users or gateways supply, stored as given.
var dataMaps = map[string]bool{"prices": true, "gateway_price_ids": true, "extras": true, "amounts_off": true, "gateway_customers": true, "minimum": true, "overage": true}

// storedNamesIn lists, per item type, every attribute path stored.
func storedNamesIn(t *testing.T, emu *minidyn.Client) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	in := &dynamodb.ScanInput{TableName: aws.String("ezscale")}
	for {
		page, err := emu.Scan(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		for _, item := range page.Items {
			typ := item["type"].(*types.AttributeValueMemberS).Value
			out[typ] = append(out[typ], paths(item, "")...)
		}
		if len(page.LastEvaluatedKey) == 0 {
			break
		}
		in.ExclusiveStartKey = page.LastEvaluatedKey
	}
	for k, v := range out {
		slices.Sort(v)
		out[k] = slices.Compact(v)
	}
	return out
}

func paths(m map[string]types.AttributeValue, prefix string) []string {
	var out []string
	for k, v := range m {
		out = append(out, prefix+k)
		if dataMaps[k] {
			continue
		}
		switch v := v.(type) {
		case *types.AttributeValueMemberM:
			out = append(out, paths(v.Value, prefix+k+".")...)
		case *types.AttributeValueMemberL:
			for _, e := range v.Value {
				if em, ok := e.(*types.AttributeValueMemberM); ok {
					out = append(out, paths(em.Value, fmt.Sprintf("%s%s[].", prefix, k))...)
				}
			}
		}
	}
	return out
}
