// Package dynamotest provides the store backends every store contract test
// runs against: the embedded emulator (minidyn) and moto server. The same
// test body must pass on both.
package dynamotest

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	minidyn "github.com/truora/minidyn/aws-v2/client"

	"github.com/ezscale/platform/shared/adapters/dynamo"
	"github.com/ezscale/platform/shared/platform/clock"
	"github.com/ezscale/platform/shared/testkit/moto"
)

// Client is what a backend offers: data operations and table creation.
type Client interface {
	dynamo.API
	dynamo.TableAdmin
}

// Backend is a named way to get a fresh, empty table.
type Backend struct {
	Name string
	// New returns a client and the name of a new empty table in it.
	New func(tb testing.TB) (Client, string)
}

var seq atomic.Int64

// Backends returns the embedded emulator and moto.
func Backends() []Backend {
	return []Backend{
		{Name: "minidyn", New: func(tb testing.TB) (Client, string) {
			c := minidyn.NewClient()
			mustCreate(tb, c, "ezscale")
			return c, "ezscale"
		}},
		{Name: "moto", New: func(tb testing.TB) (Client, string) {
			// Data goes through dynamo.NewClient, as in the functions.
			cfg := moto.Config(tb)
			c := struct {
				dynamo.API
				dynamo.TableAdmin
			}{dynamo.NewClient(cfg), dynamodb.NewFromConfig(cfg)}
			name := fmt.Sprintf("t%d_%d", seq.Add(1), testNano())
			mustCreate(tb, c, name)
			return c, name
		}},
	}
}

// Run runs fn once per backend as a subtest, with a fresh table each time.
func Run(t *testing.T, clk clock.Clock, fn func(t *testing.T, tbl *dynamo.Table, api Client)) {
	for _, b := range Backends() {
		t.Run(b.Name, func(t *testing.T) {
			api, name := b.New(t)
			fn(t, dynamo.New(api, name, clk), api)
		})
	}
}

func mustCreate(tb testing.TB, api dynamo.TableAdmin, name string) {
	tb.Helper()
	if err := dynamo.EnsureTable(context.Background(), api, name); err != nil {
		tb.Fatal(err)
	}
}

func testNano() int64 { return clock.System{}.Now().UnixNano() % 1_000_000_000 }

// Embedded reports whether api is the in-process emulator (fast enough for
// heavy contention tests; moto serves one request at a time).
func Embedded(api Client) bool {
	_, ok := api.(*minidyn.Client)
	return ok
}
