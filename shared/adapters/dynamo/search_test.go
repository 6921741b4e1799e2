package dynamo_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/ezscale/platform/shared/adapters/dynamo"
	"github.com/ezscale/platform/shared/domain/accounts"
	"github.com/ezscale/platform/shared/domain/billing"
	"github.com/ezscale/platform/shared/domain/provisioning"
	"github.com/ezscale/platform/shared/domain/search"
	"github.com/ezscale/platform/shared/platform/clock"
	"github.com/ezscale/platform/shared/testkit/dynamotest"
)

// The index follows every write of the entities it names: a rename, a
// new e-mail address, a changed IP and a numbered invoice are found at
// once, and what an entity no longer has finds it no more.
func TestSearchIndexFollowsWrites(t *testing.T) {
	t0 := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	clk := clock.NewFake(t0)
	dynamotest.Run(t, clk, func(t *testing.T, tbl *dynamo.Table, api dynamotest.Client) {
		ctx := context.Background()
		idx, users, services, invoices := dynamo.NewSearch(tbl), dynamo.NewAccounts(tbl), dynamo.NewServices(tbl), dynamo.NewInvoices(tbl)
		find := func(q string) string {
			t.Helper()
			hits, err := idx.Find(ctx, search.Normalize(q), 10)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, h := range hits {
				out = append(out, fmt.Sprintf("%s:%s", h.Kind, h.ID))
			}
			slices.Sort(out)
			return fmt.Sprint(out)
		}
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		must(users.CreateUser(ctx, &accounts.User{ID: "usr_1", Email: "ada@example.com", Role: accounts.Customer, CreatedAt: t0, Version: 1,
			Profile: accounts.Profile{Name: "Ada Lovelace", Company: "Analytical Engines"}}))
		must(users.CreateUser(ctx, &accounts.User{ID: "usr_2", Email: "grace@example.org", Role: accounts.Customer, CreatedAt: t0, Version: 1}))
		_, err := services.CreateService(ctx, &provisioning.Service{ID: "svc_1", CustomerID: "usr_1", Hostname: "web1.ada.example", IPs: []string{"203.0.113.7"}, CreatedAt: t0})
		must(err)
		must(invoices.CreateInvoice(ctx, &billing.Invoice{ID: "inv_1", CustomerID: "usr_1", Currency: "USD", CreatedAt: t0}))
		for _, tc := range []struct{ q, want string }{
			{"lov", "[customer:usr_1]"},
			{"ADA  Lovelace", "[customer:usr_1]"},
			{"analytical", "[customer:usr_1]"},
			{"example.", "[customer:usr_1 customer:usr_2]"},
			{"example.org", "[customer:usr_2]"},
			{"web1", "[service:svc_1]"},
			{"203.0.113", "[service:svc_1]"},
			{"ezs-", "[]"}, // a draft has no number
		} {
			if got := find(tc.q); got != tc.want {
				t.Errorf("find %q = %s, want %s", tc.q, got, tc.want)
			}
		}

		_, err = users.UpdateUser(ctx, "usr_1", func(u *accounts.User) error { u.Profile.Name = "Ada Byron"; return nil })
		must(err)
		_, err = users.ChangeEmail(ctx, "usr_1", "ada@example.com", "countess@lovelace.example")
		must(err)
		_, err = services.UpdateService(ctx, "svc_1", func(s *provisioning.Service) error { s.IPs = []string{"198.51.100.9"}; return nil })
		must(err)
		_, err = invoices.Finalize(ctx, "inv_1", "2026", func(in *billing.Invoice, n int64) error { in.Number = fmt.Sprintf("EZS-2026-%06d", n); return nil })
		must(err)
		for _, tc := range []struct{ q, want string }{
			{"lovelace", "[customer:usr_1]"}, // the new address's domain
			{"ada lov", "[]"},
			{"byron", "[customer:usr_1]"},
			{"ada@", "[]"},
			{"countess", "[customer:usr_1]"},
			{"203.0", "[]"},
			{"198.51.100.9", "[service:svc_1]"},
			{"ezs-2026-000001", "[invoice:inv_1]"},
		} {
			if got := find(tc.q); got != tc.want {
				t.Errorf("after the changes, find %q = %s, want %s", tc.q, got, tc.want)
			}
		}

		// Items from before the index: Backfill adds them, once.
		out, err := api.Query(ctx, &dynamodb.QueryInput{TableName: aws.String(tbl.Name()), KeyConditionExpression: aws.String("PK = :pk"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: "FIND#b"}}})
		must(err)
		for _, it := range out.Items {
			_, err := api.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(tbl.Name()), Key: map[string]types.AttributeValue{"PK": it["PK"], "SK": it["SK"]}})
			must(err)
		}
		if got := find("byron"); got != "[]" {
			t.Fatalf("after deleting its entries, byron = %s", got)
		}
		for i, want := range []int{4, 0} {
			if n, err := idx.Backfill(ctx); err != nil || n != want {
				t.Fatalf("backfill %d = %d, %v; want %d", i+1, n, err, want)
			}
		}
		if got := find("byron"); got != "[customer:usr_1]" {
			t.Fatalf("after backfill, byron = %s", got)
		}
	})
}
