package restoredrill_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/ezscale/platform/infra/local/persist"
	"github.com/ezscale/platform/infra/restoredrill"
	"github.com/ezscale/platform/shared/adapters/dynamo"
	"github.com/ezscale/platform/shared/domain/catalog"
	"github.com/ezscale/platform/shared/platform/clock"
	"github.com/ezscale/platform/shared/testkit/catalogtest"
)

// seed writes a small data directory the way make dev does.
func seed(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	store, err := persist.OpenEmbedded(ctx, restoredrill.Table, filepath.Join(dir, "table.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	svc := catalog.NewService(dynamo.NewPlans(dynamo.New(store, restoredrill.Table, clock.NewFake(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)))), clock.System{}, 0)
	for _, slug := range []string{"vps-a", "vps-b", "vps-c"} {
		if _, err := svc.Create(ctx, catalogtest.Input(slug)); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// The drill restores every item exactly, and a restore from an export
// that lost an item is caught.
func TestRestoreDrill(t *testing.T) {
	ctx := context.Background()
	data, work := seed(t), t.TempDir()
	rep, err := restoredrill.Run(ctx, data, work)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Items < 6 || rep.ByType["plan"] != 3 || len(rep.Differences) != 0 || rep.ExportBytes == 0 {
		t.Fatalf("report %+v", rep)
	}
	// Drop one line of the export and restore again: the comparison sees it.
	export := filepath.Join(work, "export", "data", "00000000.json.gz")
	f, _ := os.Open(export)
	zr, _ := gzip.NewReader(f)
	var kept bytes.Buffer
	zw := gzip.NewWriter(&kept)
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 1<<20), 8<<20)
	dropped := false
	for sc.Scan() {
		if !dropped && strings.Contains(sc.Text(), `"PLAN#`) {
			dropped = true
			continue
		}
		zw.Write(append(sc.Bytes(), '\n'))
	}
	zw.Close()
	f.Close()
	if err := os.WriteFile(export, kept.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	journal := filepath.Join(t.TempDir(), "table.jsonl")
	if err := restoredrill.Import(ctx, export, journal); err != nil {
		t.Fatal(err)
	}
	if err := restoredrill.Import(ctx, export, journal); err == nil {
		t.Fatal("a restore into a data directory that has a table was accepted")
	}
	rep2, err := restoredrill.Run(ctx, filepath.Dir(journal), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if rep2.Items != rep.Items-1 {
		t.Fatalf("restored %d items from an export missing one of %d", rep2.Items, rep.Items)
	}
}

// Compare names what is missing, extra or changed.
func TestCompareNamesEveryDifference(t *testing.T) {
	item := func(pk, v string) map[string]types.AttributeValue {
		return map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: pk}, "SK": &types.AttributeValueMemberS{Value: "X"}, "v": &types.AttributeValueMemberS{Value: v}}
	}
	want := map[string]map[string]types.AttributeValue{"A|X": item("A", "1"), "B|X": item("B", "1"), "C|X": item("C", "1")}
	got := map[string]map[string]types.AttributeValue{"A|X": item("A", "1"), "B|X": item("B", "2"), "D|X": item("D", "1")}
	d := restoredrill.Compare(want, got)
	if strings.Join(d, ",") != "changed B|X,extra D|X,missing C|X" {
		t.Fatalf("%v", d)
	}
}
