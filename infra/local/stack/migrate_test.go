package stack_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/ezscale/platform/infra/local/persist"
	"github.com/ezscale/platform/infra/local/stack"
	"github.com/ezscale/platform/shared/adapters/dynamo"
	"github.com/ezscale/platform/shared/domain/audit"
	"github.com/ezscale/platform/shared/domain/notify"
	"github.com/ezscale/platform/shared/platform/clock"
	"github.com/ezscale/platform/shared/testkit/fill"
)

// The data directory in testdata/v1 was written by the platform before
// explicit storage records (commit 15ddcc3): a short soak run's orders,
// invoices, payments, subscriptions, coupons and services, plus one of
// every entity with every field set (testdata/v1/README.md). golden.json
// is what that platform's stores read back from it, entity by entity.
// Started on a copy, today's platform must migrate it and read back the
// same values.
func TestStartMigratesADataDirectoryFromBeforeStorageRecords(t *testing.T) {
	dir := t.TempDir()
	unzip(t, "testdata/v1/table.jsonl.gz", filepath.Join(dir, "table.jsonl"))
	var gold []struct {
		Kind  string   `json:"kind"`
		Args  []string `json:"args"`
		Value any      `json:"value"`
	}
	golden := filepath.Join(t.TempDir(), "golden.json")
	unzip(t, "testdata/v1/golden.json.gz", golden)
	raw, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &gold); err != nil {
		t.Fatal(err)
	}

	// The fixture's clock: its sessions and tokens expire in 2026.
	clk := clock.NewFake(time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC))
	var logs bytes.Buffer
	open := func() *stack.Stack {
		st, err := stack.Open(context.Background(), stack.Options{BaseURL: "http://127.0.0.1:1", DataDir: dir,
			Log: slog.New(slog.NewTextHandler(&logs, nil)), Clock: clk})
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	st := open()
	if !strings.Contains(logs.String(), "store migrated") {
		t.Fatalf("no migration logged:\n%s", logs.String())
	}

	ctx := context.Background()
	tbl := st.Platform.Table
	ord, inv, cps, svc := dynamo.NewOrders(tbl), dynamo.NewInvoices(tbl), dynamo.NewCoupons(tbl), dynamo.NewServices(tbl)
	acc, pls, ntf, pks := dynamo.NewAccounts(tbl), dynamo.NewPlans(tbl), dynamo.NewNotifications(tbl), dynamo.NewPasskeys(tbl)
	aud, txr, lim := dynamo.NewAudit(tbl), dynamo.NewTaxRates(tbl), dynamo.NewLimiter(tbl)
	read := func(kind string, a []string) (any, error) {
		switch kind {
		case "order":
			return ord.GetOrder(ctx, a[0])
		case "subscription":
			return ord.GetSubscription(ctx, a[0])
		case "payment":
			return ord.GetPayment(ctx, a[0])
		case "payments_of":
			return ord.ListPayments(ctx, a[0])
		case "invoice":
			return inv.GetInvoice(ctx, a[0])
		case "coupon":
			return cps.GetCoupon(ctx, a[0])
		case "redemption":
			return cps.GetRedemption(ctx, a[0], a[1])
		case "service":
			return svc.GetService(ctx, a[0])
		case "service_log":
			return svc.ListLog(ctx, a[0])
		case "plan_change":
			return ord.GetChange(ctx, a[0])
		case "payment_method":
			return ord.GetPaymentMethod(ctx, a[0], a[1])
		case "billing_account":
			return ord.Account(ctx, a[0])
		case "surveys":
			return ord.ListSurveys(ctx)
		case "outbox":
			return ord.ListOutbox(ctx, a[0])
		case "user":
			return acc.GetUser(ctx, a[0])
		case "session":
			return acc.GetSession(ctx, a[0])
		case "api_token":
			return acc.GetAPIToken(ctx, a[0])
		case "plan":
			return pls.GetPlan(ctx, a[0])
		case "notification":
			return ntf.GetMessage(ctx, a[0])
		case "template":
			return ntf.GetTemplate(ctx, notify.Kind(a[0]))
		case "passkey":
			return pks.GetPasskey(ctx, a[0])
		case "audit":
			l, _, err := aud.List(ctx, audit.Query{Limit: 1000})
			return l, err
		case "tax_rates":
			return txr.ListTaxRates(ctx)
		case "failures":
			n, at, err := lim.Failures(ctx, a[0])
			return map[string]any{"n": n, "at": at}, err
		}
		t.Fatalf("golden kind %q has no reader", kind)
		return nil, nil
	}
	seen := map[string]int{}
	for _, g := range gold {
		v, err := read(g.Kind, g.Args)
		if err != nil {
			t.Errorf("%s %v: %v", g.Kind, g.Args, err)
			continue
		}
		want := roundTrip(t, g.Value)
		got := withoutNewZeros(roundTrip(t, fill.Plain(v)), want)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s %v changed:\n got  %v\n want %v", g.Kind, g.Args, got, want)
		}
		seen[g.Kind]++
	}
	for _, kind := range []string{"order", "invoice", "payment", "subscription", "coupon", "service"} {
		if seen[kind] < 2 {
			t.Errorf("only %d %s in the fixture", seen[kind], kind)
		}
	}

	// On disk, every item is in today's layout, with no Go field names.
	for _, item := range journalItems(t, filepath.Join(dir, "table.jsonl")) {
		if n, ok := item["schema"].(*types.AttributeValueMemberN); !ok || n.Value != "2" {
			t.Errorf("%v: schema %v", item["PK"], item["schema"])
		}
		if bad := upperNames(item, ""); len(bad) > 0 {
			t.Errorf("%v still has %v", item["PK"].(*types.AttributeValueMemberS).Value, bad)
		}
	}

	// Started again, there is nothing left to migrate.
	logs.Reset()
	open()
	if strings.Contains(logs.String(), "store migrated") {
		t.Errorf("migrated twice:\n%s", logs.String())
	}
}

// dataMaps hold keys that users or gateways supply (currencies, gateway
// names, features' extras), stored as given.
var dataMaps = map[string]bool{"prices": true, "gateway_price_ids": true, "extras": true, "amounts_off": true, "gateway_customers": true}

func upperNames(m map[string]types.AttributeValue, where string) []string {
	var bad []string
	for k, v := range m {
		if strings.ToLower(k) != k && k != "PK" && k != "SK" && !strings.HasPrefix(k, "GSI") {
			bad = append(bad, where+k)
		}
		if dataMaps[k] {
			continue
		}
		switch v := v.(type) {
		case *types.AttributeValueMemberM:
			bad = append(bad, upperNames(v.Value, where+k+".")...)
		case *types.AttributeValueMemberL:
			for _, e := range v.Value {
				if em, ok := e.(*types.AttributeValueMemberM); ok {
					bad = append(bad, upperNames(em.Value, where+k+"[].")...)
				}
			}
		}
	}
	return bad
}

// journalItems replays a copy of a journal into a fresh emulator and
// returns every item in it.
func journalItems(t *testing.T, path string) []map[string]types.AttributeValue {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cp := filepath.Join(t.TempDir(), "table.jsonl")
	if err := os.WriteFile(cp, data, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	store, err := persist.OpenEmbedded(ctx, "ezscale", cp)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	var items []map[string]types.AttributeValue
	in := &dynamodb.ScanInput{TableName: aws.String("ezscale")}
	for {
		page, err := store.Scan(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, page.Items...)
		if len(page.LastEvaluatedKey) == 0 {
			return items
		}
		in.ExclusiveStartKey = page.LastEvaluatedKey
	}
}

// roundTrip gives a plain value the shape JSON gives it (numbers as
// float64), so a value read now compares with one read from golden.json.
func roundTrip(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func unzip(t *testing.T, from, to string) {
	t.Helper()
	f, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// withoutNewZeros drops from got the fields the fixture does not have and
// that hold their zero value: fields added to the domain after the layout-1
// data was written read as zero from it, which is right.
func withoutNewZeros(got, want any) any {
	switch g := got.(type) {
	case map[string]any:
		w, _ := want.(map[string]any)
		out := map[string]any{}
		for k, v := range g {
			wv, had := w[k]
			// fill.Plain writes scalars as text: "0" and "false" are zeros too.
			// A new record of zeros (a plan's metering) reads as an empty map.
			if m, isMap := v.(map[string]any); !had && isMap && len(withoutNewZeros(m, nil).(map[string]any)) == 0 {
				continue
			}
			if !had && (v == nil || reflect.ValueOf(v).IsZero() || v == "0" || v == "false") {
				continue
			}
			out[k] = withoutNewZeros(v, wv)
		}
		return out
	case []any:
		w, _ := want.([]any)
		out := make([]any, len(g))
		for i, v := range g {
			var wv any
			if i < len(w) {
				wv = w[i]
			}
			out[i] = withoutNewZeros(v, wv)
		}
		return out
	}
	return got
}
