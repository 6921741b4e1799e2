package dynamo

import (
	"context"
	"slices"
	"testing"
	"time"

	minidyn "github.com/truora/minidyn/aws-v2/client"

	"github.com/ezscale/platform/shared/platform/clock"
)

// Packed counts round-trip, stay well under a write unit for a day of
// hourly numbers at line rate, and refuse damage; a day item written as
// number lists before packing still reads.
func TestDayCountsArePackedAndOldItemsRead(t *testing.T) {
	in, out := make([]int64, 24), make([]int64, 24)
	for h := range in {
		in[h], out[h] = 45_000_000_000_000, int64(h)*1_000_003
	}
	b := packCounts(in, out)
	if len(b) > 24*2*7+3 {
		t.Fatalf("%d bytes for a day", len(b))
	}
	gotIn, gotOut, err := unpackCounts(b)
	if err != nil || !slices.Equal(gotIn, in) || !slices.Equal(gotOut, out) {
		t.Fatalf("%v %v %v", gotIn, gotOut, err)
	}
	for _, bad := range [][]byte{b[:len(b)-1], append(slices.Clone(b), 0), {0xff}} {
		if _, _, err := unpackCounts(bad); err == nil {
			t.Fatalf("damaged counts %x accepted", bad)
		}
	}
	ctx := context.Background()
	emu := minidyn.NewClient()
	if err := EnsureTable(ctx, emu, "ezscale"); err != nil {
		t.Fatal(err)
	}
	tbl := New(emu, "ezscale", clock.NewFake(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)))
	old := &bwDayRecord{Item: Item{PK: "BWDAY#svc_1", SK: "2026-11-30", Type: "bandwidth_day", Version: 1}, ServiceID: "svc_1", Date: "2026-11-30",
		In: in, Out: out, Hours: 24, Closed: true}
	if err := tbl.Write(ctx, Put(old)); err != nil {
		t.Fatal(err)
	}
	days, err := NewBandwidth(tbl).Days(ctx, "svc_1", "2026-11-30", "2026-11-30")
	if err != nil || len(days) != 1 || !slices.Equal(days[0].In, in) || !slices.Equal(days[0].Out, out) {
		t.Fatalf("old item read as %+v, %v", days, err)
	}
}
