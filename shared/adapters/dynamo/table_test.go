package dynamo_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/ezscale/platform/shared/adapters/dynamo"
	"github.com/ezscale/platform/shared/platform/apperr"
	"github.com/ezscale/platform/shared/platform/clock"
	"github.com/ezscale/platform/shared/testkit/dynamotest"
	"github.com/ezscale/platform/shared/testkit/moto"
)

func TestMain(m *testing.M) { moto.Main(m) }

type widget struct {
	dynamo.Item
	Name  string `dynamodbav:"name"`
	Count int64  `dynamodbav:"count"`
}

func newWidget(id string) *widget {
	return &widget{Item: dynamo.Item{PK: "W#" + id, SK: "W", Type: "widget", GSI1PK: "WIDGETS", GSI1SK: id, Version: 1}, Name: id}
}

func uniq(name, owner string) map[string]any {
	return map[string]any{"PK": "WNAME#" + name, "SK": "UNIQUE", "type": "unique", "owner": owner, "version": 1}
}

var t0 = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

func TestCreateAndGet(t *testing.T) {
	dynamotest.Run(t, clock.NewFake(t0), func(t *testing.T, tbl *dynamo.Table, _ dynamotest.Client) {
		ctx := context.Background()
		w := newWidget("a")
		if err := tbl.Write(ctx, dynamo.Create(w)); err != nil {
			t.Fatal(err)
		}
		var got widget
		if err := tbl.Get(ctx, dynamo.Key{PK: "W#a", SK: "W"}, &got); err != nil || got.Name != "a" || got.Version != 1 {
			t.Fatalf("Get = %+v, %v", got, err)
		}
		if err := tbl.Write(ctx, dynamo.Create(w)); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("second Create err = %v, want conflict", err)
		}
		if err := tbl.Get(ctx, dynamo.Key{PK: "W#zzz", SK: "W"}, &got); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("Get missing err = %v, want not_found", err)
		}
	})
}

func TestUniquenessIsAtomic(t *testing.T) {
	dynamotest.Run(t, clock.NewFake(t0), func(t *testing.T, tbl *dynamo.Table, _ dynamotest.Client) {
		ctx := context.Background()
		if err := tbl.Transact(ctx, dynamo.Create(newWidget("a")), dynamo.Create(uniq("blue", "a"))); err != nil {
			t.Fatal(err)
		}
		err := tbl.Transact(ctx, dynamo.Create(newWidget("b")), dynamo.Create(uniq("blue", "b")))
		if !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("err = %v, want conflict", err)
		}
		if c, ok := errors.AsType[*dynamo.TxConflict](err); !ok || !c.FailedAt(1) || c.FailedAt(0) {
			t.Fatalf("conflict detail = %v", err)
		}
		// Nothing of the failed transaction may remain.
		var w widget
		if err := tbl.Get(ctx, dynamo.Key{PK: "W#b", SK: "W"}, &w); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("half-written transaction: Get b err = %v", err)
		}
	})
}

func TestConcurrentWritersExactlyOneWins(t *testing.T) {
	dynamotest.Run(t, clock.NewFake(t0), func(t *testing.T, tbl *dynamo.Table, _ dynamotest.Client) {
		ctx := context.Background()
		if err := tbl.Write(ctx, dynamo.Create(newWidget("race"))); err != nil {
			t.Fatal(err)
		}
		const n = 16
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				w := newWidget("race")
				w.Count, w.Version = int64(i), 2
				errs[i] = tbl.Write(ctx, dynamo.Replace(w, 1))
			})
		}
		wg.Wait()
		wins, conflicts := 0, 0
		for _, err := range errs {
			switch {
			case err == nil:
				wins++
			case apperr.Is(err, apperr.Conflict):
				conflicts++
			default:
				t.Errorf("unexpected error: %v", err)
			}
		}
		if wins != 1 || conflicts != n-1 {
			t.Fatalf("wins = %d, conflicts = %d; want 1 and %d", wins, conflicts, n-1)
		}
	})
}

func TestUpdateRetriesLoseNoWrites(t *testing.T) {
	dynamotest.Run(t, clock.NewFake(t0), func(t *testing.T, tbl *dynamo.Table, _ dynamotest.Client) {
		ctx := context.Background()
		if err := tbl.Write(ctx, dynamo.Create(newWidget("ctr"))); err != nil {
			t.Fatal(err)
		}
		const n = 4 // within the retry budget even if every attempt collides
		var wg sync.WaitGroup
		for range n {
			wg.Go(func() {
				_, err := dynamo.Update(ctx, tbl, dynamo.Key{PK: "W#ctr", SK: "W"}, func(w *widget) ([]dynamo.Op, error) {
					w.Count++
					return nil, nil
				})
				if err != nil {
					t.Errorf("Update: %v", err)
				}
			})
		}
		wg.Wait()
		var w widget
		if err := tbl.Get(ctx, dynamo.Key{PK: "W#ctr", SK: "W"}, &w); err != nil {
			t.Fatal(err)
		}
		if w.Count != n || w.Version != n+1 {
			t.Fatalf("count = %d version = %d, want %d and %d", w.Count, w.Version, n, n+1)
		}
	})
}

func TestExpiredItemsReadAsAbsent(t *testing.T) {
	clk := clock.NewFake(t0)
	dynamotest.Run(t, clk, func(t *testing.T, tbl *dynamo.Table, _ dynamotest.Client) {
		ctx := context.Background()
		w := newWidget("session")
		w.TTL = t0.Add(time.Minute).Unix()
		if err := tbl.Write(ctx, dynamo.Create(w)); err != nil {
			t.Fatal(err)
		}
		clk.Set(t0)
		if err := tbl.Get(ctx, dynamo.Key{PK: "W#session", SK: "W"}, &widget{}); err != nil {
			t.Fatalf("live item: %v", err)
		}
		clk.Set(t0.Add(2 * time.Minute))
		if err := tbl.Get(ctx, dynamo.Key{PK: "W#session", SK: "W"}, &widget{}); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("expired Get err = %v, want not_found", err)
		}
		items, err := dynamo.QueryAll[widget](ctx, tbl, dynamo.Query{Index: dynamo.Main, PK: "W#session"}, 0)
		if err != nil || len(items) != 0 {
			t.Fatalf("expired Query = %v, %v", items, err)
		}
		// An expired uniqueness item must not block a new owner.
		if err := tbl.Write(ctx, dynamo.Create(newWidget("session"))); err != nil {
			t.Fatalf("Create over expired item: %v", err)
		}
		clk.Set(t0)
	})
}

func TestAddBounded(t *testing.T) {
	dynamotest.Run(t, clock.NewFake(t0), func(t *testing.T, tbl *dynamo.Table, _ dynamotest.Client) {
		ctx := context.Background()
		w := newWidget("stock")
		w.Count = 2
		if err := tbl.Write(ctx, dynamo.Create(w)); err != nil {
			t.Fatal(err)
		}
		key := dynamo.Key{PK: "W#stock", SK: "W"}
		const n = 5
		var wg sync.WaitGroup
		results := make([]error, n)
		for i := range n {
			wg.Go(func() { results[i] = tbl.Write(ctx, dynamo.Add(key, "count", -1, 0, 1<<40)) })
		}
		wg.Wait()
		ok := 0
		for _, err := range results {
			if err == nil {
				ok++
			} else if !apperr.Is(err, apperr.Conflict) {
				t.Fatalf("unexpected: %v", err)
			}
		}
		var got widget
		if err := tbl.Get(ctx, key, &got); err != nil {
			t.Fatal(err)
		}
		if ok != 2 || got.Count != 0 {
			t.Fatalf("reservations = %d, count = %d; want 2 and 0", ok, got.Count)
		}
	})
}

func TestQueryPagesAndPrefixes(t *testing.T) {
	dynamotest.Run(t, clock.NewFake(t0), func(t *testing.T, tbl *dynamo.Table, _ dynamotest.Client) {
		ctx := context.Background()
		for i := range 7 {
			w := newWidget(fmt.Sprintf("k%02d", i))
			if i%2 == 0 {
				w.GSI1SK = "even#" + w.Name
			} else {
				w.GSI1SK = "odd#" + w.Name
			}
			if err := tbl.Write(ctx, dynamo.Create(w)); err != nil {
				t.Fatal(err)
			}
		}
		var names []string
		q := dynamo.Query{Index: dynamo.GSI1, PK: "WIDGETS", Limit: 3}
		pages := 0
		for {
			p, err := dynamo.QueryPage[widget](ctx, tbl, q)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, w := range p.Items {
				names = append(names, w.Name)
			}
			if p.Next == "" {
				break
			}
			q.Cursor = p.Next
		}
		if len(names) != 7 || pages < 3 {
			t.Fatalf("names = %v in %d pages", names, pages)
		}
		evens, err := dynamo.QueryAll[widget](ctx, tbl, dynamo.Query{Index: dynamo.GSI1, PK: "WIDGETS", SKPrefix: "even#", Reverse: true}, 0)
		if err != nil || len(evens) != 4 || evens[0].Name != "k06" {
			t.Fatalf("evens = %+v, %v", evens, err)
		}
		if _, err := dynamo.QueryPage[widget](ctx, tbl, dynamo.Query{PK: "WIDGETS", Index: dynamo.GSI1, Cursor: "!!not-a-cursor"}); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("bad cursor err = %v", err)
		}
	})
}

func TestStoreDownIsUnavailable(t *testing.T) {
	api := dynamodb.NewFromConfig(aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("x", "x", ""),
		BaseEndpoint:     aws.String("http://127.0.0.1:1"),
		RetryMaxAttempts: 1,
	})
	tbl := dynamo.New(api, "ezscale", clock.NewFake(t0))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := tbl.Get(ctx, dynamo.Key{PK: "a", SK: "b"}, &widget{}); !apperr.Is(err, apperr.Unavailable) {
		t.Fatalf("Get err = %v, want unavailable", err)
	}
	if err := tbl.Transact(ctx, dynamo.Create(newWidget("x"))); !apperr.Is(err, apperr.Unavailable) {
		t.Fatalf("Transact err = %v, want unavailable", err)
	}
}

// A page asked for n items brings n when the partition has them, however
// the index is filled around it (minidyn counted other partitions' items
// against Limit) and whatever the filter drops.
func TestQueryPagesAreFull(t *testing.T) {
	dynamotest.Run(t, clock.NewFake(t0), func(t *testing.T, tbl *dynamo.Table, _ dynamotest.Client) {
		ctx := context.Background()
		put := func(pk, id string, ttl int64) {
			t.Helper()
			it := dynamo.Item{PK: "X#" + id, SK: "X", GSI1PK: pk, GSI1SK: id, Type: "x", TTL: ttl, Version: 1}
			if err := tbl.Write(ctx, dynamo.Put(&it)); err != nil {
				t.Fatal(err)
			}
		}
		for i := range 30 {
			put("A", fmt.Sprintf("a%02d", i), 0)
		}
		put("B", "b0", 0)
		put("B", "b1", t0.Add(-time.Hour).Unix()) // expired: filtered out
		put("B", "b2", 0)
		put("B", "b3", 0)
		p, err := dynamo.QueryPage[dynamo.Item](ctx, tbl, dynamo.Query{Index: dynamo.GSI1, PK: "B", Limit: 2})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Items) != 2 || p.Items[0].GSI1SK != "b0" || p.Items[1].GSI1SK != "b2" || p.Next == "" {
			t.Fatalf("first page = %+v next %q", p.Items, p.Next)
		}
		p, err = dynamo.QueryPage[dynamo.Item](ctx, tbl, dynamo.Query{Index: dynamo.GSI1, PK: "B", Limit: 2, Cursor: p.Next})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Items) != 1 || p.Items[0].GSI1SK != "b3" {
			t.Fatalf("second page = %+v", p.Items)
		}
	})
}

// A refused transaction must leave every item it touched exactly as it was:
// the embedded emulator's rollback once dropped empty lists and maps, after
// which every query over those items failed until the process restarted.
func TestRefusedTransactionLeavesEmptyCollectionsQueryable(t *testing.T) {
	type bag struct {
		dynamo.Item
		Tags  []string          `dynamodbav:"tags"`
		Attrs map[string]string `dynamodbav:"attrs"`
	}
	dynamotest.Run(t, clock.NewFake(t0), func(t *testing.T, tbl *dynamo.Table, _ dynamotest.Client) {
		ctx := context.Background()
		b := &bag{Item: dynamo.Item{PK: "BAG#1", SK: "BAG", Type: "bag", GSI1PK: "BAGS", GSI1SK: "1", Version: 1},
			Tags: []string{}, Attrs: map[string]string{}}
		if err := tbl.Write(ctx, dynamo.Create(b)); err != nil {
			t.Fatal(err)
		}
		if err := tbl.Write(ctx, dynamo.Create(uniq("taken", "x"))); err != nil {
			t.Fatal(err)
		}
		next := *b
		next.Version = 2
		err := tbl.Transact(ctx, dynamo.Replace(&next, 1), dynamo.Create(uniq("taken", "y")))
		if !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("transaction err = %v, want conflict", err)
		}
		got, err := dynamo.QueryAll[bag](ctx, tbl, dynamo.Query{Index: dynamo.GSI1, PK: "BAGS"}, 10)
		if err != nil {
			t.Fatalf("query after a refused transaction: %v", err)
		}
		if len(got) != 1 || got[0].Version != 1 || got[0].Tags == nil || got[0].Attrs == nil {
			t.Fatalf("after rollback = %+v, want the item unchanged with empty tags and attrs", got)
		}
	})
}

// A page of one partition of a busy index holds that partition's items:
// the embedded emulator once counted other partitions' items against the
// Limit whenever a filter was present (every QueryPage has one), so once a
// GSI held a few thousand items the outbox's pending query answered
// nothing, and publishing stopped.
func TestQueryLimitCountsOnlyTheQueriedPartition(t *testing.T) {
	dynamotest.Run(t, clock.NewFake(t0), func(t *testing.T, tbl *dynamo.Table, _ dynamotest.Client) {
		ctx := context.Background()
		var ops []dynamo.Op
		for i := range 400 {
			w := newWidget(fmt.Sprintf("other%03d", i))
			w.GSI1PK = "AAA#" + fmt.Sprint(i%7) // sorts before the partition asked for
			ops = append(ops, dynamo.Put(w))
			if len(ops) == 20 {
				if err := tbl.Transact(ctx, ops...); err != nil {
					t.Fatal(err)
				}
				ops = nil
			}
		}
		for i := range 5 {
			w := newWidget(fmt.Sprintf("mine%d", i))
			w.GSI1PK = "ZZZ"
			if err := tbl.Write(ctx, dynamo.Create(w)); err != nil {
				t.Fatal(err)
			}
		}
		page, err := dynamo.QueryPage[widget](ctx, tbl, dynamo.Query{Index: dynamo.GSI1, PK: "ZZZ", Limit: 3})
		if err != nil || len(page.Items) != 3 || page.Next == "" {
			t.Fatalf("first page = %d items, next %q, %v; want 3 and more to come", len(page.Items), page.Next, err)
		}
	})
}

// A refused transaction undoes the writes it made before the refusal and
// leaves every item it did not name as it was (the embedded emulator now
// copies only the named items to roll back).
func TestRefusedTransactionUndoesItsEarlierWrites(t *testing.T) {
	dynamotest.Run(t, clock.NewFake(t0), func(t *testing.T, tbl *dynamo.Table, _ dynamotest.Client) {
		ctx := context.Background()
		counted, bystander := newWidget("counted"), newWidget("bystander")
		counted.Count, bystander.Count = 5, 9
		for _, w := range []*widget{counted, bystander} {
			if err := tbl.Write(ctx, dynamo.Create(w)); err != nil {
				t.Fatal(err)
			}
		}
		if err := tbl.Write(ctx, dynamo.Create(uniq("taken", "x"))); err != nil {
			t.Fatal(err)
		}
		err := tbl.Transact(ctx, dynamo.Add(dynamo.Key{PK: "W#counted", SK: "W"}, "count", 1, 0, 100), dynamo.Create(uniq("taken", "y")))
		if !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("transaction err = %v, want conflict", err)
		}
		got, err := dynamo.QueryAll[widget](ctx, tbl, dynamo.Query{Index: dynamo.GSI1, PK: "WIDGETS"}, 10)
		if err != nil || len(got) != 2 {
			t.Fatalf("widgets = %+v, %v", got, err)
		}
		for _, w := range got {
			if want := map[string]int64{"counted": 5, "bystander": 9}[w.Name]; w.Count != want || w.Version != 1 {
				t.Errorf("%s: count %d version %d after the refused transaction, want %d and 1", w.Name, w.Count, w.Version, want)
			}
		}
	})
}

// recording counts how single writes reach DynamoDB.
type recording struct {
	dynamo.API
	puts   int
	tokens []string
}

func (r *recording) PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	r.puts++
	return r.API.PutItem(ctx, in, opts...)
}

func (r *recording) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, opts ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	if in.ClientRequestToken != nil {
		r.tokens = append(r.tokens, *in.ClientRequestToken)
	}
	return r.API.TransactWriteItems(ctx, in, opts...)
}

// A single write whose retry could fail its own condition or apply twice
// (a create, a versioned replace, an update) goes as a one-item
// transaction with a client token of its own, so a retry after a lost
// reply is DynamoDB's first answer; a create of what exists is still a
// plain conflict.
func TestSingleWritesAreIdempotentOnRetry(t *testing.T) {
	api, name := dynamotest.Backends()[0].New(t)
	rec := &recording{API: api}
	tbl := dynamo.New(rec, name, clock.NewFake(t0))
	ctx := context.Background()
	if err := tbl.Write(ctx, dynamo.Create(newWidget("a"))); err != nil {
		t.Fatal(err)
	}
	if _, err := dynamo.Update(ctx, tbl, dynamo.Key{PK: "W#a", SK: "W"}, func(w *widget) ([]dynamo.Op, error) {
		w.Count++
		return nil, nil
	}); err != nil {
		t.Fatal(err)
	}
	err := tbl.Write(ctx, dynamo.Create(newWidget("a")))
	if !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("a second create of the same item: %v", err)
	}
	if _, ok := errors.AsType[*types.ConditionalCheckFailedException](err); !ok {
		t.Fatalf("the conflict is not a failed condition: %v", err)
	}
	// The two creates carried tokens of their own (the update went as a
	// transaction already, whose token the SDK fills in).
	if rec.puts != 0 || len(rec.tokens) != 2 || rec.tokens[0] == rec.tokens[1] {
		t.Fatalf("%d plain puts, tokens %v", rec.puts, rec.tokens)
	}
}

// The moto harness must answer a repeated client request token the way
// DynamoDB does, or the SDK's retry after a reply moto dropped fails a
// create against itself (seen in CI as a create conflicting on a new table).
func TestMotoHonoursClientRequestTokens(t *testing.T) {
	api, name := dynamotest.Backends()[1].New(t)
	ctx := context.Background()
	create := func(token, id string) error {
		_, err := api.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{
			ClientRequestToken: aws.String(token),
			TransactItems: []types.TransactWriteItem{{Put: &types.Put{
				TableName: aws.String(name),
				Item: map[string]types.AttributeValue{
					"PK": &types.AttributeValueMemberS{Value: "W#" + id}, "SK": &types.AttributeValueMemberS{Value: "W"},
				},
				ConditionExpression: aws.String("attribute_not_exists(PK)"),
			}}},
		})
		return err
	}
	if err := create("tok-1", "x"); err != nil {
		t.Fatal(err)
	}
	if err := create("tok-1", "x"); err != nil {
		t.Fatalf("a retry under the same token: %v", err)
	}
	if _, ok := errors.AsType[*types.TransactionCanceledException](create("tok-2", "x")); !ok {
		t.Fatal("a new token ran the transaction again without failing its condition")
	}
	if _, ok := errors.AsType[*types.IdempotentParameterMismatchException](create("tok-1", "y")); !ok {
		t.Fatal("a token reused with other parameters was accepted")
	}
}
