package app_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/ezscale/platform/shared/app"
	"github.com/ezscale/platform/shared/domain/catalog"
	"github.com/ezscale/platform/shared/platform/clock"
	"github.com/ezscale/platform/shared/platform/config"
	"github.com/ezscale/platform/shared/testkit/apicontract"
	"github.com/ezscale/platform/shared/testkit/catalogtest"
)

// listing fetches GET /v1/plans, optionally revalidating an ETag.
func listing(t *testing.T, base, etag string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+"/v1/plans?currency=USD&cycle=monthly", nil)
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// The public listing is cached, and a CDN may cache it: every plan edit,
// made in this function or another one on the same table, shows at once;
// stock moved by another function shows within catalog.PublicTTL; the
// ETag revalidates an unchanged listing with 304 Not Modified.
func TestPublicListingCacheAndHTTPCaching(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	stock := int64(5)
	in := catalogtest.Input("cached")
	in.Stock = &stock
	plan, err := e.p.Catalog.Create(ctx, in)
	if err != nil {
		t.Fatal(err)
	}

	// Another function: its own platform and cache over the same table.
	cfg, err := config.Load(map[string]string{"LOCAL_KEY_FILE": filepath.Join(t.TempDir(), "k")})
	if err != nil {
		t.Fatal(err)
	}
	ad, _, _, err := app.Embedded(e.api, t.TempDir(), 3, clock.System{})
	if err != nil {
		t.Fatal(err)
	}
	otherClock := clock.NewFake(time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC))
	other := httptest.NewServer(apicontract.For(t, app.New(cfg, ad, slog.New(slog.DiscardHandler), otherClock).Handler("")))
	t.Cleanup(other.Close)

	resp, body := listing(t, other.URL, "")
	etag := resp.Header.Get("ETag")
	if resp.StatusCode != 200 || etag == "" || !strings.Contains(body, `"name":"VPS cached"`) {
		t.Fatalf("GET /v1/plans = %d etag %q: %s", resp.StatusCode, etag, body)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "public, max-age=30" {
		t.Fatalf("Cache-Control = %q", cc)
	}
	if resp, body := listing(t, other.URL, etag); resp.StatusCode != http.StatusNotModified || body != "" || resp.Header.Get("ETag") != etag {
		t.Fatalf("revalidation = %d %q etag %q", resp.StatusCode, body, resp.Header.Get("ETag"))
	}

	// An edit through this function reaches the other's cache at once.
	in.Name = "VPS renamed"
	if _, err := e.p.Catalog.Replace(ctx, plan.ID, plan.Version, in); err != nil {
		t.Fatal(err)
	}
	resp, body = listing(t, other.URL, etag)
	if resp.StatusCode != 200 || !strings.Contains(body, `"name":"VPS renamed"`) || resp.Header.Get("ETag") == etag {
		t.Fatalf("after an edit elsewhere = %d etag %q: %s", resp.StatusCode, resp.Header.Get("ETag"), body)
	}
	etag = resp.Header.Get("ETag")

	// Stock moved by a third function (a checkout) without an edit: the
	// cached listing holds until PublicTTL, then shows it.
	_, err = e.api.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String("ezscale"), Key: map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: "PLAN#" + plan.ID}, "SK": &types.AttributeValueMemberS{Value: "PLAN"}},
		UpdateExpression: aws.String("SET stock = :z"), ExpressionAttributeValues: map[string]types.AttributeValue{":z": &types.AttributeValueMemberN{Value: "0"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if resp, _ := listing(t, other.URL, etag); resp.StatusCode != http.StatusNotModified {
		t.Fatalf("within PublicTTL = %d, want the cached listing (304)", resp.StatusCode)
	}
	otherClock.Advance(catalog.PublicTTL)
	resp, body = listing(t, other.URL, etag)
	if resp.StatusCode != 200 || !strings.Contains(body, `"stock_state":"out_of_stock"`) {
		t.Fatalf("after PublicTTL = %d: %s", resp.StatusCode, body)
	}

}
