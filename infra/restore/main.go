// Command restore rehearses a restore of the local table (make
// restore-drill): it exports the data directory's table in DynamoDB's
// export format, imports it into a fresh data directory, opens that again
// and compares every item. It exits non-zero on any difference. The
// steps on AWS are in docs/deploy.md.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"slices"

	"github.com/ezscale/platform/infra/restoredrill"
)

func main() {
	data := flag.String("data", ".data", "the data directory to restore from (make dev's)")
	work := flag.String("work", "", "where the export and the restored data directory go (default: a new temporary directory)")
	flag.Parse()
	dir := *work
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "ezscale-restore-"); err != nil {
			fail(err)
		}
	}
	rep, err := restoredrill.Run(context.Background(), *data, dir)
	if err != nil {
		fail(err)
	}
	fmt.Printf("restore drill: %d items exported (%d bytes gzip) to %s/export, restored into %s/restored in %s\n",
		rep.Items, rep.ExportBytes, dir, dir, rep.Took.Round(1e6))
	types := make([]string, 0, len(rep.ByType))
	for t := range rep.ByType {
		types = append(types, t)
	}
	slices.Sort(types)
	for _, t := range types {
		fmt.Printf("  %-24s %d\n", t, rep.ByType[t])
	}
	if len(rep.Differences) > 0 {
		for _, d := range rep.Differences[:min(20, len(rep.Differences))] {
			fmt.Println("  DIFFERS:", d)
		}
		fail(fmt.Errorf("%d items differ after the restore", len(rep.Differences)))
	}
	fmt.Println("restore drill: the restored table is identical, item for item")
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "restore drill:", err)
	os.Exit(1)
}
