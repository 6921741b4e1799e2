package persist_test

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	minidyn "github.com/truora/minidyn/aws-v2/client"

	"github.com/ezscale/platform/infra/local/persist"
	"github.com/ezscale/platform/shared/adapters/dynamo"
)

func open(t *testing.T, path string) *persist.Store {
	t.Helper()
	emu := minidyn.NewClient()
	if err := dynamo.EnsureTable(context.Background(), emu, "t"); err != nil {
		t.Fatal(err)
	}
	s, err := persist.Open(context.Background(), emu, "t", path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestEveryWriteSurvivesReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "table.jsonl")
	s := open(t, path)
	item := map[string]types.AttributeValue{
		"PK": &types.AttributeValueMemberS{Value: "A"}, "SK": &types.AttributeValueMemberS{Value: "1"},
		"n":    &types.AttributeValueMemberN{Value: "-12.5"},
		"b":    &types.AttributeValueMemberB{Value: []byte{0, 1, 2, 255}},
		"ok":   &types.AttributeValueMemberBOOL{Value: true},
		"nil":  &types.AttributeValueMemberNULL{Value: true},
		"ss":   &types.AttributeValueMemberSS{Value: []string{"x", "y"}},
		"ns":   &types.AttributeValueMemberNS{Value: []string{"1", "2"}},
		"bs":   &types.AttributeValueMemberBS{Value: [][]byte{{1}, {2}}},
		"list": &types.AttributeValueMemberL{Value: []types.AttributeValue{&types.AttributeValueMemberS{Value: "ü€"}, &types.AttributeValueMemberN{Value: "3"}}},
		"map":  &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"deep": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"k": &types.AttributeValueMemberS{Value: "v"}}}}},
	}
	if _, err := s.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("t"), Item: item}); err != nil {
		t.Fatal(err)
	}
	del := map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: "B"}, "SK": &types.AttributeValueMemberS{Value: "1"}}
	if _, err := s.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("t"), Item: del}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String("t"), Key: del}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String("t"), Key: map[string]types.AttributeValue{"PK": item["PK"], "SK": item["SK"]},
		UpdateExpression:          aws.String("SET added = :v"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":v": &types.AttributeValueMemberS{Value: "later"}},
	}); err != nil {
		t.Fatal(err)
	}
	// No Close: the process may die at any moment after a write returns.
	again := open(t, path)
	out, err := again.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("t")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Items) != 1 {
		t.Fatalf("items after reopen = %d, want 1 (the deleted one must stay deleted)", len(out.Items))
	}
	item["added"] = &types.AttributeValueMemberS{Value: "later"}
	opts := cmpopts.IgnoreUnexported(types.AttributeValueMemberS{}, types.AttributeValueMemberN{}, types.AttributeValueMemberB{},
		types.AttributeValueMemberBOOL{}, types.AttributeValueMemberNULL{}, types.AttributeValueMemberSS{}, types.AttributeValueMemberNS{},
		types.AttributeValueMemberBS{}, types.AttributeValueMemberL{}, types.AttributeValueMemberM{})
	// Sets (SS, NS, BS) are unordered in DynamoDB: compare them as sets.
	sets := cmp.Options{cmpopts.SortSlices(func(a, b string) bool { return a < b }), cmpopts.SortSlices(func(a, b []byte) bool { return bytes.Compare(a, b) < 0 })}
	if diff := cmp.Diff(item, out.Items[0], opts, sets); diff != "" {
		t.Fatalf("round trip (-want +got):\n%s", diff)
	}
}

func TestCorruptSnapshotRefusesToStart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "table.jsonl")
	if err := writeFile(path, "{not json\n"); err != nil {
		t.Fatal(err)
	}
	emu := minidyn.NewClient()
	_ = dynamo.EnsureTable(context.Background(), emu, "t")
	if _, err := persist.Open(context.Background(), emu, "t", path); err == nil {
		t.Fatal("a corrupt snapshot was accepted")
	}
}
