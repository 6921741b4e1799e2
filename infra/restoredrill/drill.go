// Package restoredrill rehearses a restore of the table, locally, the way
// one is done on AWS: export the table in DynamoDB's export format (gzip,
// one {"Item": …} a line — what ExportTableToPointInTime writes and
// ImportTable reads), import the export into a fresh table, open it again
// from disk and compare every item with the source.
package restoredrill

import (
	"bufio"
	"cmp"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/ezscale/platform/infra/local/persist"
)

// Table is the table name make dev uses.
const Table = "ezscale"

// Report is what a drill did.
type Report struct {
	Items       int
	ExportBytes int64
	ByType      map[string]int
	Differences []string
	Took        time.Duration
}

// open replays a data directory's journal into a fresh emulator.
func open(ctx context.Context, journal string) (*persist.Store, error) {
	return persist.OpenEmbedded(ctx, Table, journal)
}

// scan reads every item, keyed "PK|SK", in DynamoDB JSON.
func scan(ctx context.Context, s persist.Backend) (map[string]map[string]types.AttributeValue, error) {
	out := map[string]map[string]types.AttributeValue{}
	var start map[string]types.AttributeValue
	for {
		page, err := s.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(Table), ExclusiveStartKey: start})
		if err != nil {
			return nil, err
		}
		for _, it := range page.Items {
			out[key(it)] = it
		}
		if len(page.LastEvaluatedKey) == 0 {
			return out, nil
		}
		start = page.LastEvaluatedKey
	}
}

func key(it map[string]types.AttributeValue) string {
	s := func(n string) string {
		if v, ok := it[n].(*types.AttributeValueMemberS); ok {
			return v.Value
		}
		return ""
	}
	return s("PK") + "|" + s("SK")
}

// Run exports the table of dataDir into work/export, restores it into
// work/restored and compares. dataDir is copied first: a running make dev
// keeps writing its own journal undisturbed.
func Run(ctx context.Context, dataDir, work string) (*Report, error) {
	began := time.Now()
	src := filepath.Join(dataDir, "table.jsonl")
	if _, err := os.Stat(src); err != nil {
		return nil, fmt.Errorf("no table in %s (run make dev once): %w", dataDir, err)
	}
	snapshot := filepath.Join(work, "source", "table.jsonl")
	if err := copyFile(src, snapshot); err != nil {
		return nil, err
	}
	store, err := open(ctx, snapshot)
	if err != nil {
		return nil, err
	}
	items, err := scan(ctx, store)
	_ = store.Close()
	if err != nil {
		return nil, err
	}
	export := filepath.Join(work, "export", "data", "00000000.json.gz")
	size, err := writeExport(export, items)
	if err != nil {
		return nil, err
	}
	restoredDir := filepath.Join(work, "restored")
	if err := Import(ctx, export, filepath.Join(restoredDir, "table.jsonl")); err != nil {
		return nil, err
	}
	// Opened again from disk: what a restart of the restored stack reads.
	again, err := open(ctx, filepath.Join(restoredDir, "table.jsonl"))
	if err != nil {
		return nil, err
	}
	restored, err := scan(ctx, again)
	_ = again.Close()
	if err != nil {
		return nil, err
	}
	rep := &Report{Items: len(items), ExportBytes: size, ByType: map[string]int{}, Differences: Compare(items, restored)}
	for _, it := range items {
		t := "?"
		if v, ok := it["type"].(*types.AttributeValueMemberS); ok {
			t = v.Value
		}
		rep.ByType[t]++
	}
	rep.Took = time.Since(began)
	return rep, nil
}

func copyFile(from, to string) error {
	if err := os.MkdirAll(filepath.Dir(to), 0o700); err != nil {
		return err
	}
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// writeExport writes items in DynamoDB's export format, in key order.
func writeExport(path string, items map[string]map[string]types.AttributeValue) (int64, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return 0, err
	}
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	zw := gzip.NewWriter(f)
	keys := make([]string, 0, len(items))
	for k := range items {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		enc, err := persist.EncodeItem(items[k])
		if err != nil {
			f.Close()
			return 0, err
		}
		line, err := json.Marshal(map[string]any{"Item": enc})
		if err != nil {
			f.Close()
			return 0, err
		}
		if _, err := zw.Write(append(line, '\n')); err != nil {
			f.Close()
			return 0, err
		}
	}
	if err := zw.Close(); err != nil {
		f.Close()
		return 0, err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return 0, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return 0, err
	}
	return st.Size(), f.Close()
}

// Import loads an export into a new durable table at journal, as
// ImportTable would into a new table.
func Import(ctx context.Context, export, journal string) error {
	if _, err := os.Stat(journal); err == nil {
		return fmt.Errorf("%s exists: a restore goes into a fresh data directory", journal)
	}
	store, err := open(ctx, journal)
	if err != nil {
		return err
	}
	defer store.Close()
	f, err := os.Open(export)
	if err != nil {
		return err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return err
	}
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 1<<20), 8<<20)
	for n := 1; sc.Scan(); n++ {
		var line struct {
			Item json.RawMessage `json:"Item"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil || line.Item == nil {
			return fmt.Errorf("export line %d: not an item", n)
		}
		item, err := persist.DecodeItem(line.Item)
		if err != nil {
			return fmt.Errorf("export line %d: %w", n, err)
		}
		if _, err := store.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(Table), Item: item}); err != nil {
			return fmt.Errorf("import line %d: %w", n, err)
		}
	}
	return sc.Err()
}

// Compare lists the items that differ between two tables (missing, extra
// or changed), by key.
func Compare(want, got map[string]map[string]types.AttributeValue) []string {
	var out []string
	for k, w := range want {
		g, ok := got[k]
		if !ok {
			out = append(out, "missing "+k)
			continue
		}
		a, _ := persist.EncodeItem(w)
		b, _ := persist.EncodeItem(g)
		ja, _ := json.Marshal(a)
		jb, _ := json.Marshal(b)
		if string(ja) != string(jb) {
			out = append(out, "changed "+k)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			out = append(out, "extra "+k)
		}
	}
	slices.SortFunc(out, cmp.Compare[string])
	return out
}
