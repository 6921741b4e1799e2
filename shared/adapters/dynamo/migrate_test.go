package dynamo

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	minidyn "github.com/truora/minidyn/aws-v2/client"

	"github.com/ezscale/platform/shared/platform/clock"
)

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
func m(v map[string]types.AttributeValue) types.AttributeValue {
	return &types.AttributeValueMemberM{Value: v}
}

// A layout-1 order as the platform wrote it: Go field names, a nested
// struct under Go names, and the domain's always-zero Version beside the
// item's.
func v1Order(version string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"PK": s("ORDER#o1"), "SK": s("ORDER"), "type": s("order"), "version": numAVs(version),
		"ID": s("o1"), "CustomerID": s("u1"), "Status": s("paid"), "Price": numAVs("500"),
		"Options": m(map[string]types.AttributeValue{"Hostname": s("web1"), "OS": s("debian")}),
		"PaidAt":  &types.AttributeValueMemberNULL{Value: true}, "Version": numAVs("0"),
	}
}

func numAVs(n string) types.AttributeValue { return &types.AttributeValueMemberN{Value: n} }

func TestUpgradeV1(t *testing.T) {
	cases := []struct {
		name    string
		item    map[string]types.AttributeValue
		want    []string // attribute paths after the upgrade
		wantErr string
	}{
		{name: "renames, nested too, and drops the zero duplicate", item: v1Order("3"),
			want: []string{"PK", "SK", "customer_id", "id", "options", "options.hostname", "options.os", "paid_at", "price", "schema", "status", "type", "version"}},
		{name: "a value with no field stops it", item: with(v1Order("3"), "Secret", s("x")), wantErr: `attribute "Secret" has a value`},
		{name: "a nested value with no field stops it", item: with(v1Order("3"), "Options", m(map[string]types.AttributeValue{"Kernel": s("6.1")})), wantErr: `order.options: attribute "Kernel"`},
		{name: "zero values with no field are dropped", item: with(v1Order("3"), "Junk", s("0001-01-01T00:00:00Z")),
			want: []string{"PK", "SK", "customer_id", "id", "options", "options.hostname", "options.os", "paid_at", "price", "schema", "status", "type", "version"}},
		{name: "unknown type", item: map[string]types.AttributeValue{"PK": s("X#1"), "SK": s("X"), "type": s("mystery")}, wantErr: `no record for type "mystery"`},
		{name: "no type", item: map[string]types.AttributeValue{"PK": s("X#1"), "SK": s("X")}, wantErr: "without a type"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := upgradeV1(c.item)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err = %v, want %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p := strings.Join(attrPaths(got, ""), " "); p != strings.Join(c.want, " ") {
				t.Errorf("paths %s\nwant  %s", p, strings.Join(c.want, " "))
			}
		})
	}
}

func with(item map[string]types.AttributeValue, k string, v types.AttributeValue) map[string]types.AttributeValue {
	item[k] = v
	return item
}

func attrPaths(item map[string]types.AttributeValue, prefix string) []string {
	var out []string
	for k, v := range item {
		out = append(out, prefix+k)
		if mv, ok := v.(*types.AttributeValueMemberM); ok {
			out = append(out, attrPaths(mv.Value, prefix+k+".")...)
		}
	}
	slices.Sort(out)
	return out
}

// staleScanner returns what the table held before a writer changed it.
type staleScanner struct {
	items []map[string]types.AttributeValue
}

func (s staleScanner) Scan(context.Context, *dynamodb.ScanInput, ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error) {
	return &dynamodb.ScanOutput{Items: s.items}, nil
}

func TestMigrateRereadsAnItemChangedSinceTheScan(t *testing.T) {
	ctx := context.Background()
	emu := minidyn.NewClient()
	if err := EnsureTable(ctx, emu, "ezscale"); err != nil {
		t.Fatal(err)
	}
	tbl := New(emu, "ezscale", clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)))
	// The table holds version 4 (paid at 500, say, then refunded); the scan
	// saw version 3.
	newer := with(v1Order("4"), "Price", numAVs("450"))
	if _, err := emu.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("ezscale"), Item: newer}); err != nil {
		t.Fatal(err)
	}
	n, err := tbl.Migrate(ctx, staleScanner{items: []map[string]types.AttributeValue{v1Order("3")}})
	if err != nil || n != 1 {
		t.Fatalf("migrated %d, %v", n, err)
	}
	var r orderRecord
	if err := tbl.Get(ctx, orderKey("o1"), &r); err != nil {
		t.Fatal(err)
	}
	if o := r.order(); o.Price != 450 || o.Version != 4 || o.CustomerID != "u1" || o.Options.Hostname != "web1" {
		t.Errorf("migrated the stale read: %+v", o)
	}
	// Already current: a second run rewrites nothing.
	n, err = tbl.Migrate(ctx, emu)
	if err != nil || n != 0 {
		t.Fatalf("second run migrated %d, %v", n, err)
	}
}
