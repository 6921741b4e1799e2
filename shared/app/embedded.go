package app

import (
	"errors"
	"path/filepath"
	"time"

	"github.com/ezscale/platform/shared/adapters/blob"
	"github.com/ezscale/platform/shared/adapters/devmail"
	"github.com/ezscale/platform/shared/adapters/dynamo"
	"github.com/ezscale/platform/shared/adapters/memqueue"
	"github.com/ezscale/platform/shared/domain/notify"
	"github.com/ezscale/platform/shared/platform/clock"
	"github.com/ezscale/platform/shared/platform/envelope"
)

// Embedded returns adapters that need no network, for the local stack,
// tests and benchmarks: the given store, a key file, blobs and a dev
// mailbox under dir, and an in-process queue (returned so the caller runs
// its workers) that honours the worker's retry delays and dead-letters a
// message after maxReceive failed receives.
func Embedded(api dynamo.API, dir string, maxReceive int, clk clock.Clock) (Adapters, *memqueue.Queue, *devmail.Box, error) {
	keys, err := envelope.LoadOrCreateLocalKeys(filepath.Join(dir, "master.key"))
	if err != nil {
		return Adapters{}, nil, nil, err
	}
	q := memqueue.New(maxReceive, time.Second)
	q.Delay = func(err error) (time.Duration, bool) {
		if rl, ok := errors.AsType[*notify.RetryLater](err); ok {
			return rl.Delay, true
		}
		return 0, false
	}
	box := devmail.New(filepath.Join(dir, "mail"), clk)
	return Adapters{DynamoDB: api, Keys: keys, Queue: q, Blobs: blob.NewDir(filepath.Join(dir, "blobs")), Mailer: box, HTTP: DefaultHTTPClient()}, q, box, nil
}
