// Command outbox publishes domain events: the table's stream wakes it when
// an outbox item is written, and a schedule sweeps whatever a failure left
// pending. Either way it runs every pending item's handler once.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/ezscale/platform/shared/app"
)

func main() {
	p, _, err := app.FromEnvironment(context.Background(), "outbox")
	if err != nil {
		fmt.Fprintln(os.Stderr, "outbox: cannot start:", err)
		os.Exit(1)
	}
	lambda.Start(func(ctx context.Context, _ json.RawMessage) (map[string]int, error) {
		n, err := p.Outbox.Publish(ctx)
		if err != nil {
			return nil, fmt.Errorf("publish outbox: %w", err)
		}
		p.Log.InfoContext(ctx, "outbox published", "items", n)
		return map[string]int{"published": n}, nil
	})
}
