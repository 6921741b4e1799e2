package ids_test

import (
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/ezscale/platform/shared/platform/ids"
)

func TestIDsSortByCreationAndAreUnique(t *testing.T) {
	const n = 2000
	var mu sync.Mutex
	seen := map[string]bool{}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range n / 4 {
				id := ids.New("pln")
				mu.Lock()
				if seen[id] {
					t.Errorf("duplicate id %s", id)
				}
				seen[id] = true
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	// Sequential ids from one goroutine sort in creation order.
	var seq []string
	for range 100 {
		seq = append(seq, ids.New("inv"))
	}
	if !sort.StringsAreSorted(seq) {
		t.Fatal("ids made in sequence do not sort in creation order")
	}
}

func TestValidAndTime(t *testing.T) {
	at := time.Date(2026, 3, 4, 5, 6, 7, 8_000_000, time.UTC)
	id := ids.NewAt("svc", at)
	if !ids.Valid("svc", id) {
		t.Fatalf("Valid(%q) = false", id)
	}
	for _, bad := range []string{"", "svc_", "pln_" + id[4:], "svc_not-a-ulid", id + "x"} {
		if ids.Valid("svc", bad) {
			t.Errorf("Valid(%q) = true", bad)
		}
	}
	if got, ok := ids.Time(id); !ok || !got.Equal(at.Truncate(time.Millisecond)) {
		t.Fatalf("Time = %v, %v", got, ok)
	}
}
