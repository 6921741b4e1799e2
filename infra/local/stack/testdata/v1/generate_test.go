package persist_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	minidyn "github.com/truora/minidyn/aws-v2/client"

	"github.com/ezscale/platform/infra/local/persist"
	"github.com/ezscale/platform/shared/adapters/dynamo"
	"github.com/ezscale/platform/shared/domain/accounts"
	"github.com/ezscale/platform/shared/domain/audit"
	"github.com/ezscale/platform/shared/domain/billing"
	"github.com/ezscale/platform/shared/domain/catalog"
	"github.com/ezscale/platform/shared/domain/coupons"
	"github.com/ezscale/platform/shared/domain/notify"
	"github.com/ezscale/platform/shared/domain/orders"
	"github.com/ezscale/platform/shared/domain/outbox"
	"github.com/ezscale/platform/shared/domain/passkeys"
	"github.com/ezscale/platform/shared/domain/provisioning"
	"github.com/ezscale/platform/shared/platform/clock"
	"github.com/ezscale/platform/shared/testkit/fill"
)

type golden struct {
	Kind  string   `json:"kind"`
	Args  []string `json:"args"`
	Value any      `json:"value"`
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestWriteV1Fixture(t *testing.T) {
	out := os.Getenv("V1_OUT")
	if out == "" {
		t.Skip("V1_OUT not set")
	}
	ctx := context.Background()
	must(t, os.MkdirAll(out, 0o755))
	journal := filepath.Join(out, "table.jsonl")
	soak, err := os.ReadFile("/tmp/soak-v1.jsonl")
	must(t, err)
	must(t, os.WriteFile(journal, soak, 0o600))
	emu := minidyn.NewClient()
	must(t, dynamo.EnsureTable(ctx, emu, "ezscale"))
	store, err := persist.Open(ctx, emu, "ezscale", journal)
	must(t, err)
	clk := clock.NewFake(time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC))
	tb := dynamo.New(store, "ezscale", clk)
	acc, ord, cps, inv, svc, pls := dynamo.NewAccounts(tb), dynamo.NewOrders(tb), dynamo.NewCoupons(tb), dynamo.NewInvoices(tb), dynamo.NewServices(tb), dynamo.NewPlans(tb)
	ntf, pks, aud, txr, lim := dynamo.NewNotifications(tb), dynamo.NewPasskeys(tb), dynamo.NewAudit(tb), dynamo.NewTaxRates(tb), dynamo.NewLimiter(tb)

	var u accounts.User
	fill.Fill(&u, 1)
	u.Version = 1
	must(t, acc.CreateUser(ctx, &u))
	var ses accounts.Session
	fill.Fill(&ses, 2)
	must(t, acc.PutSession(ctx, &ses))
	var tok accounts.Token
	fill.Fill(&tok, 3)
	must(t, acc.PutToken(ctx, &tok))
	var apt accounts.APIToken
	fill.Fill(&apt, 4)
	must(t, acc.PutAPIToken(ctx, &apt))
	var pk passkeys.Passkey
	fill.Fill(&pk, 5)
	must(t, pks.PutPasskey(ctx, &pk))
	must(t, pks.PutCeremony(ctx, "cer_v1", []byte("ceremony"), time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)))
	var msg notify.Message
	fill.Fill(&msg, 6)
	msg.Version = 1
	_, _, err = ntf.CreateMessage(ctx, &msg)
	must(t, err)
	var tpl notify.StoredTemplate
	fill.Fill(&tpl, 7)
	must(t, ntf.PutTemplate(ctx, "order_paid", tpl))
	var ae audit.Entry
	fill.Fill(&ae, 8)
	must(t, aud.Record(ctx, ae))
	var tr billing.TaxRate
	fill.Fill(&tr, 9)
	must(t, txr.PutTaxRate(ctx, tr))
	_, err = lim.Fail(ctx, "login:v1@example.com")
	must(t, err)

	var p catalog.Plan
	fill.Fill(&p, 10)
	p.Version, p.Stock = 1, aws.Int64(50)
	must(t, pls.CreatePlan(ctx, &p))
	var c coupons.Coupon
	fill.Fill(&c, 11)
	c.MaxUses, c.PerCustomer = 0, 0
	must(t, cps.CreateCoupon(ctx, &c))
	terms, err := cps.GetCoupon(ctx, c.Code)
	must(t, err)
	var o orders.Order
	fill.Fill(&o, 12)
	o.Version, o.PlanID, o.CouponCode, o.StockReserved = 1, p.ID, c.Code, true
	must(t, ord.CreateOrder(ctx, &o, terms))

	var ev orders.EventRecord
	fill.Fill(&ev, 13)
	var sub orders.Subscription
	fill.Fill(&sub, 14)
	sub.Version = 1
	var pays [2]orders.Payment
	fill.Fill(&pays, 15)
	pays[0].Version, pays[1].Version = 1, 1
	var pm orders.PaymentMethod
	fill.Fill(&pm, 16)
	pm.Version = 1
	var sv orders.Survey
	fill.Fill(&sv, 17)
	var ob outbox.Item
	fill.Fill(&ob, 18)
	ob.PublishedAt = nil
	must(t, ord.Apply(ctx, orders.Change{Event: &ev, Subscription: &sub, Payments: pays[:], Survey: &sv, Outbox: []outbox.Item{ob}}))
	must(t, ord.Apply(ctx, orders.Change{PaymentMethod: &pm}))
	must(t, ord.Apply(ctx, orders.Change{Currency: "EUR", CustomerID: pm.CustomerID}))
	_, err = ord.SetGatewayCustomer(ctx, pm.CustomerID, "stripe", "cus_v1")
	must(t, err)
	must(t, ord.SetDefaultPaymentMethod(ctx, pm.CustomerID, pm.ID))
	var ch orders.PlanChange
	fill.Fill(&ch, 19)
	var p2 catalog.Plan
	fill.Fill(&p2, 24)
	p2.Version, p2.Stock = 1, aws.Int64(5)
	must(t, pls.CreatePlan(ctx, &p2))
	ch.Version, ch.ToPlanID, ch.FromPlanID = 1, p.ID, p2.ID
	var later outbox.Item
	fill.Fill(&later, 20)
	later.PublishedAt = nil
	must(t, ord.CreateChange(ctx, &ch, later))

	var s provisioning.Service
	fill.Fill(&s, 21)
	_, err = svc.CreateService(ctx, &s)
	must(t, err)
	var le provisioning.LogEntry
	fill.Fill(&le, 22)
	le.ServiceID = s.ID
	must(t, svc.AppendLog(ctx, le))
	var in billing.Invoice
	fill.Fill(&in, 23)
	must(t, inv.CreateInvoice(ctx, &in))

	// Golden: what today's stores read back, entity by entity.
	var gold []golden
	add := func(kind string, v any, args ...string) { gold = append(gold, golden{kind, args, fill.Plain(v)}) }
	var start map[string]any
	_ = start
	var last map[string]typesAV
	_ = last
	items := scanAll(t, ctx, emu)
	for _, it := range items {
		pk, sk, typ := it["PK"], it["SK"], it["type"]
		id := pk[strings.Index(pk, "#")+1:]
		switch typ {
		case "order":
			v, err := ord.GetOrder(ctx, id)
			must(t, err)
			add("order", v, id)
		case "subscription":
			v, err := ord.GetSubscription(ctx, id)
			must(t, err)
			add("subscription", v, id)
		case "payment":
			v, err := ord.GetPayment(ctx, id)
			must(t, err)
			add("payment", v, id)
		case "invoice":
			v, err := inv.GetInvoice(ctx, id)
			must(t, err)
			add("invoice", v, id)
		case "coupon":
			v, err := cps.GetCoupon(ctx, id)
			must(t, err)
			add("coupon", v, id)
		case "coupon_redemption":
			oid := strings.TrimPrefix(sk, "ORDER#")
			v, err := cps.GetRedemption(ctx, id, oid)
			must(t, err)
			add("redemption", v, id, oid)
		case "service":
			v, err := svc.GetService(ctx, id)
			must(t, err)
			add("service", v, id)
			l, err := svc.ListLog(ctx, id)
			must(t, err)
			add("service_log", l, id)
		case "plan_change":
			v, err := ord.GetChange(ctx, id)
			must(t, err)
			add("plan_change", v, id)
		case "payment_method":
			gw, pid, _ := strings.Cut(id, "#")
			v, err := ord.GetPaymentMethod(ctx, gw, pid)
			must(t, err)
			add("payment_method", v, gw, pid)
		case "user":
			v, err := acc.GetUser(ctx, id)
			must(t, err)
			add("user", v, id)
			a, err := ord.Account(ctx, id)
			must(t, err)
			add("billing_account", a, id)
			ps, err := ord.ListPayments(ctx, id)
			must(t, err)
			add("payments_of", ps, id)
		case "plan":
			v, err := pls.GetPlan(ctx, id)
			must(t, err)
			add("plan", v, id)
		case "notification":
			v, err := ntf.GetMessage(ctx, id)
			must(t, err)
			add("notification", v, id)
		case "passkey":
			v, err := pks.GetPasskey(ctx, id)
			must(t, err)
			add("passkey", v, id)
		case "session":
			v, err := acc.GetSession(ctx, id)
			must(t, err)
			add("session", v, id)
		case "api_token":
			hash := id
			v, err := acc.GetAPIToken(ctx, hash)
			must(t, err)
			add("api_token", v, hash)
		}
	}
	a, err := ord.Account(ctx, pm.CustomerID)
	must(t, err)
	add("billing_account", a, pm.CustomerID)
	st, err := ntf.GetTemplate(ctx, "order_paid")
	must(t, err)
	add("template", st, "order_paid")
	al, _, err := aud.List(ctx, audit.Query{Limit: 1000})
	must(t, err)
	add("audit", al)
	tl, err := txr.ListTaxRates(ctx)
	must(t, err)
	add("tax_rates", tl)
	sl, err := ord.ListSurveys(ctx)
	must(t, err)
	add("surveys", sl)
	for _, subj := range []string{ob.Subject, later.Subject} {
		x, err := ord.ListOutbox(ctx, subj)
		must(t, err)
		add("outbox", x, subj)
	}
	n, at, err := lim.Failures(ctx, "login:v1@example.com")
	must(t, err)
	add("failures", map[string]any{"n": n, "at": at}, "login:v1@example.com")
	b, err := json.MarshalIndent(gold, "", " ")
	must(t, err)
	must(t, os.WriteFile(filepath.Join(out, "golden.json"), b, 0o644))
	t.Logf("%d golden entries from %d items", len(gold), len(items))
}

type typesAV = any

func ps(ctx context.Context, p *dynamo.Passkeys, id string) ([]byte, error) {
	return p.TakeCeremony(ctx, id)
}

func scanAll(t *testing.T, ctx context.Context, emu *minidyn.Client) []map[string]string {
	var out []map[string]string
	var start map[string]typesAVMap
	_ = start
	in := &dynamodb.ScanInput{TableName: aws.String("ezscale")}
	for {
		res, err := emu.Scan(ctx, in)
		must(t, err)
		for _, it := range res.Items {
			m := map[string]string{}
			for _, k := range []string{"PK", "SK", "type"} {
				if s, ok := it[k].(*typesS); ok {
					m[k] = s.Value
				}
			}
			out = append(out, m)
		}
		if len(res.LastEvaluatedKey) == 0 {
			break
		}
		in.ExclusiveStartKey = res.LastEvaluatedKey
	}
	sort.Slice(out, func(i, j int) bool { return out[i]["PK"]+out[i]["SK"] < out[j]["PK"]+out[j]["SK"] })
	return out
}

type typesAVMap = any
type typesS = types.AttributeValueMemberS
