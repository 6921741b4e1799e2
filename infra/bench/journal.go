package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/ezscale/platform/infra/local/persist"
)

// benchJournal measures the durable embedded store make dev runs on: 50
// concurrent three-item transactions (a checkout's shape) against a table
// already holding about 3.5 MB, each acknowledged only after its journal
// line is fsynced. Rewriting the whole table per write took 4–9 s median
// for this before the journal.
func benchJournal() error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "ezscale-bench-journal")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	store, err := persist.OpenEmbedded(ctx, "t", filepath.Join(dir, "table.jsonl"))
	if err != nil {
		return err
	}
	defer store.Close()
	item := func(pk string) map[string]types.AttributeValue {
		return map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: pk}, "SK": &types.AttributeValueMemberS{Value: "X"},
			"pad": &types.AttributeValueMemberS{Value: strings.Repeat("x", 700)}}
	}
	for i := range 5000 {
		if _, err := store.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("t"), Item: item(fmt.Sprintf("FILL#%d", i))}); err != nil {
			return err
		}
	}
	fi, _ := os.Stat(filepath.Join(dir, "table.jsonl"))
	const n = 50
	lat := make([]time.Duration, n)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range n {
		wg.Go(func() {
			t0 := time.Now()
			var ops []types.TransactWriteItem
			for j := range 3 {
				ops = append(ops, types.TransactWriteItem{Put: &types.Put{TableName: aws.String("t"), Item: item(fmt.Sprintf("TX#%d#%d", i, j))}})
			}
			if _, err := store.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: ops}); err != nil {
				panic(err)
			}
			lat[i] = time.Since(t0)
		})
	}
	wg.Wait()
	took := time.Since(start)
	fmt.Printf("Durable embedded store (make dev): %d concurrent 3-item transactions on a %.1f MB table, each fsynced before it returns\n", n, float64(fi.Size())/1e6)
	fmt.Printf("  p50 %v   p99 %v   all %d in %v\n\n", pct(lat, 50), pct(lat, 99), n, took.Round(time.Millisecond))
	return nil
}
